/**
 * The Jira/Linear mirror end to end on the local system, against local HTTP servers that answer as
 * Jira Cloud's REST API v3 (`POST /rest/api/3/issue`, `POST /rest/api/3/search/jql`, the issue's
 * transitions and comments, basic auth) and Linear's GraphQL API (`issueCreate` with a client id,
 * `issue`, `workflowStates`, `issueUpdate`, `commentCreate`, the API key in Authorization) do. A
 * team's change is an issue from its filing, kept in its state; redeliveries and outages make one
 * issue; what is done to the issue on the tracker's side never changes the change request.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeContent } from '../fixtures.js';
import { type Api, type Who, startApi } from './harness.js';

const JIRA_AUTH = `Basic ${Buffer.from('changeflow-bot@example.com:jira-api-token-0001').toString('base64')}`;
const LINEAR_KEY = 'lin_api_testkey0001';

interface JiraIssue {
  id: string;
  key: string;
  summary: string;
  labels: string[];
  status: string;
  description: unknown;
  comments: string[];
}
const jira = { issues: [] as JiraIssue[], failNext: 0, calls: 0 };
interface LinearIssue {
  id: string;
  identifier: string;
  url: string;
  teamId: string;
  title: string;
  stateId: string;
  comments: string[];
}
const LINEAR_STATES = ['Backlog', 'Todo', 'In Progress', 'In Review', 'Done', 'Canceled'].map((name, i) => ({ id: `state-${i}`, name }));
const linear = { issues: [] as LinearIssue[], loseNextCreateAnswer: false };
const servers: Server[] = [];

function serve(
  handle: (req: { method: string; url: string; headers: Record<string, unknown>; body: any }, send: (status: number, json?: object) => void) => void,
) {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      handle({ method: req.method!, url: req.url!, headers: req.headers, body: text ? JSON.parse(text) : undefined }, (status, json) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(json ? JSON.stringify(json) : '');
      });
    });
  });
  servers.push(server);
  return new Promise<string>((ok) => server.listen(0, '127.0.0.1', () => ok(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

/** Jira Cloud as documented: To Do → In Progress → Done, every transition open (Jira's simplified workflow). */
const startJira = () =>
  serve((req, send) => {
    jira.calls++;
    if (req.headers.authorization !== JIRA_AUTH) return send(401, { errorMessages: ['Client must be authenticated to access this resource.'] });
    if (jira.failNext > 0) {
      jira.failNext--;
      return send(503, { errorMessages: ['Service unavailable'] });
    }
    const byKey = (key: string) => jira.issues.find((i) => i.key === key);
    const route = (re: RegExp) => re.exec(req.url);
    const status = route(/^\/rest\/api\/3\/issue\/([A-Z]+-\d+)\?fields=status$/);
    const transitions = route(/^\/rest\/api\/3\/issue\/([A-Z]+-\d+)\/transitions$/);
    const comment = route(/^\/rest\/api\/3\/issue\/([A-Z]+-\d+)\/comment$/);
    const edit = route(/^\/rest\/api\/3\/issue\/([A-Z]+-\d+)$/);
    if (req.method === 'POST' && req.url === '/rest/api/3/search/jql') {
      const label = /labels = "([^"]+)"/.exec(req.body.jql)?.[1];
      return send(200, {
        issues: jira.issues.filter((i) => label && i.labels.includes(label)).map((i) => ({ id: i.id, key: i.key, fields: { summary: i.summary } })),
      });
    }
    if (req.method === 'POST' && req.url === '/rest/api/3/issue') {
      const f = req.body.fields;
      if (!f?.project?.key || !f.summary || !f.issuetype?.name) return send(400, { errors: { summary: 'You must specify a summary of the issue.' } });
      const issue = {
        id: String(10000 + jira.issues.length),
        key: `${f.project.key}-${jira.issues.length + 1}`,
        summary: f.summary,
        labels: f.labels ?? [],
        status: 'To Do',
        description: f.description,
        comments: [],
      };
      jira.issues.push(issue);
      return send(201, { id: issue.id, key: issue.key, self: `https://acme.atlassian.net/rest/api/3/issue/${issue.id}` });
    }
    if (status && req.method === 'GET') {
      const issue = byKey(status[1]!);
      return issue
        ? send(200, { id: issue.id, key: issue.key, fields: { status: { name: issue.status } } })
        : send(404, { errorMessages: ['Issue does not exist'] });
    }
    if (transitions) {
      const issue = byKey(transitions[1]!);
      if (!issue) return send(404, { errorMessages: ['Issue does not exist'] });
      const all = [
        { id: '11', name: 'To Do', to: { name: 'To Do' } },
        { id: '21', name: 'In Progress', to: { name: 'In Progress' } },
        { id: '31', name: 'Done', to: { name: 'Done' } },
      ];
      if (req.method === 'GET') return send(200, { transitions: all.filter((t) => t.to.name !== issue.status) });
      const to = all.find((t) => t.id === req.body.transition?.id);
      if (!to) return send(400, { errorMessages: ['Transition id is not valid'] });
      issue.status = to.to.name;
      return send(204);
    }
    if (comment && req.method === 'POST') {
      byKey(comment[1]!)!.comments.push(req.body.body.content.map((p: { content: { text: string }[] }) => p.content[0]!.text).join('\n'));
      return send(201, { id: '1' });
    }
    if (edit && req.method === 'PUT') {
      byKey(edit[1]!)!.summary = req.body.fields.summary;
      return send(204);
    }
    send(404, { errorMessages: ['Not found'] });
  });

