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
  /**
   * Whether the function may also delete items (`dynamodb:DeleteItem`). Only a group whose routes
   * remove items needs it; every other function is refused deletes.
   *
   * @default false
   */
  tableDelete?: boolean;
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
      { method: 'GET', path: '/changes/{id}/slots' },
      { method: 'GET', path: '/changes/{id}/gate' },
    ],
  },
  {
    name: 'ApprovalLinks',
    entry: 'functions/handlers/approval-links.ts',
    tableAccess: 'read-write',
    routes: [
      // public at the gateway: the signed, expiring token in the link is the credential
      { method: 'GET', path: '/approvals/decide', public: true },
      { method: 'POST', path: '/approvals/decide', public: true },
    ],
  },
  {
    name: 'Calendar',
    entry: 'functions/handlers/calendar.ts',
    tableAccess: 'read-write',
    // DELETE /calendar/events/{id} removes the event's item
    tableDelete: true,
    routes: [
      { method: 'GET', path: '/calendar' },
      { method: 'GET', path: '/calendar/state' },
      // public at the gateway: calendar apps subscribe by URL; the handler checks the feed key
      { method: 'GET', path: '/calendar.ics', public: true },
      { method: 'POST', path: '/calendar/events' },
      { method: 'DELETE', path: '/calendar/events/{id}' },
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
