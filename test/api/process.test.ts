/**
 * The process as people meet it, over HTTP on the local runtime: the seed's own templates, who may
 * declare an emergency and what happens when one starts, the probe's hostile requests, and the
 * identity rules. A clock the test moves; the emergency workflow's waits compressed.
 */
import { SignJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LOCAL_AUDIENCE, LOCAL_ISSUER } from '../../local/dev-auth.js';
import { completeContent } from '../fixtures.js';
import { startApi, type Api } from './harness.js';

let now = Date.parse('2026-12-01T19:30:00Z'); // a Tuesday, 14:30 in New York
const clock = { now: () => new Date(now) };
let api: Api;
beforeAll(async () => {
  api = await startApi({}, { clock, workflowWaitScale: 1e-6 });
});
afterAll(() => api?.stop());
beforeEach(() => {
  now = Date.parse('2026-12-01T19:30:00Z');
});

const markdown = (text: string, as: 'alice' | 'oscar' = 'alice') =>
  api.call('POST', '/changes', { raw: text, as, headers: { 'content-type': 'text/markdown' } });
const mailsAbout = async (id: string) => {
  await api.system.events.idle();
  return (await api.system.mail.messages()).filter((m) => m.subject.includes(id) || m.text.includes(id));
};

/** The seed's change request template as a person fills it: no planned window, no likelihood or impact. */
async function seedTemplateFilledIn(): Promise<string> {
  const blank = (await api.call('GET', '/templates/change-request.md', { as: null })).text;
  return blank
    .replace('# Change Request: [Brief Title]', '# Change Request: Rotate the API Server TLS certificate')
    .replace('[ ] Standard  [ ] Normal', '[ ] Standard  [x] Normal')
    .replace('Name: [Your Name]', 'Name: Alice Andersen')
    .replace('[2-3 sentence summary of the change]', 'Replace the expiring certificate on the API Server load balancer.')
    .replace('[Why is this change needed?]', 'The current certificate expires on 15 December.')
    .replace('- [ ] API Server', '- [x] API Server')
    .replace('[Detailed description of what will be changed]', 'Upload the new certificate and switch the listener to it.')
    .replace('[How long will the change take?]', '30 minutes')
    .replace('Required: [ ] Yes  [ ] No', 'Required: [x] Yes  [ ] No')
    .replace('If yes, duration: _____ minutes', 'If yes, duration: 45 minutes')
    .replace('Proposed time: _____', 'Proposed time: 2026-12-08 11:00')
    .replace('[How will you verify the change works?]', 'Check the served certificate with openssl from two regions.')
    .replace('1. [Criterion 1]\n2. [Criterion 2]', '1. The new certificate is served\n2. No TLS errors in the logs')
    .replace('### Risk Level\n[ ] Low  [ ] Medium', '### Risk Level\n[ ] Low  [x] Medium')
    .replace('[What could go wrong?]', 'Clients pinning the old certificate fail.')
    .replace('[How will you mitigate risks?]', 'The old certificate stays attached for a fast switch back.')
    .replace('[Step-by-step rollback instructions]', 'Switch the listener back to the old certificate.')
    .replace('[How long will rollback take?]', '5 minutes')
    .replace('- [ ] Error rate > 5%', '- [x] Error rate > 5%')
    .replace('- [ ] Engineering team (#engineering)', '- [x] Engineering team (#engineering)');
}

describe('Rule: the seed’s own change request template, filled in by a person, can be submitted', () => {
  it('files it with the window from the proposed time and the declared risk level, and submits it', async () => {
    // Act
    const filed = await markdown(await seedTemplateFilledIn());
    // Assess
    expect(filed.status, filed.text).toBe(201);
    expect(filed.body.content.plannedWindow).toEqual({ start: '2026-12-08T16:00:00.000Z', end: '2026-12-08T16:45:00.000Z', derivedFrom: 'maintenance-window' });
    expect(filed.body).toMatchObject({ riskLevel: 'medium', riskBasis: 'declared' });
    const submitted = await api.call('POST', `/changes/${filed.body.id}/submit`);
    expect(submitted.status, submitted.text).toBe(200);
    expect(submitted.body.state).toBe('submitted');
  });

  it('answers with a warning for the parts ChangeFlow fills itself that the person filled in', async () => {
    const text = (await seedTemplateFilledIn()).replace('CR-YYYY-MM-DD-XXX', 'CR-2026-12-01-999').replace('- [ ] Tech Lead', '- [x] Tech Lead');
    const filed = await markdown(text);
    expect(filed.status).toBe(201);
    expect(filed.body.id).not.toBe('CR-2026-12-01-999');
    expect(filed.body.warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^## Change ID: .*"CR-2026-12-01-999" was ignored/),
        expect.stringMatching(/^## Approval: .*were ignored/),
      ]),
    );
  });

  it('names the template’s heading beside the path, in plain words, when a field is wrong', async () => {
    const text = (await seedTemplateFilledIn()).replace('If yes, duration: 45 minutes', 'If yes, duration: about an hour');
    const res = await markdown(text);
    expect(res.status).toBe(400);
    expect(res.body.issues).toEqual([
      {
        path: 'content.implementation.maintenanceWindow.durationMinutes',
        heading: 'If yes, duration, ### Maintenance Window under ## Implementation Details',
        message: 'must be a whole number of minutes, found "about an hour"',
      },
    ]);
    expect(res.text).not.toMatch(/expected (number|string|object), received|Invalid input|\bNaN\b/);
  });
});

