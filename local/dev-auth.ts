/**
 * Local identity: JWTs signed with a development key that is created on first use in the
 * git-ignored data folder. The local server verifies them and hands the handlers the claims in the
 * shape API Gateway's JWT authorizer does.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jwtVerify, SignJWT, type JWTPayload } from 'jose';
import type { Person } from '../functions/core/change-request.js';

export const LOCAL_ISSUER = 'changeflow-local';
export const LOCAL_AUDIENCE = 'changeflow';

export function devKey(dataDir: string): Uint8Array {
  const file = join(dataDir, 'dev-jwt.key');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
  }
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
}

export async function signToken(
  person: Person,
  key: Uint8Array,
  options: { rolesClaim?: string; teamClaim?: string; expiresIn?: string } = {},
): Promise<string> {
  return new SignJWT({
    name: person.name,
    email: person.email,
    [options.teamClaim ?? 'team']: person.team,
    [options.rolesClaim ?? 'roles']: person.roles,
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(person.id)
    .setIssuer(LOCAL_ISSUER)
    .setAudience(LOCAL_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '12h')
    .sign(key);
}

/**
 * Verifies a bearer token; returns the claims as API Gateway passes them to Lambda (arrays
 * flattened to `"[a b]"`, numbers as strings), or null when the token is missing or invalid.
 */
export async function verifyBearer(authorization: string | undefined, key: Uint8Array): Promise<Record<string, string> | null> {
  const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (!m) return null;
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(m[1]!, key, { issuer: LOCAL_ISSUER, audience: LOCAL_AUDIENCE, algorithms: ['HS256'] }));
  } catch {
    return null;
  }
  return Object.fromEntries(
    Object.entries(payload)
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => [k, Array.isArray(v) ? `[${v.join(' ')}]` : String(v)]),
  );
}
