/**
 * The local webhook secrets: what the environment does not set is generated on first start into
 * the git-ignored data folder (`webhook-secrets.json`, readable by its owner only) and read from
 * there on every later start, so a pipeline or a test sender configured once keeps working.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const WEBHOOK_SECRET_SETTINGS = ['GITHUB_WEBHOOK_SECRETS', 'GITLAB_WEBHOOK_TOKENS', 'PAGERDUTY_WEBHOOK_SECRETS', 'CI_WEBHOOK_SECRETS'] as const;
type Setting = (typeof WEBHOOK_SECRET_SETTINGS)[number];

const generate = (setting: Setting) => (setting === 'CI_WEBHOOK_SECRETS' ? `whsec_${randomBytes(24).toString('base64')}` : randomBytes(24).toString('hex'));

export function localWebhookSecrets(dataDir: string, env: Record<string, string | undefined>): { file: string; values: Record<Setting, string> } {
  const file = join(dataDir, 'webhook-secrets.json');
  let stored: Partial<Record<Setting, string>> = {};
  if (existsSync(file)) stored = JSON.parse(readFileSync(file, 'utf8')) as Partial<Record<Setting, string>>;
  const missing = WEBHOOK_SECRET_SETTINGS.filter((s) => !stored[s]);
  if (missing.length) {
    for (const s of missing) stored[s] = generate(s);
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
  }
  const values = Object.fromEntries(WEBHOOK_SECRET_SETTINGS.map((s) => [s, env[s] || stored[s]!])) as Record<Setting, string>;
  return { file, values };
}
