/**
 * The HTTP API, route by route, and which handler entry serves each. One table for both runtimes:
 * the CDK stack creates a route and a function per entry from it, and the local server dispatches
 * with it, so what runs locally is what deploys.
 */
export interface RouteGroup {
  /** Construct id of the function in the stack and key of the local dispatcher. */
  name: string;
  /** Handler entry, relative to the repository root; it exports `handler`. */
  entry: string;
  /** What the function may do with the table: least privilege per function. */
  tableAccess: 'none' | 'read' | 'read-write';
  routes: { method: 'GET' | 'POST' | 'PATCH' | 'DELETE'; path: string; public?: boolean }[];
}

export const ROUTE_GROUPS: RouteGroup[] = [
  {
    name: 'Meta',
    entry: 'functions/handlers/meta.ts',
    tableAccess: 'none',
    routes: [
      { method: 'GET', path: '/health', public: true },
      { method: 'GET', path: '/templates/change-request.md', public: true },
      { method: 'GET', path: '/openapi.json', public: true },
    ],
  },
  {
    name: 'ChangesRead',
    entry: 'functions/handlers/changes-read.ts',
    tableAccess: 'read',
    routes: [
      { method: 'GET', path: '/changes' },
      // `{id}` also matches `CR-….md`: the handler answers with Markdown then (HTTP API path
      // parameters must be whole segments, so `/changes/{id}.md` cannot be its own route).
      { method: 'GET', path: '/changes/{id}' },
    ],
  },
  {
    name: 'ChangesWrite',
    entry: 'functions/handlers/changes-write.ts',
    tableAccess: 'read-write',
    routes: [
      { method: 'POST', path: '/changes' },
      { method: 'PATCH', path: '/changes/{id}' },
    ],
  },
  {
    name: 'ChangesTransition',
    entry: 'functions/handlers/changes-transition.ts',
    tableAccess: 'read-write',
    routes: [{ method: 'POST', path: '/changes/{id}/{action}' }],
  },
];
