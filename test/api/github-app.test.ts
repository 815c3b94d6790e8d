/**
 * GitHub's custom deployment protection rule, answered by ChangeFlow as a GitHub App: a local HTTP
 * server stands in for the GitHub API (`POST /app/installations/{id}/access_tokens` with the App's
 * JWT, `POST /repos/{o}/{r}/actions/runs/{run}/deployment_protection_rule` with the installation
 * token, 204), in GitHub's documented shapes. The deliveries are hand-built from the webhook schema
 * (@octokit/webhooks-examples has no deployment_protection_rule example).
 */
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { importSPKI, jwtVerify } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MANUAL_ITEMS, sendGitHub, submittedChange, WINDOW_START, windowsOn } from './deliveries.js';
import { startApi, type Api, type Who } from './harness.js';

const SECRET = 'github-app-webhook-secret-0001';
const APP_ID = '424242';
const { privateKey, publicKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});

interface Call {
  method: string;
  path: string;
  authorization: string;
  body: Record<string, unknown>;
}
const calls: Call[] = [];
let github: Server;
let githubUrl = '';

/** The GitHub API as documented: a JWT of the App gets an installation token; the token reviews the gate. */
async function startGitHub() {
  const key = await importSPKI(publicKey, 'RS256');
  github = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
      const authorization = String(req.headers.authorization ?? '');
      calls.push({ method: req.method!, path: req.url!, authorization, body });
      const send = (status: number, json?: object) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(json ? JSON.stringify(json) : '');
      };
      if (req.method === 'POST' && /^\/app\/installations\/\d+\/access_tokens$/.test(req.url!)) {
        try {
          const { payload } = await jwtVerify(authorization.replace(/^bearer /i, ''), key);
          if (String(payload.iss) !== APP_ID) return send(401, { message: 'A JSON web token could not be decoded' });
        } catch {
          return send(401, { message: 'A JSON web token could not be decoded' });
        }
        return send(201, { token: 'ghs_installation_token_for_tests', expires_at: '2099-01-01T00:00:00Z', permissions: body.permissions });
      }
      if (req.method === 'POST' && /^\/repos\/[^/]+\/[^/]+\/actions\/runs\/\d+\/deployment_protection_rule$/.test(req.url!)) {
        if (authorization !== 'token ghs_installation_token_for_tests') return send(401, { message: 'Bad credentials' });
        return send(204);
      }
      send(404, { message: 'Not Found' });
    });
  });
  await new Promise<void>((ok) => github.listen(0, '127.0.0.1', () => ok()));
  githubUrl = `http://127.0.0.1:${(github.address() as AddressInfo).port}`;
}

let now = Date.parse('2027-03-15T14:00:00.000Z');
const clock = { now: () => new Date(now) };
let api: Api;
let deliveries = 0;

beforeAll(async () => {
  await startGitHub();
  api = await startApi(
    { GITHUB_WEBHOOK_SECRETS: SECRET, GITHUB_APP_ID: APP_ID, GITHUB_APP_PRIVATE_KEY: privateKey.replaceAll('\n', '\\n'), GITHUB_API_URL: githubUrl },
    { clock, workflowWaitScale: 5e-4 },
  );
});
afterAll(async () => {
  await api?.stop();
  github?.close();
});
beforeEach(() => {
  calls.length = 0;
});

async function call(method: string, path: string, as: Who, body?: object, status = 200) {
  const res = await api.call(method, path, { as, body });
  expect(res.status, `${method} ${path}: ${res.text}`).toBe(status);
  return res.body;
}

const windows = windowsOn((ms) => {
  now = ms;
});
const pendingChange = () => submittedChange(api, windows);

let runs = 100;
/** GitHub's deployment_protection_rule delivery for one job of a run. */
async function protectionRule(changeRef: string, run = ++runs, environment = 'production') {
  const payload = {
    action: 'requested',
    environment,
    event: 'push',
    sha: '6dcb09b5b57875f334f61aebed695e2e4193db5e',
    ref: changeRef,
    deployment_callback_url: `${githubUrl}/repos/acme/payments-api/actions/runs/${run}/deployment_protection_rule`,
    deployment: { id: 9000 + run, environment, sha: '6dcb09b5b57875f334f61aebed695e2e4193db5e', ref: changeRef, payload: {} },
    pull_requests: [],
    repository: { id: 7, full_name: 'acme/payments-api', owner: { login: 'acme' } },
    organization: { login: 'acme' },
    installation: { id: 99 },
    sender: { login: 'octocat' },
  };
  const res = await sendGitHub(api, SECRET, 'deployment_protection_rule', payload, `dpr-${++deliveries}`);
  expect(res.status, res.text).toBe(202);
  await api.system.events.idle();
  return run;
}

