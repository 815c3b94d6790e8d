/** The approval ladder `tech-lead < eng-manager < cto` (docs/process.md "Who approves"). */
import { type Actor, APPROVER_ROLES, type ApproverRole, type Role } from './change-request.js';
import { ForbiddenError } from './errors.js';

export function rank(role: ApproverRole): number {
  return APPROVER_ROLES.indexOf(role) + 1;
}

/** The highest rung a person stands on, or 0 when they hold no approver role. */
export function highestRank(roles: readonly Role[]): number {
  return Math.max(0, ...roles.filter(isApproverRole).map(rank));
}

export function isApproverRole(role: string): role is ApproverRole {
  return (APPROVER_ROLES as readonly string[]).includes(role);
}

/** "X or above". */
export function satisfies(roles: readonly Role[], minRole: ApproverRole): boolean {
  return highestRank(roles) >= rank(minRole);
}

/** The role a person approves in: the highest approver role they hold. */
export function approvingRole(roles: readonly Role[]): ApproverRole | undefined {
  const r = highestRank(roles);
  return r === 0 ? undefined : APPROVER_ROLES[r - 1];
}

export function stricter(a: ApproverRole, b: ApproverRole): ApproverRole {
  return rank(a) >= rank(b) ? a : b;
}

/** What only an admin may do (declare calendar events and freezes, manage subscriptions, make a report now), refused in words for anyone else. */
export function mustBeAdmin(actor: Pick<Actor, 'roles'>, doing: string): void {
  if (!(actor.roles as readonly Role[]).includes('admin')) throw new ForbiddenError(`only an admin may ${doing}`);
}
