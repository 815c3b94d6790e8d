/**
 * What a pipeline's or PagerDuty's delivery says, in ChangeFlow's words (docs/webhooks.md). Each
 * source's payload becomes one Signal: a deployment step, an incident, a protection-rule request of
 * GitHub, or a delivery that is about nothing ChangeFlow tracks. Pure: the signature is checked,
 * and the delivery recorded, by the intake (use-cases/webhooks.ts) before and after this.
 *
 * The rules that matter to people:
 * - Which change a delivery is about: a CR id found in the deployment's payload (`changeRequest`),
 *   its description, the ref (`release/CR-2026-12-01-003`), the head commit message, or the PR
 *   title, in that order (`findChangeId`).
 * - Which deployments count as production: the provider's own flag (GitHub's
 *   `production_environment`, GitLab's `environment_tier`), else the environment's name in
 *   PRODUCTION_ENVIRONMENTS.
 * - Unknown events and actions are not errors: they are answered and ignored (GitLab disables a
 *   hook that gets 4xx answers), with the reason kept on the delivery.
 */
import * as z from 'zod';
import { ValidationError } from './errors.js';

export const WEBHOOK_SOURCES = ['github', 'gitlab', 'pagerduty', 'ci', 'slack'] as const;
export type WebhookSource = (typeof WEBHOOK_SOURCES)[number];

/** What a deployment delivery reports: ChangeFlow's steps, whatever the provider calls them. */
export const DEPLOYMENT_STEPS = ['requested', 'started', 'deployed', 'failed', 'rolled_back', 'smoke_tests'] as const;
export type DeploymentStep = (typeof DEPLOYMENT_STEPS)[number];

export type ChangeIdSource = 'payload' | 'description' | 'ref' | 'commit message' | 'title' | 'variable';

export interface DeploymentSignal {
  kind: 'deployment';
  step: DeploymentStep;
  environment: string;
  production: boolean;
  changeId?: string | undefined;
  /** Where the CR id was found. */
  foundIn?: ChangeIdSource | undefined;
  /** The provider's deployment (GitHub deployment id, GitLab deployment id, the pipeline run): one deployment, however many deliveries. */
  deployment?: string | undefined;
  commit?: string | undefined;
  /** When the change's first commit was made (DORA's lead time starts there), where the provider says. */
  committedAt?: string | undefined;
  ref?: string | undefined;
  url?: string | undefined;
  repository?: string | undefined;
  /** A smoke-test report's result. */
  smokeTests?: 'passed' | 'failed' | undefined;
  /** With smoke tests: the change's written success criteria the pipeline checked (`criterion:<slug>` → pass or fail). */
  criteria?: Record<string, 'pass' | 'fail'> | undefined;
  /** The provider's words on the step (a status description). */
  description?: string | undefined;
}

export interface IncidentSignal {
  kind: 'incident';
  step: 'triggered' | 'resolved';
  /** P1/P2 or high urgency (seed: "Critical alerts firing"; an emergency change is drafted for it). */
  severe: boolean;
  incident: {
    id: string;
    number?: number | undefined;
    title: string;
    url?: string | undefined;
    urgency?: string | undefined;
    priority?: string | undefined;
    serviceId?: string | undefined;
    serviceName?: string | undefined;
    /** When it was triggered (or resolved, for `resolved`). */
    at: string;
  };
  changeId?: string | undefined;
}

/** GitHub asks whether a job may deploy to a protected environment (a GitHub App's custom deployment protection rule). */
export interface ProtectionRuleSignal {
  kind: 'protection-rule';
  environment: string;
  callbackUrl: string;
  installationId: number;
  repository: string;
  repositoryId?: number | undefined;
  sha?: string | undefined;
  ref?: string | undefined;
  changeId?: string | undefined;
  foundIn?: ChangeIdSource | undefined;
}

export interface IgnoredSignal {
  kind: 'ignored';
  reason: string;
}

