/**
 * GET /calendar, GET /calendar/state, GET /calendar.ics, POST /calendar/events,
 * DELETE /calendar/events/{id}; the change board's agenda, GET /cab/agenda and GET /cab/agenda.md.
 */
import { agendaMarkdown } from '../core/cab-agenda.js';
import { httpApi, type ApiEvent, type Route } from '../http/api.js';
import { icsFeed } from '../http/ics.js';
import { actor as actorOf, reader } from '../http/identity.js';
import { jsonBody, parseWith } from '../http/request.js';
import { json, text } from '../http/responses.js';
import {
  AgendaQuerySchema,
  CalendarEventIdSchema,
  CalendarEventSchema,
  CalendarQuerySchema,
  FeedQuerySchema,
  StateQuerySchema,
} from '../http/calendar-schemas.js';
import { calendarBetween, calendarFeed, calendarStateAt, declareEvent, removeEvent } from '../use-cases/calendar.js';
import type { Config } from '../config.js';
import type { Directory } from '../ports.js';
import type { CalendarDeps } from '../use-cases/calendar.js';
import { cabAgenda } from '../use-cases/cab.js';

export interface CalendarHandlerDeps {
  config: Config;
  calendar: CalendarDeps;
  directory: Directory;
  /** The feed's key; absent, the feed is off. */
  feedKey?: (() => Promise<string>) | undefined;
}

const DAY = 86_400_000;

export function calendarRoutes(deps: CalendarHandlerDeps): Record<string, Route> {
  const cal = deps.calendar;
  const range = (q: { from?: string | undefined; to?: string | undefined }) => {
    const from = q.from ?? cal.clock.now().toISOString();
    return { from, to: q.to ?? new Date(Date.parse(from) + 30 * DAY).toISOString() };
  };
  return {
    'GET /calendar': async (event: ApiEvent) => {
      await reader(event, deps.config);
      const q = range(parseWith(CalendarQuerySchema, event.queryStringParameters ?? {}, 'query'));
      // a signed-in reader gets the feed's address to subscribe with (the key in it is the feed's credential)
      const [view, key] = await Promise.all([calendarBetween(cal, q.from, q.to), deps.feedKey?.().catch(() => '')]);
      return json(200, { ...view, feed: key ? `/calendar.ics?key=${encodeURIComponent(key)}` : null });
    },
    'GET /cab/agenda': async (event: ApiEvent) => {
      const viewer = await reader(event, deps.config, deps.directory);
      const q = parseWith(AgendaQuerySchema, event.queryStringParameters ?? {}, 'query');
      return json(200, await cabAgenda(cal, q, { actor: viewer, rules: deps.config.rules }));
    },
    // the same agenda as Markdown, for the meeting's minutes
    'GET /cab/agenda.md': async (event: ApiEvent) => {
      await reader(event, deps.config);
      const agenda = await cabAgenda(cal, parseWith(AgendaQuerySchema, event.queryStringParameters ?? {}, 'query'));
      return text(200, agendaMarkdown(agenda), 'text/markdown; charset=utf-8');
    },
    'GET /calendar/state': async (event: ApiEvent) => {
      await reader(event, deps.config);
      const q = parseWith(StateQuerySchema, event.queryStringParameters ?? {}, 'query');
      return json(200, await calendarStateAt(cal, q.at ?? cal.clock.now().toISOString()));
    },
    // Public at the gateway, because calendar apps subscribe by URL without a bearer token: the
    // feed key in the URL is the credential instead.
    'GET /calendar.ics': async (event: ApiEvent) => {
      const entries = await calendarFeed({ ...cal, feedKey: deps.feedKey }, parseWith(FeedQuerySchema, event.queryStringParameters ?? {}, 'query').key ?? '');
      return text(200, icsFeed('ChangeFlow change calendar', entries, cal.clock.now()), 'text/calendar; charset=utf-8', {
        'cache-control': 'private, max-age=300',
      });
    },
    'POST /calendar/events': async (event: ApiEvent) => {
      const actor = await actorOf(event, deps.config, deps.directory);
      const input = parseWith(CalendarEventSchema, jsonBody(event, deps.config.MAX_BODY_BYTES, true), 'body');
      const created = await declareEvent(cal, actor, input);
      return json(201, created, { location: `/calendar/events/${created.id}` });
    },
    'DELETE /calendar/events/{id}': async (event: ApiEvent) => {
      const actor = await actorOf(event, deps.config, deps.directory);
      const id = parseWith(CalendarEventIdSchema, event.pathParameters?.id, 'id');
      await removeEvent(cal, actor, id);
      return { statusCode: 204, headers: {}, body: '' };
    },
  };
}

export const makeHandler = (deps: CalendarHandlerDeps) => httpApi(calendarRoutes(deps));
