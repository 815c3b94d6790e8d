/**
 * A change request as a Markdown document, and back: the seed's Change Request template
 * (seed: "Change Request Process → 1. Change Request Creation"), with ChangeFlow's additions
 * (standard change type, likelihood and impact, chaos tests, DR drill, planned window, incident).
 *
 * Pure: no I/O. `parseChangeMarkdown` returns a plain object shaped like `ChangeContent` that the
 * caller validates with `ChangeContentSchema` (lifecycle.ts `parseContent`), plus the structural
 * issues the schema cannot name (no title heading, two boxes ticked on a one-of line, an unknown
 * checkbox label, a line that means nothing in its section, an unknown heading...).
 *
 * Rules, in one place:
 * - The Markdown parser (mdast) finds the structure: the top-level ATX headings (`#`, `##`, `###`)
 *   cut the document into sections, and checklists are read from its list items. Free text is the
 *   source text between two headings (node offsets), trimmed, so it survives verbatim.
 * - Free text (and the one-line answers that have a section of their own, e.g. Estimated Duration)
 *   is escaped by the renderer line by line: a line that starts (after blanks) with `#`, a code
 *   fence (```` ``` ````, `~~~`), `<`, or a checkbox item (`- [ ]`) gets a backslash in front, so it
 *   can neither open a section, nor swallow the sections after it, nor be read as a checkbox. The
 *   parser removes exactly one such backslash, so `\#` written by hand means `#` too. Lines that
 *   already start with backslashes get one more, which keeps the escape reversible.
 * - Placeholders (`[Why is this change needed?]`, `[Criterion 1]`, `___`) mean "not filled": the key
 *   is left out. Empty sections, empty lists and empty objects are left out the same way.
 * - The service-owned parts (Change ID, Requestor, Approvers Required, Sign-off, the computed risk
 *   level) are rendered from the stored change request and never read back.
 * - A ticked checkbox whose label is not on the list (e.g. a component that is not configured) is an
 *   issue, not an `Other:` entry: a mistyped label should be corrected, not silently become a new
 *   component. Unknown labels are reported whether ticked or not.
 * - Checklists keep the order of the document. The renderer keeps the template's order unless the
 *   content lists its ticked items in another order; then the ticked ones come first, in their order.
 * - Success criteria and the communication timeline are one entry per list line, read line by line
 *   (so that an entry such as `---` is not lost to a thematic break).
 */
import { fromMarkdown } from 'mdast-util-from-markdown';
import type { RootContent } from 'mdast';
import {
  CATEGORIES,
  ChangeContentSchema,
  DEFAULT_COMPONENTS,
  DOCUMENTATION_UPDATES,
  IMPACTS,
  LIKELIHOODS,
  RISK_LEVELS,
  ROLLBACK_TRIGGERS,
  SEVERITIES,
  STAKEHOLDERS,
  STANDARD_CHANGE_TYPES,
  TEST_CHECKS,
  VERIFICATION_STEPS,
  type ApproverRole,
  type ChangeContent,
  type ChangeRequest,
  type RiskLevel,
} from './change-request.js';
import type { CommunicationEntry } from './communication.js';
import { ValidationError, type FieldIssue } from './errors.js';
import { RISK_RULE } from './approval-policy.js';
import { readProposedTime } from './planned-window.js';
import { RISK_LEVEL_MEANING, RISK_MATRIX } from './risk.js';

export interface MarkdownOptions {
  /** The configured component list; defaults to the seed's six. */
  components?: readonly string[];
  /** The organisation's zone and the time of reading: "Implemented at: 14:05" is read in it. */
  timeZone?: string | undefined;
  now?: string | undefined;
  /** The change's communication log, rendered after the template (never read back). */
  communications?: readonly CommunicationEntry[] | undefined;
}

export interface ParsedChangeMarkdown {
  /** Shaped like `ChangeContent`, not yet validated. */
  content: unknown;
  /** Each with the heading the person wrote under (`heading`), beside the JSON path. */
  issues: FieldIssue[];
  /** Parts ChangeFlow owns that the person filled in (Change ID, Requestor, Approval): read and ignored. */
  warnings: string[];
  /** Which of the seed's templates the document is. */
  template: 'change-request' | 'emergency-change';
}

/**
 * Where each field lives in the seed's templates, in the words of their headings: issues name it
 * so that a person finds the line to fix ("### Likelihood under ## Risk Assessment").
 */
const CHANGE_REQUEST_HEADINGS: [prefix: string, heading: string][] = [
  ['title', '# Change Request: <title>'],
  ['category', '## Category'],
  ['standardType', '## Category (Standard change type)'],
  ['incident', '## Incident'],
  ['description.summary', '### Summary under ## Description'],
  ['description.motivation', '### Motivation under ## Description'],
  ['description.components', '### Components Affected under ## Description'],
  ['description.otherComponents', '### Components Affected under ## Description'],
  ['implementation.changes', '### Changes under ## Implementation Details'],
  ['implementation.dependencies', '### Dependencies under ## Implementation Details'],
  ['implementation.estimatedDuration', '### Estimated Duration under ## Implementation Details'],
  ['implementation.maintenanceWindow.proposedTime', 'Proposed time, ### Maintenance Window under ## Implementation Details'],
  ['implementation.maintenanceWindow.durationMinutes', 'If yes, duration, ### Maintenance Window under ## Implementation Details'],
  ['implementation.maintenanceWindow', '### Maintenance Window under ## Implementation Details'],
  ['plannedWindow', '## Planned Window (or Proposed time under ### Maintenance Window)'],
  ['testing.testPlan', '### Test Plan under ## Testing'],
  ['testing.checklist', '### Test Plan under ## Testing'],
  ['testing.successCriteria', '### Success Criteria under ## Testing'],
  ['risk.likelihood', '### Likelihood under ## Risk Assessment'],
  ['risk.impact', '### Impact under ## Risk Assessment'],
  ['risk.declaredLevel', '### Risk Level under ## Risk Assessment'],
  ['risk.potentialImpacts', '### Potential Impacts under ## Risk Assessment'],
  ['risk.mitigations', '### Mitigation Strategies under ## Risk Assessment'],
  ['risk', '### Risk Level under ## Risk Assessment'],
  ['rollback.procedure', '### Rollback Procedure under ## Rollback Plan'],
  ['rollback.duration', '### Rollback Duration under ## Rollback Plan'],
  ['rollback.triggers', '### Rollback Triggers under ## Rollback Plan'],
  ['rollback.otherTriggers', '### Rollback Triggers under ## Rollback Plan'],
  ['rollback.drDrill', '### DR Drill under ## Rollback Plan'],
  ['communication.stakeholders', '### Stakeholders to Notify under ## Communication'],
  ['communication.timeline', '### Communication Timeline under ## Communication'],
  ['postImplementation.verification', '### Verification Steps under ## Post-Implementation'],
  ['postImplementation.lessonsLearned', '### Lessons Learned under ## Post-Implementation'],
  ['postImplementation.documentationUpdates', '### Documentation Updates under ## Post-Implementation'],
];

