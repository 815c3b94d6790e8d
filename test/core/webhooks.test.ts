/**
 * What each source's delivery says (core/webhooks.ts), what a reported step does to a change
 * (core/deployments.ts), and whether a delivery is signed (http/webhook-signatures.ts): the
 * payloads are GitHub's own examples (@octokit/webhooks-examples) and the documented samples.
 */
import { createHmac } from 'node:crypto';
import WEBHOOKS from '@octokit/webhooks-examples/api.github.com/index.json' with { type: 'json' };
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import type { ChangeRequest } from '../../functions/core/change-request.js';
import { planDeployment } from '../../functions/core/deployments.js';
import { ciSignal, findChangeId, githubSignal, gitlabSignal, pagerDutySignal, type DeploymentSignal } from '../../functions/core/webhooks.js';
import { verifyDelivery } from '../../functions/http/webhook-signatures.js';

/** The issues a refusal names (a ValidationError's fields). */
function issuesOf(fn: () => unknown): { path: string; message: string }[] {
  try {
    fn();
  } catch (err) {
    return (err as { issues: { path: string; message: string }[] }).issues;
  }
  throw new Error('expected a refusal');
}

const examples = (name: string) =>
  (WEBHOOKS as unknown as { name: string; examples: Record<string, any>[] }[]).find((d) => d.name === name)!.examples.map((e) => structuredClone(e));

describe('Rule: the CR id is looked for in the payload, the description, the ref, the commit message, the title, in that order', () => {
  it('the first place that has one wins, and the id is written in upper case', () => {
    expect(
      findChangeId([
        ['payload', undefined],
        ['description', 'ships cr-2026-12-01-003'],
        ['ref', 'release/CR-2026-12-01-004'],
      ]),
    ).toEqual({ changeId: 'CR-2026-12-01-003', foundIn: 'description' });
    expect(findChangeId([['ref', 'release/CR-2026-12-01-004']])).toEqual({ changeId: 'CR-2026-12-01-004', foundIn: 'ref' });
  });
  it('no id, or one that is not whole (CR-2026-12-01 without a number), is none', () => {
    expect(findChangeId([['commit message', 'fix CR-2026-12-01 typo']])).toBeUndefined();
    expect(findChangeId([['title', 42]])).toBeUndefined();
  });
});

describe("Rule: GitHub's deployment_status becomes started, deployed or failed; the rest is ignored with its reason", () => {
  it.each([
    ['in_progress', 'started'],
    ['success', 'deployed'],
    ['failure', 'failed'],
    ['error', 'failed'],
  ])('state %s → %s', (state, step) => {
    const ex = examples('deployment_status')[0]!;
    ex.deployment_status.state = state;
    ex.deployment.payload = { changeRequest: 'CR-2026-12-01-003' };
    expect(githubSignal('deployment_status', ex)).toMatchObject({
      kind: 'deployment',
      step,
      environment: 'production',
      production: true,
      changeId: 'CR-2026-12-01-003',
      foundIn: 'payload',
      deployment: 'Codertocat/Hello-World/deployments/145988746',
      commit: 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e',
    });
  });
  it('queued, pending and waiting are nothing yet; a github-pages deployment is not production', () => {
    const ex = examples('deployment_status')[0]!;
    ex.deployment_status.state = 'queued';
    expect(githubSignal('deployment_status', ex)).toMatchObject({ kind: 'ignored', reason: expect.stringContaining('queued') });
    const pages = examples('deployment_status').find((e) => e.deployment.environment === 'github-pages')!;
    expect(githubSignal('deployment_status', pages)).toMatchObject({ kind: 'deployment', production: false });
  });
  it('the deployment payload may be a JSON string', () => {
    const ex = examples('deployment')[0]!;
    ex.deployment.payload = JSON.stringify({ changeRequest: 'CR-2026-12-01-009' });
    expect(githubSignal('deployment', ex)).toMatchObject({ step: 'requested', changeId: 'CR-2026-12-01-009' });
  });
  it('a workflow run counts only for a workflow that deploys; its conclusion says deployed or failed', () => {
    const [, completed] = examples('workflow_run');
    expect(githubSignal('workflow_run', completed!)).toMatchObject({ kind: 'ignored', reason: expect.stringContaining('does not deploy') });
    completed!.workflow_run.name = 'Deploy to production';
    completed!.workflow_run.head_branch = 'release/CR-2026-12-01-003';
    expect(githubSignal('workflow_run', completed!)).toMatchObject({ kind: 'deployment', step: 'deployed', changeId: 'CR-2026-12-01-003', foundIn: 'ref' });
    // the head commit's time is where DORA's lead time starts
    completed!.workflow_run.head_commit = { ...completed!.workflow_run.head_commit, timestamp: '2026-12-01T09:15:00+01:00' };
    expect(githubSignal('workflow_run', completed!)).toMatchObject({ committedAt: '2026-12-01T08:15:00.000Z' });
    completed!.workflow_run.head_commit.timestamp = 'yesterday';
    expect(githubSignal('workflow_run', completed!)).toMatchObject({ kind: 'deployment', committedAt: undefined });
    completed!.workflow_run.conclusion = 'cancelled';
    expect(githubSignal('workflow_run', completed!)).toMatchObject({ kind: 'ignored' });
  });
  it('a known event without what it always carries is refused, naming the field', () => {
    expect(issuesOf(() => githubSignal('deployment_status', { action: 'created', repository: { full_name: 'a/b' } })).map((i) => i.path)).toEqual([
      'body.deployment_status',
      'body.deployment',
    ]);
  });
  it('an unknown event is ignored, not refused', () => {
    expect(githubSignal('star', {})).toMatchObject({ kind: 'ignored', reason: expect.stringContaining('star') });
  });
  it('deployment_protection_rule: the environment, the callback and the installation', () => {
    const signal = githubSignal('deployment_protection_rule', {
      action: 'requested',
      environment: 'production',
      event: 'push',
      ref: 'refs/heads/release/CR-2026-12-01-003',
      sha: 'abc',
      deployment_callback_url: 'https://api.github.com/repos/acme/api/actions/runs/123/deployment_protection_rule',
      installation: { id: 99 },
      repository: { id: 7, full_name: 'acme/api' },
    });
    expect(signal).toMatchObject({ kind: 'protection-rule', environment: 'production', installationId: 99, changeId: 'CR-2026-12-01-003', repositoryId: 7 });
  });
});

