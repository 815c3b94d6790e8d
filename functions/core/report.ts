/**
 * The monthly report (seed: Metrics & Reporting), as rules: which changes a month holds, what each
 * figure counts, and the seed's template filled in. Every figure carries its `n` (what it is a share
 * or a statistic of), the ids of the records behind it, and the definitions' version, so a number
 * can be checked against the changes it came from. Pure and streaming: `MonthAggregator` takes the
 * changes one at a time (the use case pages through an index) and keeps counts, ids and durations,
 * never the changes themselves.
 *
 * Definitions (version 1):
 * - A month holds the changes **created** in it, in the organisation's time zone.
 * - **Finished**: completed, rolled back or failed. **Successful** = completed, as a share of the
 *   finished; **rolled back** likewise. Changes still open or cancelled are counted apart, never
 *   in a rate.
 * - **Time to deploy**: created → deployed, in minutes (mean, p50, p90), over the deployed changes.
 *   **Approval wait**: submitted → approved (p50, p90), over the approved ones.
 * - **Changes causing incidents**: incidents linked to the change as caused by it. A link found by
 *   time and service is a *suggestion* until a person confirms it (then confirmed) or dismisses it
 *   (then not counted); both figures are given, a change in one of them only.
 * - **Standard-catalogue candidates**: normal changes to the same components, at least three
 *   finished in the month, every one successful.
 */
import { DateTime } from 'luxon';
import { CATEGORIES, type Category, type ChangeRequest } from './change-request.js';
import { COMMUNICATION_CHANNELS, inTimeOrder, type CommunicationChannel, type CommunicationEntry } from './communication.js';
import { doraMarkdown as doraMarkdownOf } from './dora.js';
import { type DurationFigure, Durations, type Figure, Ids, minutesBetween, percentOf, round1 } from './figures.js';

export type { DurationFigure, Figure } from './figures.js';

export const REPORT_DEFINITIONS_VERSION = 1;

export interface MonthFigures {
  month: string;
  timeZone: string;
  from: string;
  to: string;
  definitionsVersion: number;
  total: Figure;
  finished: Figure;
  successful: Figure & { percent: number | null };
  rolledBack: Figure & { percent: number | null };
  failed: Figure;
  open: Figure;
  cancelled: Figure;
  emergency: Figure & { percent: number | null };
  byCategory: Record<Category, Figure>;
  timeToDeploy: DurationFigure;
  approvalWait: DurationFigure;
  postApprovalsOverdue: Figure;
  inBlackouts: Figure;
  incidents: { confirmed: Figure; suggested: Figure };
  unauthorized: Figure;
  rootCauses: { id: string; outcome: string; cause: string }[];
  standardCandidates: { components: string[]; n: number; ids: string[] }[];
  lessonsLearned: { id: string; text: string }[];
  /** Finished changes whose lessons learned were never recorded (closing asks for them). */
  lessonsMissing?: Figure | undefined;
  /** Issues encountered during implementation, from the changes' records (seed §6). */
  issuesEncountered?: { id: string; text: string }[] | undefined;
  /** The notices sent in the month (by when they were sent), per channel, and those that never went out. */
  communications?: CommunicationFigures | undefined;
}

export interface CommunicationFigures {
  byChannel: Record<CommunicationChannel, { sent: number; refused: number; failedAttempts: number }>;
  /** Refused for good, or failed with no later success for the same change, notice and recipients. */
  undelivered: { id: string; channel: CommunicationChannel; template: string; recipients: string[]; outcome: 'refused' | 'failed'; at: string }[];
}

/** `2026-11` → the month's first instant and the next month's, in the zone (UTC ISO). */
export function monthRange(month: string, timeZone: string): { from: string; to: string } {
  const start = DateTime.fromFormat(month, 'yyyy-MM', { zone: timeZone });
  if (!/^\d{4}-\d{2}$/.test(month) || !start.isValid) throw new RangeError(`not a month: ${month} (write it as 2026-11)`);
  return { from: start.toUTC().toISO()!, to: start.plus({ months: 1 }).toUTC().toISO()! };
}

/** The month before `month`. */
export const previousMonth = (month: string) => DateTime.fromFormat(month, 'yyyy-MM', { zone: 'utc' }).minus({ months: 1 }).toFormat('yyyy-MM');

const FINISHED = ['completed', 'rolled_back', 'failed'];
const OPEN_STATES = ['draft', 'submitted', 'pending_approval', 'approved', 'scheduled', 'in_progress', 'monitoring', 'rolling_back'];