const EMERGENCY_HEADINGS: [prefix: string, heading: string][] = [
  ['title', '# Emergency Change: <title>'],
  ['incident.reference', 'the "Incident:" line'],
  ['incident.severity', 'the "Severity:" line'],
  ['incident.implementedBy', 'the "Implemented by:" line'],
  ['incident.implementedAt', 'the "Implemented at:" line'],
  ['description.motivation', '## Situation'],
  ['description.summary', '## Fix Implemented'],
  ['implementation.changes', '## Fix Implemented'],
  ['testing.testPlan', '## Verification'],
  ['rollback.procedure', '## Rollback Plan'],
];

/** The heading a field lives under in a template, for a path such as `content.risk.likelihood`. */
export function headingFor(path: string, template: ParsedChangeMarkdown['template'] = 'change-request'): string | undefined {
  const field = path.replace(/^content\.?/, '');
  const table = template === 'emergency-change' ? EMERGENCY_HEADINGS : CHANGE_REQUEST_HEADINGS;
  return table.find(([prefix]) => field === prefix || field.startsWith(`${prefix}.`))?.[1];
}

/** The same issues, each with the heading the person wrote under. */
export function withHeadings(issues: FieldIssue[], template: ParsedChangeMarkdown['template'] = 'change-request'): FieldIssue[] {
  return issues.map((i) => {
    const heading = i.heading ?? headingFor(i.path, template);
    return heading ? { ...i, heading } : i;
  });
}

/** The blank of a one-line answer, as in the seed (`Other: ___________`). */
const BLANK = '___________';

/** The seed's prompts: left in place, they mean "not filled". */
export const PLACEHOLDERS = {
  title: '[Brief Title]',
  summary: '[2-3 sentence summary of the change]',
  motivation: '[Why is this change needed?]',
  changes: '[Detailed description of what will be changed]',
  dependencies: '[List any dependencies on other systems/teams]',
  estimatedDuration: '[How long will the change take?]',
  testPlan: '[How will you verify the change works?]',
  successCriteria: '[How do you know the change succeeded?]',
  potentialImpacts: '[What could go wrong?]',
  mitigations: '[How will you mitigate risks?]',
  rollbackProcedure: '[Step-by-step rollback instructions]',
  rollbackDuration: '[How long will rollback take?]',
  rollbackTriggers: '[When should you rollback?]',
  drDrill: '[Which disaster-recovery drill backs this rollback plan? Required for major changes.]',
  timeline:
    '[One list line per step, e.g. T-24h: Notify stakeholders · T-1h: Final reminder · T-0: Change begins · T+15m: Status update · T+completion: Success notification]',
  lessonsLearned: '[What went well? What could be improved?]',
} as const;

/** `[Criterion 1]`, `[Criterion 2]`... */
const CRITERION_PLACEHOLDER = /^\[Criterion \d+\]$/i;

const STANDARD_TYPE_HINT = `(For a standard change, one of: ${Object.values(STANDARD_CHANGE_TYPES).join('; ')}.)`;
const INCIDENT_HINT = '(Emergency changes only: the incident this change fixes.)';
const WINDOW_HINT = '(ISO 8601 date-times with an offset, e.g. 2026-12-01T15:00:00Z)';
const COMPUTED_RISK = 'Computed by ChangeFlow:';

const ROLE_LABELS: Record<ApproverRole, string> = { 'tech-lead': 'Tech Lead', 'eng-manager': 'Engineering Manager', cto: 'CTO' };

const label = (value: string) => value.charAt(0).toUpperCase() + value.slice(1);
const CATEGORY_LABELS = Object.fromEntries(CATEGORIES.map((c) => [c, label(c)])) as Record<string, string>;
const LIKELIHOOD_LABELS = Object.fromEntries(LIKELIHOODS.map((c) => [c, label(c)])) as Record<string, string>;
const IMPACT_LABELS = Object.fromEntries(IMPACTS.map((c) => [c, label(c)])) as Record<string, string>;
const RISK_LABELS = Object.fromEntries(RISK_LEVELS.map((c) => [c, label(c)])) as Record<string, string>;
const SEVERITY_LABELS = Object.fromEntries(SEVERITIES.map((c) => [c, c])) as Record<string, string>;
const YES_NO_LABELS: Record<string, string> = { yes: 'Yes', no: 'No' };

// ---------------------------------------------------------------------------------------------
// escaping of free text

const TRIGGER = String.raw`(?:#|\`\`\`|~~~|<|[-*+][ \t]+\[[ xX]\])`;
const ESCAPE_RE = new RegExp(String.raw`^([ \t]*)(\\*)(?=${TRIGGER})`);
const UNESCAPE_RE = new RegExp(String.raw`^([ \t]*)\\(?=\\*${TRIGGER})`);
const LINE_BREAK = /(\r\n|\r|\n)/;

function mapLines(text: string, f: (line: string) => string): string {
  return text
    .split(LINE_BREAK)
    .map((part, i) => (i % 2 === 1 ? part : f(part)))
    .join('');
}

/** Escapes the lines of free text that would change the document's structure. */
export function escapeText(text: string): string {
  return mapLines(text, (line) => line.replace(ESCAPE_RE, '$1\\$2'));
}

/** The inverse of `escapeText`. */
export function unescapeText(text: string): string {
  return mapLines(text, (line) => line.replace(UNESCAPE_RE, '$1'));
}

// ---------------------------------------------------------------------------------------------
// render

type Meta = Partial<Omit<ChangeRequest, 'content'>>;
type DraftContent = Partial<ChangeContent>;

export function renderChangeMarkdown(cr: Pick<ChangeRequest, 'content'> & Partial<ChangeRequest>, opts: MarkdownOptions = {}): string {
  const { content, ...meta } = cr;
  return render(content, meta, opts.components ?? DEFAULT_COMPONENTS) + recordSections(meta, opts);
}

/**
 * The implementation record and the communication log (seed §6), after the template: ChangeFlow's
 * own, so a document pasted back has them ignored (SECTIONS: `ignored`).
 */
function recordSections(meta: Meta, opts: MarkdownOptions): string {
  const notes = meta.record?.notes ?? [];
  const log = opts.communications ?? [];
  if (!notes.length && !log.length) return '';
  const cell = (v: string) => oneLine(v).replace(/\|/g, '\\|');
  const of = (kind: string) => notes.filter((n) => n.kind === kind).map((n) => `- ${oneLine(n.at)}, ${oneLine(n.name)}: ${oneLine(n.text)}`);
  const blocks = [
    '## Implementation Record',
    RECORD_HINT,
    '### Implementation Notes',
    of('implementation').join('\n') || 'None recorded.',
    '### Issues Encountered',
    of('issue').join('\n') || 'None recorded.',
    '## Communication Log',
    log.length
      ? [
          '| Time | Channel | Recipients | Notice | Outcome |',
          '| --- | --- | --- | --- | --- |',
          ...log.map(
            (e) =>
              `| ${cell(e.at)} | ${e.channel} | ${cell(e.recipients.join(', '))} | ${cell(e.subject ? `${e.template}: ${e.subject}` : e.template)} | ${e.outcome}${e.detail ? ` (${cell(e.detail)})` : ''} |`,
          ),
        ].join('\n')
      : 'Nothing sent yet.',
  ];
  return `\n${blocks.join('\n\n')}\n`;
}