/** A decision a person took in Slack, on an approval message (core/slack-decisions.ts). */
export interface SlackDecisionSignal {
  kind: 'slack-decision';
  decision: 'approve' | 'reject';
  changeId: string;
  revision: number;
  slot?: string | undefined;
  comment?: string | undefined;
  /** The Slack user who clicked: mapped to a ChangeFlow person by their verified email when processed. */
  user: { id: string; teamId?: string | undefined; name?: string | undefined };
  /** The message to update in place. */
  message?: { channel: string; ts: string } | undefined;
}

export type Signal = DeploymentSignal | IncidentSignal | ProtectionRuleSignal | SlackDecisionSignal | IgnoredSignal;

export interface SignalSettings {
  /** Environment names that are production when the provider does not say (lower case). */
  productionEnvironments: readonly string[];
  /** Workflow (GitHub) names that deploy: a run of one is a deployment. */
  deployWorkflows: RegExp;
}

export const DEFAULT_SIGNAL_SETTINGS: SignalSettings = { productionEnvironments: ['production', 'prod'], deployWorkflows: /deploy|release/i };

const CHANGE_ID = /\bCR-(\d{4})-(\d{2})-(\d{2})-(\d{3,})\b/i;

/** The first CR id in the candidates, in the order given (the order of the rule above). */
export function findChangeId(candidates: [ChangeIdSource, unknown][]): { changeId: string; foundIn: ChangeIdSource } | undefined {
  for (const [foundIn, text] of candidates) {
    if (typeof text !== 'string') continue;
    const m = CHANGE_ID.exec(text);
    if (m) return { changeId: `CR-${m[1]}-${m[2]}-${m[3]}-${m[4]}`, foundIn };
  }
  return undefined;
}

const isProduction = (environment: string, settings: SignalSettings, flag?: boolean | null) =>
  flag === true || (flag !== false && settings.productionEnvironments.includes(environment.trim().toLowerCase()));

/** A field a payload must have, named as the provider names it, when it is missing or of the wrong kind. */
function refuse(source: string, issues: z.core.$ZodIssue[]): never {
  throw new ValidationError(
    issues.slice(0, 10).map((i) => ({ path: ['body', ...i.path.map(String)].join('.'), message: i.message })),
    `this ${source} delivery lacks what its event always carries`,
  );
}

function parse<T extends z.ZodType>(schema: T, payload: unknown, source: string): z.infer<T> {
  const parsed = schema.safeParse(payload);
  if (!parsed.success) refuse(source, parsed.error.issues);
  return parsed.data;
}

// ---------------------------------------------------------------------------------------------
// GitHub (integrations.md §1)

const ghRepository = z.looseObject({ id: z.number().optional(), full_name: z.string() });
const ghDeployment = z.looseObject({
  id: z.number(),
  sha: z.string().optional(),
  ref: z.string().optional(),
  environment: z.string(),
  description: z.string().nullish(),
  payload: z.unknown().optional(),
  production_environment: z.boolean().optional(),
});
const ghWorkflowRun = z.looseObject({
  id: z.number(),
  name: z.string().nullish(),
  display_title: z.string().nullish(),
  path: z.string().nullish(),
  status: z.string().nullish(),
  conclusion: z.string().nullish(),
  head_branch: z.string().nullish(),
  head_sha: z.string().nullish(),
  html_url: z.string().nullish(),
  head_commit: z.looseObject({ message: z.string().nullish(), timestamp: z.string().nullish() }).nullish(),
  pull_requests: z.array(z.looseObject({ title: z.string().optional() })).nullish(),
});