/** Linear's GraphQL API as documented: errors in `errors`, the client may give the new issue's id. */
const startLinear = () =>
  serve((req, send) => {
    if (req.headers.authorization !== LINEAR_KEY)
      return send(400, { errors: [{ message: 'Authentication required, not authenticated', extensions: { code: 'AUTHENTICATION_ERROR' } }] });
    const { query, variables } = req.body as { query: string; variables: Record<string, any> };
    const issue = (id: string) => linear.issues.find((i) => i.id === id);
    if (query.startsWith('query Issue')) {
      const found = issue(variables.id);
      return found
        ? send(200, { data: { issue: { id: found.id, identifier: found.identifier, url: found.url } } })
        : send(200, { data: null, errors: [{ message: 'Entity not found: Issue', extensions: { code: 'INVALID_INPUT' } }] });
    }
    if (query.startsWith('mutation IssueCreate')) {
      const input = variables.input;
      if (issue(input.id)) return send(200, { data: null, errors: [{ message: 'Entity already exists', extensions: { code: 'INVALID_INPUT' } }] });
      const n = linear.issues.length + 1;
      const created = {
        id: input.id,
        identifier: `PLT-${n}`,
        url: `https://linear.app/acme/issue/PLT-${n}`,
        teamId: input.teamId,
        title: input.title,
        stateId: 'state-0',
        comments: [],
      };
      linear.issues.push(created);
      if (linear.loseNextCreateAnswer) {
        linear.loseNextCreateAnswer = false;
        return send(502, { errors: [{ message: 'Bad gateway' }] });
      }
      return send(200, { data: { issueCreate: { success: true, issue: { id: created.id, identifier: created.identifier, url: created.url } } } });
    }
    if (query.startsWith('query States')) {
      return send(200, { data: { workflowStates: { nodes: LINEAR_STATES.filter((s) => s.name.toLowerCase() === String(variables.name).toLowerCase()) } } });
    }
    if (query.startsWith('mutation IssueUpdate')) {
      const found = issue(variables.id)!;
      if (variables.input.stateId) found.stateId = variables.input.stateId;
      if (variables.input.title) found.title = variables.input.title;
      return send(200, { data: { issueUpdate: { success: true } } });
    }
    if (query.startsWith('mutation Comment')) {
      issue(variables.input.issueId)!.comments.push(variables.input.body);
      return send(200, { data: { commentCreate: { success: true } } });
    }
    send(200, { errors: [{ message: 'Cannot query this' }] });
  });

let api: Api;
beforeAll(async () => {
  const [jiraUrl, linearUrl] = await Promise.all([startJira(), startLinear()]);
  api = await startApi(
    {
      TRACKER_MIRRORS: JSON.stringify({ payments: { tracker: 'jira', project: 'PAY' }, platform: { tracker: 'linear', team: 'team-platform' } }),
      JIRA_URL: jiraUrl,
      JIRA_EMAIL: 'changeflow-bot@example.com',
      JIRA_API_TOKEN: 'jira-api-token-0001',
      LINEAR_API_KEY: LINEAR_KEY,
      LINEAR_API_URL: `${linearUrl}/graphql`,
    },
    { eventRetries: { attempts: 4, retryBaseMs: 20 } },
  );
}, 120_000);
afterAll(async () => {
  await api?.stop();
  await Promise.all(servers.map((s) => new Promise((ok) => s.close(ok))));
});

async function filed(title: string, as: Who) {
  const res = await api.call('POST', '/changes', { as, body: { ...completeContent('normal'), title } });
  expect(res.status, res.text).toBe(201);
  await api.system.events.idle();
  return res.body.id as string;
}
const change = async (id: string) => (await api.call('GET', `/changes/${id}`, { as: 'erin' })).body;
const jiraIssue = (id: string) => jira.issues.filter((i) => i.labels.includes(id));
const stateName = (i: LinearIssue) => LINEAR_STATES.find((s) => s.id === i.stateId)!.name;

