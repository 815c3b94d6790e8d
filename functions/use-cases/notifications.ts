/**
 * Email notifications, as a consumer of domain events (EventBridge rule → this, in AWS; the
 * in-process bus locally). Handlers never send email themselves. Each event is handled once, by
 * its id, however often it is delivered.
 */
import { z } from 'zod';
import { createDecisionToken, type LinkDecision } from '../core/approval-link.js';
import { ValidationError } from '../core/errors.js';
import { APPROVER_ROLES, type ApprovalSlot, type ApproverRole, type ChangeRequest, type Person, type Role } from '../core/change-request.js';
import type { DomainEvent } from '../core/events.js';
import { approversToAsk } from '../core/approval-policy.js';
import { plainEmail } from '../email/plain.js';
import { approvalRequestEmail } from '../email/templates.js';
import type { ApprovalTimers } from '../core/approval-flow.js';
import type { Directory, EmailMessage, Mailer, Once } from '../ports.js';

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

export async function notify(deps: NotificationDeps, input: unknown): Promise<{ sent: number }> {
  const parsed = NotifiedEventSchema.safeParse(input);
  if (!parsed.success) {
    throw new ValidationError(
      parsed.error.issues.map((i) => ({ path: ['detail', ...i.path.map(String)].join('.'), message: i.message })),
      'not a ChangeFlow domain event',
    );
  }
  const event = parsed.data as unknown as DomainEvent;
  if (!(NOTIFIED_EVENTS as readonly string[]).includes(event.type)) return { sent: 0 };
  let sent = 0;
  await deps.once.run('notification', { eventId: event.id }, async () => {
    const messages = (await messagesFor(deps, event)).filter((m) => m.to.length > 0);
    for (const m of messages) await deps.mailer.send(m);
    sent = messages.length;
  });
  return { sent };
}

async function messagesFor(deps: NotificationDeps, event: DomainEvent): Promise<EmailMessage[]> {
  const cr = event.change;
  switch (event.type) {
    case 'ApprovalRequested':
    case 'ApprovalReminder':
    case 'ApprovalEscalated': {
      // which slots: the one named by the entry, or every open one for a reminder of all
      // the slot is the first words of the entry's reason: "[reminder: ]<slot> approval …"
      const slots = (cr.approvalRequirement?.slots ?? []).filter(
        (s) => new RegExp(`^(reminder: )?${s.slot} approval`).test(event.reason ?? '') && !cr.approvals.some((a) => a.slot === s.slot),
      );
      const out: EmailMessage[] = [];
      for (const slot of slots) {
        const request = cr.approvalRequests?.find((r) => r.slot === slot.slot);
        const escalated = event.type === 'ApprovalEscalated';
        const people = escalated && request?.escalatedTo ? await peopleWithRole(deps, request.escalatedTo) : await eligibleApprovers(deps, cr, slot);
        for (const approver of people.filter((p) => p.id !== cr.requestor.id && p.email)) {
          out.push(await approvalEmail(deps, cr, slot, approver, { reminder: event.type === 'ApprovalReminder', escalated }));
        }
      }
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
      const onCall = (await peopleWithRole(deps, 'on-call')).map((p) => p.email);
      const channels = (cr.content.communication?.stakeholders ?? []).map((s) => deps.stakeholderEmails[s]).filter((a): a is string => Boolean(a));
      return [
        plainEmail(
          [...new Set([...onCall, ...channels, deps.stakeholderEmails.engineering].filter((a): a is string => Boolean(a)))],
          `Emergency change ${cr.id} started: ${cr.content.title}`,
          [
            `Emergency change ${cr.id} "${cr.content.title}" is in progress (incident ${cr.content.incident?.reference ?? 'unknown'}, ${cr.content.incident?.severity ?? ''}).`,
            `Started by ${cr.requestor.name}. Post-approval by ${cr.postApproval?.minRole ?? 'eng-manager'} or above is due by ${cr.postApproval?.dueAt}.`,
            cr.content.description?.summary ?? '',
          ],
        ),
      ];
    }
    case 'PostApprovalReminder':
    case 'PostApprovalOverdue': {
      const overdue = event.type === 'PostApprovalOverdue';
      const minRole: Role = overdue ? 'cto' : (cr.postApproval?.minRole ?? 'eng-manager');
      const people = overdue
        ? await peopleWithRole(deps, 'cto')
        : await eligibleApprovers(deps, cr, { slot: minRole as ApproverRole, minRole: minRole as ApproverRole, reason: '' });
      const to = people.filter((p) => p.id !== cr.requestor.id).map((p) => p.email);
      return [
        plainEmail(to, `${overdue ? 'OVERDUE: ' : ''}post-approve emergency change ${cr.id}`, [
          `Emergency change ${cr.id} "${cr.content.title}" ${overdue ? 'was not post-approved in time' : 'still needs its post-approval'}: due by ${cr.postApproval?.dueAt}.`,
          `Post-approve it with POST ${deps.baseUrl}/changes/${cr.id}/approve.`,
        ]),
      ];
    }
    default:
      return [];
  }
}

async function approvalEmail(
  deps: NotificationDeps,
  cr: ChangeRequest,
  slot: ApprovalSlot,
  approver: Person,
  flags: { reminder: boolean; escalated: boolean },
): Promise<EmailMessage> {
  const since = cr.approvalRequests?.find((r) => r.slot === slot.slot)?.since ?? cr.updatedAt;
  const expiresAt = new Date(Date.parse(since) + deps.timers.expireAfterHours * 3_600_000).toISOString();
  const key = await deps.linkKey();
  const link = (decision: LinkDecision) =>
    `${deps.baseUrl}/approvals/decide?token=${createDecisionToken({ approver: approver.id, changeId: cr.id, revision: cr.revision, slot: slot.slot, decision, expiresAt }, key)}`;
  const email = approvalRequestEmail({
    cr,
    slot,
    approver,
    approveUrl: link('approve'),
    rejectUrl: link('reject'),
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
