/**
 * `npm run demo`: a normal change walked through email approval on the local system.
 *
 *   1. starts the whole local system, as `npm start` does, with its own data in .changeflow/demo
 *      (ports 3000, 1025 and 1080 if they are free; other free ports if not, and it says so);
 *   2. files a complete normal change as alice (planned for next Tuesday 10:00–11:00 New York time)
 *      and submits it: the approval workflow asks tom, tech lead of payments, by email;
 *   3. waits for that email in the mail catcher and says where to click;
 *   4. waits (polling GET /changes/{id}) until a person approves or rejects, and prints the audit trail.
 *
 *   5. then two emergency deployments are watched by the monitoring workflow, each for a 1-minute
 *      period of 10-second intervals (the demo's own settings): one whose pipeline reports healthy
 *      numbers, which passes, and one whose error rate is 8 %, which trips the rollback trigger.
 *
 * `npm run demo -- --auto` does step 4 itself, the way a person's browser would: it GETs the approve
 * link (a confirmation page that decides nothing), then POSTs that page's form. Then it stops.
 * Ctrl-C stops everything, DynamoDB Local included.
 */
import '../local/quiet.js';

import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DateTime } from 'luxon';

const { ConfigError } = await import('../functions/config.js');
const { JavaMissingError } = await import('../local/dynamodb-local.js');
const { startLocalSystem } = await import('../local/runtime.js');
const { signToken } = await import('../local/dev-auth.js');
const { readDirectory } = await import('../local/directory-seed.js');

type LocalSystem = Awaited<ReturnType<typeof startLocalSystem>>;

const USAGE = 'usage: npm run demo [-- --auto]   (--auto: click Approve in the email by itself, then stop)';
let auto = false;
try {
  auto = parseArgs({ options: { auto: { type: 'boolean', default: false } } }).values.auto === true;
} catch (err) {
  console.error(`${(err as Error).message}\n${USAGE}`);
  process.exit(2);
}
const AUTO = auto;
const DATA_DIR = resolve('.changeflow/demo');
const ZONE = 'America/New_York';
const TERMINAL = ['approved', 'rejected', 'cancelled'];

const say = (line = '') => console.log(line);
const step = (n: number, text: string) => say(`\n[${n}] ${text}`);

// ---------------------------------------------------------------------------------------------
// ports: the usual ones when free, others when not (say which)

function isFree(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const srv = createServer();
    srv.once('error', () => ok(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => ok(true)));
  });
}

async function pickPort(wanted: number, what: string): Promise<number> {
  if (await isFree(wanted)) return wanted;
  say(`  port ${wanted} (${what}) is busy — perhaps \`npm start\` is running; using a free port instead`);
  return 0;
}

// ---------------------------------------------------------------------------------------------
// the change alice files

function nextTuesdayWindow(): { start: string; end: string; local: string } {
  const now = DateTime.now().setZone(ZONE);
  const days = (2 - now.weekday + 7) % 7 || 7; // Tuesday is 2; today a Tuesday → next week's
  const start = now.plus({ days }).set({ hour: 10, minute: 0, second: 0, millisecond: 0 });
  const end = start.plus({ hours: 1 });
  return { start: start.toUTC().toISO()!, end: end.toUTC().toISO()!, local: `${start.toFormat('cccc d LLLL yyyy, HH:mm')}–${end.toFormat('HH:mm')} ${ZONE}` };
}

function normalChange(window: { start: string; end: string }) {
  return {
    title: 'Upgrade the payments API to Node 22',
    category: 'normal',
    description: {
      summary: 'Move the payments API runtime from Node 20 to Node 22.',
      motivation: 'Node 20 leaves maintenance in April 2026.',
      components: ['API Server'],
    },
    implementation: { changes: 'Bump the base image and the engines field; redeploy.', estimatedDuration: '30 minutes' },
    plannedWindow: { start: window.start, end: window.end },
    testing: {
      testPlan: 'Run the full suite and a staging soak.',
      checklist: ['unit-tests', 'integration-tests', 'staging-deployment'],
      successCriteria: ['Error rate below 1%', 'p95 latency under 10 ms'],
    },
    risk: { likelihood: 'medium', impact: 'medium', potentialImpacts: 'Payments could fail to start.', mitigations: 'Canary first; watch the error rate.' },
    rollback: { procedure: 'Redeploy the previous image tag.', duration: '10 minutes', triggers: ['error-rate', 'critical-alerts'] },
    communication: { stakeholders: ['engineering', 'support'] },
  };
}