describe("Rule: a mirroring team's change is an issue from its filing, its title and state kept in step", () => {
  let id = '';
  it('filing it creates the Jira issue, labelled with the change id, linking back; the change links to the issue', async () => {
    id = await filed('Rotate the payments API keys', 'alice');
    const [issue, ...more] = jiraIssue(id);
    expect(more).toEqual([]);
    expect(issue).toMatchObject({ key: 'PAY-1', summary: `${id} Rotate the payments API keys`, labels: ['changeflow', id], status: 'To Do' });
    expect(JSON.stringify(issue!.description)).toContain(`/changes/${id}`);
    expect((await change(id)).mirror).toMatchObject({ tracker: 'jira', key: 'PAY-1', url: expect.stringMatching(/\/browse\/PAY-1$/) });
  });

  it('each move and decision is a comment; a new title is the new summary; cancelling it moves the issue to Done', async () => {
    await api.submit(id);
    expect((await api.call('POST', `/changes/${id}/approve`, { as: 'tom', body: { revision: 1 } })).status).toBe(200);
    await api.system.events.idle();
    const issue = jiraIssue(id)[0]!;
    expect(issue.comments.some((c) => c.startsWith('ChangeFlow: draft → submitted by Alice Andersen'))).toBe(true);
    expect(issue.comments.some((c) => /pending approval → approved by Tom Tanaka/.test(c))).toBe(true);
    expect(issue.status).toBe('To Do');
    // behind ChangeFlow's back: the issue moved to Done in Jira, and a comment saying "approved"
    issue.status = 'Done';
    issue.comments.push('LGTM, approved!');
    expect((await change(id)).state).toBe('approved');
    // the next event puts the issue back where the change is
    expect((await api.call('POST', `/changes/${id}/notes`, { as: 'alice', body: { kind: 'implementation', text: 'Keys staged in the vault.' } })).status).toBe(
      201,
    );
    await api.system.events.idle();
    expect(issue.status).toBe('To Do');
    expect((await change(id)).state).toBe('approved');
    expect((await api.call('POST', `/changes/${id}/cancel`, { as: 'alice', body: { reason: 'The key rotation moves to next quarter.' } })).status).toBe(200);
    await api.system.events.idle();
    expect(issue.status).toBe('Done');
    expect(jiraIssue(id)).toHaveLength(1);
  });

  it('an event delivered again adds nothing and makes no second issue', async () => {
    const before = { issues: jira.issues.length, comments: jiraIssue(id)[0]!.comments.length };
    const events = api.system.events.published.filter((e) => e.changeId === id);
    expect(events.length).toBeGreaterThan(3);
    await api.system.events.bus.publish(events);
    await api.system.events.idle();
    expect({ issues: jira.issues.length, comments: jiraIssue(id)[0]!.comments.length }).toEqual(before);
  });

  it('a team that does not mirror has no issue', async () => {
    const before = { jira: jira.issues.length, linear: linear.issues.length };
    const other = await filed('Resize the Redis cache', 'erin');
    expect({ jira: jira.issues.length, linear: linear.issues.length }).toEqual(before);
    expect((await change(other)).mirror).toBeUndefined();
  });
});

describe('Rule: an outage is retried and makes one issue; a long one lands in the dead-letter queue', () => {
  it('Jira answering 503 three times: retried by the bus, one issue', async () => {
    jira.failNext = 3;
    const id = await filed('Move the payments queue to SQS', 'alice');
    expect(jiraIssue(id)).toHaveLength(1);
    expect(api.system.events.deadLetters.filter((l) => l.event.changeId === id)).toEqual([]);
  });

  it('Jira down for every attempt: the event is dead-lettered for the outbound consumer, and the change is filed all the same', async () => {
    jira.failNext = 1000;
    const id = await filed('Tidy the payments logs', 'alice');
    jira.failNext = 0;
    expect((await change(id)).state).toBe('draft');
    expect(jiraIssue(id)).toEqual([]);
    const letters = api.system.events.deadLetters.filter((l) => l.event.changeId === id);
    expect(letters.map((l) => [l.consumer, l.event.type])).toEqual([['Outbound', 'ChangeCreated']]);
    expect(letters[0]!.error).toMatch(/Jira answered 503/);
    // redriven once Jira is back: the issue is made, once
    await api.system.events.bus.publish(letters.map((l) => l.event));
    await api.system.events.idle();
    expect(jiraIssue(id)).toHaveLength(1);
  });
});

describe('Rule: Linear too, and a create whose answer was lost is found again, not made twice', () => {
  it("bob's change is a Linear issue with ChangeFlow's id, in review once submitted", async () => {
    linear.loseNextCreateAnswer = true;
    const id = await filed('Upgrade the platform ingress', 'bob');
    const mine = linear.issues.filter((i) => i.title.startsWith(id));
    expect(mine).toHaveLength(1);
    expect(mine[0]!.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(stateName(mine[0]!)).toBe('Backlog');
    await api.submit(id, 'bob');
    await api.system.events.idle();
    expect(stateName(mine[0]!)).toBe('In Review');
    expect(mine[0]!.comments.some((c) => c.startsWith('ChangeFlow: draft → submitted by Bob Brown'))).toBe(true);
    expect((await change(id)).mirror).toMatchObject({ tracker: 'linear', key: mine[0]!.identifier, url: mine[0]!.url });
  });
});