/** Folds a month's changes, one at a time, into its figures. */
export class MonthAggregator {
  private readonly total = new Ids();
  private readonly finished = new Ids();
  private readonly successful = new Ids();
  private readonly rolledBack = new Ids();
  private readonly failed = new Ids();
  private readonly open = new Ids();
  private readonly cancelled = new Ids();
  private readonly emergency = new Ids();
  private readonly byCategory = Object.fromEntries(CATEGORIES.map((c) => [c, new Ids()])) as Record<Category, Ids>;
  private readonly toDeploy = new Durations();
  private readonly approvalWait = new Durations();
  private readonly overdue = new Ids();
  private readonly blackouts = new Ids();
  private readonly confirmedIncidents = new Ids();
  private readonly suggestedIncidents = new Ids();
  private readonly rootCauses: MonthFigures['rootCauses'] = [];
  private readonly lessons: MonthFigures['lessonsLearned'] = [];
  private readonly lessonsMissing = new Ids();
  private readonly issues: { id: string; text: string }[] = [];
  private communications: CommunicationFigures | undefined;
  private readonly normalByComponents = new Map<string, { ids: string[]; all: boolean }>();
  private unauthorizedKeys: string[] = [];

  constructor(
    /** The month (`2026-11`), or the label of any other period or group the figures are of. */
    readonly month: string,
    readonly timeZone: string,
    /** The period, when it is not the month `month` names. */
    private readonly range?: { from: string; to: string },
  ) {}

  add(cr: ChangeRequest): void {
    const id = cr.id;
    this.total.add(id);
    this.byCategory[cr.content.category]?.add(id);
    if (cr.content.category === 'emergency') this.emergency.add(id);
    if (FINISHED.includes(cr.state)) this.finished.add(id);
    if (cr.state === 'completed') this.successful.add(id);
    if (cr.state === 'rolled_back') this.rolledBack.add(id);
    if (cr.state === 'failed') this.failed.add(id);
    if (OPEN_STATES.includes(cr.state)) this.open.add(id);
    if (cr.state === 'cancelled' || cr.state === 'rejected') this.cancelled.add(id);
    this.toDeploy.add(id, cr.createdAt, cr.deployedAt);
    this.approvalWait.add(id, cr.submittedAt, cr.approvedAt);
    if (cr.postApproval?.overdue) this.overdue.add(id);
    if ((cr.emergency?.blackouts.length ?? 0) > 0 || (cr.blackoutsReported?.length ?? 0) > 0) this.blackouts.add(id);
    // a confirmed cause counts as confirmed; a suggestion not yet decided as suggested; a dismissed one not at all
    const confirmed = (cr.incidents ?? []).filter((i) => i.relation === 'caused-by');
    const caused = [...confirmed, ...(cr.incidents ?? []).filter((i) => i.relation === 'caused-by-candidate')];
    if (confirmed.length) this.confirmedIncidents.add(id);
    else if (caused.length) this.suggestedIncidents.add(id);
    if (cr.state === 'rolled_back' || cr.state === 'failed' || caused.length) {
      this.rootCauses.push({
        id,
        outcome: caused.length && !FINISHED.slice(1).includes(cr.state) ? 'incident' : cr.state.replace('_', ' '),
        cause: causeOf(cr, caused),
      });
    }
    const lesson = (cr.content.postImplementation?.lessonsLearned ?? cr.record?.lessonsLearned?.text)?.trim();
    if (lesson) this.lessons.push({ id, text: lesson });
    else if (FINISHED.includes(cr.state)) this.lessonsMissing.add(id);
    for (const n of cr.record?.notes ?? []) if (n.kind === 'issue') this.issues.push({ id, text: n.text });
    if (cr.content.category === 'normal' && FINISHED.includes(cr.state)) {
      const key = [...(cr.content.description?.components ?? [])].sort().join(' + ') || '(no component named)';
      const group = this.normalByComponents.get(key) ?? { ids: [], all: true };
      group.ids.push(id);
      group.all &&= cr.state === 'completed';
      this.normalByComponents.set(key, group);
    }
  }