// ---------------------------------------------------------------------------------------------
// talking to the API as a person would

async function api(system: LocalSystem, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${system.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) };
  } catch {
    return { status: res.status, body: text };
  }
}

function must(res: { status: number; body: any }, expected: number, what: string): any {
  if (res.status !== expected) throw new Error(`${what} answered ${res.status}: ${JSON.stringify(res.body, null, 2)}`);
  return res.body;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const decode = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
const textOf = (html: string, tag: string) => {
  const m = new RegExp(`<${tag}[^>]*>([\\s\\S]*?)</${tag}>`, 'i').exec(html);
  return m
    ? decode(
        m[1]!
          .replace(/<[^>]+>/g, '')
          .replace(/\s+/g, ' ')
          .trim(),
      )
    : '';
};

/** What a browser does with the link: GET the confirmation page, then POST its form (the button). */
async function clickApprove(link: string): Promise<void> {
  say(`  GET ${link.replace(/token=.*/, 'token=…')}`);
  const page = await fetch(link);
  const html = await page.text();
  say(`    → ${page.status}: "${textOf(html, 'h1')}" (a confirmation page: nothing is decided by opening the link)`);
  const form = /<form[^>]*method="post"[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  const token = form && /<input[^>]*type="hidden"[^>]*name="token"[^>]*value="([^"]*)"/i.exec(form[2]!);
  if (!form || !token) throw new Error(`the confirmation page has no form with a token:\n${html.slice(0, 2000)}`);
  const action = new URL(decode(form[1]!), link).toString();
  const body = new URLSearchParams({ token: decode(token[1]!), comment: 'Approved by npm run demo --auto' });
  say(`  POST ${action}  (form fields: token from the page's hidden field, comment)`);
  const res = await fetch(action, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
  const result = await res.text();
  say(`    → ${res.status}: "${textOf(result, 'h1')}" — ${textOf(result, 'p')}`);
}

function printAuditTrail(cr: any): void {
  say(`  ${cr.id} is ${cr.state.toUpperCase()} (revision ${cr.revision}, risk ${cr.riskLevel})`);
  for (const a of cr.audit ?? []) {
    const move = a.from === a.to ? `${a.to}` : `${a.from ?? '–'} → ${a.to}`;
    say(`  #${String(a.seq).padEnd(2)} ${a.at}  ${a.actor.name.padEnd(15)} ${a.action.padEnd(17)} ${move.padEnd(35)} ${a.reason ?? ''}`);
  }
}

// ---------------------------------------------------------------------------------------------
// step 6: two deployments watched by the monitoring workflow

/** Two emergency changes deployed by on-call: one healthy, one whose error rate trips the rollback trigger. */
async function watchDeployments(s: LocalSystem, oscar: string, window: { start: string; end: string }): Promise<boolean> {
  step(6, 'Two emergency changes deployed by oscar (on-call), each watched for 1 minute, judged every 10 s');
  const emergency = (title: string) => ({ ...normalChange(window), title, category: 'emergency', incident: { reference: 'INC-1001', severity: 'P1' } });
  const healthy = must(await api(s, oscar, 'POST', '/changes', emergency('Hotfix: raise the payments pool size')), 201, 'POST /changes');
  const broken = must(await api(s, oscar, 'POST', '/changes', emergency('Hotfix: new payments retry policy')), 201, 'POST /changes');
  for (const c of [healthy, broken]) must(await api(s, oscar, 'POST', `/changes/${c.id}/deployed`), 200, 'deployed');
  say(`  ${healthy.id} and ${broken.id} deployed: POST /changes/{id}/deployed → monitoring`);
  // the pipeline of each pushes what it measured, every interval
  const confirmed = { 'criterion:error-rate-below-1': 'pass', 'criterion:p95-latency-under-10-ms': 'pass' };
  const push = async (id: string, errorRatePercent: number, first: boolean) =>
    must(
      await api(s, oscar, 'POST', `/changes/${id}/metrics`, {
        samples: [
          { at: new Date().toISOString(), component: 'API Server', requests: 1500, errorRatePercent, p95LatencyMs: 7.5, databaseErrors: 0, criticalAlerts: 0 },
        ],
        ...(first ? { smokeTests: 'passed', criteria: confirmed } : {}),
      }),
      202,
      'POST metrics',
    );
  say(`  each pipeline pushes a sample every 5 s: POST /changes/{id}/metrics (${healthy.id}: 0.3 % errors; ${broken.id}: 8 %)`);
  const deadline = Date.now() + 120_000;
  let h: any;
  let b: any;
  for (let first = true; Date.now() < deadline; first = false) {
    h = must(await api(s, oscar, 'GET', `/changes/${healthy.id}`), 200, 'GET');
    b = must(await api(s, oscar, 'GET', `/changes/${broken.id}`), 200, 'GET');
    if (h.state === 'monitoring' && h.monitoring?.verdict === 'watching') await push(healthy.id, 0.3, first);
    if (b.state === 'monitoring') await push(broken.id, 8, first);
    if (h.monitoring?.verdict !== 'watching' && b.state !== 'monitoring') break;
    await sleep(5000);
  }
  say(`\n  ${broken.id}: ${b.state.toUpperCase()} — ${b.monitoring?.reasons?.join('; ')}`);
  const rollbackMail = await s.mail.waitFor((m) => m.subject.startsWith(`Roll back ${broken.id}`), 10_000).catch(() => undefined);
  if (rollbackMail) say(`  on-call was told: "${rollbackMail.subject}" (${s.mail.webUrl}messages/${rollbackMail.id})`);
  say(`  ${healthy.id}: verdict ${h.monitoring?.verdict} — ${h.monitoring?.reasons?.join('; ')}`);
  say('  (an emergency change closes with its post-incident review: POST /changes/{id}/complete with postIncidentReview)');
  say(`  every measurement: GET /changes/${healthy.id}/monitoring`);
  return b.state === 'rolling_back' && h.monitoring?.verdict === 'passed';
}

// ---------------------------------------------------------------------------------------------

let system: LocalSystem | undefined;
/** The server logs every request; the demo's own once-a-second polls are left out of that log. */
let polling: string | undefined;
const quiet = (line: string) => polling !== undefined && line.startsWith(`GET ${polling} → 200`);
let stopping = false;
async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    say('\nStopping ChangeFlow, the mail catcher and DynamoDB Local…');
    await system?.stop().catch((err: Error) => console.error(`  (stop: ${err.message})`));
  }
  process.exit(code);
}
process.on('SIGINT', () => void stop(130));
process.on('SIGTERM', () => void stop(143));