describe('Rule: GitLab hooks map the same way, and what is not understood is ignored (never a 4xx)', () => {
  const deployment = (status: string, extra: object = {}) => ({
    object_kind: 'deployment',
    status,
    deployment_id: 15,
    environment: 'production',
    environment_tier: 'production',
    commit_url: 'https://gitlab.example.com/acme/api/-/commit/279484c09fbe69ededfced8c1bb6e6d24616b468',
    commit_title: 'Release CR-2026-12-01-003',
    project: { path_with_namespace: 'acme/api' },
    ...extra,
  });
  it.each([
    ['running', 'started'],
    ['success', 'deployed'],
    ['failed', 'failed'],
  ])('Deployment Hook %s → %s', (status, step) => {
    expect(gitlabSignal('Deployment Hook', deployment(status))).toMatchObject({
      step,
      changeId: 'CR-2026-12-01-003',
      foundIn: 'commit message',
      commit: '279484c09fbe69ededfced8c1bb6e6d24616b468',
    });
  });
  it('canceled, a broken Deployment Hook and an unknown event are ignored', () => {
    expect(gitlabSignal('Deployment Hook', deployment('canceled')).kind).toBe('ignored');
    expect(gitlabSignal('Deployment Hook', { object_kind: 'deployment' }).kind).toBe('ignored');
    expect(gitlabSignal('Tag Push Hook', {}).kind).toBe('ignored');
  });
  it('a staging tier is not production, whatever the environment is called', () => {
    expect(gitlabSignal('Deployment Hook', deployment('success', { environment: 'production-eu', environment_tier: 'staging' }))).toMatchObject({
      production: false,
    });
  });
  it('a Pipeline Hook counts when a job deploys to production; the CR id may be a pipeline variable', () => {
    const pipeline = {
      object_kind: 'pipeline',
      object_attributes: { id: 31, ref: 'main', sha: 'bcbb5ec3', status: 'success', variables: [{ key: 'CHANGE_REQUEST', value: 'CR-2026-12-01-007' }] },
      commit: { id: 'bcbb5ec3', message: 'Release CR-2026-12-01-003' },
      project: { path_with_namespace: 'acme/api' },
      builds: [{ environment: { name: 'production', action: 'start', deployment_tier: 'production' } }],
    };
    expect(gitlabSignal('Pipeline Hook', pipeline)).toMatchObject({
      step: 'deployed',
      changeId: 'CR-2026-12-01-007',
      foundIn: 'variable',
      deployment: 'acme/api/pipelines/31',
    });
    expect(gitlabSignal('Pipeline Hook', { ...pipeline, builds: [] })).toMatchObject({ kind: 'ignored' });
  });
});

