/** Reading requests at the edge: body size and type, JSON, headers. Every refusal names its field. */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { z } from 'zod';
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../core/errors.js';

export function header(event: APIGatewayProxyEventV2, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(event.headers ?? {})) if (k.toLowerCase() === lower) return v;
  return undefined;
}

export function mediaType(event: APIGatewayProxyEventV2): string | undefined {
  return header(event, 'content-type')?.split(';')[0]?.trim().toLowerCase();
}

/** The raw body as text, refusing what is too large. */
export function bodyText(event: APIGatewayProxyEventV2, maxBytes: number): string {
  if (event.body === undefined || event.body === null) return '';
  const buf = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
  if (buf.byteLength > maxBytes) throw new PayloadTooLargeError(`the request body is ${buf.byteLength} bytes; the limit is ${maxBytes}`);
  // a byte-order mark some editors put first is not part of the text
  return buf.toString('utf8').replace(/^\uFEFF/, '');
}

/** A JSON body, or none. `required` bodies must be present. */
export function jsonBody(event: APIGatewayProxyEventV2, maxBytes: number, required: boolean): unknown {
  const raw = bodyText(event, maxBytes);
  if (raw.trim() === '') {
    if (required) throw new ValidationError([{ path: 'body', message: 'is required' }]);
    return {};
  }
  const type = mediaType(event);
  if (type !== 'application/json') {
    throw new UnsupportedMediaTypeError(`send the body as application/json (got ${type ?? 'no content-type'})`);
  }
  try {
    return JSON.parse(raw);
  } catch (err) {
    throw new ValidationError([{ path: 'body', message: `is not valid JSON: ${(err as Error).message}` }]);
  }
}

/** Validates with a zod schema; issues are reported under `prefix`. */
export function parseWith<T extends z.ZodType>(schema: T, value: unknown, prefix = ''): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new ValidationError(
    parsed.error.issues.map((i) => ({ path: [prefix, ...i.path.map(String)].filter(Boolean).join('.') || prefix || 'body', message: i.message })),
  );
}

/** `If-Match: 3` or `If-Match: "3"` → 3: the version the client last read. */
export function expectedVersion(event: APIGatewayProxyEventV2): number | undefined {
  const raw = header(event, 'if-match');
  if (raw === undefined) return undefined;
  const m = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(raw);
  if (!m) throw new ValidationError([{ path: 'headers.If-Match', message: 'must be the version number of the change request, e.g. "3"' }]);
  return Number(m[1]);
}