const reviews = (run: number) => calls.filter((c) => c.path === `/repos/acme/payments-api/actions/runs/${run}/deployment_protection_rule`).map((c) => c.body);

describe('Rule: a job waits on GitHub until the deploy gate allows its change, then ChangeFlow approves it', () => {
  it('pending approval: a status report; approved, checked, T-1h: another; the window opens (T-0): approved, with the approvers in the comment', async () => {
    const { id, shift } = await pendingChange();
    const run = await protectionRule(`refs/heads/release/${id}`);
    // the installation token: the App's JWT, one repository, deployments: write
    const token = calls.find((c) => c.path === '/app/installations/99/access_tokens')!;
    expect(token.authorization).toMatch(/^bearer /i);
    expect(token.body).toEqual({ repository_ids: [7], permissions: { deployments: 'write' } });
    expect(reviews(run)).toEqual([{ environment_name: 'production', comment: expect.stringContaining('does not allow it yet') }]);
    expect(reviews(run)[0]!.comment).toContain('not approved');

    await call('POST', `/changes/${id}/approve`, 'tom', { revision: 1 });
    await call('POST', `/changes/${id}/checklist`, 'oscar', { tick: MANUAL_ITEMS });
    now = Date.parse('2027-03-16T14:05:00.000Z') + shift; // T-55m
    await api.system.jobs.TimelineNotifications!();
    await api.system.events.idle();
    expect(reviews(run).every((r) => r.state === undefined)).toBe(true);
    expect(reviews(run).at(-1)!.comment).toMatch(/window/);

    now = WINDOW_START + shift; // T-0: the window is open
    await api.system.jobs.TimelineNotifications!();
    await api.system.events.idle();
    const last = reviews(run).at(-1)!;
    expect(last).toMatchObject({ environment_name: 'production', state: 'approved' });
    expect(last.comment).toContain(`${id}`);
    expect(last.comment).toContain('Tom Tanaka (tech-lead)');
    expect(reviews(run).length).toBeLessThanOrEqual(10);
  });

  it('every job of a run is answered: two jobs, two approvals', async () => {
    const { id, shift } = await pendingChange();
    await call('POST', `/changes/${id}/approve`, 'tom', { revision: 1 });
    await call('POST', `/changes/${id}/checklist`, 'oscar', { tick: MANUAL_ITEMS });
    now = Date.parse('2027-03-16T14:05:00.000Z') + shift;
    await api.system.jobs.TimelineNotifications!();
    now = WINDOW_START + shift;
    const run = ++runs;
    await protectionRule(`release/${id}`, run, 'production');
    await protectionRule(`release/${id}`, run, 'production-eu');
    expect(reviews(run).map((r) => [r.environment_name, r.state])).toEqual([
      ['production', 'approved'],
      ['production-eu', 'approved'],
    ]);
  });
});

describe('Rule: a job with no change, or a change that can no longer deploy, is rejected with the reason', () => {
  it('no CR id anywhere: rejected, saying where to name one', async () => {
    const run = await protectionRule('refs/heads/main');
    expect(reviews(run)).toEqual([{ environment_name: 'production', state: 'rejected', comment: expect.stringContaining('no change request') }]);
  });

  it('a waiting job is rejected when its change is rejected', async () => {
    const { id } = await pendingChange();
    const run = await protectionRule(`release/${id}`);
    expect(reviews(run).at(-1)!.state).toBeUndefined();
    await call('POST', `/changes/${id}/reject`, 'tom', { revision: 1, comment: 'not this week' });
    await api.system.events.idle();
    expect(reviews(run).at(-1)).toMatchObject({ state: 'rejected', comment: expect.stringContaining('rejected') });
  });
});