const RECORD_HINT = '_Kept by ChangeFlow from the notes people add and the notices it sends; never read back._';

/** The template to fill in: the seed's, with ChangeFlow's additions. */
export function blankTemplate(opts: MarkdownOptions = {}): string {
  return render({}, {}, opts.components ?? DEFAULT_COMPONENTS);
}

/** Service-owned values go on one line of their own; they are never read back. */
const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

const box = (ticked: boolean) => (ticked ? '[x]' : '[ ]');

function boxLine(labels: Record<string, string>, ticked: string | undefined): string {
  return Object.entries(labels)
    .map(([value, text]) => `${box(value === ticked)} ${text}`)
    .join('  ');
}

/** Keeps the template's order unless `selected` is in another order (then ticked ones first). */
function checklistOrder(all: readonly string[], selected: readonly string[]): string[] {
  const positions = selected.map((s) => all.indexOf(s));
  const inOrder = positions.every((p, i) => p >= 0 && (i === 0 || p > positions[i - 1]!));
  return inOrder ? [...all] : [...selected, ...all.filter((a) => !selected.includes(a))];
}

function checklist(labels: Record<string, string>, selected: readonly string[] | undefined): string[] {
  const chosen = selected ?? [];
  return checklistOrder(Object.keys(labels), chosen).map((key) => `- ${box(chosen.includes(key))} ${labels[key] ?? key}`);
}

function otherLines(others: readonly string[] | undefined): string[] {
  return others && others.length > 0 ? others.map((o) => `- [x] Other: ${o}`) : [`- [ ] Other: ${BLANK}`];
}

const text = (value: string | undefined, placeholder: string) => (value === undefined ? placeholder : escapeText(value));

function render(c: DraftContent, meta: Meta, components: readonly string[]): string {
  const d = c.description;
  const impl = c.implementation;
  const mw = impl?.maintenanceWindow;
  const t = c.testing;
  const r = c.risk;
  const rb = c.rollback;
  const com = c.communication;
  const post = c.postImplementation;
  const blocks: string[] = [];
  const add = (...lines: string[]) => blocks.push(lines.join('\n'));

  add(`# Change Request: ${c.title ?? PLACEHOLDERS.title}`);
  add('## Change ID', meta.id ? oneLine(meta.id) : 'CR-YYYY-MM-DD-XXX');

  add(
    '## Category',
    boxLine(CATEGORY_LABELS, c.category),
    `Standard change type: ${c.standardType ? STANDARD_CHANGE_TYPES[c.standardType] : BLANK}`,
    ...(c.standardType ? [] : [STANDARD_TYPE_HINT]),
  );

  const requestor = meta.requestor;
  add(
    '## Requestor',
    `Name: ${requestor?.name ? oneLine(requestor.name) : '[Your Name]'}`,
    `Team: ${requestor?.team ? oneLine(requestor.team) : '[Your Team]'}`,
    `Date: ${meta.createdAt ? oneLine(meta.createdAt).slice(0, 10) : '[YYYY-MM-DD]'}`,
  );

  add(
    '## Incident',
    ...(c.incident ? [] : [INCIDENT_HINT]),
    `Reference: ${c.incident?.reference ?? BLANK}`,
    `Severity: ${boxLine(SEVERITY_LABELS, c.incident?.severity)}`,
  );

  add('## Description');
  add('### Summary', text(d?.summary, PLACEHOLDERS.summary));
  add('### Motivation', text(d?.motivation, PLACEHOLDERS.motivation));
  const known = d?.components ?? [];
  add(
    '### Components Affected',
    ...checklistOrder(components, known).map((name) => `- ${box(known.includes(name))} ${name}`),
    ...otherLines(d?.otherComponents),
  );

  add('## Implementation Details');
  add('### Changes', text(impl?.changes, PLACEHOLDERS.changes));
  add('### Dependencies', text(impl?.dependencies, PLACEHOLDERS.dependencies));
  add('### Estimated Duration', text(impl?.estimatedDuration, PLACEHOLDERS.estimatedDuration));
  add(
    '### Maintenance Window',
    `Required: ${boxLine(YES_NO_LABELS, mw?.required === undefined ? undefined : mw.required ? 'yes' : 'no')}`,
    `If yes, duration: ${mw?.durationMinutes ?? '_____'} minutes`,
    `Proposed time: ${mw?.proposedTime ?? '_____'}`,
  );

  add('## Planned Window', `Start: ${c.plannedWindow?.start ?? BLANK}`, `End: ${c.plannedWindow?.end ?? BLANK}`, ...(c.plannedWindow ? [] : [WINDOW_HINT]));

  add('## Testing');
  add('### Test Plan', text(t?.testPlan, PLACEHOLDERS.testPlan));
  add(...checklist(TEST_CHECKS, t?.checklist));
  const criteria = t?.successCriteria && t.successCriteria.length > 0 ? t.successCriteria : ['[Criterion 1]', '[Criterion 2]'];
  add('### Success Criteria', PLACEHOLDERS.successCriteria);
  add(...criteria.map((criterion, i) => `${i + 1}. ${criterion}`));

  add('## Risk Assessment');
  add('### Likelihood', boxLine(LIKELIHOOD_LABELS, r?.likelihood));
  add('### Impact', boxLine(IMPACT_LABELS, r?.impact));
  add(
    '### Risk Level',
    boxLine(RISK_LABELS, r?.declaredLevel),
    ...(meta.riskLevel ? [`${COMPUTED_RISK} ${label(meta.riskLevel)} (from likelihood × impact)`] : []),
  );
  add('### Potential Impacts', text(r?.potentialImpacts, PLACEHOLDERS.potentialImpacts));
  add('### Mitigation Strategies', text(r?.mitigations, PLACEHOLDERS.mitigations));

  add('## Rollback Plan');
  add('### Rollback Procedure', text(rb?.procedure, PLACEHOLDERS.rollbackProcedure));
  add('### Rollback Duration', text(rb?.duration, PLACEHOLDERS.rollbackDuration));
  add('### Rollback Triggers', PLACEHOLDERS.rollbackTriggers);
  add(...checklist(ROLLBACK_TRIGGERS, rb?.triggers), ...otherLines(rb?.otherTriggers));
  add('### DR Drill', text(rb?.drDrill, PLACEHOLDERS.drDrill));

  add('## Communication');
  add('### Stakeholders to Notify', ...checklist(STAKEHOLDERS, com?.stakeholders));
  add('### Communication Timeline', ...(com?.timeline && com.timeline.length > 0 ? com.timeline.map((step) => `- ${step}`) : [PLACEHOLDERS.timeline]));

  add('## Approval');
  add('### Approvers Required', ...approverLines(meta));
  add('### Sign-off');
  add(...signOffLines(meta));

  add('## Post-Implementation');
  add('### Verification Steps', ...checklist(VERIFICATION_STEPS, post?.verification));
  add('### Lessons Learned', text(post?.lessonsLearned ?? meta.record?.lessonsLearned?.text, PLACEHOLDERS.lessonsLearned));
  add('### Documentation Updates', ...checklist(DOCUMENTATION_UPDATES, post?.documentationUpdates));

  return `${blocks.join('\n\n')}\n`;
}