const GitHubDeploymentStatus = z.looseObject({
  action: z.string(),
  deployment_status: z.looseObject({
    state: z.string(),
    environment: z.string().optional(),
    description: z.string().nullish(),
    target_url: z.string().nullish(),
    log_url: z.string().nullish(),
    environment_url: z.string().nullish(),
  }),
  deployment: ghDeployment,
  repository: ghRepository,
  workflow_run: ghWorkflowRun.nullish(),
});
const GitHubDeployment = z.looseObject({ action: z.string(), deployment: ghDeployment, repository: ghRepository, workflow_run: ghWorkflowRun.nullish() });
const GitHubWorkflowRun = z.looseObject({
  action: z.string(),
  workflow_run: ghWorkflowRun,
  repository: ghRepository,
  workflow: z.looseObject({ name: z.string().nullish() }).nullish(),
});
const GitHubProtectionRule = z.looseObject({
  action: z.string(),
  environment: z.string({ error: 'is required: the environment the job deploys to' }),
  deployment_callback_url: z.url({ error: 'is required: the URL GitHub takes the answer at' }),
  sha: z.string().nullish(),
  ref: z.string().nullish(),
  deployment: z
    .looseObject({ sha: z.string().nullish(), ref: z.string().nullish(), payload: z.unknown().optional(), description: z.string().nullish() })
    .nullish(),
  pull_requests: z.array(z.looseObject({ title: z.string().optional(), head: z.looseObject({ ref: z.string().optional() }).optional() })).nullish(),
  installation: z.looseObject({ id: z.number() }, { error: 'is required: the GitHub App installation that asks' }),
  repository: ghRepository,
});

/** A deployment's payload parsed: GitHub keeps it as an object, or as a JSON string; undefined for a string that is not JSON. */
function payloadValue(payload: unknown): { ok: boolean; value: unknown } {
  if (typeof payload !== 'string') return { ok: true, value: payload };
  try {
    return { ok: true, value: JSON.parse(payload) };
  } catch {
    return { ok: false, value: undefined };
  }
}

/** The first of `names` a payload object has. */
function payloadField(value: unknown, ...names: string[]): unknown {
  return value && typeof value === 'object' ? names.map((n) => (value as Record<string, unknown>)[n]).find((v) => v !== undefined) : undefined;
}

/** The `changeRequest` a deployment's payload names (a payload that is plain text, not JSON, may be the id itself). */
function payloadChangeRequest(payload: unknown): unknown {
  const parsed = payloadValue(payload);
  return parsed.ok ? payloadField(parsed.value, 'changeRequest', 'change_request') : payload;
}

/** A deployment payload's `committedAt` (GitHub's deployment events carry no commit time; a pipeline may put it there). */
const payloadCommittedAt = (payload: unknown): string | undefined => instant(payloadField(payloadValue(payload).value, 'committedAt'));