describe('Rule: PagerDuty incidents: triggered (severe when P1/P2 or high urgency) and resolved', () => {
  const envelope = (type: string, data: object) => ({
    event: { id: 'e1', event_type: type, occurred_at: '2026-12-01T10:00:00Z', data: { id: 'PGR0VU2', type: 'incident', ...data } },
  });
  it('P2 at low urgency is severe; P3 at low urgency is not; high urgency alone is', () => {
    expect(pagerDutySignal(envelope('incident.triggered', { priority: { summary: 'P2' }, urgency: 'low' }))).toMatchObject({ step: 'triggered', severe: true });
    expect(pagerDutySignal(envelope('incident.triggered', { priority: { summary: 'P3' }, urgency: 'low' }))).toMatchObject({ severe: false });
    expect(pagerDutySignal(envelope('incident.triggered', { priority: null, urgency: 'high' }))).toMatchObject({ severe: true });
  });
  it('other incident events and other resources are ignored', () => {
    expect(pagerDutySignal(envelope('incident.acknowledged', {})).kind).toBe('ignored');
    expect(pagerDutySignal({ event: { id: 'e', event_type: 'incident.annotated', occurred_at: 'x', data: { id: 'n', type: 'incident_note' } } }).kind).toBe(
      'ignored',
    );
  });
});

describe("Rule: the CI body is ChangeFlow's own, strict, and says what is wrong in words", () => {
  it('the commit time is an ISO instant with its offset, kept in UTC; anything else is refused in words', () => {
    expect(ciSignal({ event: 'deployed', committedAt: '2026-12-01T09:15:00+01:00' })).toMatchObject({ committedAt: '2026-12-01T08:15:00.000Z' });
    expect(issuesOf(() => ciSignal({ event: 'deployed', committedAt: '1 Dec 2026' }))).toEqual([
      { path: 'body.committedAt', message: 'must be an ISO 8601 time with its offset, such as 2026-11-03T09:00:00Z' },
    ]);
  });
  it('status only with smoke tests; an unknown field is refused', () => {
    expect(ciSignal({ changeRequest: 'CR-2026-12-01-003', event: 'smoke_tests', status: 'failed' })).toMatchObject({
      step: 'smoke_tests',
      smokeTests: 'failed',
    });
    expect(issuesOf(() => ciSignal({ event: 'deployed', status: 'passed' }))).toEqual([{ path: 'body.status', message: 'is only for smoke_tests' }]);
    const unknown = issuesOf(() => ciSignal({ event: 'deployed', colour: 'blue' }));
    expect(unknown[0]!.message).toContain('colour');
    expect(issuesOf(() => ciSignal({ event: 'shipped' }))).toEqual([
      { path: 'body.event', message: 'must be one of started, deployed, failed, rolled_back, smoke_tests' },
    ]);
  });
  it('smoke tests may carry the written criteria the run checked; other events may not', () => {
    expect(ciSignal({ event: 'smoke_tests', status: 'passed', criteria: { 'criterion:checkout-works': 'pass' } })).toMatchObject({
      criteria: { 'criterion:checkout-works': 'pass' },
    });
    expect(issuesOf(() => ciSignal({ event: 'deployed', criteria: { 'criterion:checkout-works': 'pass' } }))).toEqual([
      { path: 'body.criteria', message: 'is only for smoke_tests' },
    ]);
    expect(issuesOf(() => ciSignal({ event: 'smoke_tests', status: 'passed', criteria: { 'checkout works': 'pass' } }))[0]!.path).toMatch(/^body\.criteria/);
  });
  it('the environment defaults to production; staging is not production', () => {
    expect(ciSignal({ event: 'deployed' })).toMatchObject({ environment: 'production', production: true });
    expect(ciSignal({ event: 'deployed', environment: 'staging' })).toMatchObject({ production: false });
  });
});