function currentApprovals(meta: Meta) {
  return (meta.approvals ?? []).filter((a) => meta.revision === undefined || a.revision === meta.revision);
}

function approverLines(meta: Meta): string[] {
  const requirement = meta.approvalRequirement;
  if (!requirement) return ['- [ ] Tech Lead', '- [ ] Engineering Manager', '- [ ] CTO (for major changes)'];
  const approvals = currentApprovals(meta);
  const lines = requirement.slots.map((slot) => {
    const done = approvals.some((a) => a.slot === slot.slot);
    return `- ${box(done)} ${ROLE_LABELS[slot.slot]} or above — ${oneLine(slot.reason)}`;
  });
  if (requirement.route === 'auto')
    lines.push(`- [x] No approver needed: approved by ChangeFlow (${oneLine(requirement.reasons.join('; ')) || 'standard change'})`);
  if (requirement.route === 'post-approval') {
    const pa = meta.postApproval;
    lines.splice(
      0,
      lines.length,
      `- ${box(Boolean(pa?.approvedBy))} ${ROLE_LABELS[requirement.slots[0]?.minRole ?? 'eng-manager']} or above — post-approval after the start (emergency change)${pa?.approvedBy ? `, by ${oneLine(pa.approvedByName ?? pa.approvedBy)}` : ''}`,
    );
  }
  return lines.length > 0 ? lines : ['- No approver needed'];
}

function signOffLines(meta: Meta): string[] {
  const approvals = currentApprovals(meta).map((a) => ({ name: a.name, at: a.at, role: ROLE_LABELS[a.role] ?? a.role }));
  const pa = meta.postApproval;
  if (pa?.approvedBy && pa.approvedAt)
    approvals.push({ name: pa.approvedByName ?? pa.approvedBy, at: pa.approvedAt, role: `post-approval, ${ROLE_LABELS[pa.minRole]} or above` });
  if (approvals.length === 0) return Array(2).fill('Name: _______________  Date: _______________  Role: _______________') as string[];
  return approvals.map((a) => `Name: ${oneLine(a.name)}  Date: ${oneLine(a.at).slice(0, 10)}  Role: ${oneLine(a.role)}`);
}

// ---------------------------------------------------------------------------------------------
// parse

interface Section {
  name: string;
  /** Offsets of the section's own text: from the end of its heading to the next heading. */
  start: number;
  end: number;
  /** Top-level nodes between the heading and the next one. */
  nodes: RootContent[];
}

interface Ctx {
  src: string;
  out: Record<string, unknown>;
  issues: FieldIssue[];
  components: readonly string[];
}

type Handler = (sec: Section, ctx: Ctx) => void;

const norm = (s: string) => s.replace(/\s+/g, ' ').trim().toLowerCase();
const isBlank = (s: string) => /^[_\s]*$/.test(s);
const splitLines = (s: string) => s.split(/\r\n|\r|\n/);

function issue(ctx: Ctx, path: string, message: string): void {
  ctx.issues.push({ path: path ? `content.${path}` : 'content', message });
}

function set(ctx: Ctx, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = ctx.out;
  for (const key of keys.slice(0, -1)) {
    node[key] ??= {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]!] = value;
}

function push(ctx: Ctx, path: string, values: unknown[]): void {
  if (values.length > 0) set(ctx, path, values);
}

const sectionText = (sec: Section, ctx: Ctx) => ctx.src.slice(sec.start, sec.end);

/** Free text: verbatim between the headings, trimmed; the placeholder or `___` means not filled. */
function freeText(path: string, placeholder: string): Handler {
  return (sec, ctx) => {
    const value = readText(sectionText(sec, ctx), placeholder);
    if (value !== undefined) set(ctx, path, value);
  };
}

function readText(raw: string, placeholder: string): string | undefined {
  const value = unescapeText(raw.trim());
  return isBlank(value) || value === placeholder ? undefined : value;
}

