/**
 * Email notifications, as a consumer of domain events (EventBridge rule → this, in AWS; the
 * in-process bus locally). Handlers never send email themselves. Each event is handled once, by
 * its id, however often it is delivered.
 */
import { createReportLink, REPORT_LINK_DAYS } from '../core/report-link.js';
import { DateTime } from 'luxon';
import * as z from 'zod';
import { createDecisionToken, type LinkDecision } from '../core/approval-link.js';
import { ValidationError } from '../core/errors.js';
import { APPROVER_ROLES, CLOSED_STATES, type ApprovalSlot, type ApproverRole, type ChangeRequest, type Person, type Role } from '../core/change-request.js';
import { sameId } from '../core/identity.js';
import { slotFor } from '../core/lifecycle.js';
import { type DomainEvent, eventSeq } from '../core/events.js';
import { approversToAsk } from '../core/approval-policy.js';
import { blackoutFlagNotice, blackoutInProgressNotice, timelineNotice } from '../email/calendar-notices.js';
import { escapeHtml } from '../email/html.js';
import { plainEmail } from '../email/plain.js';
import { approvalRequestEmail } from '../email/templates.js';
import type { ApprovalTimers } from '../core/approval-flow.js';
import { approvalMessage, decidedMessage } from '../core/slack-decisions.js';
import {
  systemClock,
  type SlackApp,
  type Clock,
  type CommunicationLog,
  type Directory,
  type EmailMessage,
  type Mailer,
  type MonitoringStore,
  type Once,
} from '../ports.js';
import type { Criterion, Measurement } from '../core/monitoring.js';

export interface NotificationDeps {
  directory: Directory;
  mailer: Mailer;
  once: Once;
  /** Signs approval links. */
  linkKey: () => Promise<Uint8Array>;
  baseUrl: string;
  timeZone: string;
  timers: ApprovalTimers;
  stakeholderEmails: Record<string, string>;
  /** Who receives the monthly report (REPORT_RECIPIENTS); without, the leadership stakeholder address. */
  reportRecipients?: readonly string[] | undefined;
  /** The monitoring period's measurements, for the T+15m status notice (none: the notice says only the state). */
  monitoring?: Pick<MonitoringStore, 'measurements'> | undefined;
  /** Where each email about a change is recorded (the change's communication log). */
  log?: Pick<CommunicationLog, 'record' | 'of'> | undefined;
  clock?: Clock | undefined;
  /** The Slack app: approvers are asked in Slack too, with buttons (none: email only). */
  slack?: SlackApp | undefined;
}

/** The event types this consumer acts on (the stack's rule matches exactly these). */
export const NOTIFIED_EVENTS = [
  'ApprovalRequested',
  'ApprovalReminder',
  'ApprovalEscalated',
  'ChangeApproved',
  'ChangeRejected',
  'ChangeExpired',
  'EmergencyStarted',
  'PostApprovalReminder',
  'PostApprovalOverdue',
  'TimelineNotice',
  'ChangeCalendarFlagged',
  'BlackoutUnderWay',
  // the monitoring period (seed: Rollback Plan, T+completion)
  'RollbackRequested',
  'RollbackOverdue',
  'BaselineUnhealthy',
  'MonitoringVerdict',
  'ChangeCompleted',
  // closed without success: the requestor and the approvers, asked for the lessons learned
  'ChangeRolledBack',
  'ChangeFailed',
  // webhooks (docs/webhooks.md): an unauthorized deployment, against a change or with none behind it;
  // an emergency change drafted from a PagerDuty incident, for on-call to complete
  'UnauthorizedDeployment',
  'UnauthorizedChange',
  'IncidentLinked',
  // seed: Monthly Report, delivered to the report's recipients
  'MonthlyReportReady',
  // freezes (docs/process.md "Freezes"): the requestor hears of a hold and its release and of the
  // owner's decision; the owner of the exception asked for and of the review due
  'ChangeHeld',
  'ChangeReleased',
  'FreezeExceptionRequested',
  'FreezeExceptionApproved',
  'FreezeExceptionRejected',
  'FreezeExceptionReviewDue',
  'FreezeExceptionReviewOverdue',
  // the Slack approval messages of a change decided, withdrawn or revised lose their buttons
  'ChangeCancelled',
  'ChangeRevised',
] as const;

