/**
 * Who is calling, from the JWT claims that API Gateway's JWT authorizer verified (in AWS) or the
 * local server verified (locally) — the same claims shape in both.
 */
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { ROLES, type Person, type Role } from '../core/change-request.js';
import { UnauthorizedError } from '../core/errors.js';

export interface ClaimNames {
  rolesClaim: string;
  teamClaim: string;
}

type Claims = Record<string, string | number | boolean | string[] | undefined>;

export function actorFromEvent(event: Pick<APIGatewayProxyEventV2WithJWTAuthorizer, 'requestContext'>, names: ClaimNames): Person {
  const claims = (event.requestContext as { authorizer?: { jwt?: { claims?: Claims } } }).authorizer?.jwt?.claims;
  const sub = claims?.sub;
  if (!claims || typeof sub !== 'string' || sub.length === 0) throw new UnauthorizedError('a bearer token is required');
  const roles = parseList(claims[names.rolesClaim]).filter((r): r is Role => (ROLES as readonly string[]).includes(r));
  const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);
  return {
    id: sub,
    name: str(claims.name) ?? sub,
    email: str(claims.email) ?? '',
    team: str(claims[names.teamClaim]),
    roles,
  };
}

/**
 * API Gateway hands array claims to Lambda flattened into one string, `"[tech-lead requester]"`;
 * identity providers also send space- or comma-separated strings. Accept all three and real arrays.
 */
export function parseList(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value !== 'string') return [];
  return value
    .replace(/^\[|\]$/g, '')
    .split(/[\s,]+/)
    .map((s) => s.replace(/^"|"$/g, ''))
    .filter(Boolean);
}
