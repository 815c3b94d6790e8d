/**
 * The change advisory board's agenda (issue: "every change awaiting a decision or due in the next
 * seven days at medium risk or above, ordered by window"), and its Markdown for the minutes.
 *
 * What is on it, each change once:
 * - awaiting approval: `pending_approval`, at medium risk or above (low-risk changes are peer
 *   reviewed and never come to the board);
 * - awaiting post-approval: an emergency change that started and has not been post-approved yet
 *   (the board reviews those afterwards, as the seed's emergency process says), at any risk;
 * - due: approved or scheduled, at medium risk or above, its window starting in [from, to);
 * - decided in the meeting asked about, whatever its state now (a rejected change leaves the
 *   lists above, but belongs in the minutes).
 *
 * The rules of deciding are not here: a decision in the meeting is the same `approve` or `reject`
 * as from any other channel, with `meeting` naming the meeting (lifecycle.ts records it).
 */
import { DateTime } from 'luxon';
import type { CalendarFindings } from './calendar-findings.js';
import { calendarWarnings } from './calendar-findings.js';
import { ROLLBACK_TRIGGERS, type ApproverRole, type ChangeRequest, type DecisionChannel, type RiskLevel } from './change-request.js';
import { allDecisions, type Decided } from './decisions.js';
import { openSlots } from './lifecycle.js';
import { riskExplanation } from './risk.js';

/** Levels the board reviews. */
export const BOARD_RISKS: readonly RiskLevel[] = ['medium', 'high', 'critical'];
/** How far ahead the agenda looks by default. */
export const AGENDA_DAYS = 7;
/** The longest range one agenda covers. */
export const AGENDA_MAX_DAYS = 31;

export type AgendaReason = 'awaiting-approval' | 'awaiting-post-approval' | 'due' | 'decided-in-meeting';

/** A decision as the agenda shows it (its revision is the change's current one). */
export type AgendaDecision = Omit<Decided, 'revision'>;

export interface AgendaItem {
  id: string;
  title: string;
  category: ChangeRequest['content']['category'];
  state: ChangeRequest['state'];
  revision: number;
  version: number;
  why: AgendaReason[];
  risk: { level: RiskLevel | null; reasons: string[] };
  window: { start: string; end: string; localStart: string; localEnd: string } | null;
  requestor: { id: string; name: string; team?: string | undefined };
  components: string[];
  /** The approvals still needed for this revision, and those given. */
  awaiting: { slot: ApproverRole; minRole: ApproverRole; reason: string }[];
  decisions: AgendaDecision[];
  rollback: { procedure: string | null; duration: string | null; triggers: string[] };
  conflicts: CalendarFindings['conflicts'];
  blackouts: CalendarFindings['blackouts'];
  /** What the calendar says about the window now, in words (conflicts, blackouts, the next free slot). */
  calendar: string[];
  /** The decisions the reader may take on it now (the lifecycle table's answer for them): approve, reject. */
  actions: ('approve' | 'reject')[];
}

export interface Agenda {
  from: string;
  to: string;
  timeZone: string;
  meeting: string | null;
  generatedAt: string;
  items: AgendaItem[];
}

/** Which of the agenda's reasons a change has (none: it is not on it). */
export function agendaReasons(cr: ChangeRequest, range: { from: string; to: string }, meeting?: string): AgendaReason[] {
  const why: AgendaReason[] = [];
  const board = cr.riskLevel !== null && BOARD_RISKS.includes(cr.riskLevel);
  if (cr.state === 'pending_approval' && board) why.push('awaiting-approval');
  if (cr.content.category === 'emergency' && cr.postApproval && !cr.postApproval.approvedBy) why.push('awaiting-post-approval');
  const start = cr.content.plannedWindow ? Date.parse(cr.content.plannedWindow.start) : Number.NaN;
  if (board && (cr.state === 'approved' || cr.state === 'scheduled') && start >= Date.parse(range.from) && start < Date.parse(range.to)) why.push('due');
  if (meeting && decisionsOf(cr).some((d) => d.meeting === meeting)) why.push('decided-in-meeting');
  return why;
}

