/** Schemas of everything the API accepts beyond the change content itself. OpenAPI is generated from these. */
import * as z from 'zod';
import { CATEGORIES, RISK_LEVELS, STATES } from '../core/change-request.js';
import { CHANGE_ID_PATTERN } from '../core/change-id.js';
import { CHECKLIST_KEYS } from '../core/checklist.js';
import { freeText, oneLine } from '../core/text.js';
import { NOTE_KINDS } from '../core/implementation-record.js';
import { ACTIONS } from '../core/lifecycle.js';

const instant = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time with an offset' }).transform((s) => new Date(s).toISOString());

export const ListQuerySchema = z
  .object({
    state: z.enum(STATES).optional(),
    category: z.enum(CATEGORIES).optional(),
    risk: z.enum(RISK_LEVELS).optional(),
    /** A component the change names (from the configured list or its free-text ones), exactly. */
    component: z.string().trim().min(1).max(200).optional(),
    /** The requestor's team. */
    team: z.string().trim().min(1).max(100).optional(),
    /** Words in the id or the title, any case. */
    q: z.string().trim().min(1, 'must not be empty').max(200).toLowerCase().optional(),
    /** Only changes this person filed (their id). */
    requestor: z.string().trim().min(1).max(200).optional(),
    from: instant.optional(),
    to: instant.optional(),
    limit: z.coerce.number().int('must be a whole number').min(1).max(100).default(25),
    cursor: z.string().min(1).max(2000).optional(),
  })
  .strict()
  .refine((q) => !q.from || !q.to || q.from < q.to, { message: 'must be after from', path: ['to'] });

export const ChangeIdSchema = z.string().regex(CHANGE_ID_PATTERN, 'must be a change id like CR-2026-11-28-001');

export const ActionSchema = z.enum(ACTIONS);

export const TransitionBodySchema = z
  .object({
    comment: freeText(2000).optional(),
    reason: freeText(2000).optional(),
    revision: z.number().int().positive().optional(),
    postIncidentReview: oneLine(500).optional(),
    outcome: z.enum(['success', 'failed']).optional(),
    /** verdict: a person's decision on the monitoring period; extend takes minutes. */
    decision: z.enum(['pass', 'fail', 'extend', 'acknowledge']).optional(),
    minutes: z.number().int().min(1).max(1440).optional(),
    /** checklist: the pre-deployment checklist items to tick and untick, and a note (a pipeline run, say). */
    tick: z.array(z.enum(CHECKLIST_KEYS)).min(1).max(CHECKLIST_KEYS.length).optional(),
    untick: z.array(z.enum(CHECKLIST_KEYS)).min(1).max(CHECKLIST_KEYS.length).optional(),
    note: oneLine(500).optional(),
    /** approve, reject: the change-board meeting the decision is taken in ("CAB 2026-12-03"). */
    meeting: oneLine(200).optional(),
    /** complete, rollback, fail: the lessons learned, recorded with the closing. */
    lessonsLearned: freeText(4000).optional(),
  })
  .strict();

/** POST /changes/{id}/notes: a note on the implementation record. */
export const NoteBodySchema = z
  .object({
    kind: z.enum(NOTE_KINDS, { message: `must be one of ${NOTE_KINDS.join(', ')}` }),
    text: freeText(4000),
  })
  .strict();

const sample = z
  .object({
    at: instant,
    component: oneLine(100).optional(),
    requests: z.number().int().min(0).max(1e12).optional(),
    errorRatePercent: z.number().min(0).max(100).optional(),
    p95LatencyMs: z.number().min(0).max(3_600_000).optional(),
    databaseErrors: z.number().int().min(0).max(1e12).optional(),
    criticalAlerts: z.number().int().min(0).max(1e6).optional(),
  })
  .strict();

/** POST /changes/{id}/metrics: what a pipeline, a monitoring tool or a person reports during the period. */
export const MetricsBodySchema = z
  .object({
    samples: z.array(sample).max(200, 'must have at most 200 entries: send more in another request').default([]),
    smokeTests: z.enum(['passed', 'failed']).optional(),
    /** A named criterion's result: `other:<name>` fired (fail) or clear (pass); `criterion:<name>` confirmed (pass) or not. */
    criteria: z
      .record(
        z.string().regex(/^(other|criterion):[a-z0-9-]{1,60}$/, 'must be a criterion id such as other:customer-complaints or criterion:checkout-works'),
        z.enum(['pass', 'fail']),
      )
      .optional(),
  })
  .strict()
  .refine((b) => b.samples.length > 0 || b.smokeTests !== undefined || Object.keys(b.criteria ?? {}).length > 0, 'must carry samples, smokeTests or criteria');

/** How deep a patch may nest: the content's own sections go four levels down. */
export const MAX_PATCH_DEPTH = 8;