  /** The notices sent in the month, from the communication log (its own records, by the time each was sent). */
  addCommunications(entries: (CommunicationEntry & { changeId: string })[]): void {
    const byChannel = Object.fromEntries(
      COMMUNICATION_CHANNELS.map((c) => [c, { sent: 0, refused: 0, failedAttempts: 0 }]),
    ) as CommunicationFigures['byChannel'];
    const key = (e: CommunicationEntry & { changeId: string }) => `${e.changeId}\n${e.eventId}\n${e.channel}\n${[...e.recipients].sort().join(',')}`;
    const delivered = new Set(entries.filter((e) => e.outcome === 'sent').map(key));
    const undelivered = new Map<string, CommunicationFigures['undelivered'][number]>();
    for (const e of inTimeOrder(entries) as (CommunicationEntry & { changeId: string })[]) {
      const counts = byChannel[e.channel];
      if (e.outcome === 'sent') counts.sent++;
      else if (e.outcome === 'refused') counts.refused++;
      else counts.failedAttempts++;
      if (e.outcome !== 'sent' && !delivered.has(key(e))) {
        undelivered.set(key(e), { id: e.changeId, channel: e.channel, template: e.template, recipients: e.recipients, outcome: e.outcome, at: e.at });
      }
    }
    this.communications = { byChannel, undelivered: [...undelivered.values()] };
  }

  /** The month's unauthorized changes (their own records: no change request behind most of them). */
  addUnauthorized(keys: string[]): void {
    this.unauthorizedKeys = [...keys];
  }

  result(): MonthFigures {
    const { from, to } = this.range ?? monthRange(this.month, this.timeZone);
    const finished = this.finished.ids.length;
    return {
      month: this.month,
      timeZone: this.timeZone,
      from,
      to,
      definitionsVersion: REPORT_DEFINITIONS_VERSION,
      total: this.total.figure(),
      finished: this.finished.figure(),
      successful: { ...this.successful.figure(this.successful.ids.length, finished), percent: percentOf(this.successful.ids.length, finished) },
      rolledBack: { ...this.rolledBack.figure(this.rolledBack.ids.length, finished), percent: percentOf(this.rolledBack.ids.length, finished) },
      failed: this.failed.figure(this.failed.ids.length, finished),
      open: this.open.figure(),
      cancelled: this.cancelled.figure(),
      emergency: {
        ...this.emergency.figure(this.emergency.ids.length, this.total.ids.length),
        percent: percentOf(this.emergency.ids.length, this.total.ids.length),
      },
      byCategory: Object.fromEntries(CATEGORIES.map((c) => [c, this.byCategory[c].figure()])) as Record<Category, Figure>,
      timeToDeploy: this.toDeploy.figure(),
      approvalWait: this.approvalWait.figure(),
      postApprovalsOverdue: this.overdue.figure(),
      inBlackouts: this.blackouts.figure(),
      incidents: { confirmed: this.confirmedIncidents.figure(), suggested: this.suggestedIncidents.figure() },
      unauthorized: { value: this.unauthorizedKeys.length, n: this.unauthorizedKeys.length, ids: this.unauthorizedKeys },
      rootCauses: this.rootCauses,
      standardCandidates: [...this.normalByComponents.entries()]
        .filter(([, g]) => g.all && g.ids.length >= 3)
        .map(([key, g]) => ({ components: key.split(' + '), n: g.ids.length, ids: g.ids }))
        .sort((a, b) => b.n - a.n),
      lessonsLearned: this.lessons,
      lessonsMissing: this.lessonsMissing.figure(),
      issuesEncountered: this.issues,
      ...(this.communications ? { communications: this.communications } : {}),
    };
  }
}

/** Why a change failed, was rolled back or is suspected of an incident: the people's and the monitoring's own words. */
function causeOf(cr: ChangeRequest, caused: NonNullable<ChangeRequest['incidents']>): string {
  const parts = [
    cr.closeReason,
    cr.monitoring?.fired?.length ? `rollback triggers fired: ${cr.monitoring.fired.join(', ')}` : undefined,
    ...caused.map((i) => `incident ${i.number ?? i.id} "${i.title}" (${i.reason})`),
  ].filter((p): p is string => Boolean(p));
  return parts.join('; ') || 'not recorded';
}

/** Lines a report lists one by one up to this many; past it, grouped, with every record in the JSON. */
export const LISTED = 30;

/** Ids for a person to read: the first few, then how many more. */
export const someIds = (ids: string[], max = 10) => (ids.length <= max ? ids.join(', ') : `${ids.slice(0, max).join(', ')} and ${ids.length - max} more`);

/**
 * The root causes as Markdown list items: one per change while they are few; past LISTED, grouped by
 * outcome and cause, the commonest first (a month of thousands of rollbacks is read by its causes).
 */
