/** What the calendar's routes accept (functions/handlers/calendar.ts): a module of its own, so the Calendar function loads only these. */
import * as z from 'zod';
import { CALENDAR_EVENT_KINDS } from '../core/calendar/types.js';
import { oneLine } from '../core/text.js';

const instant = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time with an offset' }).transform((s) => new Date(s).toISOString());

const DAY = 86_400_000;

export const CalendarQuerySchema = z
  .object({ from: instant.optional(), to: instant.optional() })
  .strict()
  .refine((q) => !q.from || !q.to || q.from < q.to, { message: 'must be after from', path: ['to'] })
  .refine((q) => !q.from || !q.to || Date.parse(q.to) - Date.parse(q.from) <= 366 * DAY, { message: 'a range is at most 366 days', path: ['to'] });

/** GET /cab/agenda: the period whose due changes are on it (from now, seven days by default), and the meeting for its minutes. */
export const AgendaQuerySchema = z
  .object({ from: instant.optional(), to: instant.optional(), meeting: oneLine(200).optional() })
  .strict()
  .refine((q) => !q.from || !q.to || q.from < q.to, { message: 'must be after from', path: ['to'] })
  .refine((q) => !q.from || !q.to || Date.parse(q.to) - Date.parse(q.from) <= 31 * DAY, { message: 'an agenda covers at most 31 days', path: ['to'] });

export const StateQuerySchema = z.object({ at: instant.optional() }).strict();

/** The key is the credential: a missing one is a 401 (the use case says so), not a 400. */
export const FeedQuerySchema = z.object({ key: z.string().max(200).optional() }).strict();

export const CalendarEventSchema = z
  .object({
    kind: z.enum(CALENDAR_EVENT_KINDS),
    title: oneLine(200),
    start: instant,
    end: instant,
    rrule: z.string().trim().min(1).max(500).optional(),
  })
  .strict()
  .refine((e) => Date.parse(e.end) > Date.parse(e.start), { message: 'end must be after start', path: ['end'] })
  .refine((e) => Date.parse(e.end) - Date.parse(e.start) <= 31 * DAY, { message: 'one occurrence is at most 31 days long', path: ['end'] });

export const CalendarEventIdSchema = z.string().regex(/^EVT-[0-9a-f]{8}$/, 'must be a calendar event id like EVT-1a2b3c4d');