export const PatchBodySchema = z
  .record(z.string(), z.unknown())
  .refine((o) => Object.keys(o).length > 0, 'must change at least one field')
  .refine((o) => !nestedDeeperThan(o, MAX_PATCH_DEPTH), `must not nest deeper than ${MAX_PATCH_DEPTH} levels (a change request's fields go four levels down)`);

/** Whether a JSON value nests deeper than `limit`, found without recursion (a hostile body can nest thousands deep). */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

export const ErrorSchema = z.object({
  error: z.string(),
  message: z.string(),
  issues: z.array(z.object({ path: z.string(), message: z.string(), heading: z.string().optional() })).optional(),
  currentVersion: z.number().optional(),
  state: z.string().optional(),
  correlationId: z.string().optional(),
});

export const MarkdownQuerySchema = z.object({ template: z.enum(['change-request', 'emergency-change']).optional() }).strict();

export const GateQuerySchema = z
  .object({
    revision: z.coerce.number().int('must be a whole number').positive().optional(),
    at: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time with an offset' }).optional(),
  })
  .strict();

export const SlotsQuerySchema = z.object({ count: z.coerce.number().int('must be a whole number').min(1).max(20).default(5) }).strict();

/** GET /approvals/decide?token=…: the signed link token. */
export const LinkQuerySchema = z.object({ token: z.string().max(4096).optional() }).loose();

/** POST /approvals/decide: the confirmation page's form. */
export const LinkFormSchema = z.object({ token: z.string().max(4096), comment: z.string().max(2000).optional() });

/** Outbound webhook subscriptions (functions/handlers/subscriptions.ts). */
export const SubscriptionBodySchema = z
  .object({
    url: z.url({ error: 'must be the URL that receives the events' }).max(2000),
    events: z.array(z.string().min(1).max(100)).min(1, 'must name at least one event type, or * for every one').max(100),
    description: z.string().max(500).optional(),
  })
  .strict();
export const SubscriptionIdSchema = z.string().regex(/^sub_[0-9a-f]{16}$/, 'must be a subscription id such as sub_0123456789abcdef');
export const RedeliverBodySchema = z.object({ delivery: z.string().min(1).max(300) }).strict();
export const DeliveriesLimitSchema = z.object({ limit: z.coerce.number().int('must be a whole number').min(1).max(200).default(50) }).strict();

/** The monthly reports (functions/handlers/reports.ts). */
export const REPORT_FILES = ['report.md', 'report.json', 'changes.csv', 'report.html'] as const;
/** A quarter's review files (POST /reports/2026-Q4). */
export const REVIEW_FILES = ['review.md', 'review.json', 'review.html'] as const;
export const MonthSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month such as 2026-11');
export const ReportFileSchema = z.enum(REPORT_FILES, { error: `must be one of ${REPORT_FILES.join(', ')}` });
export const QuarterSchema = z.string().regex(/^\d{4}-Q[1-4]$/, 'must be a quarter such as 2026-Q4');
/** A report's period in a path: a month (the monthly report) or a quarter (the quarterly review). */
export const PeriodSchema = z.union([MonthSchema, QuarterSchema], { error: 'must be a month such as 2026-11 or a quarter such as 2026-Q4' });
export const ReviewFileSchema = z.enum(REVIEW_FILES, { error: `must be one of ${REVIEW_FILES.join(', ')} (a quarter's review)` });

/** GET /metrics/dora (functions/handlers/reports.ts). */
export const DoraQuerySchema = z
  .object({
    window: z
      .string()
      .regex(/^(30d|\d{4}-(0[1-9]|1[0-2]))$/, 'must be 30d (the last 30 days) or a month such as 2026-11')
      .optional(),
    service: z.string().min(1).max(200).optional(),
    ids: z.enum(['true', 'false'], { error: 'must be true or false' }).optional(),
  })
  .strict();

/** GET /metrics (functions/handlers/reports.ts). */
export const MetricsQuerySchema = z
  .object({
    from: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 instant such as 2026-11-01T00:00:00Z' }).optional(),
    to: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 instant such as 2026-12-01T00:00:00Z' }).optional(),
    groupBy: z.enum(['week', 'month', 'team', 'category', 'component'], { error: 'must be week, month, team, category or component' }).optional(),
    ids: z.enum(['true', 'false'], { error: 'must be true or false' }).optional(),
  })
  .strict();

/** POST /changes/{id}/incidents/{incident}: a person's word on a suggested cause. */
export const IncidentIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be the incident id (PagerDuty: PGR0VU2)');
export const IncidentDecisionSchema = z
  .object({
    decision: z.enum(['confirm', 'dismiss'], { error: 'must be confirm or dismiss' }),
    reason: z.string().trim().min(10, 'must say why, in a sentence').max(2000),
  })
  .strict();