/** What a notification needs of an event; anything else on the bus is refused (and lands in the DLQ). */
export const NotifiedEventSchema = z
  .object({
    schemaVersion: z.literal('1'),
    id: z.string().regex(/^CR-\d{4}-\d{2}-\d{2}-\d{3,}#\d+$/),
    type: z.string().min(1),
    changeId: z.string().min(1),
    reason: z.string().optional(),
    change: z.looseObject({ id: z.string(), requestor: z.looseObject({ id: z.string() }), content: z.looseObject({ title: z.string() }) }),
  })
  .loose();

/** An unauthorized change with no change request behind it (a service event: no change to read). */
const UnauthorizedChangeSchema = z.object({
  id: z.string().min(1),
  type: z.literal('UnauthorizedChange'),
  detail: z.looseObject({ environment: z.string(), reasons: z.array(z.string()), source: z.string() }),
});

const MonthlyReportSchema = z.object({
  id: z.string().min(1),
  type: z.literal('MonthlyReportReady'),
  /** When the report was announced: its links expire REPORT_LINK_DAYS after (the same links on a retried send). */
  time: z.iso.datetime({ offset: true }),
  detail: z.looseObject({
    month: z.string(),
    files: z.array(z.string()),
    total: z.number(),
    successfulPercent: z.number().nullable(),
    rolledBackPercent: z.number().nullable(),
    emergency: z.number(),
    unauthorized: z.number(),
    /** At a quarter's end: the quarter's review, made in the same run. */
    review: z.object({ quarter: z.string(), files: z.array(z.string()) }).optional(),
  }),
});

export async function notify(deps: NotificationDeps, input: unknown): Promise<{ sent: number }> {
  const report = MonthlyReportSchema.safeParse(input);
  if (report.success) return sendAll(deps, report.data.id, [await monthlyReportEmail(deps, report.data.detail, report.data.time)]);
  const unauthorized = UnauthorizedChangeSchema.safeParse(input);
  if (unauthorized.success) return sendAll(deps, unauthorized.data.id, [unauthorizedChangeEmail(deps, unauthorized.data.detail as UnauthorizedDetail)]);
  const parsed = NotifiedEventSchema.safeParse(input);
  if (!parsed.success) {
    throw new ValidationError(
      parsed.error.issues.map((i) => ({ path: ['detail', ...i.path.map(String)].join('.'), message: i.message })),
      'not a ChangeFlow domain event',
    );
  }
  const event = parsed.data as unknown as DomainEvent;
  if (!(NOTIFIED_EVENTS as readonly string[]).includes(event.type)) return { sent: 0 };
  const template = event.type === 'TimelineNotice' && event.detail?.milestone ? `TimelineNotice ${event.detail.milestone}` : event.type;
  // who an approval request asks, read once for its emails and its Slack messages
  const asked = APPROVAL_ASKS.includes(event.type) ? await approversAsked(deps, event) : undefined;
  const emailed = await sendAll(deps, event.id, await messagesFor(deps, event, asked), { changeId: event.changeId, template });
  return { sent: emailed.sent + (await slackApprovals(deps, event, asked)) + (await closeSlackAsks(deps, event)) };
}

/**
 * Each email is its own step, claimed by the event and its recipients: a delivery retried after
 * some emails went out sends only the others, and a redelivered event sends nothing again.
 */
async function sendAll(
  deps: NotificationDeps,
  eventId: string,
  messages: EmailMessage[],
  about?: { changeId: string; template: string },
): Promise<{ sent: number }> {
  let sent = 0;
  const clock = deps.clock ?? systemClock;
  // the change's communication log: each email as it went out, or the attempt that failed (it is retried)
  const log = async (message: EmailMessage, outcome: 'sent' | 'failed', detail?: string) => {
    if (!about || !deps.log) return;
    const entry = {
      at: clock.now().toISOString(),
      channel: 'email' as const,
      recipients: message.to,
      template: about.template,
      subject: message.subject,
      eventId,
      outcome,
    };
    await deps.log.record(about.changeId, detail ? { ...entry, detail } : entry);
  };
  for (const message of messages.filter((m) => m.to.length > 0)) {
    const { ran } = await deps.once.run('notification', { eventId, to: [...message.to].sort().join(',') }, async () => {
      try {
        await deps.mailer.send(message);
      } catch (err) {
        // kept as best it can be: the failure itself is what the retry answers
        await log(message, 'failed', (err as Error).message.slice(0, 300)).catch(() => undefined);
        throw err;
      }
    });
    // After the step is marked done, not inside it: a process killed between the send and that mark
    // sends the email again, so nothing else waits in between. Written on every delivery of the event
    // (the first write stands), so one killed before it is logged by the retry.
    await log(message, 'sent');
    if (ran) sent++;
  }
  return { sent };
}

/** The month's summary and where its files are, to the report's recipients (REPORT_RECIPIENTS, else leadership). */
async function monthlyReportEmail(deps: NotificationDeps, d: z.infer<typeof MonthlyReportSchema>['detail'], time: string): Promise<EmailMessage> {
  const to = deps.reportRecipients?.length ? [...deps.reportRecipients] : [deps.stakeholderEmails.leadership].filter((a): a is string => Boolean(a));
  const pct = (p: number | null) => (p === null ? 'n/a' : `${p}%`);
  // signed links that open without signing in, until they expire (core/report-link.ts)
  const key = await deps.linkKey();
  const expiresAt = new Date(Date.parse(time) + REPORT_LINK_DAYS * 86_400_000).toISOString();
  const link = (path: string) => {
    const [, , period, file] = path.split('/') as [string, string, string, string];
    return `${deps.baseUrl}/report-links/${createReportLink({ period, file, expiresAt }, key)}`;
  };
  return plainEmail(to, `Change management report ${d.month}`, [
    `${d.total} changes in ${d.month}: ${pct(d.successfulPercent)} of the finished ones successful, ${pct(d.rolledBackPercent)} rolled back; ${d.emergency} emergency changes; ${d.unauthorized} unauthorized changes.`,
    `The report, to open without signing in until ${expiresAt} (forward it only to people who may read it):`,
    ...d.files.map((f) => `${f.split('/').at(-1)}: ${link(f)}`),
    ...(d.review ? [`The quarterly review of ${d.review.quarter}:`, ...d.review.files.map((f) => `${f.split('/').at(-1)}: ${link(f)}`)] : []),
    `Signed-in people can always open it at ${deps.baseUrl}${d.files[0] ?? `/reports/${d.month}/report.html`}.`,
  ]);
}

interface UnauthorizedDetail {
  source: string;
  environment: string;
  reasons: string[];
  repository?: string;
  commit?: string;
  url?: string;
  delivery?: string;
}

/** ServiceNow's headline KPI: engineering and leadership hear of each one. */
function unauthorizedChangeEmail(deps: NotificationDeps, d: UnauthorizedDetail): EmailMessage {
  const to = ['engineering', 'leadership'].map((c) => deps.stakeholderEmails[c]).filter((a): a is string => Boolean(a));
  const what = `${d.repository ?? `a ${d.source} pipeline`} deployed to ${d.environment}${d.commit ? ` (commit ${d.commit})` : ''}`;
  return plainEmail(to, `Unauthorized change: ${what}`, [
    `${what}, and no approved change request covers it: ${d.reasons.join('; ')}.`,
    d.url ? `The run: ${d.url}` : '',
    `File the change request after the fact and link it, or find out who deployed: ${deps.baseUrl}/webhooks/deliveries shows the delivery${d.delivery ? ` ${d.delivery}` : ''} (admins).`,
  ]);
}

async function messagesFor(deps: NotificationDeps, event: DomainEvent, asked: ApproversAsked | undefined): Promise<EmailMessage[]> {
  const cr = event.change;
  switch (event.type) {
    case 'ApprovalRequested':
    case 'ApprovalReminder':
    case 'ApprovalEscalated': {
      if (!asked) return [];
      const out: EmailMessage[] = [];
      for (const approver of asked.people) out.push(await approvalEmail(deps, cr, asked.slot, approver, asked.flags));
      return out;
    }
    case 'ChangeApproved':
    case 'ChangeRejected':
    case 'ChangeExpired': {
      const words = { ChangeApproved: 'was approved', ChangeRejected: 'was rejected', ChangeExpired: 'expired without every approval' }[event.type];
      return [
        plainEmail([cr.requestor.email], `${cr.id} ${words}`, [`${cr.id} "${cr.content.title}" ${words}.`, event.reason ? `Reason: ${event.reason}` : '']),
      ];
    }
    case 'EmergencyStarted': {
      // seed: "Notify stakeholders - Brief update in #incidents"; the post-approvers are asked at once
      const onCall = (await peopleWithRole(deps, 'on-call')).map((p) => p.email);
      const channels = [...(cr.content.communication?.stakeholders ?? []), 'engineering', 'incidents']
        .map((s) => deps.stakeholderEmails[s])
        .filter((a): a is string => Boolean(a));
      const through = cr.emergency?.blackouts.length ? ` It runs through the blackout ${cr.emergency.blackouts.map((b) => `"${b.name}"`).join(', ')}.` : '';
      const notice = plainEmail([...new Set([...onCall, ...channels])], `Emergency change ${cr.id} started: ${cr.content.title}`, [
        `Emergency change ${cr.id} "${cr.content.title}" is in progress (incident ${cr.content.incident?.reference ?? 'unknown'}, ${cr.content.incident?.severity ?? ''}).${through}`,
        `Declared by ${cr.emergency?.declaredBy ?? cr.requestor.name}. Post-approval by ${cr.postApproval?.minRole ?? 'eng-manager'} or above is due by ${cr.postApproval?.dueAt}.`,
        cr.content.description?.summary ?? '',
      ]);
      return [notice, ...(await postApprovalEmails(deps, cr, { reminder: false, escalated: false }))];
    }
    case 'TimelineNotice': {
      const milestone = event.detail?.milestone;
      const window = cr.content.plannedWindow;
      if (!milestone || !window) return [];
      const channels = (event.detail?.channels ?? []).map((c) => deps.stakeholderEmails[c]).filter((a): a is string => Boolean(a));
      const to = [...new Set([...channels, ...(cr.requestor.email ? [cr.requestor.email] : [])])];
      const localStart = DateTime.fromISO(window.start, { zone: 'utc' }).setZone(deps.timeZone).toFormat('ccc d LLL yyyy HH:mm ZZZZ');
      const notice = timelineNotice(cr, milestone, localStart, to);
      // seed: the T+15m status update says how the deployment is doing: the measurements so far
      if (milestone === 'T+15m' && cr.monitoring && deps.monitoring) {
        const lines = monitoringSoFar(cr.monitoring.plan.criteria, await deps.monitoring.measurements(cr.id), cr.monitoring.verdict);
        return [
          {
            ...notice,
            text: notice.text.replace('\n\n— ChangeFlow', `\n\n${lines.join('\n')}\n\n— ChangeFlow`),
            html: notice.html.replace('<p>— ChangeFlow</p>', `${lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('')}<p>— ChangeFlow</p>`),
          },
        ];
      }
      return [notice];
    }
    case 'ChangeCalendarFlagged': {
      // a flag about a blackout tells the requestor and the approvers; a refreshed conflict tells nobody
      const blackout = event.detail?.blackout;
      if (!blackout) return [];
      const to = await emailsOf(deps, [cr.requestor.id, ...cr.approvals.map((a) => a.by)], cr);
      return [blackoutFlagNotice(cr, blackout, to, cr.calendar?.suggestedSlot)];
    }
    case 'BlackoutUnderWay': {
      const blackout = event.detail?.blackout;
      if (!blackout) return [];
      const onCall = (await deps.directory.withRole('on-call')).map((p) => p.id);
      return [blackoutInProgressNotice(cr, blackout, await emailsOf(deps, [cr.requestor.id, ...onCall], cr))];
    }
    case 'RollbackRequested': {
      // the implementer, the approvers and on-call: roll it back and report it (POST /changes/{id}/rollback)
      const onCall = (await deps.directory.withRole('on-call')).map((p) => p.id);
      const to = await emailsOf(deps, [cr.requestor.id, ...cr.approvals.map((a) => a.by), ...onCall], cr);
      return [
        plainEmail(to, `Roll back ${cr.id} now: ${cr.content.title}`, [
          `A rollback trigger of ${cr.id} "${cr.content.title}" fired during its monitoring period.`,
          event.reason ?? '',
          `Rollback plan: ${cr.content.rollback?.procedure ?? 'see the change request'}`,
          `When it is done, report it: POST ${deps.baseUrl}/changes/${cr.id}/rollback with the reason.`,
        ]),
      ];
    }
    case 'RollbackOverdue': {
      const managers = (await deps.directory.withRole('eng-manager')).map((p) => p.id);
      const onCall = (await deps.directory.withRole('on-call')).map((p) => p.id);
      return [
        plainEmail(await emailsOf(deps, [cr.requestor.id, ...managers, ...onCall], cr), `Rollback of ${cr.id} not reported: ${cr.content.title}`, [
          `The rollback of ${cr.id} "${cr.content.title}" was requested at ${cr.monitoring?.rollbackRequestedAt ?? 'the trigger'} and has not been reported done.`,
          event.reason ?? '',
        ]),
      ];
    }
    case 'BaselineUnhealthy':
      return [
        plainEmail(
          await emailsOf(deps, [cr.requestor.id, ...(cr.monitoring?.deployedBy ? [cr.monitoring.deployedBy] : [])], cr),
          `${cr.id} was deployed onto an unhealthy baseline`,
          [
            `Before ${cr.id} "${cr.content.title}" was deployed, a rollback trigger was already breaching: ${event.reason ?? ''}`,
            `Acknowledge it (POST ${deps.baseUrl}/changes/${cr.id}/verdict with decision "acknowledge" and a reason) or roll back.`,
          ],
        ),
      ];
    case 'MonitoringVerdict': {
      // a period that ended without passing: the people who may decide are told
      const to = await emailsOf(deps, [cr.requestor.id, ...cr.approvals.map((a) => a.by)], cr);
      return [
        plainEmail(to, `${cr.id}: monitoring period ended ${cr.monitoring?.verdict ?? ''}`, [
          event.reason ?? '',
          `Decide: POST ${deps.baseUrl}/changes/${cr.id}/verdict with decision pass, fail or extend, and a reason.`,
        ]),
      ];
    }
    case 'ChangeCompleted': {
      // seed: T+completion, to the change's stakeholders
      const channels = (cr.content.communication?.stakeholders ?? []).map((c) => deps.stakeholderEmails[c]).filter((a): a is string => Boolean(a));
      return [
        plainEmail([...new Set([...channels, cr.requestor.email])], `Completed: ${cr.id} ${cr.content.title}`, [
          `${cr.id} "${cr.content.title}" is complete: ${event.reason ?? 'its monitoring period passed'}.`,
          lessonsAsk(deps, cr),
        ]),
      ];
    }
    case 'ChangeRolledBack':
    case 'ChangeFailed': {
      const words = event.type === 'ChangeRolledBack' ? 'was rolled back' : 'failed';
      const to = await emailsOf(deps, [cr.requestor.id, ...cr.approvals.map((a) => a.by)], cr);
      return [
        plainEmail(to, `${cr.id} ${words}: ${cr.content.title}`, [
          `${cr.id} "${cr.content.title}" ${words}: ${event.reason ?? 'no reason given'}.`,
          lessonsAsk(deps, cr),
        ]),
      ];
    }
    case 'UnauthorizedDeployment': {
      const to = [cr.requestor.email, ...['engineering', 'leadership'].map((c) => deps.stakeholderEmails[c])].filter((a): a is string => Boolean(a));
      return [
        plainEmail([...new Set(to)], `Unauthorized deployment of ${cr.id}: ${cr.content.title}`, [
          `${event.reason ?? `A pipeline deployed ${cr.id} to production without its approval.`}`,
          `The change stays ${cr.state.replace('_', ' ')}: ${deps.baseUrl}/changes/${cr.id}`,
        ]),
      ];
    }
    case 'IncidentLinked': {
      // a drafted emergency change: its requestor (on-call) completes it; a suspect: its requestor looks
      const link = cr.incidents?.at(-1);
      if (!link) return [];
      const drafted = link.relation === 'opened-for';
      return [
        plainEmail(
          [cr.requestor.email],
          drafted
            ? `Complete emergency change ${cr.id} for PagerDuty #${link.number ?? link.id}`
            : `PagerDuty #${link.number ?? link.id} during ${cr.id}'s monitoring period`,
          drafted
            ? [
                `ChangeFlow drafted ${cr.id} "${cr.content.title}" for the incident ${link.url ?? link.id}.`,
                `Document the fix as you go (seed: "Document concurrently"), then start it: POST ${deps.baseUrl}/changes/${cr.id}/start. Its approval follows within 24 hours.`,
              ]
            : [`${link.reason}. A critical alert was recorded for the monitoring period; confirm or dismiss the link: ${deps.baseUrl}/changes/${cr.id}`],
        ),
      ];
    }
    case 'ChangeHeld':
    case 'ChangeReleased':
    case 'FreezeExceptionRequested':
    case 'FreezeExceptionApproved':
    case 'FreezeExceptionRejected':
    case 'FreezeExceptionReviewDue':
    case 'FreezeExceptionReviewOverdue':
      return freezeEmails(deps, event);
    case 'PostApprovalReminder':
      return postApprovalEmails(deps, cr, { reminder: true, escalated: false });
    case 'PostApprovalOverdue':
      return postApprovalEmails(deps, cr, { reminder: false, escalated: true });
    default:
      return [];
  }
}

/** What closes the approval messages sent in Slack for a change, in words. */
const CLOSES_ASKS: Record<string, string> = {
  ChangeApproved: 'approved',
  ChangeRejected: 'rejected',
  ChangeCancelled: 'cancelled',
  ChangeExpired: 'expired without every approval',
  ChangeRevised: 'revised: its new revision will be asked for once submitted',
};

/**
 * A change decided anywhere (the console, an email link, a meeting, Slack), withdrawn or revised:
 * each approval message it had in Slack is updated in place, its buttons replaced by what
 * happened, so nobody clicks a decision that is no longer open. Each message once per event.
 */
async function closeSlackAsks(deps: NotificationDeps, event: DomainEvent): Promise<number> {
  const slack = deps.slack;
  const what = CLOSES_ASKS[event.type];
  if (!slack || !what || !deps.log) return 0;
  // only the asks made before this event: a revision closes the old revision's messages, not the new one's (events arrive in any order)
  const asks = (await deps.log.of(event.changeId)).filter(
    (e) => e.channel === 'slack' && e.ref && e.outcome === 'sent' && e.template.startsWith('Approval') && eventSeq(e.eventId) < eventSeq(event.id),
  );
  const outcome = `${what} by ${event.actor.name}`;
  let updated = 0;
  for (const ask of asks) {
    const [channel, ts] = ask.ref!.split(' ');
    if (!channel || !ts) continue;
    const { ran } = await deps.once.run('slack-close', { eventId: event.id, ref: ask.ref }, () =>
      slack.updateMessage(channel, ts, decidedMessage(event.change, outcome, deps.baseUrl)),
    );
    if (ran) updated++;
  }
  return updated;
}

/** A freeze's notices: the requestor hears what happens to the change, the owner what is asked of them. */
async function freezeEmails(deps: NotificationDeps, event: DomainEvent): Promise<EmailMessage[]> {
  const cr = event.change;
  const freeze = event.detail?.freeze;
  if (!freeze) return [];
  const link = `${deps.baseUrl}/freezes/${freeze.id}`;
  const exception = cr.freezeExceptions?.filter((e) => e.freezeId === freeze.id).at(-1);
  const ownerId = exception?.owner.id ?? cr.holds?.find((h) => h.freezeId === freeze.id)?.owner.id;
  const said = event.reason ? [event.reason] : [];
  const toRequestor = (subject: string, lines: string[]) => [plainEmail(emailsOfRequestor(cr), subject, [...said, ...lines])];
  const toOwner = async (subject: string, lines: string[]) => {
    const owner = ownerId ? await deps.directory.get(ownerId) : null;
    return owner?.email ? [plainEmail([owner.email], subject, [...said, ...lines])] : [];
  };
  switch (event.type) {
    case 'ChangeHeld':
      return toRequestor(`${cr.id} is on hold: the freeze "${freeze.title}"`, [
        `The deploy gate and start refuse ${cr.id} "${cr.content.title}" inside the freeze. Move its window out of it, or ask ${freeze.owner} for an exception with a reason: POST ${link}/exceptions with {"change": "${cr.id}", "reason": "…"}.`,
        `The freeze: ${link}`,
      ]);
    case 'ChangeReleased':
      // a change closed meanwhile has nothing left to deploy: its release is in the trail, not in an email
      if (CLOSED_STATES.includes(cr.state)) return [];
      return toRequestor(`${cr.id} is released from the freeze "${freeze.title}"`, [
        `${cr.id} "${cr.content.title}" may deploy in its window again: ${deps.baseUrl}/changes/${cr.id}`,
      ]);
    case 'FreezeExceptionApproved':
    case 'FreezeExceptionRejected':
      return toRequestor(`Exception to the freeze "${freeze.title}" for ${cr.id} ${event.type === 'FreezeExceptionApproved' ? 'approved' : 'rejected'}`, [
        event.type === 'FreezeExceptionApproved'
          ? `It covers ${cr.id}'s window and components as asked; revising either needs a new exception. ${freeze.owner} reviews it within 24 hours after the change.`
          : `${cr.id} stays on hold inside the freeze: move its window out of it, or wait for the freeze to lift.`,
      ]);
    case 'FreezeExceptionRequested':
      return toOwner(`Exception asked to your freeze "${freeze.title}" for ${cr.id}`, [
        `${exception?.askedBy.name ?? cr.requestor.name} asks to deploy ${cr.id} "${cr.content.title}" inside the freeze (${exception ? `${exception.window.start} – ${exception.window.end} on ${exception.components.join(', ')}` : 'its window'}).`,
        `Decide: POST ${link}/exceptions/${cr.id}/decision with {"decision": "approve"} or {"decision": "reject", "comment": "…"}.`,
      ]);
    case 'FreezeExceptionReviewDue':
    case 'FreezeExceptionReviewOverdue':
      return toOwner(`${event.type === 'FreezeExceptionReviewOverdue' ? 'Overdue: review' : 'Review'} the exception to "${freeze.title}" for ${cr.id}`, [
        `${cr.id} "${cr.content.title}" is ${cr.state.replace('_', ' ')}. Review how it went inside the freeze: POST ${link}/exceptions/${cr.id}/review with {"comment": "…"}.`,
      ]);
    default:
      return [];
  }
}

const emailsOfRequestor = (cr: ChangeRequest) => [cr.requestor.email].filter(Boolean);

/** The events that ask approvers for a decision. */
const APPROVAL_ASKS = ['ApprovalRequested', 'ApprovalReminder', 'ApprovalEscalated'];
type ApproversAsked = NonNullable<Awaited<ReturnType<typeof approversAsked>>>;

/** Who an approval request (or its reminder, its escalation) asks: each person for the one decision open to them. */
async function approversAsked(deps: NotificationDeps, event: DomainEvent) {
  const cr = event.change;
  // the slot is a field of the entry
  const slot = (cr.approvalRequirement?.slots ?? []).find((s) => s.slot === event.detail?.slot);
  if (!slot || cr.approvals.some((a) => a.slot === slot.slot && a.revision === cr.revision)) return undefined;
  const request = cr.approvalRequests?.find((r) => r.slot === slot.slot);
  const escalated = event.type === 'ApprovalEscalated';
  const people = escalated && request?.escalatedTo ? await peopleWithRole(deps, request.escalatedTo) : await eligibleApprovers(deps, cr, slot);
  return {
    slot,
    people: people.filter((p) => p.email && (escalated || slotFor(cr, p) === slot.slot)),
    flags: { reminder: event.type === 'ApprovalReminder', escalated },
  };
}

/**
 * With a Slack app: the same approvers asked in Slack too, a direct message with Approve and
 * Reject (core/slack-decisions.ts), each found by their email (`users.lookupByEmail`); one not in
 * Slack is asked by email only. Each message once per event and person, logged on the change.
 */
async function slackApprovals(deps: NotificationDeps, event: DomainEvent, asked: ApproversAsked | undefined): Promise<number> {
  const slack = deps.slack;
  if (!slack || !asked) return 0;
  const clock = deps.clock ?? systemClock;
  let sent = 0;
  for (const approver of asked.people) {
    await deps.once.run('slack-approval', { eventId: event.id, person: approver.id }, async () => {
      const user = await slack.userByEmail(approver.email);
      if (!user) return;
      const message = approvalMessage(event.change, asked.slot, deps.baseUrl, asked.flags);
      const posted = await slack.postMessage(user.id, message);
      await deps.log?.record(event.changeId, {
        ref: `${posted.channel} ${posted.ts}`,
        at: clock.now().toISOString(),
        channel: 'slack',
        recipients: [`${approver.email} (Slack ${user.id})`],
        template: event.type,
        subject: message.text,
        eventId: event.id,
        outcome: 'sent',
      });
      sent++;
    });
  }
  return sent;
}

/** Closing asks for the lessons learned (seed: Post-Implementation), unless they came with it. */
function lessonsAsk(deps: Pick<NotificationDeps, 'baseUrl'>, cr: ChangeRequest): string {
  if (cr.record?.lessonsLearned) return `Lessons learned: ${cr.record.lessonsLearned.text}`;
  return `What did we learn? Record the lessons learned: POST ${deps.baseUrl}/changes/${cr.id}/notes with {"kind": "lessons-learned", "text": "…"}, or on the change's page.`;
}

/** An emergency change's post-approvers, each with a link that post-approves it (nothing to reject: the work is done). */
async function postApprovalEmails(deps: NotificationDeps, cr: ChangeRequest, flags: { reminder: boolean; escalated: boolean }): Promise<EmailMessage[]> {
  if (!cr.postApproval || cr.postApproval.approvedBy) return [];
  const minRole: ApproverRole = flags.escalated ? 'cto' : cr.postApproval.minRole;
  const slot = cr.approvalRequirement?.slots[0] ?? { slot: minRole, minRole, reason: 'emergency change: post-approval within 24 h of the start' };
  const people = flags.escalated ? await peopleWithRole(deps, 'cto') : await eligibleApprovers(deps, cr, { ...slot, minRole });
  const out: EmailMessage[] = [];
  for (const approver of people.filter((p) => p.email && !sameId(p.id, cr.requestor.id))) {
    out.push(await approvalEmail(deps, cr, { ...slot, slot: minRole, minRole }, approver, { ...flags, postApproval: true }));
  }
  return out;
}

async function approvalEmail(
  deps: NotificationDeps,
  cr: ChangeRequest,
  slot: ApprovalSlot,
  approver: Person,
  flags: { reminder: boolean; escalated: boolean; postApproval?: boolean },
): Promise<EmailMessage> {
  const since = cr.approvalRequests?.find((r) => r.slot === slot.slot)?.since ?? cr.startedAt ?? cr.updatedAt;
  // a post-approval link lives as long as the post-approval may still be given, late included
  const expiresAt = new Date(Date.parse(since) + (flags.postApproval ? 7 * 24 : deps.timers.expireAfterHours) * 3_600_000).toISOString();
  const key = await deps.linkKey();
  const link = (decision: LinkDecision) =>
    `${deps.baseUrl}/approvals/decide?token=${createDecisionToken({ approver: approver.id, changeId: cr.id, revision: cr.revision, slot: slot.slot, decision, expiresAt }, key)}`;
  const email = approvalRequestEmail({
    cr,
    slot,
    approver,
    approveUrl: link('approve'),
    rejectUrl: flags.postApproval ? undefined : link('reject'),
    reminder: flags.reminder,
    escalated: flags.escalated,
    expiresAt,
    timeZone: deps.timeZone,
  });
  return { to: [approver.email], ...email };
}

/** The people the core says to ask for a slot, from the directory's approver roles. */
async function eligibleApprovers(deps: Pick<NotificationDeps, 'directory'>, cr: ChangeRequest, slot: ApprovalSlot): Promise<Person[]> {
  const candidates = (await Promise.all(APPROVER_ROLES.map((r) => deps.directory.withRole(r)))).flat();
  return approversToAsk(slot, cr.requestor, candidates);
}

async function peopleWithRole(deps: Pick<NotificationDeps, 'directory'>, role: Role): Promise<Person[]> {
  return unique(await deps.directory.withRole(role));
}

function unique(people: Person[]): Person[] {
  return [...new Map(people.map((p) => [p.id, p])).values()];
}

/** The addresses of people by id, and the requestor's, without repeats. */
async function emailsOf(deps: Pick<NotificationDeps, 'directory'>, ids: string[], cr: ChangeRequest): Promise<string[]> {
  const people = await Promise.all([...new Set(ids)].map((id) => deps.directory.get(id)));
  const emails = people.filter((p): p is Person => Boolean(p)).map((p) => p.email);
  if (cr.requestor.email) emails.push(cr.requestor.email);
  return [...new Set(emails.filter(Boolean))];
}

/** The latest measurement of each criterion, in words, for a status notice. */
export function monitoringSoFar(criteria: Criterion[], measurements: Measurement[], verdict: string): string[] {
  const judged = Math.max(0, ...measurements.map((m) => m.index + 1));
  const lines = [`Monitoring so far: ${judged} interval(s) judged, verdict ${verdict}.`];
  for (const c of criteria) {
    const last = measurements
      .filter((m) => m.criterion === c.id)
      .sort((a, b) => a.index - b.index)
      .at(-1);
    lines.push(`- ${c.label}: ${last ? `${last.outcome} (${last.reason})` : 'not judged yet'}`);
  }
  return lines;
}
