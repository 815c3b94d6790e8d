/**
 * The console's one way to the API: same origin, a bearer token from the sign-in, errors as the
 * API words them (`message` and the `issues` that name each field). Every button is one of these
 * calls, which a pipeline or a script could make too.
 */

export interface Issue {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly issues: Issue[] = [],
  ) {
    super(message);
  }
}

const TOKEN = 'changeflow.token';
/** Fired when the API refuses the token: the console asks for a sign-in again. */
export const SIGNED_OUT = 'changeflow:signed-out';

export const tokens = {
  get: (): string | null => sessionStorage.getItem(TOKEN),
  set: (token: string) => sessionStorage.setItem(TOKEN, token),
  clear: () => sessionStorage.removeItem(TOKEN),
};

export interface Session {
  id: string;
  name: string;
  email: string;
  team: string | undefined;
  roles: string[];
  expiresAt: number;
}

/** Who the token says the caller is (the API checks the signature; this only shows it). */
export function session(): Session | null {
  const token = tokens.get();
  if (!token) return null;
  try {
    const part = token.split('.')[1] ?? '';
    const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(part.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0))));
    const roles = Array.isArray(claims.roles)
      ? claims.roles
      : String(claims.roles ?? claims['cognito:groups'] ?? '')
          .split(/[\s,]+/)
          .filter(Boolean);
    const expiresAt = Number(claims.exp ?? 0) * 1000;
    if (expiresAt && expiresAt < Date.now()) {
      tokens.clear();
      return null;
    }
    return {
      id: String(claims.sub),
      name: String(claims.name ?? claims.email ?? claims.sub),
      email: String(claims.email ?? ''),
      team: claims.team,
      roles,
      expiresAt,
    };
  } catch {
    tokens.clear();
    return null;
  }
}

export interface Reply<T> {
  data: T;
  etag: string | undefined;
  status: number;
}

export async function call<T = unknown>(
  path: string,
  init: { method?: string; body?: unknown; etag?: string | undefined; text?: string; contentType?: string } = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = tokens.get();
  if (token) headers.authorization = `Bearer ${token}`;
  if (init.etag) headers['if-match'] = init.etag;
  let body: string | undefined;
  if (init.text !== undefined) {
    body = init.text;
    headers['content-type'] = init.contentType ?? 'text/plain';
  } else if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(path, { method: init.method ?? 'GET', headers, body });
  const type = res.headers.get('content-type') ?? '';
  const payload = type.includes('json') ? await res.json().catch(() => null) : await res.text();
  if (!res.ok) {
    // the token expired or is not accepted: sign in again (main.tsx listens)
    if (res.status === 401 && token) {
      tokens.clear();
      dispatchEvent(new Event(SIGNED_OUT));
    }
    const p = (payload ?? {}) as { message?: string; issues?: Issue[] };
    throw new ApiError(res.status, p.message ?? (typeof payload === 'string' && payload ? payload : `${res.status} ${res.statusText}`), p.issues ?? []);
  }
  return { data: payload as T, etag: res.headers.get('etag') ?? undefined, status: res.status };
}

export const get = async <T>(path: string) => (await call<T>(path)).data;

/** A query string from the set values only. */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** What the server says about sign-in and the organisation (console-config.json beside the page). */
export interface ConsoleConfig {
  auth: 'local' | 'oidc';
  timeZone: string;
  oidc?: { issuer: string; clientId: string; scope?: string };
  /** The configured component list (COMPONENTS). */
  components?: string[];
}

let config: Promise<ConsoleConfig> | undefined;
export const consoleConfig = () => {
  config ??= fetch('/console-config.json').then((r) => {
    if (!r.ok) throw new Error(`console-config.json: ${r.status}`);
    return r.json() as Promise<ConsoleConfig>;
  });
  return config;
};
