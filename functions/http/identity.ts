/**
 * Who is calling, from the JWT claims that API Gateway's JWT authorizer verified (in AWS) or the
 * local server verified (locally) — the same claims shape in both.
 *
 * The token says who someone is (`sub`); one setting (IDENTITY_SOURCE) says who says what they
 * may do. `directory` (the default): roles and team come from ChangeFlow's directory, looked up by
 * the subject, so a token cannot grant itself a role and a subject not in the directory may read
 * but not act. `token`: from the claims, matched exactly; a string claim is split only on
 * ROLES_CLAIM_SEPARATOR, and API Gateway's flattened array (`"[a b]"`) counts only when every word
 * in it is a ChangeFlow role (an IdP group named "billing admin" would otherwise grant admin).
 */
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { ROLES, type Person, type Role } from '../core/change-request.js';
import { ForbiddenError, UnauthorizedError } from '../core/errors.js';
import { normaliseId } from '../core/identity.js';
import type { Directory } from '../ports.js';

export interface IdentitySettings {
  IDENTITY_SOURCE: 'directory' | 'token';
  ROLES_CLAIM: string;
  TEAM_CLAIM: string;
  ROLES_CLAIM_SEPARATOR?: string | undefined;
}

type Claims = Record<string, string | number | boolean | string[] | undefined>;
type Event = Pick<APIGatewayProxyEventV2WithJWTAuthorizer, 'requestContext'>;

const str = (v: unknown) => (typeof v === 'string' && v.trim().length > 0 ? v.trim() : undefined);

function claimsOf(event: Event): Claims & { sub: string } {
  const claims = (event.requestContext as { authorizer?: { jwt?: { claims?: Claims } } }).authorizer?.jwt?.claims;
  const sub = str(claims?.sub);
  if (!claims || !sub) throw new UnauthorizedError('a bearer token with a subject (sub) is required');
  return { ...claims, sub };
}

/** The caller as their token describes them (roles only when IDENTITY_SOURCE=token). */
export function personFromClaims(event: Event, settings: IdentitySettings): Person {
  const claims = claimsOf(event);
  const roles = settings.IDENTITY_SOURCE === 'token' ? rolesFromClaim(claims[settings.ROLES_CLAIM], settings.ROLES_CLAIM_SEPARATOR) : [];
  return {
    id: normaliseId(claims.sub),
    name: str(claims.name) ?? claims.sub,
    email: str(claims.email) ?? '',
    team: settings.IDENTITY_SOURCE === 'token' ? str(claims[settings.TEAM_CLAIM]) : undefined,
    roles,
  };
}

/**
 * A reader: any signed-in subject may read. With the directory as the authority, a known person
 * comes back with their directory roles (to say what they may do next); a stranger with none.
 */
export async function reader(event: Event, settings: IdentitySettings, directory?: Directory): Promise<Person> {
  const person = personFromClaims(event, settings);
  if (settings.IDENTITY_SOURCE === 'token' || !directory) return person;
  return (await directory.get(person.id)) ?? person;
}

/** Someone who acts (files, edits, decides, declares): with the directory as the authority, they must be in it. */
export async function actor(event: Event, settings: IdentitySettings, directory: Directory): Promise<Person> {
  const person = personFromClaims(event, settings);
  if (settings.IDENTITY_SOURCE === 'token') return person;
  const known = await directory.get(person.id);
  if (!known) {
    throw new ForbiddenError(`${person.id} is not in ChangeFlow's directory, which says who holds which role; ask an admin to add you`);
  }
  return { ...known, id: normaliseId(known.id) };
}

/**
 * Roles from a claim: a real array matches element by element; a flattened array `"[a b]"` only
 * when each word is a role; any other string is split on `separator` only (none: one role).
 */
export function rolesFromClaim(value: unknown, separator?: string): Role[] {
  const isRole = (r: string): r is Role => (ROLES as readonly string[]).includes(r);
  if (Array.isArray(value)) return value.map(String).filter(isRole);
  if (typeof value !== 'string') return [];
  const flattened = /^\[(.*)\]$/.exec(value.trim());
  if (flattened) {
    const words = (flattened[1] ?? '').split(/\s+/).filter(Boolean);
    return words.every(isRole) ? words : [];
  }
  const parts = separator ? value.split(separator) : [value];
  return parts.map((p) => p.trim()).filter(isRole);
}