/** The non-blank lines of a section, trimmed. */
function contentLines(raw: string): string[] {
  return splitLines(raw)
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

/**
 * A one-of line such as `[ ] Low  [x] Medium  [ ] High`. Returns the ticked value, or undefined
 * when none (or more than one, or an unknown label: then an issue is recorded).
 */
function readBoxes(line: string, labels: Record<string, string>, path: string, ctx: Ctx): string | undefined {
  const byLabel = new Map(Object.entries(labels).map(([value, text]) => [norm(text), value]));
  const expected = Object.values(labels).join(', ');
  const matches = [...line.matchAll(/\[([^\]]?)\][ \t]*([^[]*)/g)];
  if (matches.length === 0 || line.slice(0, matches[0]!.index).trim() !== '') {
    issue(ctx, path, `expected a line of checkboxes (${expected}), found "${line}"`);
    return undefined;
  }
  const ticked: string[] = [];
  for (const m of matches) {
    const mark = m[1] ?? '';
    const text = (m[2] ?? '').trim();
    const value = byLabel.get(norm(text));
    if (value === undefined) {
      issue(ctx, path, `unknown option "${text}" (expected one of ${expected})`);
      continue;
    }
    if (mark === 'x' || mark === 'X') ticked.push(value);
    else if (mark.trim() !== '') issue(ctx, path, `tick a box with [x], not [${mark}] ("${text}")`);
  }
  if (ticked.length > 1) {
    issue(ctx, path, `tick only one of ${expected}; ticked: ${ticked.map((v) => labels[v]).join(', ')}`);
    return undefined;
  }
  return ticked[0];
}

function oneOfSection(path: string, labels: Record<string, string>, ignore: readonly string[] = []): Handler {
  return (sec, ctx) => {
    const lines = contentLines(sectionText(sec, ctx)).filter((l) => !ignore.some((prefix) => l.startsWith(prefix)));
    if (lines.length > 1) issue(ctx, path, `expected one line of checkboxes, found ${lines.length} lines`);
    const value = lines[0] === undefined ? undefined : readBoxes(lines[0], labels, path, ctx);
    if (value !== undefined) set(ctx, path, value);
  };
}

/** Lines `Label: value`; `handlers` are keyed by the lower-case label. Hints are skipped. */
function labelledLines(path: string, handlers: Record<string, (value: string, ctx: Ctx) => void>, hints: readonly string[] = []): Handler {
  return (sec, ctx) => {
    for (const line of contentLines(sectionText(sec, ctx))) {
      if (hints.includes(line)) continue;
      const m = /^([^:[]+):(.*)$/.exec(line);
      const handler = m ? handlers[norm(m[1]!)] : undefined;
      if (!m || !handler) {
        issue(ctx, path, `unexpected line "${line}" (expected ${Object.keys(handlers).map(label).join(', ')})`);
        continue;
      }
      handler((m[2] ?? '').trim(), ctx);
    }
  };
}

/** A one-line answer after a label; blanks (`___`) mean not filled. */
const lineValue = (path: string) => (value: string, ctx: Ctx) => {
  if (!isBlank(value)) set(ctx, path, value);
};

const CHECKBOX_ITEM = /^[ \t]*[-*+][ \t]+\[([ xX])\][ \t]*(.*)$/;
const OTHER = /^other[ \t]*:(.*)$/is;

interface CheckboxItem {
  ticked: boolean;
  /** The text after the box; continuation lines joined with a space. */
  text: string;
}

/** The section's checkbox list items, and its text with those items cut out. */
function checkboxItems(sec: Section, ctx: Ctx): { items: CheckboxItem[]; rest: string } {
  const items: CheckboxItem[] = [];
  let rest = '';
  let cursor = sec.start;
  for (const node of sec.nodes) {
    if (node.type !== 'list' || node.ordered) continue;
    for (const item of node.children) {
      const start = item.position?.start.offset;
      const end = item.position?.end.offset;
      if (start === undefined || end === undefined) continue;
      const [first = '', ...more] = splitLines(ctx.src.slice(start, end));
      const m = CHECKBOX_ITEM.exec(first);
      if (!m) continue;
      const text = [(m[2] ?? '').trim(), ...more.map((l) => l.trim())].filter((l) => l !== '').join(' ');
      items.push({ ticked: m[1] !== ' ', text });
      rest += ctx.src.slice(cursor, start);
      cursor = end;
    }
  }
  rest += ctx.src.slice(cursor, sec.end);
  return { items, rest };
}

interface ChecklistSpec {
  path: string;
  /** key → label; for components, name → name. */
  labels: (ctx: Ctx) => Record<string, string>;
  /** Where `Other: ...` lines go; without it, `Other:` is an unknown label. */
  otherPath?: string;
  /** Free text around the checklist (the Test Plan). */
  freeText?: { path: string; placeholder: string };
  /** A prompt line above the checklist, ignored. */
  prompt?: string;
}

function checklistSection(spec: ChecklistSpec): Handler {
  return (sec, ctx) => {
    const labels = spec.labels(ctx);
    const byLabel = new Map(Object.entries(labels).map(([key, text]) => [norm(text), key]));
    const { items, rest } = checkboxItems(sec, ctx);
    const ticked: string[] = [];
    const others: string[] = [];
    for (const item of items) {
      const other = spec.otherPath ? OTHER.exec(item.text) : null;
      if (other && spec.otherPath) {
        const value = (other[1] ?? '').trim();
        if (!isBlank(value)) others.push(value);
        else if (item.ticked) issue(ctx, spec.otherPath, '"Other" is ticked but names nothing: write it as "Other: <name>"');
        continue;
      }
      const key = byLabel.get(norm(item.text));
      if (key === undefined) {
        const hint = spec.otherPath ? `; write anything else as "- [x] Other: ${item.text}"` : '';
        issue(ctx, spec.path, `unknown checkbox "${item.text}" (expected ${Object.values(labels).join(', ')})${hint}`);
        continue;
      }
      if (item.ticked) ticked.push(key);
    }
    push(ctx, spec.path, ticked);
    if (spec.otherPath) push(ctx, spec.otherPath, others);
    if (spec.freeText) {
      const value = readText(rest, spec.freeText.placeholder);
      if (value !== undefined) set(ctx, spec.freeText.path, value);
      return;
    }
    const stray = contentLines(rest).filter((l) => l !== spec.prompt);
    if (stray.length > 0) issue(ctx, spec.path, `only checkbox lines "- [ ] ..." are read here; not read: "${stray.join(' ')}"`);
  };
}

const LIST_LINE = /^[ \t]*(?:\d{1,9}[.)]|[-*+])(?:[ \t]+(.*))?$/;

/** A list of one-line entries, read line by line. */
function listLines(path: string, skip: (line: string) => boolean): Handler {
  return (sec, ctx) => {
    const entries: string[] = [];
    for (const line of contentLines(sectionText(sec, ctx))) {
      if (skip(line)) continue;
      const m = LIST_LINE.exec(line);
      if (!m) {
        issue(ctx, path, `expected one list line per entry, found "${line}"`);
        continue;
      }
      const entry = (m[1] ?? '').trim();
      if (!isBlank(entry) && !skip(entry)) entries.push(entry);
    }
    push(ctx, path, entries);
  };
}

interface H2Spec {
  /** Where its issues go. */
  path: string;
  /** Service-owned: never read. */
  ignored?: boolean;
  own?: Handler;
  subs?: Record<string, Handler>;
}

const SECTIONS: Record<string, H2Spec> = {
  'change id': { path: '', ignored: true },
  requestor: { path: '', ignored: true },
  approval: { path: '', ignored: true },
  'implementation record': { path: '', ignored: true },
  'communication log': { path: '', ignored: true },
  category: {
    path: 'category',
    own: (sec, ctx) => {
      for (const line of contentLines(sectionText(sec, ctx))) {
        if (line === STANDARD_TYPE_HINT) continue;
        const type = /^standard change type[ \t]*:(.*)$/i.exec(line);
        if (type) {
          const value = (type[1] ?? '').trim();
          if (isBlank(value)) continue;
          const key = Object.entries(STANDARD_CHANGE_TYPES).find(([k, text]) => norm(text) === norm(value) || k === norm(value))?.[0];
          if (key) set(ctx, 'standardType', key);
          else issue(ctx, 'standardType', `unknown standard change type "${value}" (expected one of ${Object.values(STANDARD_CHANGE_TYPES).join('; ')})`);
          continue;
        }
        const value = readBoxes(line, CATEGORY_LABELS, 'category', ctx);
        if (value !== undefined) {
          if (ctx.out.category !== undefined) issue(ctx, 'category', 'tick only one category');
          else set(ctx, 'category', value);
        }
      }
    },
  },
  incident: {
    path: 'incident',
    own: labelledLines(
      'incident',
      {
        reference: lineValue('incident.reference'),
        severity: (value, ctx) => {
          const v = readBoxes(value, SEVERITY_LABELS, 'incident.severity', ctx);
          if (v !== undefined) set(ctx, 'incident.severity', v);
        },
      },
      [INCIDENT_HINT],
    ),
  },
  description: {
    path: 'description',
    subs: {
      summary: freeText('description.summary', PLACEHOLDERS.summary),
      motivation: freeText('description.motivation', PLACEHOLDERS.motivation),
      'components affected': checklistSection({
        path: 'description.components',
        labels: (ctx) => Object.fromEntries(ctx.components.map((c) => [c, c])),
        otherPath: 'description.otherComponents',
      }),
    },
  },
  'implementation details': {
    path: 'implementation',
    subs: {
      changes: freeText('implementation.changes', PLACEHOLDERS.changes),
      dependencies: freeText('implementation.dependencies', PLACEHOLDERS.dependencies),
      'estimated duration': freeText('implementation.estimatedDuration', PLACEHOLDERS.estimatedDuration),
      'maintenance window': labelledLines('implementation.maintenanceWindow', {
        required: (value, ctx) => {
          const v = readBoxes(value, YES_NO_LABELS, 'implementation.maintenanceWindow.required', ctx);
          if (v !== undefined) set(ctx, 'implementation.maintenanceWindow.required', v === 'yes');
        },
        'if yes, duration': (value, ctx) => {
          const path = 'implementation.maintenanceWindow.durationMinutes';
          const amount = value.replace(/[ \t]*(?:minutes?|mins?|m)$/i, '').trim();
          if (isBlank(amount)) return;
          if (/^\d+$/.test(amount)) set(ctx, path, Number(amount));
          else issue(ctx, path, `must be a whole number of minutes, found "${value}"`);
        },
        'proposed time': lineValue('implementation.maintenanceWindow.proposedTime'),
      }),
    },
  },
  'planned window': {
    path: 'plannedWindow',
    own: labelledLines('plannedWindow', { start: lineValue('plannedWindow.start'), end: lineValue('plannedWindow.end') }, [WINDOW_HINT]),
  },
  testing: {
    path: 'testing',
    subs: {
      'test plan': checklistSection({
        path: 'testing.checklist',
        labels: () => TEST_CHECKS,
        freeText: { path: 'testing.testPlan', placeholder: PLACEHOLDERS.testPlan },
      }),
      'success criteria': listLines('testing.successCriteria', (l) => l === PLACEHOLDERS.successCriteria || CRITERION_PLACEHOLDER.test(l)),
    },
  },
  'risk assessment': {
    path: 'risk',
    subs: {
      likelihood: oneOfSection('risk.likelihood', LIKELIHOOD_LABELS),
      impact: oneOfSection('risk.impact', IMPACT_LABELS),
      'risk level': oneOfSection('risk.declaredLevel', RISK_LABELS, [COMPUTED_RISK]),
      'potential impacts': freeText('risk.potentialImpacts', PLACEHOLDERS.potentialImpacts),
      'mitigation strategies': freeText('risk.mitigations', PLACEHOLDERS.mitigations),
    },
  },
  'rollback plan': {
    path: 'rollback',
    subs: {
      'rollback procedure': freeText('rollback.procedure', PLACEHOLDERS.rollbackProcedure),
      'rollback duration': freeText('rollback.duration', PLACEHOLDERS.rollbackDuration),
      'rollback triggers': checklistSection({
        path: 'rollback.triggers',
        labels: () => ROLLBACK_TRIGGERS,
        otherPath: 'rollback.otherTriggers',
        prompt: PLACEHOLDERS.rollbackTriggers,
      }),
      'dr drill': freeText('rollback.drDrill', PLACEHOLDERS.drDrill),
    },
  },
  communication: {
    path: 'communication',
    subs: {
      'stakeholders to notify': checklistSection({ path: 'communication.stakeholders', labels: () => STAKEHOLDERS }),
      'communication timeline': listLines('communication.timeline', (l) => l === PLACEHOLDERS.timeline),
    },
  },
  'post-implementation': {
    path: 'postImplementation',
    subs: {
      'verification steps': checklistSection({ path: 'postImplementation.verification', labels: () => VERIFICATION_STEPS }),
      'lessons learned': freeText('postImplementation.lessonsLearned', PLACEHOLDERS.lessonsLearned),
      'documentation updates': checklistSection({
        path: 'postImplementation.documentationUpdates',
        labels: () => DOCUMENTATION_UPDATES,
      }),
    },
  },
};

const TITLE = /^change request[ \t]*:(.*)$/i;

/** A top-level ATX heading (`## Name`): one line starting with `#`. Setext headings are text. */
function atxHeading(node: RootContent, src: string): { depth: number; text: string; start: number; end: number } | undefined {
  if (node.type !== 'heading') return undefined;
  const start = node.position?.start.offset;
  const end = node.position?.end.offset;
  if (start === undefined || end === undefined) return undefined;
  const raw = src.slice(start, end);
  const m = /^[ \t]*(#{1,6})(?:[ \t]+(.*))?$/.exec(raw);
  if (!m || LINE_BREAK.test(raw)) return undefined;
  return { depth: m[1]!.length, text: (m[2] ?? '').trim(), start, end };
}

/** The heading's name without an ATX closing sequence (`## Category ##`). */
const headingName = (text: string) => text.replace(/(?:^|[ \t]+)#+$/, '').trim();

export function parseChangeMarkdown(markdown: string, opts: MarkdownOptions = {}): ParsedChangeMarkdown {
  const src = markdown;
  const ctx: Ctx = { src, out: {}, issues: [], components: opts.components ?? DEFAULT_COMPONENTS };
  const tree = fromMarkdown(src);

  const headings = tree.children.flatMap((node, index) => {
    const h = atxHeading(node, src);
    return h ? [{ ...h, index }] : [];
  });
  if (headings[0]?.depth === 1 && EMERGENCY_TITLE.test(headings[0].text)) return parseEmergency(src, headings, opts);

  const firstStart = headings[0]?.start ?? src.length;
  if (src.slice(0, firstStart).trim() !== '') issue(ctx, '', 'text before the "# Change Request: <title>" heading is not read');
  const warnings: string[] = [];

  let title: string | undefined;
  let titleSeen = false;
  let h2: H2Spec | undefined;
  let h2Name = '';
  const seen = new Set<string>();

  headings.forEach((h, i) => {
    const next = headings[i + 1];
    const sec: Section = {
      name: headingName(h.text),
      start: h.end,
      end: next?.start ?? src.length,
      nodes: tree.children.slice(h.index + 1, next?.index ?? tree.children.length),
    };
    const name = norm(sec.name);
    const stray = () => sectionText(sec, ctx).trim() !== '';

    if (h.depth === 1) {
      h2 = undefined;
      h2Name = '';
      const m = TITLE.exec(h.text);
      if (!m) {
        issue(ctx, '', `unknown heading "# ${h.text}": the only first-level heading is "# Change Request: <title>"`);
        return;
      }
      if (titleSeen) {
        issue(ctx, 'title', 'more than one "# Change Request:" heading');
        return;
      }
      titleSeen = true;
      const value = (m[1] ?? '').trim();
      if (!isBlank(value) && value !== PLACEHOLDERS.title) title = value;
      if (stray()) issue(ctx, '', 'text between the title and the first section is not read');
      return;
    }

    if (h.depth === 2) {
      h2Name = name;
      h2 = SECTIONS[name];
      if (!h2) {
        issue(ctx, '', `unknown section "## ${sec.name}"`);
        return;
      }
      if (seen.has(name)) {
        issue(ctx, h2.path, `section "## ${sec.name}" appears twice; only the first is read`);
        h2 = undefined;
        return;
      }
      seen.add(name);
      if (h2.ignored) {
        const until = headings.slice(i + 1).find((n) => n.depth <= 2)?.start ?? src.length;
        const filled = ignoredSectionFilled(name, src.slice(h.end, until));
        if (filled) warnings.push(filled);
        return;
      }
      if (h2.own) h2.own(sec, ctx);
      else if (stray()) issue(ctx, h2.path, `text directly under "## ${sec.name}" is not read; it belongs under one of its "###" headings`);
      return;
    }

    if (h.depth >= 3 && h2Name !== '' && !h2) return; // under an unknown or repeated section: already reported
    if (h2?.ignored && h.depth >= 3) return;
    const handler = h.depth === 3 ? h2?.subs?.[name] : undefined;
    if (!handler) {
      issue(
        ctx,
        h2?.path ?? '',
        `unknown heading "${'#'.repeat(h.depth)} ${sec.name}"${h2Name ? ` under "## ${h2Name}"` : ''}; a line of text that starts with "#" must be written as "\\#"`,
      );
      return;
    }
    const key = `${h2Name}/${name}`;
    if (seen.has(key)) {
      issue(ctx, h2?.path ?? '', `section "### ${sec.name}" appears twice; only the first is read`);
      return;
    }
    seen.add(key);
    handler(sec, ctx);
  });

  if (!titleSeen) issue(ctx, 'title', 'missing the "# Change Request: <title>" heading');
  else if (title === undefined) issue(ctx, 'title', 'the title is not filled in: "# Change Request: <title>"');

  const content = title === undefined ? ctx.out : { title, ...ctx.out };
  return { content, issues: withHeadings(ctx.issues), warnings, template: 'change-request' };
}

/**
 * The parts of the template ChangeFlow fills itself (the id, the requestor from the sign-in, who
 * approved): read, never taken. A person who filled them in is told so instead of being silently
 * overruled.
 */
function ignoredSectionFilled(name: string, text: string): string | undefined {
  const lines = contentLines(text);
  const placeholder = (v: string) => isBlank(v) || /^\[[^\]]*\]$/.test(v.trim());
  if (name === 'change id') {
    const id = lines.join(' ');
    return id && id !== 'CR-YYYY-MM-DD-XXX' ? `## Change ID: ChangeFlow numbers each change; "${id}" was ignored` : undefined;
  }
  if (name === 'requestor') {
    const written = lines.map((l) => /^[^:]+:(.*)$/.exec(l)?.[1]?.trim() ?? l).filter((v) => !placeholder(v));
    return written.length
      ? '## Requestor: the requestor is who files the change (from the sign-in), and the date is the filing date; what was written here was ignored'
      : undefined;
  }
  if (name === 'approval') {
    const ticked = lines.some((l) => /\[[xX]\]/.test(l));
    const signed = lines.some((l) => /^name:/i.test(l) && l.split(/\s{2,}/).some((part) => !placeholder(part.replace(/^[^:]+:/, ''))));
    return ticked || signed
      ? '## Approval: ChangeFlow asks the approvers the policy requires and records who decided; the ticked approvers and sign-off written here were ignored'
      : undefined;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// the seed's Emergency Change Template

const EMERGENCY_TITLE = /^emergency change[ \t]*:(.*)$/i;

export const EMERGENCY_PLACEHOLDERS = {
  title: '[Brief Title]',
  incident: '[INCIDENT-XXX]',
  severity: '[P0/P1]',
  implementedBy: '[Your Name]',
  implementedAt: '[Timestamp]',
  situation: '[What was broken?]',
  fix: '[What did you change?]',
  verification: '[How did you verify it worked?]',
  rollback: "[If this doesn't work, what's next?]",
  postApproval: 'Tag: @manager for review',
} as const;

const EMERGENCY_SECTIONS: Record<string, { path: string; placeholder: string }> = {
  situation: { path: 'description.motivation', placeholder: EMERGENCY_PLACEHOLDERS.situation },
  'fix implemented': { path: 'implementation.changes', placeholder: EMERGENCY_PLACEHOLDERS.fix },
  verification: { path: 'testing.testPlan', placeholder: EMERGENCY_PLACEHOLDERS.verification },
  'rollback plan': { path: 'rollback.procedure', placeholder: EMERGENCY_PLACEHOLDERS.rollback },
};

/**
 * `# Emergency Change: <title>`, its four lines (Incident, Severity, Implemented by, Implemented
 * at) and its sections, as the seed writes them. "Implemented at" is kept as written here; the
 * create reads it in the organisation's time zone.
 */
function parseEmergency(src: string, headings: { depth: number; text: string; start: number; end: number }[], opts: MarkdownOptions): ParsedChangeMarkdown {
  const ctx: Ctx = { src, out: { category: 'emergency' }, issues: [], components: DEFAULT_COMPONENTS };
  const warnings: string[] = [];
  const first = headings[0]!;
  if (src.slice(0, first.start).trim() !== '') issue(ctx, '', 'text before the "# Emergency Change: <title>" heading is not read');
  const title = (EMERGENCY_TITLE.exec(first.text)?.[1] ?? '').trim();
  if (!isBlank(title) && title !== EMERGENCY_PLACEHOLDERS.title) set(ctx, 'title', title);
  else issue(ctx, 'title', 'the title is not filled in: "# Emergency Change: <title>"');

  const head = src.slice(first.end, headings[1]?.start ?? src.length);
  const lines: Record<string, (value: string) => void> = {
    incident: (v) => v !== EMERGENCY_PLACEHOLDERS.incident && set(ctx, 'incident.reference', v),
    severity: (v) => {
      if (v === EMERGENCY_PLACEHOLDERS.severity) return;
      const severity = /^\[?\s*(P[01])\s*\]?$/i.exec(v)?.[1]?.toUpperCase();
      if (severity) set(ctx, 'incident.severity', severity);
      else issue(ctx, 'incident.severity', `must be P0 or P1 (the emergency process is for P0/P1 incidents), found "${v}"`);
    },
    'implemented by': (v) => v !== EMERGENCY_PLACEHOLDERS.implementedBy && set(ctx, 'incident.implementedBy', v),
    'implemented at': (v) => {
      if (v === EMERGENCY_PLACEHOLDERS.implementedAt) return;
      const at = readProposedTime(v, opts.timeZone ?? 'UTC', opts.now ?? new Date(0).toISOString(), false);
      if (at) set(ctx, 'incident.implementedAt', at);
      else
        issue(
          ctx,
          'incident.implementedAt',
          `"${v}" is not a date and time ChangeFlow can read: write it like 2026-12-01 14:05 (read in ${opts.timeZone ?? 'UTC'}) or 2026-12-01T19:05:00Z`,
        );
    },
  };
  for (const line of contentLines(head)) {
    const m = /^([^:]+):(.*)$/.exec(line);
    const handler = m ? lines[norm(m[1]!)] : undefined;
    if (!m || !handler) {
      issue(ctx, '', `unexpected line "${line}" under the title (expected Incident:, Severity:, Implemented by:, Implemented at:)`);
      continue;
    }
    const value = (m[2] ?? '').trim();
    if (!isBlank(value)) handler(value);
  }

  const seen = new Set<string>();
  headings.slice(1).forEach((h, k) => {
    const next = headings[k + 2];
    const name = norm(headingName(h.text));
    const text = src.slice(h.end, next?.start ?? src.length);
    if (h.depth !== 2) {
      issue(ctx, '', `unknown heading "${'#'.repeat(h.depth)} ${h.text}": the emergency template has only "##" sections`);
      return;
    }
    if (seen.has(name)) {
      issue(ctx, '', `section "## ${h.text}" appears twice; only the first is read`);
      return;
    }
    seen.add(name);
    if (name === 'post-approval needed') {
      // who post-approves is the policy's to say; the seed's line is an instruction, not a field
      const written = contentLines(text).filter((l) => l !== EMERGENCY_PLACEHOLDERS.postApproval && !/^post-approved by/i.test(l));
      if (written.length)
        warnings.push('## Post-Approval Needed: ChangeFlow asks the post-approvers the policy names (eng-manager or above); what was written here was ignored');
      return;
    }
    const section = EMERGENCY_SECTIONS[name];
    if (!section) {
      issue(ctx, '', `unknown section "## ${h.text}" (expected Situation, Fix Implemented, Verification, Rollback Plan, Post-Approval Needed)`);
      return;
    }
    const value = readText(text, section.placeholder);
    if (value !== undefined) set(ctx, section.path, value);
  });
  return { content: ctx.out, issues: withHeadings(ctx.issues, 'emergency-change'), warnings, template: 'emergency-change' };
}

/** The seed's Emergency Change Template, filled from a change (`GET /changes/{id}.md` of one filed on it). */
export function renderEmergencyMarkdown(cr: Pick<ChangeRequest, 'content'> & Partial<ChangeRequest>): string {
  const c = cr.content;
  const text = (value: string | undefined, placeholder: string) => (value === undefined ? placeholder : escapeText(value));
  const pa = cr.postApproval;
  const postLines: string[] = [EMERGENCY_PLACEHOLDERS.postApproval];
  if (pa?.approvedBy)
    postLines.push(
      `Post-approved by ${oneLine(pa.approvedByName ?? pa.approvedBy)} on ${pa.approvedAt?.slice(0, 10)}${pa.approvedAt && Date.parse(pa.approvedAt) > Date.parse(pa.dueAt) ? ' (late)' : ''}`,
    );
  else if (pa) postLines.push(`Post-approval by ${ROLE_LABELS[pa.minRole]} or above, due by ${pa.dueAt}`);
  return `${[
    `# Emergency Change: ${c.title ? oneLine(c.title) : EMERGENCY_PLACEHOLDERS.title}`,
    [
      `Incident: ${c.incident?.reference ?? EMERGENCY_PLACEHOLDERS.incident}`,
      `Severity: ${c.incident?.severity ?? EMERGENCY_PLACEHOLDERS.severity}`,
      `Implemented by: ${c.incident?.implementedBy ? oneLine(c.incident.implementedBy) : cr.requestor?.name ? oneLine(cr.requestor.name) : EMERGENCY_PLACEHOLDERS.implementedBy}`,
      `Implemented at: ${cr.startedAt ?? c.incident?.implementedAt ?? EMERGENCY_PLACEHOLDERS.implementedAt}`,
    ].join('\n'),
    `## Situation\n\n${text(c.description?.motivation, EMERGENCY_PLACEHOLDERS.situation)}`,
    `## Fix Implemented\n\n${text(c.implementation?.changes ?? c.description?.summary, EMERGENCY_PLACEHOLDERS.fix)}`,
    `## Verification\n\n${text(c.testing?.testPlan, EMERGENCY_PLACEHOLDERS.verification)}`,
    `## Rollback Plan\n\n${text(c.rollback?.procedure, EMERGENCY_PLACEHOLDERS.rollback)}`,
    `## Post-Approval Needed\n\n${postLines.join('\n')}`,
  ].join('\n\n')}\n`;
}

/** The blank Emergency Change Template, as the seed gives it. */
export function blankEmergencyTemplate(): string {
  return renderEmergencyMarkdown({ content: { title: undefined as never, category: 'emergency' } });
}

/**
 * A change request written on one of the seed's templates, read and validated: its content, the
 * template it was written on, and what was ignored. Every issue (the document's shape, then the
 * fields' values) names the heading it is under, in words.
 */
export function readChangeMarkdown(
  markdown: string,
  opts: MarkdownOptions,
): { content: ChangeContent; template: ParsedChangeMarkdown['template']; warnings: string[] } {
  const parsed = parseChangeMarkdown(markdown, opts);
  if (parsed.issues.length) throw new ValidationError(parsed.issues, `The Markdown change request could not be read: ${describeIssues(parsed.issues)}.`);
  const checked = ChangeContentSchema.safeParse(parsed.content);
  if (!checked.success) {
    const issues = withHeadings(
      checked.error.issues.map((i) => ({ path: ['content', ...i.path.map(String)].join('.'), message: i.message })),
      parsed.template,
    );
    throw new ValidationError(issues, `The Markdown change request could not be read: ${describeIssues(issues)}.`);
  }
  return { content: checked.data, template: parsed.template, warnings: parsed.warnings };
}

function describeIssues(issues: FieldIssue[]): string {
  return issues.map((i) => `${i.heading ?? i.path}: ${i.message}`).join('; ');
}

/**
 * The seed's risk-assessment template (`/templates/risk-assessment.md`): the two questions a
 * requestor answers for a change, the matrix that turns them into a level, what each level means
 * and who approves at it, all from the rules ChangeFlow applies (risk.ts, approval-policy.ts).
 */
export function riskAssessmentTemplate(): string {
  const header = `| Likelihood \\ Impact | ${IMPACTS.map(label).join(' | ')} |`;
  const rule = `|---|${IMPACTS.map(() => '---').join('|')}|`;
  const rows = [...LIKELIHOODS].reverse().map((l) => `| **${label(l)}** | ${IMPACTS.map((i) => label(RISK_MATRIX[l][i])).join(' | ')} |`);
  const approver = (level: RiskLevel) => {
    const role = RISK_RULE[level];
    return role
      ? `${ROLE_LABELS[role]}${role === 'cto' ? '' : ' or above'}`
      : 'auto-approved for a standard change from the catalogue; otherwise the category’s approver';
  };
  return `${[
    '# Risk Assessment: [Change ID or title]',
    'Answer the two questions; ChangeFlow computes the level from the matrix below. Copy the ticks into the change request (## Risk Assessment → ### Likelihood and ### Impact).',
    `## Likelihood\n\n${boxLine(LIKELIHOOD_LABELS, undefined)}\n\nHow likely is it that the change goes wrong?`,
    `## Impact\n\n${boxLine(IMPACT_LABELS, undefined)}\n\nIf it goes wrong, how bad is it?`,
    `## Risk Matrix\n\n${[header, rule, ...rows].join('\n')}`,
    `## Risk Levels\n\n${RISK_LEVELS.map((l) => `- **${label(l)}:** ${RISK_LEVEL_MEANING[l]}. Approval: ${approver(l)}.`).join('\n')}`,
    '## Who approves\n\nThe stricter of the category’s rule and the risk’s rule: a normal change needs a Tech Lead or above (an Engineering Manager at high risk, the CTO at critical); a major change an Engineering Manager and the CTO, two different people; an emergency change is post-approved by an Engineering Manager or above within 24 hours.',
  ].join('\n\n')}\n`;
}