describe('Rule: the seed’s Emergency Change Template is accepted and given back', () => {
  const emergency = `# Emergency Change: Roll back the cache TTL

Incident: INC-9001
Severity: P1
Implemented by: Oscar Ortiz
Implemented at: 2026-12-01 14:05

## Situation
Checkout returned 500s after the cache TTL change.

## Fix Implemented
Reverted the TTL to 300 s.

## Verification
Error rate back under 1% within 5 minutes.

## Rollback Plan
Re-apply the new TTL behind a flag.

## Post-Approval Needed
Tag: @manager for review
`;

  it('files an emergency change started at its "Implemented at" time (org zone), and gives it back on the same template', async () => {
    const filed = await markdown(emergency, 'oscar');
    expect(filed.status, filed.text).toBe(201);
    expect(filed.body).toMatchObject({ state: 'in_progress', startedAt: '2026-12-01T19:05:00.000Z', template: 'emergency-change' });
    expect(filed.body.postApproval.dueAt).toBe('2026-12-02T19:05:00.000Z');
    const md = await api.call('GET', `/changes/${filed.body.id}.md`);
    expect(md.text).toMatch(/^# Emergency Change: Roll back the cache TTL$/m);
    expect(md.text).toContain('Incident: INC-9001');
    expect(md.text).toContain('## Fix Implemented\n\nReverted the TTL to 300 s.');
    const full = await api.call('GET', `/changes/${filed.body.id}.md?template=change-request`);
    expect(full.text).toMatch(/^# Change Request: Roll back the cache TTL$/m);
  });

  it('emails the post-approvers a decision link at once, tells #incidents, and the link post-approves it', async () => {
    const filed = (await markdown(emergency, 'oscar')).body;
    const mails = await mailsAbout(filed.id);
    const erin = mails.find((m) => m.to.includes('erin@example.com') && /Post-approval needed/.test(m.subject));
    expect(erin, 'a post-approval email to erin').toBeDefined();
    expect(mails.some((m) => m.to.includes('incidents@example.com') && /Emergency change .* started/.test(m.subject))).toBe(true);
    const link = /href="([^"]+\/approvals\/decide\?token=[^"]+)"/.exec(erin!.html)![1]!.replaceAll('&amp;', '&');
    const page = await (await fetch(link)).text();
    const token = /name="token" value="([^"]+)"/.exec(page)![1]!;
    const pressed = await fetch(new URL('/approvals/decide', link), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token }).toString(),
    });
    expect(pressed.status).toBe(200);
    const after = (await api.call('GET', `/changes/${filed.id}`)).body;
    expect(after.postApproval).toMatchObject({ approvedBy: 'erin' });
  });
});

describe('Rule: who may declare an emergency', () => {
  it('a requester’s emergency stays a draft; on-call starts it, and the declaration is recorded', async () => {
    const filed = (await api.call('POST', '/changes', { body: completeContent('emergency'), as: 'alice' })).body;
    expect(filed.state).toBe('draft');
    expect((await api.call('POST', `/changes/${filed.id}/start`, { as: 'alice' })).status).toBe(403);
    const started = await api.call('POST', `/changes/${filed.id}/start`, { as: 'oscar' });
    expect(started.body).toMatchObject({ state: 'in_progress', emergency: { declaredBy: 'oscar' } });
  });

  it('an emergency started in a blackout records which one it ran through', async () => {
    now = Date.parse('2026-12-04T20:00:00Z'); // Friday 15:00 in New York
    const filed = (await api.call('POST', '/changes', { body: completeContent('emergency'), as: 'oscar' })).body;
    expect(filed.emergency.blackouts.map((b: { kind: string }) => b.kind)).toEqual(['friday-afternoon']);
    expect(filed.audit.at(-1).detail.blackouts).toHaveLength(1);
  });
});

