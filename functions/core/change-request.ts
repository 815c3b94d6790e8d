/**
 * The change request, section by section as in the seed's Change Request template
 * (seed: "Change Request Process → 1. Change Request Creation").
 *
 * `ChangeContent` is what a requestor writes. Everything else on a `ChangeRequest` (id, requestor,
 * state, computed risk level, approvals, audit) is owned by the service and never taken from a client.
 */
import * as z from 'zod';
import './messages.js';
import { freeText, oneLine } from './text.js';
import type { CalendarFindings } from './calendar-findings.js';

export * from './vocabulary.js';
import {
  CATEGORIES,
  DOCUMENTATION_UPDATES,
  IMPACTS,
  LIKELIHOODS,
  RISK_LEVELS,
  ROLLBACK_TRIGGERS,
  type RiskLevel,
  SEVERITIES,
  STAKEHOLDERS,
  STANDARD_CHANGE_TYPES,
  type State,
  TEST_CHECKS,
  VERIFICATION_STEPS,
} from './vocabulary.js';

const keysOf = <T extends Record<string, string>>(o: T) => Object.keys(o) as [keyof T & string, ...(keyof T & string)[]];

const text = freeText;
const line = oneLine;
const isoInstant = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time with an offset, e.g. 2026-12-01T15:00:00Z' });
const uniqueList = <T extends z.ZodType>(item: T, max: number) =>
  z
    .array(item)
    .max(max, `must have at most ${max} entries`)
    .refine((a) => new Set(a.map((x) => JSON.stringify(x))).size === a.length, 'must not repeat an entry');

/**
 * The requestor's part of a change request. Every section is optional here because drafts may be
 * incomplete; `submit` checks completeness by category (see completeness.ts).
 */
