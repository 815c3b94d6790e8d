/**
 * Named errors of the domain and the edge. One mapper (functions/http/errors.ts) turns them into
 * HTTP answers; the core never knows about status codes.
 */

export interface FieldIssue {
  /** Dotted path of the field, e.g. `content.rollback.procedure`. */
  path: string;
  message: string;
  /** Where the field is in the seed's template, e.g. `### Likelihood under ## Risk Assessment`. */
  heading?: string | undefined;
}

export abstract class ChangeFlowError extends Error {
  abstract readonly kind: string;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The request itself is malformed: wrong types, unknown fields, bad values (400). */
export class ValidationError extends ChangeFlowError {
  readonly kind = 'validation';
  constructor(
    readonly issues: FieldIssue[],
    message = `The request is invalid: ${describe(issues)}.`,
  ) {
    super(message);
  }
}

/** A change request is not complete enough for what was asked (422). */
export class IncompleteError extends ChangeFlowError {
  readonly kind = 'incomplete';
  constructor(
    readonly issues: FieldIssue[],
    message = `The change request is incomplete: ${describe(issues)}.`,
  ) {
    super(message);
  }
}

export class UnauthorizedError extends ChangeFlowError {
  readonly kind = 'unauthorized';
}

/** Why an action is forbidden: the person lacks the right, or separation of duties keeps them out. */
export type ForbiddenReason = 'not-permitted' | 'separation-of-duties';

/** The caller lacks the role, or separation of duties forbids the action (403). */
export class ForbiddenError extends ChangeFlowError {
  readonly kind = 'forbidden';
  constructor(
    message: string,
    readonly reason: ForbiddenReason = 'not-permitted',
  ) {
    super(message);
  }
}

export class NotFoundError extends ChangeFlowError {
  readonly kind = 'not-found';
}

/** The action is not allowed from the change request's current state (409). */
export class IllegalTransitionError extends ChangeFlowError {
  readonly kind = 'illegal-transition';
  constructor(
    message: string,
    readonly state: string,
  ) {
    super(message);
  }
}

/** Somebody else changed the change request first (409); the caller should re-read and retry. */
export class VersionConflictError extends ChangeFlowError {
  readonly kind = 'version-conflict';
  constructor(
    readonly currentVersion: number | undefined,
    message = 'The change request was changed by someone else; re-read it and try again.',
  ) {
    super(message);
  }
}

export class PayloadTooLargeError extends ChangeFlowError {
  readonly kind = 'payload-too-large';
}

export class UnsupportedMediaTypeError extends ChangeFlowError {
  readonly kind = 'unsupported-media-type';
}

function describe(issues: FieldIssue[]): string {
  return issues.map((i) => `${i.heading ? `${i.heading} (${i.path})` : i.path}: ${i.message}`).join('; ');
}
