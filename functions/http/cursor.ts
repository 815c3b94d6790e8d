/**
 * List cursors as the API hands them out: opaque and tamper-evident. A cursor is the store's
 * position (DynamoDB's LastEvaluatedKey) and the query it belongs to, sealed with an HMAC under a
 * key only the service holds. A cursor that was altered, forged, or replayed with other filters is
 * refused (400) before it reaches the database.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ValidationError } from '../core/errors.js';

export type Position = Record<string, string>;

const MAC_BYTES = 16;
const refuse = (why: string) => new ValidationError([{ path: 'query.cursor', message: why }]);

function mac(payload: string, key: Uint8Array): Buffer {
  return createHmac('sha256', key).update(payload).digest().subarray(0, MAC_BYTES);
}

/** The query a cursor belongs to: its filters, not its page size. */
export function bindingOf(query: Record<string, unknown>): string {
  const { limit: _limit, cursor: _cursor, ...filters } = query;
  return JSON.stringify(
    Object.keys(filters)
      .sort()
      .map((k) => [k, filters[k] ?? null]),
  );
}

export function sealCursor(position: Position, binding: string, key: Uint8Array): string {
  const payload = Buffer.from(JSON.stringify({ p: position, q: binding }), 'utf8').toString('base64url');
  return `${payload}.${mac(payload, key).toString('base64url')}`;
}

export function openCursor(cursor: string, binding: string, key: Uint8Array): Position {
  const [payload, signature, ...rest] = cursor.split('.');
  if (!payload || !signature || rest.length) throw refuse('is not a cursor this list gave out');
  const given = Buffer.from(signature, 'base64url');
  const expected = mac(payload, key);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw refuse('is not a cursor this list gave out (it was altered, or made elsewhere)');
  const { p, q } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { p: Position; q: string };
  if (q !== binding) throw refuse('belongs to a list with other filters: ask again without the cursor, then page with the one it gives');
  return p;
}