describe('Rule: what a step does depends on where the change stands', () => {
  const cr = (state: ChangeRequest['state'], category: ChangeRequest['content']['category'] = 'normal') =>
    ({ id: 'CR-2026-12-01-003', state, content: { category, title: 't' } }) as ChangeRequest;
  const signal = (step: DeploymentSignal['step'], production = true): DeploymentSignal => ({ kind: 'deployment', step, environment: 'production', production });
  it('deployed of an approved change starts it first; of one in progress only marks it deployed', () => {
    expect(planDeployment(cr('approved'), signal('deployed'))).toMatchObject({ kind: 'actions', actions: [{ action: 'start' }, { action: 'deployed' }] });
    expect(planDeployment(cr('in_progress'), signal('deployed'))).toMatchObject({ kind: 'actions', actions: [{ action: 'deployed' }] });
  });
  it.each(['draft', 'submitted', 'pending_approval', 'rejected', 'cancelled'] as const)('a production start of a change %s is refused', (state) => {
    expect(planDeployment(cr(state), signal('started'))).toMatchObject({ kind: 'refuse' });
  });
  it('a staging start of a draft is only a note; an emergency draft is started by a person, not a pipeline', () => {
    expect(planDeployment(cr('draft'), signal('started', false))).toMatchObject({ kind: 'note' });
    expect(planDeployment(cr('draft', 'emergency'), signal('deployed'))).toMatchObject({ kind: 'refuse', reasons: [expect.stringContaining('on-call')] });
  });
  it('failed and rolled back end work under way; reported of an approved change, they change nothing', () => {
    expect(planDeployment(cr('monitoring'), signal('rolled_back'))).toMatchObject({ actions: [{ action: 'rollback' }] });
    expect(planDeployment(cr('rolling_back'), signal('failed'))).toMatchObject({ actions: [{ action: 'fail' }] });
    expect(planDeployment(cr('approved'), signal('failed'))).toMatchObject({ kind: 'note' });
  });
});

describe('Rule: a delivery is taken only when one configured secret signed it', () => {
  const now = new Date('2026-12-01T10:00:00Z');
  it("GitHub: the documented test vector verifies (secret It's a Secret to Everybody)", async () => {
    await expect(
      verifyDelivery(
        'github',
        ['another-secret-xyz', "It's a Secret to Everybody"],
        'Hello, World!',
        { 'x-hub-signature-256': 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17' },
        now,
      ),
    ).resolves.toBeUndefined();
    await expect(
      verifyDelivery(
        'github',
        ["It's a Secret to Everybody"],
        'Hello, World?',
        { 'x-hub-signature-256': 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17' },
        now,
      ),
    ).rejects.toThrow(/does not match/);
  });
  it('PagerDuty: any one of the v1 signatures matching any secret is enough', async () => {
    const body = '{"event":{}}';
    const sig = createHmac('sha256', 'pd-secret-number-two').update(body).digest('hex');
    await expect(
      verifyDelivery('pagerduty', ['pd-secret-number-two'], body, { 'x-pagerduty-signature': `v1=deadbeef,v1=${sig}` }, now),
    ).resolves.toBeUndefined();
    await expect(verifyDelivery('pagerduty', ['pd-secret-number-two'], body, { 'x-pagerduty-signature': 'v1=deadbeef' }, now)).rejects.toThrow(
      /does not match/,
    );
  });
  it('GitLab: the token verbatim, no other', async () => {
    await expect(
      verifyDelivery('gitlab', ['a-gitlab-token-0001', 'b-gitlab-token-0002'], '{}', { 'x-gitlab-token': 'b-gitlab-token-0002' }, now),
    ).resolves.toBeUndefined();
    await expect(verifyDelivery('gitlab', ['a-gitlab-token-0001'], '{}', { 'x-gitlab-token': 'a-gitlab-token-000' }, now)).rejects.toThrow(
      /not a configured token/,
    );
  });
  it('Standard Webhooks: signed by the library, within five minutes of the service clock', async () => {
    const secret = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
    const headers = (at: Date) => ({
      'webhook-id': 'msg_1',
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign('msg_1', at, '{}'),
    });
    await expect(verifyDelivery('ci', [secret], '{}', headers(new Date(now.getTime() - 299_000)), now)).resolves.toBeUndefined();
    await expect(verifyDelivery('ci', [secret], '{}', headers(new Date(now.getTime() - 301_000)), now)).rejects.toThrow(/301 s from now/);
    await expect(verifyDelivery('ci', [secret], '{ }', headers(now), now)).rejects.toThrow(/does not match/);
  });
  it('no secret configured for a source: nothing from it is trusted', async () => {
    await expect(verifyDelivery('github', [], '{}', { 'x-hub-signature-256': 'sha256=00' }, now)).rejects.toThrow(/no github webhook secret is configured/);
  });
});