/** An ISO instant, normalised, or undefined when it is not one (a commit time is evidence, never a reason to refuse a delivery). */
function instant(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

const GITHUB_STATES: Record<string, DeploymentStep> = { in_progress: 'started', success: 'deployed', failure: 'failed', error: 'failed' };

export function githubSignal(event: string, payload: unknown, settings: SignalSettings = DEFAULT_SIGNAL_SETTINGS): Signal {
  switch (event) {
    case 'ping':
      return { kind: 'ignored', reason: 'ping: the hook reaches ChangeFlow' };
    case 'deployment_status': {
      const p = parse(GitHubDeploymentStatus, payload, 'GitHub deployment_status');
      const step = GITHUB_STATES[p.deployment_status.state];
      if (!step)
        return { kind: 'ignored', reason: `deployment status ${p.deployment_status.state}: nothing to do until it is in_progress, success, failure or error` };
      const d = p.deployment;
      const environment = p.deployment_status.environment ?? d.environment;
      return {
        kind: 'deployment',
        step,
        environment,
        production: isProduction(environment, settings, d.production_environment),
        ...findChangeId([
          ['payload', payloadChangeRequest(d.payload)],
          ['description', d.description],
          ['description', p.deployment_status.description],
          ['ref', d.ref],
          ['ref', p.workflow_run?.head_branch],
          ['commit message', p.workflow_run?.head_commit?.message],
          ['title', p.workflow_run?.display_title],
        ]),
        deployment: `${p.repository.full_name}/deployments/${d.id}`,
        commit: d.sha,
        committedAt: payloadCommittedAt(d.payload) ?? instant(p.workflow_run?.head_commit?.timestamp),
        ref: d.ref,
        url: p.deployment_status.log_url ?? p.deployment_status.target_url ?? p.deployment_status.environment_url ?? undefined,
        repository: p.repository.full_name,
        description: p.deployment_status.description || undefined,
      };
    }
    case 'deployment': {
      const p = parse(GitHubDeployment, payload, 'GitHub deployment');
      if (p.action !== 'created') return { kind: 'ignored', reason: `deployment ${p.action}: only created deployments are tracked` };
      const d = p.deployment;
      return {
        kind: 'deployment',
        step: 'requested',
        environment: d.environment,
        production: isProduction(d.environment, settings, d.production_environment),
        ...findChangeId([
          ['payload', payloadChangeRequest(d.payload)],
          ['description', d.description],
          ['ref', d.ref],
          ['commit message', p.workflow_run?.head_commit?.message],
          ['title', p.workflow_run?.display_title],
        ]),
        deployment: `${p.repository.full_name}/deployments/${d.id}`,
        commit: d.sha,
        ref: d.ref,
        repository: p.repository.full_name,
      };
    }
    case 'workflow_run': {
      const p = parse(GitHubWorkflowRun, payload, 'GitHub workflow_run');
      const run = p.workflow_run;
      const name = run.name || p.workflow?.name || run.path || '';
      if (!settings.deployWorkflows.test(name)) {
        return { kind: 'ignored', reason: `workflow "${name}" does not deploy (GITHUB_DEPLOY_WORKFLOWS names the ones that do)` };
      }
      const step: DeploymentStep | undefined =
        p.action === 'in_progress'
          ? 'started'
          : p.action === 'completed'
            ? run.conclusion === 'success'
              ? 'deployed'
              : run.conclusion === 'failure' || run.conclusion === 'timed_out'
                ? 'failed'
                : undefined
            : undefined;
      if (!step) return { kind: 'ignored', reason: `workflow run ${p.action}${run.conclusion ? ` (${run.conclusion})` : ''}: nothing to do` };
      const environment = settings.productionEnvironments[0] ?? 'production';
      return {
        kind: 'deployment',
        step,
        environment,
        production: true,
        ...findChangeId([
          ['ref', run.head_branch],
          ['commit message', run.head_commit?.message],
          ['title', run.display_title],
          ...(run.pull_requests ?? []).map((pr) => ['title', pr.title] as [ChangeIdSource, unknown]),
        ]),
        deployment: `${p.repository.full_name}/actions/runs/${run.id}`,
        commit: run.head_sha ?? undefined,
        committedAt: instant(run.head_commit?.timestamp),
        ref: run.head_branch ?? undefined,
        url: run.html_url ?? undefined,
        repository: p.repository.full_name,
      };
    }
    case 'deployment_protection_rule': {
      const p = parse(GitHubProtectionRule, payload, 'GitHub deployment_protection_rule');
      if (p.action !== 'requested') return { kind: 'ignored', reason: `deployment_protection_rule ${p.action}: only requests are answered` };
      return {
        kind: 'protection-rule',
        environment: p.environment,
        callbackUrl: p.deployment_callback_url,
        installationId: p.installation.id,
        repository: p.repository.full_name,
        repositoryId: p.repository.id,
        sha: p.sha ?? p.deployment?.sha ?? undefined,
        ref: p.ref ?? p.deployment?.ref ?? undefined,
        ...findChangeId([
          ['payload', payloadChangeRequest(p.deployment?.payload)],
          ['description', p.deployment?.description],
          ['ref', p.ref ?? p.deployment?.ref],
          ...(p.pull_requests ?? []).flatMap((pr) => [['ref', pr.head?.ref] as [ChangeIdSource, unknown], ['title', pr.title] as [ChangeIdSource, unknown]]),
        ]),
      };
    }
    default:
      return { kind: 'ignored', reason: `GitHub event ${event || '(none)'} is not one ChangeFlow acts on` };
  }
}

// ---------------------------------------------------------------------------------------------
// GitLab (integrations.md §2)

const GitLabDeployment = z.looseObject({
  object_kind: z.literal('deployment'),
  status: z.string(),
  deployment_id: z.number(),
  environment: z.string(),
  environment_tier: z.string().nullish(),
  ref: z.string().nullish(),
  commit_url: z.string().nullish(),
  commit_title: z.string().nullish(),
  short_sha: z.string().nullish(),
  deployable_url: z.string().nullish(),
  project: z.looseObject({ path_with_namespace: z.string().optional(), web_url: z.string().optional() }).nullish(),
});
const GitLabPipeline = z.looseObject({
  object_kind: z.literal('pipeline'),
  object_attributes: z.looseObject({
    id: z.number(),
    ref: z.string().nullish(),
    sha: z.string().nullish(),
    status: z.string(),
    url: z.string().nullish(),
    variables: z.array(z.looseObject({ key: z.string(), value: z.string() })).nullish(),
  }),
  merge_request: z.looseObject({ title: z.string().nullish() }).nullish(),
  commit: z.looseObject({ id: z.string().nullish(), message: z.string().nullish(), timestamp: z.string().nullish() }).nullish(),
  project: z.looseObject({ path_with_namespace: z.string().optional() }).nullish(),
  builds: z
    .array(z.looseObject({ environment: z.looseObject({ name: z.string(), action: z.string().nullish(), deployment_tier: z.string().nullish() }).nullish() }))
    .nullish(),
});

const GITLAB_STATUSES: Record<string, DeploymentStep> = { running: 'started', success: 'deployed', failed: 'failed' };
const tierFlag = (tier: string | null | undefined) => (tier ? tier === 'production' : undefined);

/** GitLab: the answer must be 2xx for every event but a bad token, so what is not understood is ignored with its reason. */
export function gitlabSignal(event: string, payload: unknown, settings: SignalSettings = DEFAULT_SIGNAL_SETTINGS): Signal {
  if (event === 'Deployment Hook') {
    const parsed = GitLabDeployment.safeParse(payload);
    if (!parsed.success) return { kind: 'ignored', reason: `a Deployment Hook without ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}` };
    const p = parsed.data;
    const step = GITLAB_STATUSES[p.status];
    if (!step) return { kind: 'ignored', reason: `deployment ${p.status}: nothing to do until it is running, success or failed` };
    const project = p.project?.path_with_namespace ?? 'project';
    return {
      kind: 'deployment',
      step,
      environment: p.environment,
      production: isProduction(p.environment, settings, tierFlag(p.environment_tier)),
      ...findChangeId([
        ['ref', p.ref],
        ['commit message', p.commit_title],
      ]),
      deployment: `${project}/deployments/${p.deployment_id}`,
      // the full SHA is the tail of commit_url
      commit: p.commit_url?.split('/').at(-1) ?? p.short_sha ?? undefined,
      ref: p.ref ?? undefined,
      url: p.deployable_url ?? undefined,
      repository: p.project?.path_with_namespace,
    };
  }
  if (event === 'Pipeline Hook') {
    const parsed = GitLabPipeline.safeParse(payload);
    if (!parsed.success) return { kind: 'ignored', reason: `a Pipeline Hook without ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}` };
    const p = parsed.data;
    const deploys = (p.builds ?? []).map((b) => b.environment).filter((e) => e && (e.action ?? 'start') === 'start');
    const env = deploys.find((e) => isProduction(e!.name, settings, tierFlag(e!.deployment_tier)));
    if (!env) return { kind: 'ignored', reason: 'the pipeline has no job that deploys to production' };
    const step = GITLAB_STATUSES[p.object_attributes.status];
    if (!step) return { kind: 'ignored', reason: `pipeline ${p.object_attributes.status}: nothing to do until it is running, success or failed` };
    const variable = (p.object_attributes.variables ?? []).find((v) => /^(CHANGE_REQUEST|CR_ID|CHANGEFLOW_CR)$/i.test(v.key))?.value;
    const project = p.project?.path_with_namespace ?? 'project';
    return {
      kind: 'deployment',
      step,
      environment: env.name,
      production: true,
      ...findChangeId([
        ['variable', variable],
        ['ref', p.object_attributes.ref],
        ['commit message', p.commit?.message],
        ['title', p.merge_request?.title],
      ]),
      deployment: `${project}/pipelines/${p.object_attributes.id}`,
      commit: p.object_attributes.sha ?? p.commit?.id ?? undefined,
      committedAt: instant(p.commit?.timestamp),
      ref: p.object_attributes.ref ?? undefined,
      url: p.object_attributes.url ?? undefined,
      repository: p.project?.path_with_namespace,
    };
  }
  return { kind: 'ignored', reason: `GitLab event ${event || '(none)'} is not one ChangeFlow acts on` };
}

// ---------------------------------------------------------------------------------------------
// Any CI: ChangeFlow's own small body, signed with Standard Webhooks (docs/webhooks.md)

const CI_EVENTS = { started: 'started', deployed: 'deployed', failed: 'failed', rolled_back: 'rolled_back', smoke_tests: 'smoke_tests' } as const;

export const CiBodySchema = z
  .object({
    changeRequest: z.string().regex(CHANGE_ID, 'must be a change request id such as CR-2026-12-01-003').optional(),
    event: z.enum(Object.keys(CI_EVENTS) as [keyof typeof CI_EVENTS], { error: `must be one of ${Object.keys(CI_EVENTS).join(', ')}` }),
    status: z.enum(['passed', 'failed'], { error: 'must be passed or failed' }).optional(),
    commit: z.string().max(200).optional(),
    /** When the change's first commit was made (the PR's first commit; for a squash merge, when the PR was opened). */
    committedAt: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 time with its offset, such as 2026-11-03T09:00:00Z' }).optional(),
    ref: z.string().max(500).optional(),
    description: z.string().max(2000).optional(),
    environment: z.string().min(1).max(100).default('production'),
    production: z.boolean().optional(),
    pipelineUrl: z.url({ error: 'must be a URL (the run, for people to follow)' }).max(2000).optional(),
    /** The run or deployment this is about: several events of one deployment share it. */
    deployment: z.string().min(1).max(200).optional(),
    /** With smoke_tests: written success criteria the pipeline checked, by id (GET /changes/{id}/monitoring lists them). */
    criteria: z
      .record(
        z.string().regex(/^(other|criterion):[a-z0-9-]{1,60}$/, 'must be a criterion id such as criterion:checkout-works'),
        z.enum(['pass', 'fail'], { error: 'must be pass or fail' }),
      )
      .optional(),
  })
  .strict()
  .refine((b) => b.event !== 'smoke_tests' || b.status !== undefined, { path: ['status'], message: 'is required for smoke_tests: passed or failed' })
  .refine((b) => b.event === 'smoke_tests' || b.status === undefined, { path: ['status'], message: 'is only for smoke_tests' })
  .refine((b) => b.event === 'smoke_tests' || b.criteria === undefined, { path: ['criteria'], message: 'is only for smoke_tests' });

export function ciSignal(payload: unknown, settings: SignalSettings = DEFAULT_SIGNAL_SETTINGS): DeploymentSignal {
  const p = parse(CiBodySchema, payload, 'CI');
  return {
    kind: 'deployment',
    step: CI_EVENTS[p.event],
    environment: p.environment,
    production: isProduction(p.environment, settings, p.production),
    ...findChangeId([
      ['payload', p.changeRequest],
      ['description', p.description],
      ['ref', p.ref],
    ]),
    deployment: p.deployment ?? p.pipelineUrl,
    commit: p.commit,
    committedAt: p.committedAt ? new Date(p.committedAt).toISOString() : undefined,
    ref: p.ref,
    url: p.pipelineUrl,
    smokeTests: p.status,
    criteria: p.criteria,
    description: p.description,
  };
}

// ---------------------------------------------------------------------------------------------
// PagerDuty v3 (integrations.md §3.1)

const PagerDutyEnvelope = z.looseObject({
  event: z.looseObject({
    id: z.string(),
    event_type: z.string(),
    resource_type: z.string().optional(),
    occurred_at: z.string(),
    data: z.looseObject({
      id: z.string(),
      type: z.string().optional(),
      number: z.number().optional(),
      title: z.string().optional(),
      html_url: z.string().optional(),
      urgency: z.string().optional(),
      created_at: z.string().optional(),
      priority: z.looseObject({ summary: z.string().optional() }).nullish(),
      service: z.looseObject({ id: z.string(), summary: z.string().optional() }).nullish(),
    }),
  }),
});

const SEVERE_PRIORITIES = ['P1', 'P2'];

export function pagerDutySignal(payload: unknown): Signal {
  const p = parse(PagerDutyEnvelope, payload, 'PagerDuty');
  const e = p.event;
  if (e.data.type && e.data.type !== 'incident') return { kind: 'ignored', reason: `PagerDuty ${e.event_type} is about a ${e.data.type}, not an incident` };
  const step = e.event_type === 'incident.triggered' ? 'triggered' : e.event_type === 'incident.resolved' ? 'resolved' : undefined;
  if (!step) return { kind: 'ignored', reason: `PagerDuty ${e.event_type} is not one ChangeFlow acts on (incident.triggered, incident.resolved)` };
  const priority = e.data.priority?.summary;
  const title = e.data.title ?? `incident ${e.data.number ?? e.data.id}`;
  return {
    kind: 'incident',
    step,
    severe: (priority !== undefined && SEVERE_PRIORITIES.includes(priority.toUpperCase())) || e.data.urgency === 'high',
    incident: {
      id: e.data.id,
      number: e.data.number,
      title,
      url: e.data.html_url,
      urgency: e.data.urgency,
      priority,
      serviceId: e.data.service?.id,
      serviceName: e.data.service?.summary,
      at: step === 'triggered' ? (e.data.created_at ?? e.occurred_at) : e.occurred_at,
    },
    ...(findChangeId([['title', title]]) ? { changeId: findChangeId([['title', title]])!.changeId } : {}),
  };
}

/** One line on a delivery, for its record and the logs. */
export function describeSignal(signal: Signal): string {
  switch (signal.kind) {
    case 'deployment':
      return `${signal.production ? 'production ' : ''}deployment to ${signal.environment}: ${signal.step.replace('_', ' ')}${signal.smokeTests ? ` ${signal.smokeTests}` : ''}${signal.changeId ? ` (${signal.changeId})` : ''}`;
    case 'incident':
      return `incident ${signal.step}: ${signal.incident.priority ?? signal.incident.urgency ?? ''} ${signal.incident.title}`.replace(/\s+/g, ' ');
    case 'protection-rule':
      return `GitHub asks whether ${signal.repository} may deploy to ${signal.environment}${signal.changeId ? ` (${signal.changeId})` : ''}`;
    case 'slack-decision':
      return `Slack: ${signal.user.name ?? signal.user.id} decides to ${signal.decision} ${signal.changeId} (revision ${signal.revision})`;
    case 'ignored':
      return `ignored: ${signal.reason}`;
  }
}
