/**
 * `npm run report -- --month 2026-11`: makes a month's report now on the running local system
 * (`npm start`), as an admin of the directory, through the same `POST /reports/{month}` an admin's
 * script would call; the files land in the data folder's reports/. Without --month: last month.
 * A quarter (`--month 2026-Q4`) makes that quarter's review the same way.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DateTime } from 'luxon';
import { loadConfig } from '../functions/config.js';
import { devKey, signToken } from '../local/dev-auth.js';
import { readDirectory } from '../local/directory-seed.js';

const { values } = parseArgs({ options: { month: { type: 'string', short: 'm' }, url: { type: 'string' } } });
const config = loadConfig();
const month = values.month ?? DateTime.now().setZone(config.ORG_TIMEZONE).minus({ months: 1 }).toFormat('yyyy-MM');
const base = values.url ?? `http://localhost:${process.env.PORT ?? 3000}`;
const dataDir = resolve(process.env.CHANGEFLOW_DATA_DIR ?? '.changeflow');
const admin = readDirectory(resolve(import.meta.dirname, '../seed/directory.json')).find((p) => p.roles.includes('admin'));
if (!admin) {
  console.error('no admin in seed/directory.json: add a person with the role admin');
  process.exit(2);
}
const token = await signToken(admin, devKey(dataDir), { rolesClaim: config.ROLES_CLAIM, teamClaim: config.TEAM_CLAIM, expiresIn: '5m' });
let res: Response;
try {
  res = await fetch(`${base}/reports/${encodeURIComponent(month)}`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
} catch {
  console.error(`ChangeFlow does not answer at ${base}: start it first (npm start), or give --url`);
  process.exit(1);
}
const body = (await res.json()) as {
  files?: string[];
  unchanged?: boolean;
  summary?: Record<string, unknown>;
  message?: string;
  issues?: { path: string; message: string }[];
};
if (!res.ok) {
  console.error(`${res.status}: ${body.message ?? ''} ${(body.issues ?? []).map((i) => `${i.path} ${i.message}`).join('; ')}`);
  process.exit(1);
}
console.log(`${month}: ${body.unchanged ? 'unchanged since the last report' : 'written'} — ${JSON.stringify(body.summary)}`);
for (const f of body.files ?? []) console.log(`  ${base}${f}   ${resolve(dataDir, 'reports', month, f.split('/').at(-1)!)}`);