try {
  step(1, `Starting the local system (data in ${DATA_DIR})…`);
  const port = await pickPort(3000, 'API');
  const smtpPort = await pickPort(1025, 'mail catcher SMTP');
  const webPort = await pickPort(1080, 'mail catcher web page');
  system = await startLocalSystem({
    port,
    dataDir: DATA_DIR,
    mail: { smtpPort, webPort },
    // short monitoring periods, so that step 6 is watched to its end in about a minute
    env: { MONITORING_MINUTES: 'standard=1,normal=1,major=1,emergency=1', MONITORING_INTERVAL_SECONDS: '10' },
    onLog: (l) => quiet(l) || say(`    server: ${l}`),
  });
  const s = system;
  say(`
  API             ${s.url}
  Mail catcher    ${s.mail.webUrl}   (SMTP on 127.0.0.1:${s.mail.smtpPort})
  DynamoDB Local  ${s.dynamoDb.endpoint}   table "${s.config.TABLE_NAME}", data in ${s.dynamoDb.dataPath}
  Workflows       in-process (the same ASL as Step Functions), events on an in-process bus`);

  const people = readDirectory(resolve(import.meta.dirname, '../seed/directory.json'));
  const person = (id: string) => people.find((p) => p.id === id)!;
  const tokenOf = (id: string) => signToken(person(id), s.jwtKey, { rolesClaim: s.config.ROLES_CLAIM, teamClaim: s.config.TEAM_CLAIM });
  const alice = await tokenOf('alice');
  const tom = person('tom');

  const window = nextTuesdayWindow();
  step(2, `alice files a normal change (medium risk), planned for ${window.local}`);
  const created = must(await api(s, alice, 'POST', '/changes', normalChange(window)), 201, 'POST /changes');
  const id: string = created.id;
  say(
    `  POST /changes → 201 ${id}, state ${created.state}, risk ${created.riskLevel}, approval needed: ${created.requiredApprovals?.slots?.map((x: any) => x.slot).join(' + ') ?? '?'}`,
  );
  for (const w of created.warnings ?? []) say(`  warning: ${w}`);

  step(3, `alice submits ${id}; the approval workflow routes it and emails the tech lead of payments`);
  const submitted = must(await api(s, alice, 'POST', `/changes/${id}/submit`), 200, 'submit');
  say(`  POST /changes/${id}/submit → 200, state ${submitted.state}`);
  const email = await s.mail.waitFor((m) => m.to.includes(tom.email) && m.subject.includes(id), 30_000);
  const approveLink = /^Approve: (\S+)$/m.exec(email.text)?.[1];
  if (!approveLink) throw new Error(`the email to ${tom.email} has no "Approve:" link:\n${email.text}`);
  say(`  email to ${tom.email} arrived: "${email.subject}"`);
  say(`  read it at ${s.mail.webUrl}messages/${email.id}`);

  let cr: any;
  if (AUTO) {
    step(4, '--auto: clicking Approve in the email to tom, as a browser would');
    await clickApprove(approveLink);
    cr = must(await api(s, alice, 'GET', `/changes/${id}`), 200, 'GET change');
  } else {
    say(`
  ┌──────────────────────────────────────────────────────────────────────────────────────────
  │ Open ${s.mail.webUrl} and click Approve in the email to tom
  │ (or paste this link: ${approveLink})
  │ The link shows a confirmation page; pressing its button decides. Reject works too.
  └──────────────────────────────────────────────────────────────────────────────────────────`);
    step(4, `Waiting for a decision on ${id} (polling GET /changes/${id} every second; Ctrl-C stops)…`);
    polling = `/changes/${id}`;
    for (;;) {
      cr = must(await api(s, alice, 'GET', `/changes/${id}`), 200, 'GET change');
      if (TERMINAL.includes(cr.state)) break;
      await sleep(1000);
    }
  }

  step(5, `The audit trail of ${id} (GET /changes/${id})`);
  printAuditTrail(cr);
  if (cr.state === 'approved' || cr.state === 'rejected') {
    const word = cr.state === 'approved' ? 'was approved' : 'was rejected';
    const notice = await s.mail.waitFor((m) => m.to.includes(person('alice').email) && m.subject === `${id} ${word}`, 10_000).catch(() => undefined);
    say(notice ? `\n  alice was told by email: "${notice.subject}" (${s.mail.webUrl}messages/${notice.id})` : `\n  (no "${word}" email to alice within 10 s)`);
  }
  await s.events.idle();
  const events = s.events.published.filter((e) => e.changeId === id).map((e) => `${e.type} (${e.id})`);
  say(`  Domain events published for ${id}: ${events.join(', ')}`);

  const watched = await watchDeployments(s, await tokenOf('oscar'), window);
  if (AUTO) {
    const ok = cr.state === 'approved' && watched;
    say(ok ? `\nDone: ${id} went from draft to approved through the email link, and both deployments were judged.` : `\n${id} ended ${cr.state}.`);
    await stop(ok ? 0 : 1);
  }
  say(`\nDone. The system keeps running so you can look around: API ${s.url}, mail ${s.mail.webUrl}. Ctrl-C stops everything.`);
} catch (err) {
  if (err instanceof JavaMissingError || err instanceof ConfigError) {
    console.error(err.message);
  } else if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    console.error(`A port was taken while starting: ${(err as Error).message}. Run the demo again.`);
  } else {
    console.error(`demo failed: ${(err as Error).stack ?? String(err)}`);
  }
  await stop(1);
}