export const ChangeContentSchema = z
  .object({
    title: line(200),
    category: z.enum(CATEGORIES),
    /** For standard changes: which catalogue entry this is. */
    standardType: z.enum(keysOf(STANDARD_CHANGE_TYPES)).optional(),
    description: z
      .object({
        summary: text(4_000).optional(),
        motivation: text(4_000).optional(),
        /** Names from the configured component list. */
        components: uniqueList(line(100), 50).optional(),
        /** Free-text components ("Other: ___"). */
        otherComponents: uniqueList(line(200), 20).optional(),
      })
      .strict()
      .optional(),
    implementation: z
      .object({
        changes: text().optional(),
        dependencies: text(4_000).optional(),
        estimatedDuration: line(200).optional(),
        maintenanceWindow: z
          .object({
            required: z.boolean().optional(),
            durationMinutes: z.number().int('must be a whole number').positive('must be positive').max(10_080).optional(),
            proposedTime: line(200).optional(),
          })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
    /** When the change will be carried out: `[start, end)`, stored in UTC. */
    plannedWindow: z
      .object({
        start: isoInstant,
        end: isoInstant,
        /** Set by ChangeFlow when the window comes from the maintenance window's proposed time (planned-window.ts). */
        derivedFrom: z.enum(['maintenance-window', 'estimated-duration']).optional(),
      })
      .strict()
      .refine((w) => Date.parse(w.end) > Date.parse(w.start), { message: 'end must be after start', path: ['end'] })
      .refine((w) => Date.parse(w.end) - Date.parse(w.start) <= 31 * 86_400_000, { message: 'a planned window is at most 31 days long', path: ['end'] })
      .optional(),
    testing: z
      .object({
        testPlan: text(4_000).optional(),
        checklist: uniqueList(z.enum(keysOf(TEST_CHECKS)), 10).optional(),
        successCriteria: z.array(line(500)).max(50).optional(),
      })
      .strict()
      .optional(),
    risk: z
      .object({
        likelihood: z.enum(LIKELIHOODS).optional(),
        impact: z.enum(IMPACTS).optional(),
        /** The level the requestor ticked; advisory only — the service computes its own. */
        declaredLevel: z.enum(RISK_LEVELS).optional(),
        potentialImpacts: text(4_000).optional(),
        mitigations: text(4_000).optional(),
      })
      .strict()
      .optional(),
    rollback: z
      .object({
        procedure: text().optional(),
        duration: line(200).optional(),
        triggers: uniqueList(z.enum(keysOf(ROLLBACK_TRIGGERS)), 10).optional(),
        otherTriggers: uniqueList(line(200), 20).optional(),
        /** Major changes: the disaster-recovery drill that backs the rollback plan. */
        drDrill: text(4_000).optional(),
      })
      .strict()
      .optional(),
    communication: z
      .object({
        stakeholders: uniqueList(z.enum(keysOf(STAKEHOLDERS)), 10).optional(),
        timeline: z.array(line(300)).max(30).optional(),
      })
      .strict()
      .optional(),
    postImplementation: z
      .object({
        verification: uniqueList(z.enum(keysOf(VERIFICATION_STEPS)), 10).optional(),
        lessonsLearned: text(4_000).optional(),
        documentationUpdates: uniqueList(z.enum(keysOf(DOCUMENTATION_UPDATES)), 10).optional(),
      })
      .strict()
      .optional(),
    /** Emergency changes (seed: Emergency Change Process): the incident being fixed. */
    incident: z
      .object({
        reference: line(100).optional(),
        severity: z.enum(SEVERITIES).optional(),
        /** Seed Emergency Change Template: who put the fix in, as written. */
        implementedBy: line(200).optional(),
        /** When the fix went in: the 24 h for the post-approval run from here. */
        implementedAt: isoInstant.optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type ChangeContent = z.infer<typeof ChangeContentSchema>;

/** `pipeline`: a CI/CD system (a verified webhook, or a service account): it may start, report and tick, never approve. */
export const ROLES = ['requester', 'tech-lead', 'eng-manager', 'cto', 'on-call', 'admin', 'pipeline'] as const;
export type Role = (typeof ROLES)[number];

/** The approval ladder: "X or above" is satisfied by any role at or above X. */
export const APPROVER_ROLES = ['tech-lead', 'eng-manager', 'cto'] as const;
export type ApproverRole = (typeof APPROVER_ROLES)[number];

export interface Person {
  id: string;
  name: string;
  email: string;
  team?: string | undefined;
  roles: Role[];
}

/** Who acts: a person from the identity token, or the service itself. */
export type Actor = Person | { id: 'system'; name: 'ChangeFlow'; roles: [] };
export const SYSTEM: Actor = { id: 'system', name: 'ChangeFlow', roles: [] };

export interface ApprovalSlot {
  /** Stable name of the slot: the role it needs, e.g. `tech-lead`, `cto`. */
  slot: ApproverRole;
  /** Lowest role on the ladder that may fill it. */
  minRole: ApproverRole;
  /** Why this approval is required, in words for the requestor. */
  reason: string;
}

/** Where a decision was taken: the API (a script or the console), an email link, Slack, or a change-board meeting. */
export const DECISION_CHANNELS = ['api', 'email', 'slack', 'meeting'] as const;
export type DecisionChannel = (typeof DECISION_CHANNELS)[number];

export interface Approval {
  slot: ApproverRole;
  by: string;
  name: string;
  role: ApproverRole;
  revision: number;
  at: string;
  comment?: string | undefined;
  /** Where it was given (absent on approvals recorded before channels were kept: the API). */
  channel?: DecisionChannel | undefined;
  /** The change-board meeting it was given in, when `channel` is `meeting` ("CAB 2026-12-03"). */
  meeting?: string | undefined;
}

export interface ApprovalRequirement {
  /** auto: approved by the service; approval: slots to fill before work; post-approval: after the start. */
  route: 'auto' | 'approval' | 'post-approval';
  slots: ApprovalSlot[];
  reasons: string[];
}

export interface PostApproval {
  dueAt: string;
  minRole: ApproverRole;
  approvedBy?: string | undefined;
  approvedByName?: string | undefined;
  approvedAt?: string | undefined;
  comment?: string | undefined;
  channel?: DecisionChannel | undefined;
  meeting?: string | undefined;
  remindedAt?: string | undefined;
  /** Not post-approved by its due time: escalated to the CTO and counted in reports. */
  overdue?: boolean | undefined;
  escalatedTo?: 'cto' | undefined;
  escalatedAt?: string | undefined;
}

/** An approval slot the workflow is waiting on, for the current revision. */
export interface ApprovalRequest {
  slot: ApproverRole;
  minRole: ApproverRole;
  since: string;
  /** The workflow's callback token for this slot (Step Functions tokens are up to 2048 characters). */
  taskToken?: string | undefined;
  reminders: number;
  lastRemindedAt?: string | undefined;
  escalatedTo?: ApproverRole | 'admin' | undefined;
  escalatedAt?: string | undefined;
}

/** The workflow execution that runs for this change (approval for the current revision, or emergency). */
/** The monitoring period as the change keeps it (its measurements are items of their own). */
export interface MonitoringRecord {
  plan: import('./monitoring.js').MonitoringPlan;
  verdict: import('./monitoring.js').Verdict;
  reasons: string[];
  fired?: string[] | undefined;
  /** Rollback triggers already breaching before the deployment (baseline unhealthy), until acknowledged. */
  baseline?: { findings: string[]; acknowledgedBy?: string | undefined } | undefined;
  rollbackRequestedAt?: string | undefined;
  rollbackOverdue?: boolean | undefined;
  /** Periods started for this change (an extension after the flow ended starts another). */
  runs: number;
  /** Who reported the deployment (a pass needs someone else). */
  deployedBy?: string | undefined;
  /** A person who passed or failed the period by decision, not by its evidence. */
  decidedBy?: string | undefined;
}

export interface WorkflowRef {
  name: 'approval' | 'emergency' | 'monitoring';
  executionName: string;
  revision: number;
}

export interface AuditEntry {
  seq: number;
  at: string;
  actor: { id: string; name: string };
  action: string;
  from: State | null;
  to: State;
  revision: number;
  reason?: string | undefined;
  /** What the entry is about, as fields rather than prose: consumers read these, never the reason's words. */
  detail?: AuditDetail | undefined;
}

export interface AuditDetail {
  /** The approval slot an entry is about (requested, reminded, escalated, given). */
  slot?: ApproverRole | undefined;
  /** A timeline notice: which milestone (T-24h, T-1h, T-0, T+15m) and who it went to. */
  milestone?: string | undefined;
  channels?: string[] | undefined;
  /** Checklist items ticked or unticked. */
  ticked?: string[] | undefined;
  unticked?: string[] | undefined;
  /** Blackouts an emergency change ran through. */
  blackouts?: string[] | undefined;
  /** A blackout the entry is about (a change planned into it, one under way as it begins). */
  blackout?: { key: string; name: string; start: string; end: string; localStart: string; localEnd: string } | undefined;
  /** Monitoring: the rollback triggers that fired, the verdict, a person's decision on the period. */
  fired?: string[] | undefined;
  verdict?: string | undefined;
  decision?: 'pass' | 'fail' | 'extend' | 'acknowledge' | undefined;
  minutes?: number | undefined;
  /** The webhook delivery the entry comes from (core/deployments.ts). */
  via?: import('./deployments.js').Via | undefined;
  /** A note added to the implementation record: which kind. */
  note?: import('./implementation-record.js').NoteKind | undefined;
  /** An approval or a rejection: where it was decided, and the meeting when that was a change board. */
  channel?: DecisionChannel | undefined;
  meeting?: string | undefined;
  /** A freeze the entry is about (a hold, a release, an exception), and its owner. */
  freeze?: { id: string; title: string; owner: string } | undefined;
  /** When something the entry asks for is due (an exception's review). */
  dueAt?: string | undefined;
  /** Why a deployment was refused (the deploy gate's reasons). */
  reasons?: string[] | undefined;
  /** The workflow execution this entry ends (an edit, a cancel, an expiry, a rejection): the workflow driver stops it. */
  endsWorkflow?: { name: WorkflowRef['name']; executionName: string } | undefined;
}

/** A timeline notice sent to the change's stakeholders (seed: Communication Timeline). */
export interface SentNotice {
  milestone: string;
  at: string;
  revision: number;
  channels: string[];
}

/** A blackout an emergency change ran through, kept for the reports. */
export interface BlackoutRunThrough {
  name: string;
  kind: string;
  start: string;
  end: string;
}

export interface ChangeRequest {
  id: string;
  /** Bumped by every edit of the content; approvals are bound to it. */
  revision: number;
  /** Bumped by every write; the optimistic lock. */
  version: number;
  state: State;
  requestor: { id: string; name: string; email: string; team?: string | undefined };
  content: ChangeContent;
  /** Computed from likelihood × impact; null while either is missing. */
  riskLevel: RiskLevel | null;
  /** matrix: from likelihood × impact; declared: the level the requestor ticked (no likelihood and impact given). */
  riskBasis?: 'matrix' | 'declared' | null | undefined;
  approvalRequirement: ApprovalRequirement | null;
  approvals: Approval[];
  approvalRequests?: ApprovalRequest[] | undefined;
  workflow?: WorkflowRef | undefined;
  postApproval?: PostApproval | undefined;
  warnings: string[];
  createdAt: string;
  updatedAt: string;
  submittedAt?: string | undefined;
  approvedAt?: string | undefined;
  startedAt?: string | undefined;
  deployedAt?: string | undefined;
  monitoringUntil?: string | undefined;
  /** The monitoring period after the deployment: what is judged, how far, and the verdict so far (core/monitoring.ts). */
  monitoring?: MonitoringRecord | undefined;
  /** The deployments pipelines reported for this change, newest last (core/deployments.ts). */
  deployments?: import('./deployments.js').DeploymentRecord[] | undefined;
  /** Incidents linked to this change: opened for it (an emergency drafted from PagerDuty) or suspected of being caused by it. */
  incidents?: import('./deployments.js').IncidentLink[] | undefined;
  /** The monitoring workflow's execution for the current period (started by the workflow driver on ChangeDeployed). */
  monitoringFlow?: WorkflowRef | undefined;
  closedAt?: string | undefined;
  closeReason?: string | undefined;
  /** Implementation notes, issues encountered, lessons learned (core/implementation-record.ts). */
  record?: import('./implementation-record.js').ImplementationRecord | undefined;
  /** Who rejected the change, where, and why (the reason is also closeReason). */
  rejection?: { by: string; name: string; revision: number; at: string; comment: string; channel: DecisionChannel; meeting?: string | undefined } | undefined;
  postIncidentReview?: string | undefined;
  /** What the change calendar said about the planned window at the last (re)schedule or submit. */
  calendar?: CalendarFindings | undefined;
  /** The pre-deployment checklist's ticks by people and pipelines (checklist.ts); each bound to a revision. */
  checklist?: Partial<Record<string, import('./checklist.js').ChecklistTick>> | undefined;
  /** An emergency change skips the checklist; this records that it did. */
  checklistSkipped?: boolean | undefined;
  /** Timeline notices sent so far. */
  notices?: SentNotice[] | undefined;
  /** Emergency changes: who declared it, and the blackouts it ran through. */
  emergency?: { declaredBy: string; declaredAt: string; blackouts: BlackoutRunThrough[] } | undefined;
  /** The blackouts already reported on this change (planned into one, under way as one began), by key: each once. */
  blackoutsReported?: string[] | undefined;
  /** The freezes that hold it, or held it (core/freezes.ts). */
  holds?: import('./freezes.js').FreezeHold[] | undefined;
  /** Exceptions to freezes asked for it, decided and reviewed by each freeze's owner. */
  freezeExceptions?: import('./freezes.js').FreezeException[] | undefined;
  /** Which of the seed's templates it was filed on: its Markdown comes back on the same one. */
  template?: 'change-request' | 'emergency-change' | undefined;
  /** Number of audit entries written so far; the next one gets `auditCount + 1`. */
  auditCount: number;
}