/** Every decision on the current revision (approvals, a rejection, a post-approval), oldest first. */
export function decisionsOf(cr: ChangeRequest): AgendaDecision[] {
  return allDecisions(cr)
    .filter((d) => d.revision === cr.revision)
    .map(({ revision: _revision, ...d }) => d);
}

/**
 * The agenda from the changes the caller read (any superset: what is not on the agenda is left
 * out) and the calendar's findings for each, by change id.
 */
export function buildAgenda(args: {
  changes: ChangeRequest[];
  findings: ReadonlyMap<string, CalendarFindings | undefined>;
  from: string;
  to: string;
  meeting?: string | undefined;
  timeZone: string;
  now: string;
  /** What the reader may do with a change (lifecycle.ts allowedActions); none when not given. */
  actionsOf?: ((cr: ChangeRequest) => readonly string[]) | undefined;
}): Agenda {
  const seen = new Set<string>();
  const items: AgendaItem[] = [];
  for (const cr of args.changes) {
    if (seen.has(cr.id)) continue;
    const why = agendaReasons(cr, args, args.meeting);
    if (!why.length) continue;
    seen.add(cr.id);
    const actions = (args.actionsOf?.(cr) ?? []).filter((a): a is 'approve' | 'reject' => a === 'approve' || a === 'reject');
    items.push({ ...itemOf(cr, why, args.findings.get(cr.id), args.timeZone), actions });
  }
  // ordered by window; a change without one (an emergency's is optional) after those with one, by id
  items.sort((a, b) => (a.window?.start ?? '\uffff').localeCompare(b.window?.start ?? '\uffff') || a.id.localeCompare(b.id));
  return { from: args.from, to: args.to, timeZone: args.timeZone, meeting: args.meeting ?? null, generatedAt: args.now, items };
}

function itemOf(cr: ChangeRequest, why: AgendaReason[], findings: CalendarFindings | undefined, zone: string): Omit<AgendaItem, 'actions'> {
  const c = cr.content;
  const risk = c.risk;
  const reasons = [
    ...(risk?.likelihood && risk.impact
      ? [riskExplanation(risk.likelihood, risk.impact)]
      : cr.riskLevel
        ? [`${cr.riskLevel}, as the requestor declared it`]
        : []),
    ...(cr.approvalRequirement?.reasons ?? []),
  ];
  const w = c.plannedWindow;
  const local = (iso: string) => DateTime.fromISO(iso, { zone }).toISO({ suppressMilliseconds: true }) ?? iso;
  const open = cr.state === 'pending_approval' ? openSlots(cr) : [];
  return {
    id: cr.id,
    title: c.title,
    category: c.category,
    state: cr.state,
    revision: cr.revision,
    version: cr.version,
    why,
    risk: { level: cr.riskLevel, reasons },
    window: w ? { start: w.start, end: w.end, localStart: local(w.start), localEnd: local(w.end) } : null,
    requestor: { id: cr.requestor.id, name: cr.requestor.name, ...(cr.requestor.team ? { team: cr.requestor.team } : {}) },
    components: [...(c.description?.components ?? []), ...(c.description?.otherComponents ?? [])],
    awaiting: open.map((s) => ({ slot: s.slot, minRole: s.minRole, reason: s.reason })),
    decisions: decisionsOf(cr),
    rollback: {
      procedure: c.rollback?.procedure ?? null,
      duration: c.rollback?.duration ?? null,
      triggers: [...(c.rollback?.triggers ?? []).map((t) => ROLLBACK_TRIGGERS[t]), ...(c.rollback?.otherTriggers ?? [])],
    },
    conflicts: findings?.conflicts ?? [],
    blackouts: findings?.blackouts ?? [],
    calendar: calendarWarnings(findings),
  };
}