export function rootCauseLines(causes: MonthFigures['rootCauses'], indent: string, none: string, file = 'report.json'): string {
  if (!causes.length) return `${indent}- ${none}`;
  if (causes.length <= LISTED) return causes.map((r) => `${indent}- ${r.id} (${r.outcome}): ${r.cause}`).join('\n');
  const groups = new Map<string, string[]>();
  for (const r of causes) {
    const key = `(${r.outcome}): ${r.cause}`;
    const ids = groups.get(key);
    if (ids) ids.push(r.id);
    else groups.set(key, [r.id]);
  }
  const sorted = [...groups.entries()].sort((a, b) => b[1].length - a[1].length);
  const lines = sorted.slice(0, 20).map(([key, ids]) => `${indent}- ${ids.length} × ${key} — ${someIds(ids, 5)}`);
  if (sorted.length > 20) lines.push(`${indent}- and ${sorted.length - 20} other causes (${file} lists every change)`);
  return lines.join('\n');
}

/** The lessons learned as list items: the first LISTED, then where the rest are. */
export function lessonLines(lessons: MonthFigures['lessonsLearned'], indent: string, none: string, file = 'report.json'): string {
  if (!lessons.length) return `${indent}- ${none}`;
  const lines = lessons.slice(0, LISTED).map((l) => `${indent}- ${l.id}: ${l.text.replace(/\s+/g, ' ')}`);
  if (lessons.length > LISTED) lines.push(`${indent}- and ${lessons.length - LISTED} more (${file})`);
  return lines.join('\n');
}

function communicationLines(c: CommunicationFigures | undefined): string {
  if (!c) return '- Notices sent: not counted (no communication log read)';
  const total = (k: 'sent' | 'refused' | 'failedAttempts') => Object.values(c.byChannel).reduce((n, v) => n + v[k], 0);
  const per = COMMUNICATION_CHANNELS.filter((ch) => c.byChannel[ch].sent > 0).map((ch) => `${ch} ${c.byChannel[ch].sent}`);
  const lines = [
    `- Notices sent: ${total('sent')}${per.length ? ` (${per.join(', ')})` : ''}; refused: ${total('refused')}; failed attempts (retried): ${total('failedAttempts')}`,
    '- Never delivered:',
    c.undelivered.length
      ? c.undelivered
          .slice(0, LISTED)
          .map((u) => `  - ${u.id}: ${u.template} by ${u.channel} to ${u.recipients.join(', ').replace(/\s+/g, ' ')} (${u.outcome})`)
          .join('\n') + (c.undelivered.length > LISTED ? `\n  - and ${c.undelivered.length - LISTED} more (report.json)` : '')
      : '  - none',
  ];
  return lines.join('\n');
}

const pct = (p: number | null) => (p === null ? 'n/a' : `${p}%`);
const mins = (m: number | null) => (m === null ? 'n/a' : m >= 120 ? `${round1(m / 60)} h` : `${Math.round(m)} min`);

/** The trend lines: this month against the months before it (oldest first). */
export function trends(current: MonthFigures, previous: MonthFigures[]): string[] {
  const lines: string[] = [];
  const last = previous.at(-1);
  if (!last) return ['No earlier month to compare with.'];
  const delta = (a: number, b: number) => (a === b ? 'unchanged' : `${a > b ? 'up' : 'down'} ${Math.abs(a - b)} from ${b}`);
  lines.push(`Total changes ${delta(current.total.n, last.total.n)} (${last.month}).`);
  if (current.successful.percent !== null && last.successful.percent !== null) {
    lines.push(
      `Success rate ${current.successful.percent}% against ${last.successful.percent}% in ${last.month} (${current.finished.n} and ${last.finished.n} finished).`,
    );
  }
  if (current.rolledBack.percent !== null && last.rolledBack.percent !== null) {
    lines.push(`Rollback rate ${current.rolledBack.percent}% against ${last.rolledBack.percent}%.`);
  }
  if (current.timeToDeploy.p50Minutes !== null && last.timeToDeploy.p50Minutes !== null) {
    lines.push(`Median time to deploy ${mins(current.timeToDeploy.p50Minutes)} against ${mins(last.timeToDeploy.p50Minutes)}.`);
  }
  const emergencyShare = previous.map((m) => `${m.month} ${pct(m.emergency.percent)}`).join(', ');
  lines.push(`Emergency share ${pct(current.emergency.percent)} (before: ${emergencyShare}).`);
  return lines;
}

const MONTH_NAME = (month: string) => DateTime.fromFormat(month, 'yyyy-MM', { zone: 'utc' }).toFormat('LLLL yyyy');