describe('Rule: the seed’s templates are served', () => {
  it.each([
    ['/templates/change-request.md', /^# Change Request: \[Brief Title\]$/m],
    ['/templates/emergency-change.md', /^# Emergency Change: \[Brief Title\]$/m],
    ['/templates/risk-assessment.md', /\| \*\*High\*\* \| Medium \| High \| Critical \| Critical \|/],
    ['/templates/change-notification.md', /^## T-24h$/m],
  ])('%s', async (path, looksLike) => {
    const res = await api.call('GET', path, { as: null });
    expect(res.status).toBe(200);
    expect(res.text).toMatch(looksLike);
  });
});

describe('Rule: what a hostile or careless client sends gets a clear 4xx and changes nothing', () => {
  it('a merge patch nested thousands of levels deep is a 400, and a stranger’s is refused before it is read', async () => {
    const cr = (await api.call('POST', '/changes', { body: completeContent() })).body;
    const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    const mine = await api.call('PATCH', `/changes/${cr.id}`, { raw: deep, headers: { 'content-type': 'application/merge-patch+json' } });
    expect(mine.status).toBe(400);
    expect(mine.body.issues[0].message).toMatch(/nest deeper than 8 levels/);
    const stranger = await api.call('PATCH', `/changes/${cr.id}`, { as: 'bob', raw: '{"title":"mine now"}', headers: { 'content-type': 'application/json' } });
    expect(stranger.status).toBe(403);
    expect((await api.call('GET', `/changes/${cr.id}`)).body.version).toBe(cr.version);
  });

  it('malformed percent-encoding in a path is a 400', async () => {
    const res = await fetch(`${api.system.url}/changes/%E0%A4%A`, { headers: { authorization: 'Bearer x' } });
    expect(res.status).toBe(400);
  });

  it('a recurrence that repeats every second is refused with 400 naming the rule', async () => {
    const res = await api.call('POST', '/calendar/events', {
      as: 'ada',
      body: {
        kind: 'blackout',
        title: 'Every second',
        start: '2027-01-04T00:00:00Z',
        end: '2027-01-04T00:00:01Z',
        rrule: `FREQ=DAILY;BYHOUR=${Array.from({ length: 24 }, (_, i) => i).join(',')};BYMINUTE=${Array.from({ length: 60 }, (_, i) => i).join(',')}`,
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.issues).toEqual([{ path: 'body.rrule', message: expect.stringMatching(/1440 times a day.*at most 4/) }]);
  });

  it.each([
    ['a right-to-left override in the title', { title: 'Upgrade \u202Egnp.exe' }, 'content.title', /bidirectional override/],
    [
      'a control character in the summary',
      { description: { summary: 'ring \u0007 the bell', motivation: 'x', components: ['API Server'] } },
      'content.description.summary',
      /control characters \(found U\+0007\)/,
    ],
  ])('%s is a 400 naming the field', async (_, override, path, message) => {
    const res = await api.call('POST', '/changes', { body: { ...completeContent(), ...override } });
    expect(res.status).toBe(400);
    expect(res.body.issues).toEqual([expect.objectContaining({ path, message: expect.stringMatching(message) })]);
  });

  it('a UTF-8 byte-order mark before JSON is tolerated', async () => {
    const res = await api.call('POST', '/changes', { raw: `\uFEFF${JSON.stringify(completeContent())}`, headers: { 'content-type': 'application/json' } });
    expect(res.status, res.text).toBe(201);
  });

  it('a refused create takes no change number', async () => {
    const first = (await api.call('POST', '/changes', { body: completeContent() })).body.id as string;
    const refused = await api.call('POST', '/changes', {
      body: { ...completeContent(), description: { ...completeContent().description, components: ['Mainframe'] } },
    });
    expect(refused.status).toBe(400);
    const next = (await api.call('POST', '/changes', { body: completeContent() })).body.id as string;
    expect(Number(next.slice(-3))).toBe(Number(first.slice(-3)) + 1);
  });
});

describe('Rule: the directory says who holds which role; the token only says who someone is', () => {
  const forged = async (sub: string, roles: string[]) =>
    new SignJWT({ name: sub, roles })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(sub)
      .setIssuer(LOCAL_ISSUER)
      .setAudience(LOCAL_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(api.system.jwtKey);

  it('a token whose subject is not in the directory may read but not approve, whatever roles it claims', async () => {
    const cr = (await api.call('POST', '/changes', { body: completeContent() })).body;
    await api.submit(cr.id);
    const token = await forged('mallory', ['cto', 'admin']);
    const read = await fetch(`${api.system.url}/changes/${cr.id}`, { headers: { authorization: `Bearer ${token}` } });
    expect(read.status).toBe(200);
    expect(((await read.json()) as { allowedActions: string[] }).allowedActions).toEqual([]);
    const approve = await fetch(`${api.system.url}/changes/${cr.id}/approve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ revision: 1 }),
    });
    expect(approve.status).toBe(403);
  });

  it('a token without a subject cannot even read', async () => {
    const token = await new SignJWT({ name: 'nobody' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(LOCAL_ISSUER)
      .setAudience(LOCAL_AUDIENCE)
      .setExpirationTime('1h')
      .sign(api.system.jwtKey);
    for (const path of ['/changes', '/changes/CR-2026-12-01-001']) {
      expect((await fetch(`${api.system.url}${path}`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    }
  });
});