const REASON_WORDS: Record<AgendaReason, string> = {
  'awaiting-approval': 'awaiting approval',
  'awaiting-post-approval': 'emergency change awaiting post-approval',
  due: 'approved, due in this period',
  'decided-in-meeting': 'decided in this meeting',
};

const CHANNEL_WORDS: Record<DecisionChannel, string> = { api: 'the API', email: 'an email link', slack: 'Slack', meeting: 'the meeting' };

/** The agenda as Markdown, for the meeting's minutes: one section per change, in window order. */
export function agendaMarkdown(agenda: Agenda): string {
  const zone = agenda.timeZone;
  const when = (iso: string) => DateTime.fromISO(iso, { zone }).toFormat('ccc d LLL yyyy HH:mm ZZZZ');
  // every value sits after a prefix on one line (a heading's number, a bullet's label): folded to one line, it cannot
  // start a heading or a list, so no escaping (and no Markdown parser in the Calendar function's bundle)
  const line = (s: string) => s.replace(/\s+/g, ' ').trim();
  const out: string[] = [
    `# Change Advisory Board agenda${agenda.meeting ? `: ${line(agenda.meeting)}` : ''}`,
    '',
    `Changes awaiting a decision, and changes at medium risk or above due from ${when(agenda.from)} to ${when(agenda.to)}. ` +
      `${agenda.items.length} ${agenda.items.length === 1 ? 'change' : 'changes'}; generated ${when(agenda.generatedAt)}.`,
  ];
  if (!agenda.items.length) out.push('', 'Nothing for the board in this period.');
  agenda.items.forEach((item, i) => {
    out.push('', `## ${i + 1}. ${item.id}: ${line(item.title)}`, '');
    const risk = item.risk.level ? `${item.risk.level}${item.risk.reasons.length ? ` (${item.risk.reasons.map(line).join('; ')})` : ''}` : 'not assessed';
    out.push(`- **On the agenda:** ${item.why.map((w) => REASON_WORDS[w]).join('; ')}`);
    out.push(`- **State:** ${item.state.replace('_', ' ')} · **Category:** ${item.category} · **Revision:** ${item.revision}`);
    out.push(`- **Risk:** ${risk}`);
    out.push(`- **Window:** ${item.window ? `${when(item.window.start)} – ${when(item.window.end)}` : 'none planned'}`);
    out.push(`- **Requestor:** ${line(item.requestor.name)} (${line(item.requestor.id)}${item.requestor.team ? `, ${line(item.requestor.team)}` : ''})`);
    out.push(`- **Components:** ${item.components.length ? item.components.map(line).join(', ') : 'none named'}`);
    if (item.awaiting.length) out.push(`- **Awaiting:** ${item.awaiting.map((a) => `${a.slot} (${line(a.reason)})`).join('; ')}`);
    out.push(`- **Calendar:** ${item.calendar.length ? item.calendar.map(line).join('; ') : 'no conflict, no blackout'}`);
    out.push(
      `- **Rollback plan:** ${item.rollback.procedure ? line(item.rollback.procedure) : 'none given'}` +
        `${item.rollback.duration ? ` (takes ${line(item.rollback.duration)})` : ''}` +
        `${item.rollback.triggers.length ? `; triggers: ${item.rollback.triggers.map(line).join(', ')}` : ''}`,
    );
    const decided = item.decisions.map(
      (d) =>
        `${d.decision} by ${line(d.name)}${d.slot ? ` (${d.slot})` : ''} on ${when(d.at)} through ${d.channel === 'meeting' && d.meeting ? `the meeting "${line(d.meeting)}"` : CHANNEL_WORDS[d.channel]}${
          d.comment ? `: "${line(d.comment)}"` : ''
        }`,
    );
    out.push(`- **Decisions:** ${decided.length ? decided.join('; ') : 'none yet'}`);
  });
  return `${out.join('\n')}\n`;
}
