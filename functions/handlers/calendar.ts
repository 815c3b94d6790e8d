/**
 * GET /calendar, GET /calendar/state, GET /calendar.ics, POST /calendar/events,
 * DELETE /calendar/events/{id}.
 */
import { timingSafeEqual } from 'node:crypto';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { NotFoundError, UnauthorizedError } from '../core/errors.js';
import { httpApi, type ApiEvent, type Route } from '../http/api.js';
import { icsFeed } from '../http/ics.js';
import { actor as actorOf, reader } from '../http/identity.js';
import { jsonBody, parseWith } from '../http/request.js';
import { json, text } from '../http/responses.js';
import { CalendarEventIdSchema, CalendarEventSchema, CalendarQuerySchema, StateQuerySchema } from '../http/schemas.js';
import { calendarBetween, calendarStateAt, declareEvent, removeEvent } from '../use-cases/calendar.js';
import { appDeps, calendarDeps, type AppDeps } from './deps.js';

const DAY = 86_400_000;

export function calendarRoutes(deps: AppDeps): Record<string, Route> {
  const cal = calendarDeps(deps);
  const range = (q: { from?: string | undefined; to?: string | undefined }) => {
    const from = q.from ?? cal.clock.now().toISOString();
    return { from, to: q.to ?? new Date(Date.parse(from) + 30 * DAY).toISOString() };
  };
  return {
    'GET /calendar': async (event: ApiEvent) => {
      await reader(event, deps.config);
      const q = range(parseWith(CalendarQuerySchema, event.queryStringParameters ?? {}, 'query'));
      return json(200, await calendarBetween(cal, q.from, q.to));
    },
    'GET /calendar/state': async (event: ApiEvent) => {
      await reader(event, deps.config);
      const q = parseWith(StateQuerySchema, event.queryStringParameters ?? {}, 'query');
      return json(200, await calendarStateAt(cal, q.at ?? cal.clock.now().toISOString()));
    },
    // Public at the gateway, because calendar apps subscribe by URL without a bearer token: the
    // feed key in the URL is the credential instead.
    'GET /calendar.ics': async (event: ApiEvent) => {
      const key = await feedKey(deps);
      if (!key) throw new NotFoundError('the calendar feed is off: set CALENDAR_FEED_KEY (or CALENDAR_FEED_SECRET_ID) to turn it on');
      const given = Buffer.from(event.queryStringParameters?.key ?? '');
      const expected = Buffer.from(key);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new UnauthorizedError('the feed key is missing or wrong');
      const now = cal.clock.now();
      const from = new Date(now.getTime() - 7 * DAY).toISOString();
      const to = new Date(now.getTime() + 180 * DAY).toISOString();
      const view = await calendarBetween(cal, from, to);
      const feed = icsFeed(
        'ChangeFlow change calendar',
        [
          ...view.blackouts.map((b) => ({
            uid: `blackout-${b.kind}-${b.start}@changeflow`,
            summary: `Blackout: ${b.name}`,
            start: b.start,
            end: b.end,
            description: `No changes except emergency (${b.localStart} – ${b.localEnd}, ${view.timeZone}).`,
            busy: true,
          })),
          ...view.maintenanceWindows.map((m) => ({
            uid: `maintenance-${m.eventId}-${m.start}@changeflow`,
            summary: `Maintenance window: ${m.title}`,
            start: m.start,
            end: m.end,
            busy: false,
          })),
          ...view.changes.map((c) => ({
            uid: `${c.id}@changeflow`,
            summary: `${c.id} ${c.title} (${c.category}, ${c.state})`,
            start: c.start,
            end: c.end,
            description: `Components: ${c.components.join(', ') || 'none named'}`,
            busy: true,
          })),
        ],
        now,
      );
      return text(200, feed, 'text/calendar; charset=utf-8', { 'cache-control': 'private, max-age=300' });
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

/** The feed key: from the environment locally, from Secrets Manager in AWS (cached by Powertools Parameters). */
async function feedKey(deps: AppDeps): Promise<string | undefined> {
  if (deps.config.CALENDAR_FEED_KEY) return deps.config.CALENDAR_FEED_KEY;
  if (!deps.config.CALENDAR_FEED_SECRET_ID) return undefined;
  const value = await getSecret(deps.config.CALENDAR_FEED_SECRET_ID, { maxAge: 300 });
  return typeof value === 'string' && value.length >= 16 ? value : undefined;
}

export const makeHandler = (deps: AppDeps) => httpApi(calendarRoutes(deps));
export const handler = makeHandler(appDeps());