/** The seed's monthly report template, filled in. */
export function monthlyMarkdown(f: MonthFigures, previous: MonthFigures[] = [], dora?: import('./dora.js').DoraFigures): string {
  const list = (items: string[], none: string) => (items.length ? items.map((i) => `- ${i}`).join('\n') : `- ${none}`);
  return `# Change Management Report - ${MONTH_NAME(f.month)}

## Summary
- Total Changes: ${f.total.n}
- Successful: ${f.successful.ids.length} (${pct(f.successful.percent)} of ${f.finished.n} finished)
- Rolled Back: ${f.rolledBack.ids.length} (${pct(f.rolledBack.percent)})
- Emergency Changes: ${f.emergency.ids.length}

## By Category
- Standard: ${f.byCategory.standard.n}
- Normal: ${f.byCategory.normal.n}
- Major: ${f.byCategory.major.n}
- Emergency: ${f.byCategory.emergency.n}

## Incidents
- Changes causing incidents: ${f.incidents.confirmed.n} confirmed, ${f.incidents.suggested.n} suggested (an incident on a service the change touched, during its monitoring period, not yet confirmed or dismissed)
- Root causes:
${rootCauseLines(f.rootCauses, '  ', 'none this month')}

## Improvements
- Automation opportunities:
${
  f.standardCandidates.length
    ? f.standardCandidates
        .map((c) => `  - normal changes to ${c.components.join(', ')} succeeded ${c.n} of ${c.n}: a candidate for the standard catalogue (${someIds(c.ids)})`)
        .join('\n')
    : '  - none this month (a candidate needs three finished normal changes to the same components, all successful)'
}
- Process improvements:
${lessonLines(f.lessonsLearned, '  ', 'no lessons learned recorded this month')}

## Trends
${list(trends(f, previous), 'No earlier month to compare with.')}

## Communication and Implementation Records
${communicationLines(f.communications)}
- Issues encountered during implementation:
${lessonLines(f.issuesEncountered ?? [], '  ', 'none recorded this month')}
- Finished without lessons learned: ${f.lessonsMissing?.n ?? 0}${f.lessonsMissing?.ids.length ? ` (${someIds(f.lessonsMissing.ids)})` : ''}

## Also tracked
- Time to deploy (created → deployed): mean ${mins(f.timeToDeploy.meanMinutes)}, median ${mins(f.timeToDeploy.p50Minutes)}, p90 ${mins(f.timeToDeploy.p90Minutes)} (n = ${f.timeToDeploy.n})
- Approval wait (submitted → approved): median ${mins(f.approvalWait.p50Minutes)}, p90 ${mins(f.approvalWait.p90Minutes)} (n = ${f.approvalWait.n})
- Still open: ${f.open.n}; cancelled or rejected: ${f.cancelled.n}; failed: ${f.failed.ids.length}
- Post-approvals overdue: ${f.postApprovalsOverdue.n}; changes in blackouts: ${f.inBlackouts.n}; unauthorized changes: ${f.unauthorized.n}
${dora ? `\n${doraMarkdownOf(dora)}` : ''}
_Changes created in ${MONTH_NAME(f.month)} (${f.timeZone}). Definitions version ${f.definitionsVersion}: docs/reports.md. Every figure, with the ids behind it, is in report.json._
`;
}

/** One row per change: what the figures were counted from. */
export const CSV_HEADER = [
  'id',
  'category',
  'state',
  'risk',
  'created_at',
  'deployed_at',
  'minutes_to_deploy',
  'components',
  'incidents_confirmed',
  'incidents_suggested',
];

export function csvRow(cr: ChangeRequest): string[] {
  return [
    cr.id,
    cr.content.category,
    cr.state,
    cr.riskLevel ?? '',
    cr.createdAt,
    cr.deployedAt ?? '',
    cr.deployedAt ? String(Math.round(minutesBetween(cr.createdAt, cr.deployedAt))) : '',
    (cr.content.description?.components ?? []).join('; '),
    String((cr.incidents ?? []).filter((i) => i.relation === 'caused-by').length),
    String((cr.incidents ?? []).filter((i) => i.relation === 'caused-by-candidate').length),
  ];
}

/** RFC 4180: a field with a comma, a quote or a line break is quoted, its quotes doubled; a leading =, +, - or @ is defused for spreadsheets. */
export function csvLine(fields: string[]): string {
  return fields
    .map((f) => {
      const safe = /^[=+\-@]/.test(f) ? `'${f}` : f;
      return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
    })
    .join(',');
}
