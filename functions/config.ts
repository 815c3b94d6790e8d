/**
 * The one typed configuration object, parsed from the environment at start with defaults that run
 * locally. A bad setting stops the start with a message naming it.
 */
import { z } from 'zod';
import { DEFAULT_COMPONENTS } from './core/change-request.js';

const list = z
  .string()
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
  .pipe(z.array(z.string().min(1)).min(1, 'must list at least one entry'));

const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone such as America/New_York');

export const ConfigSchema = z.object({
  TABLE_NAME: z.string().min(3).default('changeflow'),
  /** The organisation's IANA time zone: change ids and every calendar rule use it. */
  ORG_TIMEZONE: timeZone.default('America/New_York'),
  /** Components a change may affect (comma-separated); the seed's six by default. */
  COMPONENTS: list.default([...DEFAULT_COMPONENTS]),
  /** The JWT claim that carries a person's roles. */
  ROLES_CLAIM: z.string().min(1).default('roles'),
  /** The JWT claim that carries a person's team. */
  TEAM_CLAIM: z.string().min(1).default('team'),
  POST_APPROVAL_HOURS: z.coerce.number().int().positive().default(24),
  /** Largest request body accepted, in bytes. */
  MAX_BODY_BYTES: z.coerce.number().int().positive().default(256 * 1024),
  /** DynamoDB endpoint override: set locally to DynamoDB Local; unset in AWS. */
  DYNAMODB_ENDPOINT: z.url().optional(),
});

export type Config = z.infer<typeof ConfigSchema> & {
  rules: { components: readonly string[]; postApprovalHours: number };
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const picked = Object.fromEntries(Object.keys(ConfigSchema.shape).map((k) => [k, env[k] === '' ? undefined : env[k]]));
  const parsed = ConfigSchema.safeParse(picked);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message} (got ${JSON.stringify(picked[String(i.path[0])])})`);
    throw new ConfigError(`bad configuration: ${lines.join('; ')}`);
  }
  const c = parsed.data;
  return { ...c, rules: { components: c.COMPONENTS, postApprovalHours: c.POST_APPROVAL_HOURS } };
}
