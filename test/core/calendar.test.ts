import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  blackoutsBetween,
  blackoutsTouching,
  calendarConfigProblems,
  calendarState,
  conflictsFor,
  nextFreeSlots,
  occurrencesBetween,
  parseRrule,
  preferredWindowWarnings,
  type Blackout,
  type CalendarConfig,
  type CalendarEvent,
} from '../../functions/core/calendar.js';
import type { Category, ChangeRequest, State } from '../../functions/core/change-request.js';

// Every expected instant below is worked out by hand from the tz rules:
// New York is EST (-05:00) until 2027-03-14 and from 2026-11-01, EDT (-04:00) in between;
// London is GMT (+00:00) until 2027-03-28, BST (+01:00) after; Kolkata is always +05:30.
const NEW_YORK: CalendarConfig = { timeZone: 'America/New_York', holidayCountry: 'US', fridayCutoff: '14:00' };
const LONDON: CalendarConfig = { timeZone: 'Europe/London', holidayCountry: 'GB', holidayRegion: 'ENG', fridayCutoff: '14:00' };
const KOLKATA: CalendarConfig = { timeZone: 'Asia/Kolkata', holidayCountry: 'IN', fridayCutoff: '14:00' };

const ofKind = (blackouts: Blackout[], kind: Blackout['kind']) => blackouts.filter((b) => b.kind === kind);
const summary = (blackouts: Blackout[]) => blackouts.map((b) => ({ kind: b.kind, name: b.name, start: b.start, end: b.end }));

describe('Rule: Friday from 14:00 local to midnight is a blackout, at 14:00 local whatever the UTC offset (DST)', () => {
  it.each([
    [
      '2027-03-12',
      'before the 2027-03-14 spring-forward (EST)',
      '2027-03-12T19:00:00.000Z',
      '2027-03-13T05:00:00.000Z',
      '2027-03-12T14:00:00-05:00',
      '2027-03-13T00:00:00-05:00',
    ],
    [
      '2027-03-19',
      'after the 2027-03-14 spring-forward (EDT)',
      '2027-03-19T18:00:00.000Z',
      '2027-03-20T04:00:00.000Z',
      '2027-03-19T14:00:00-04:00',
      '2027-03-20T00:00:00-04:00',
    ],
    [
      '2026-10-30',
      'before the 2026-11-01 fall-back (EDT)',
      '2026-10-30T18:00:00.000Z',
      '2026-10-31T04:00:00.000Z',
      '2026-10-30T14:00:00-04:00',
      '2026-10-31T00:00:00-04:00',
    ],
    [
      '2026-11-06',
      'after the 2026-11-01 fall-back (EST)',
      '2026-11-06T19:00:00.000Z',
      '2026-11-07T05:00:00.000Z',
      '2026-11-06T14:00:00-05:00',
      '2026-11-07T00:00:00-05:00',
    ],
  ])('New York, Friday %s %s', (day, _when, start, end, localStart, localEnd) => {
    // Prepare: the UTC span of that Friday's daytime
    const from = `${day}T12:00:00Z`;
    const to = `${day}T23:59:00Z`;
    // Act
    const fridays = ofKind(blackoutsBetween(from, to, [], NEW_YORK), 'friday-afternoon');
    // Assess
    expect(fridays).toEqual([{ kind: 'friday-afternoon', name: 'Friday afternoon (from 14:00)', start, end, localStart, localEnd }]);
  });

  it('the weekend over the spring-forward runs Saturday 00:00 EST to Monday 00:00 EDT (47 hours)', () => {
    // Act
    const weekends = ofKind(blackoutsBetween('2027-03-14T12:00:00Z', '2027-03-14T13:00:00Z', [], NEW_YORK), 'weekend');
    // Assess
    expect(weekends).toEqual([
      {
        kind: 'weekend',
        name: 'Weekend',
        start: '2027-03-13T05:00:00.000Z',
        end: '2027-03-15T04:00:00.000Z',
        localStart: '2027-03-13T00:00:00-05:00',
        localEnd: '2027-03-15T00:00:00-04:00',
      },
    ]);
  });

  it('follows a configured cutoff other than 14:00', () => {
    // Prepare
    const config = { ...NEW_YORK, fridayCutoff: '12:30' };
    // Act
    const fridays = ofKind(blackoutsBetween('2026-11-20T12:00:00Z', '2026-11-20T23:00:00Z', [], config), 'friday-afternoon');
    // Assess: 12:30 EST = 17:30Z
    expect(summary(fridays)).toEqual([
      { kind: 'friday-afternoon', name: 'Friday afternoon (from 12:30)', start: '2026-11-20T17:30:00.000Z', end: '2026-11-21T05:00:00.000Z' },
    ]);
  });
});

describe('Rule: windows are half-open — ending exactly when a blackout starts is allowed', () => {
  // 2026-11-20 is a Friday; New York is on EST (-05:00), so 14:00 local is 19:00Z.
  it('Friday 13:59:59 local is open, and the answer changes at 14:00 local', () => {
    // Act
    const state = calendarState('2026-11-20T18:59:59Z', [], NEW_YORK);
    // Assess
    expect(state).toEqual({ open: true, reasons: [], changesAt: '2026-11-20T19:00:00.000Z' });
  });

  it('Friday 14:00:00 local is closed by the Friday-afternoon blackout, until Monday 00:00 local', () => {
    // Act
    const state = calendarState('2026-11-20T19:00:00Z', [], NEW_YORK);
    // Assess: Friday afternoon runs into the weekend, so the calendar opens again on Monday
    expect(state.open).toBe(false);
    expect(summary(state.reasons)).toEqual([
      { kind: 'friday-afternoon', name: 'Friday afternoon (from 14:00)', start: '2026-11-20T19:00:00.000Z', end: '2026-11-21T05:00:00.000Z' },
    ]);
    expect(state.changesAt).toBe('2026-11-23T05:00:00.000Z');
  });

  it('a window ending exactly at Friday 14:00 local is clear', () => {
    // Act
    const touching = blackoutsTouching({ start: '2026-11-20T18:00:00Z', end: '2026-11-20T19:00:00Z' }, [], NEW_YORK);
    // Assess
    expect(touching).toEqual([]);
  });

  it('a window ending at Friday 14:00:01 local touches the Friday-afternoon blackout, named with local times', () => {
    // Act
    const touching = blackoutsTouching({ start: '2026-11-20T18:00:00Z', end: '2026-11-20T19:00:01Z' }, [], NEW_YORK);
    // Assess
    expect(touching).toEqual([
      {
        kind: 'friday-afternoon',
        name: 'Friday afternoon (from 14:00)',
        start: '2026-11-20T19:00:00.000Z',
        end: '2026-11-21T05:00:00.000Z',
        localStart: '2026-11-20T14:00:00-05:00',
        localEnd: '2026-11-21T00:00:00-05:00',
      },
    ]);
  });

  it('a window starting exactly when the weekend ends (Monday 00:00 local) is clear', () => {
    // Act
    const touching = blackoutsTouching({ start: '2026-11-23T05:00:00Z', end: '2026-11-23T06:00:00Z' }, [], NEW_YORK);
    // Assess
    expect(touching).toEqual([]);
  });
});

describe('Rule: public holidays of the configured country blacken the whole local day', () => {
  it('Thanksgiving 2026 (Thursday 26 November) is a holiday blackout named "Thanksgiving Day"', () => {
    // Act
    const blackouts = blackoutsBetween('2026-11-26T12:00:00Z', '2026-11-26T13:00:00Z', [], NEW_YORK);
    // Assess
    expect(blackouts).toEqual([
      {
        kind: 'holiday',
        name: 'Thanksgiving Day',
        start: '2026-11-26T05:00:00.000Z',
        end: '2026-11-27T05:00:00.000Z',
        localStart: '2026-11-26T00:00:00-05:00',
        localEnd: '2026-11-27T00:00:00-05:00',
      },
    ]);
  });

  it('the substitute day for Independence Day 2026 (Friday 3 July) is a holiday blackout', () => {
    // Act: Friday 10:00–11:00 EDT, before the Friday cutoff
    const touching = blackoutsTouching({ start: '2026-07-03T14:00:00Z', end: '2026-07-03T15:00:00Z' }, [], NEW_YORK);
    // Assess
    expect(summary(touching)).toEqual([
      { kind: 'holiday', name: 'Independence Day (substitute day)', start: '2026-07-03T04:00:00.000Z', end: '2026-07-04T04:00:00.000Z' },
    ]);
  });

  it('an observance that is not a public holiday (the day after Thanksgiving) is not a blackout', () => {
    // Act: Friday 2026-11-27 10:00–11:00 EST
    const touching = blackoutsTouching({ start: '2026-11-27T15:00:00Z', end: '2026-11-27T16:00:00Z' }, [], NEW_YORK);
    // Assess
    expect(touching).toEqual([]);
  });

  it('the holiday is the local day of the organisation zone, not of the holiday country', () => {
    // Prepare: an org in Kolkata that observes US holidays
    const config = { ...KOLKATA, holidayCountry: 'US' };
    // Act
    const holidays = ofKind(blackoutsBetween('2026-11-26T00:00:00Z', '2026-11-26T01:00:00Z', [], config), 'holiday');
    // Assess: 2026-11-26 00:00 IST = 2026-11-25 18:30Z
    expect(summary(holidays)).toEqual([{ kind: 'holiday', name: 'Thanksgiving Day', start: '2026-11-25T18:30:00.000Z', end: '2026-11-26T18:30:00.000Z' }]);
  });
});

describe('Rule: a window spanning several days names every blackout it touches', () => {
  it('Friday 10:00 → Monday 09:00 local touches the Friday afternoon and the weekend, listed separately', () => {
    // Act: 2026-11-20 10:00 EST → 2026-11-23 09:00 EST
    const touching = blackoutsTouching({ start: '2026-11-20T15:00:00Z', end: '2026-11-23T14:00:00Z' }, [], NEW_YORK);
    // Assess
    expect(summary(touching)).toEqual([
      { kind: 'friday-afternoon', name: 'Friday afternoon (from 14:00)', start: '2026-11-20T19:00:00.000Z', end: '2026-11-21T05:00:00.000Z' },
      { kind: 'weekend', name: 'Weekend', start: '2026-11-21T05:00:00.000Z', end: '2026-11-23T05:00:00.000Z' },
    ]);
  });
});

describe('Rule: blackouts follow the organisation zone, in zones other than New York', () => {
  it.each([
    ['2027-03-19', 'GMT', '2027-03-19T14:00:00.000Z', '2027-03-20T00:00:00.000Z', '2027-03-19T14:00:00+00:00'],
    ['2027-04-02', 'BST', '2027-04-02T13:00:00.000Z', '2027-04-02T23:00:00.000Z', '2027-04-02T14:00:00+01:00'],
  ])('Europe/London: Friday %s (%s) is blacked out from 14:00 local', (day, _offset, start, end, localStart) => {
    // Act
    const fridays = ofKind(blackoutsBetween(`${day}T10:00:00Z`, `${day}T20:00:00Z`, [], LONDON), 'friday-afternoon');
    // Assess
    expect(fridays.map((b) => [b.start, b.end, b.localStart])).toEqual([[start, end, localStart]]);
  });

  it('Europe/London: Good Friday 2027 (26 March) is a holiday for England and also a Friday afternoon', () => {
    // Act: 15:00 GMT
    const blackouts = blackoutsBetween('2027-03-26T15:00:00Z', '2027-03-26T15:01:00Z', [], LONDON);
    // Assess
    expect(summary(blackouts)).toEqual([
      { kind: 'holiday', name: 'Good Friday', start: '2027-03-26T00:00:00.000Z', end: '2027-03-27T00:00:00.000Z' },
      { kind: 'friday-afternoon', name: 'Friday afternoon (from 14:00)', start: '2027-03-26T14:00:00.000Z', end: '2027-03-27T00:00:00.000Z' },
    ]);
  });

  it('Asia/Kolkata (+05:30): Friday 14:00 IST is 08:30Z, and the weekend starts at Friday 18:30Z', () => {
    // Act
    const blackouts = blackoutsBetween('2027-03-19T08:00:00Z', '2027-03-19T20:00:00Z', [], KOLKATA);
    // Assess
    expect(blackouts).toEqual([
      {
        kind: 'friday-afternoon',
        name: 'Friday afternoon (from 14:00)',
        start: '2027-03-19T08:30:00.000Z',
        end: '2027-03-19T18:30:00.000Z',
        localStart: '2027-03-19T14:00:00+05:30',
        localEnd: '2027-03-20T00:00:00+05:30',
      },
      {
        kind: 'weekend',
        name: 'Weekend',
        start: '2027-03-19T18:30:00.000Z',
        end: '2027-03-21T18:30:00.000Z',
        localStart: '2027-03-20T00:00:00+05:30',
        localEnd: '2027-03-22T00:00:00+05:30',
      },
    ]);
  });

  it('Asia/Kolkata: 13:59:59 IST on Friday is open, 14:00 IST closed', () => {
    // Act
    const before = calendarState('2027-03-19T08:29:59Z', [], KOLKATA);
    const at = calendarState('2027-03-19T08:30:00Z', [], KOLKATA);
    // Assess
    expect(before).toEqual({ open: true, reasons: [], changesAt: '2027-03-19T08:30:00.000Z' });
    expect(at.open).toBe(false);
    expect(at.changesAt).toBe('2027-03-21T18:30:00.000Z');
  });
});

describe('Rule: declared high-traffic events and blackouts are blackouts, recurring ones at the same local time', () => {
  // Thursday 2027-03-04 18:00–22:00 EST, weekly, four times: the third and fourth fall after the
  // 2027-03-14 spring-forward and must still be 18:00–22:00 local (EDT), i.e. an hour earlier in UTC.
  const SALE: CalendarEvent = {
    id: 'ev-sale',
    kind: 'high-traffic',
    title: 'Thursday evening sale',
    start: '2027-03-04T23:00:00Z',
    end: '2027-03-05T03:00:00Z',
    rrule: 'FREQ=WEEKLY;COUNT=4',
  };

  it('a weekly high-traffic event stays at 18:00 local across the DST change', () => {
    // Act
    const sales = ofKind(blackoutsBetween('2027-03-01T00:00:00Z', '2027-04-10T00:00:00Z', [SALE], NEW_YORK), 'high-traffic');
    // Assess
    expect(sales.map((b) => [b.start, b.localStart, b.localEnd])).toEqual([
      ['2027-03-04T23:00:00.000Z', '2027-03-04T18:00:00-05:00', '2027-03-04T22:00:00-05:00'],
      ['2027-03-11T23:00:00.000Z', '2027-03-11T18:00:00-05:00', '2027-03-11T22:00:00-05:00'],
      ['2027-03-18T22:00:00.000Z', '2027-03-18T18:00:00-04:00', '2027-03-18T22:00:00-04:00'],
      ['2027-03-25T22:00:00.000Z', '2027-03-25T18:00:00-04:00', '2027-03-25T22:00:00-04:00'],
    ]);
    expect(sales.every((b) => b.name === 'Thursday evening sale' && b.eventId === 'ev-sale')).toBe(true);
  });

  it('a window ending as an occurrence starts is clear; one running into it names the event', () => {
    // Act
    const clear = blackoutsTouching({ start: '2027-03-18T21:00:00Z', end: '2027-03-18T22:00:00Z' }, [SALE], NEW_YORK);
    const hit = blackoutsTouching({ start: '2027-03-18T21:30:00Z', end: '2027-03-18T22:30:00Z' }, [SALE], NEW_YORK);
    // Assess
    expect(clear).toEqual([]);
    expect(summary(hit)).toEqual([{ kind: 'high-traffic', name: 'Thursday evening sale', start: '2027-03-18T22:00:00.000Z', end: '2027-03-19T02:00:00.000Z' }]);
  });

  it('UNTIL given in UTC bounds a BYDAY recurrence at 02:00 local', () => {
    // Prepare: Tuesdays 02:00–03:00 local from 2027-03-02, until 2027-03-30 00:00Z (Monday evening local)
    const freeze: CalendarEvent = {
      id: 'ev-freeze',
      kind: 'blackout',
      title: 'Nightly freeze',
      start: '2027-03-02T07:00:00Z',
      end: '2027-03-02T08:00:00Z',
      rrule: 'FREQ=WEEKLY;BYDAY=TU;UNTIL=20270330T000000Z',
    };
    // Act
    const declared = ofKind(blackoutsBetween('2027-03-01T00:00:00Z', '2027-04-30T00:00:00Z', [freeze], NEW_YORK), 'declared');
    // Assess: 02:00 EST = 07:00Z, 02:00 EDT = 06:00Z; Tuesday 2027-03-30 is past UNTIL
    expect(declared.map((b) => b.start)).toEqual([
      '2027-03-02T07:00:00.000Z',
      '2027-03-09T07:00:00.000Z',
      '2027-03-16T06:00:00.000Z',
      '2027-03-23T06:00:00.000Z',
    ]);
    expect(declared[0]).toMatchObject({ name: 'Nightly freeze', eventId: 'ev-freeze' });
  });

  it('a weekly maintenance window at 02:00 local stays 02:00 local across the 2026-11-01 fall-back', () => {
    // Prepare: Tuesdays 02:00–04:00 EDT from 2026-10-27
    const maintenance: CalendarEvent = {
      id: 'ev-mw',
      kind: 'maintenance-window',
      title: 'Night maintenance',
      start: '2026-10-27T06:00:00Z',
      end: '2026-10-27T08:00:00Z',
      rrule: 'FREQ=WEEKLY;BYDAY=TU',
    };
    // Act
    const found = occurrencesBetween(maintenance, '2026-10-26T00:00:00Z', '2026-11-11T00:00:00Z', 'America/New_York');
    // Assess: 02:00 EDT = 06:00Z, then 02:00 EST = 07:00Z
    expect(found).toEqual([
      { start: '2026-10-27T06:00:00.000Z', end: '2026-10-27T08:00:00.000Z' },
      { start: '2026-11-03T07:00:00.000Z', end: '2026-11-03T09:00:00.000Z' },
      { start: '2026-11-10T07:00:00.000Z', end: '2026-11-10T09:00:00.000Z' },
    ]);
  });

  it('a one-off declared blackout is a blackout; a maintenance window is not', () => {
    // Prepare: Tuesday 2026-11-24, 10:00–12:00 EST
    const events: CalendarEvent[] = [
      { id: 'ev-freeze', kind: 'blackout', title: 'Audit freeze', start: '2026-11-24T15:00:00Z', end: '2026-11-24T17:00:00Z' },
      { id: 'ev-mw', kind: 'maintenance-window', title: 'DB maintenance', start: '2026-11-24T15:00:00Z', end: '2026-11-24T17:00:00Z' },
    ];
    // Act
    const touching = blackoutsTouching({ start: '2026-11-24T16:00:00Z', end: '2026-11-24T16:30:00Z' }, events, NEW_YORK);
    // Assess
    expect(touching).toEqual([
      {
        kind: 'declared',
        name: 'Audit freeze',
        start: '2026-11-24T15:00:00.000Z',
        end: '2026-11-24T17:00:00.000Z',
        localStart: '2026-11-24T10:00:00-05:00',
        localEnd: '2026-11-24T12:00:00-05:00',
        eventId: 'ev-freeze',
      },
    ]);
  });
});

describe('Rule: an RRULE is checked at the edge, with a message naming what is wrong', () => {
  it.each([
    'FREQ=WEEKLY;BYDAY=TU;COUNT=10',
    'FREQ=DAILY',
    'FREQ=MONTHLY;BYDAY=-1FR',
    'RRULE:FREQ=WEEKLY;INTERVAL=2;UNTIL=20271231T000000Z',
    'freq=yearly;bymonth=12;bymonthday=24',
  ])('accepts %s', (rrule) => {
    expect(parseRrule(rrule)).toEqual({ ok: true });
  });

  it.each([
    ['', /non-empty/],
    ['BYDAY=TU', /must have FREQ/],
    ['FREQ=SOMETIMES', /FREQ must be one of/],
    ['FREQ=MINUTELY', /FREQ must be one of/],
    ['FREQ=WEEKLY;BYDAY=XX', /BYDAY/],
    ['FREQ=WEEKLY;COUNT=abc', /COUNT/],
    ['FREQ=WEEKLY;COUNT=3;UNTIL=20270101T000000Z', /COUNT or UNTIL/],
    ['FREQ=WEEKLY;FOO=1', /FOO is not supported/],
    ['FREQ=DAILY;BYHOUR=25', /BYHOUR/],
    ['DTSTART:20270101T000000Z\nRRULE:FREQ=DAILY', /single RRULE body/],
    ['FREQ=WEEKLY;FREQ=DAILY', /twice/],
  ])('refuses %j', (rrule, message) => {
    const result = parseRrule(rrule);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });
});

describe('Rule: preferred windows — normal Tue–Thu 10:00–16:00, major Tue–Wed in a maintenance window, standard and emergency any time', () => {
  // Tuesday 2026-11-24 22:00 EST → Wednesday 02:00 EST, weekly.
  const MAINTENANCE: CalendarEvent = {
    id: 'ev-mw',
    kind: 'maintenance-window',
    title: 'Weekly maintenance',
    start: '2026-11-25T03:00:00Z',
    end: '2026-11-25T07:00:00Z',
    rrule: 'FREQ=WEEKLY',
  };
  const warn = (category: Category, start: string, end: string, events: CalendarEvent[] = []) =>
    preferredWindowWarnings(category, { start, end }, events, NEW_YORK);

  it('normal on Tuesday 11:00–12:00 local: no warning', () => {
    expect(warn('normal', '2026-11-24T16:00:00Z', '2026-11-24T17:00:00Z')).toEqual([]);
  });

  it('normal filling Thursday 10:00–16:00 local exactly: no warning', () => {
    expect(warn('normal', '2026-12-03T15:00:00Z', '2026-12-03T21:00:00Z')).toEqual([]);
  });

  it('normal on Monday: a warning naming the rule and the local times', () => {
    // Act: Monday 2026-11-23 11:00–12:00 EST
    const warnings = warn('normal', '2026-11-23T16:00:00Z', '2026-11-23T17:00:00Z');
    // Assess
    expect(warnings).toEqual([
      'Outside the preferred window for normal changes (Tuesday to Thursday, 10:00–16:00 local time): planned Monday 2026-11-23 11:00–12:00 (America/New_York).',
    ]);
  });

  it('normal on Tuesday 15:30–16:30 local runs past 16:00: a warning', () => {
    expect(warn('normal', '2026-11-24T20:30:00Z', '2026-11-24T21:30:00Z')).toHaveLength(1);
  });

  it('normal in summer time is judged on local time too: Tuesday 10:00 EDT = 14:00Z is inside', () => {
    expect(warn('normal', '2026-07-07T14:00:00Z', '2026-07-07T15:00:00Z')).toEqual([]);
  });

  it('major on Tuesday inside a maintenance window (Tue 23:00 → Wed 01:00 local): no warning', () => {
    expect(warn('major', '2026-11-25T04:00:00Z', '2026-11-25T06:00:00Z', [MAINTENANCE])).toEqual([]);
  });

  it('major inside a later occurrence of the recurring maintenance window: no warning', () => {
    // Tuesday 2026-12-01 22:30 → 23:30 EST
    expect(warn('major', '2026-12-02T03:30:00Z', '2026-12-02T04:30:00Z', [MAINTENANCE])).toEqual([]);
  });

  it('major on Tuesday with no maintenance window: one warning about the maintenance window', () => {
    // Act: Tuesday 2026-11-24 11:00–12:00 EST
    const warnings = warn('major', '2026-11-24T16:00:00Z', '2026-11-24T17:00:00Z');
    // Assess
    expect(warnings).toEqual([
      'Not inside a declared maintenance window, where major changes belong: planned Tuesday 2026-11-24 11:00–12:00 (America/New_York).',
    ]);
  });

  it('major on Thursday inside a maintenance window: one warning about the days', () => {
    // Prepare: Thursday 2026-12-03 20:00–23:00 EST
    const thursdayWindow: CalendarEvent = {
      id: 'ev-thu',
      kind: 'maintenance-window',
      title: 'Thursday maintenance',
      start: '2026-12-04T01:00:00Z',
      end: '2026-12-04T04:00:00Z',
    };
    // Act
    const warnings = warn('major', '2026-12-04T01:00:00Z', '2026-12-04T02:00:00Z', [thursdayWindow]);
    // Assess
    expect(warnings).toEqual([
      'Outside the preferred days for major changes (Tuesday to Wednesday, local time): planned Thursday 2026-12-03 20:00–21:00 (America/New_York).',
    ]);
  });

  it.each(['standard', 'emergency'] as const)('%s on a Saturday night: no warning', (category) => {
    expect(warn(category, '2026-11-22T03:00:00Z', '2026-11-22T04:00:00Z')).toEqual([]);
  });
});

type Other = Pick<ChangeRequest, 'id' | 'content' | 'state'>;
function change(id: string, state: State, start: string, end: string, components: string[], otherComponents?: string[]): Other {
  return {
    id,
    state,
    content: { title: id, category: 'normal', description: { components, ...(otherComponents ? { otherComponents } : {}) }, plannedWindow: { start, end } },
  };
}

describe('Rule: committed changes overlapping in time on a shared component conflict', () => {
  // The change asked about: Tuesday 2026-11-24 15:00–17:00Z on the API Server and the Database.
  const MINE = change('CR-2026-11-20-001', 'approved', '2026-11-24T15:00:00Z', '2026-11-24T17:00:00Z', ['API Server', 'Database']);

  it('an overlapping approved change on a shared component: one conflict listing the component and the overlap', () => {
    // Prepare
    const other = change('CR-2026-11-20-002', 'approved', '2026-11-24T16:00:00Z', '2026-11-24T18:00:00Z', ['Database', 'Redis Cache']);
    // Act
    const conflicts = conflictsFor(MINE, [other]);
    // Assess
    expect(conflicts).toEqual([
      {
        changeId: 'CR-2026-11-20-001',
        otherId: 'CR-2026-11-20-002',
        components: ['Database'],
        overlap: { start: '2026-11-24T16:00:00.000Z', end: '2026-11-24T17:00:00.000Z' },
      },
    ]);
  });

  it('components compare case-insensitively, free-text ones included, and every shared one is listed', () => {
    // Prepare
    const other = change('CR-2026-11-20-002', 'scheduled', '2026-11-24T14:00:00Z', '2026-11-24T15:30:00Z', [], ['database', ' api server ']);
    // Act
    const conflicts = conflictsFor(MINE, [other]);
    // Assess
    expect(conflicts.map((c) => c.components)).toEqual([['API Server', 'Database']]);
  });

  it('overlapping but on disjoint components: no conflict', () => {
    const other = change('CR-2026-11-20-002', 'approved', '2026-11-24T16:00:00Z', '2026-11-24T18:00:00Z', ['Redis Cache']);
    expect(conflictsFor(MINE, [other])).toEqual([]);
  });

  it('one ending exactly when the other starts (half-open): no conflict', () => {
    const other = change('CR-2026-11-20-002', 'approved', '2026-11-24T17:00:00Z', '2026-11-24T18:00:00Z', ['Database']);
    expect(conflictsFor(MINE, [other])).toEqual([]);
  });

  it.each(['cancelled', 'draft', 'pending_approval', 'completed', 'rolled_back'] as const)('a %s change does not hold its window: no conflict', (state) => {
    const other = change('CR-2026-11-20-002', state, '2026-11-24T16:00:00Z', '2026-11-24T18:00:00Z', ['Database']);
    expect(conflictsFor(MINE, [other])).toEqual([]);
  });

  it('several conflicting changes are all listed, by overlap start; the change itself is not', () => {
    // Prepare
    const others = [
      change('CR-2026-11-20-004', 'monitoring', '2026-11-24T16:30:00Z', '2026-11-24T19:00:00Z', ['API Server']),
      change('CR-2026-11-20-003', 'in_progress', '2026-11-24T14:00:00Z', '2026-11-24T15:15:00Z', ['Database']),
      change('CR-2026-11-20-005', 'approved', '2026-11-24T15:00:00Z', '2026-11-24T17:00:00Z', ['S3 Storage']),
      MINE,
    ];
    // Act
    const conflicts = conflictsFor(MINE, others);
    // Assess
    expect(conflicts.map((c) => [c.otherId, c.components, c.overlap.start, c.overlap.end])).toEqual([
      ['CR-2026-11-20-003', ['Database'], '2026-11-24T15:00:00.000Z', '2026-11-24T15:15:00.000Z'],
      ['CR-2026-11-20-004', ['API Server'], '2026-11-24T16:30:00.000Z', '2026-11-24T17:00:00.000Z'],
    ]);
  });
});

describe('Rule: suggested slots lie inside the preferred windows, clear of blackouts and of busy shared components', () => {
  const base = { events: [] as CalendarEvent[], busy: [], components: ['Database'], config: NEW_YORK };

  it('normal, 60 minutes, asked on a Friday afternoon: Tuesday 10:00 local', () => {
    // Act: Friday 2026-11-20 15:00 EST
    const slots = nextFreeSlots({ ...base, category: 'normal', durationMinutes: 60, after: '2026-11-20T20:00:00Z', count: 1 });
    // Assess: Tuesday 2026-11-24 10:00 EST
    expect(slots).toEqual([{ start: '2026-11-24T15:00:00.000Z', end: '2026-11-24T16:00:00.000Z' }]);
  });

  it('normal, asked on the Wednesday before Thanksgiving at 15:30: skips the holiday, Friday and the weekend to Tuesday 10:00', () => {
    const slots = nextFreeSlots({ ...base, category: 'normal', durationMinutes: 60, after: '2026-11-25T20:30:00Z', count: 1 });
    expect(slots).toEqual([{ start: '2026-12-01T15:00:00.000Z', end: '2026-12-01T16:00:00.000Z' }]);
  });

  it('skips a busy interval on a shared component (case-insensitive), then gives back-to-back slots', () => {
    // Prepare: another change on "database" Tuesday 10:00–11:30 EST
    const busy = [{ start: '2026-11-24T15:00:00Z', end: '2026-11-24T16:30:00Z', components: ['database'] }];
    // Act
    const slots = nextFreeSlots({ ...base, busy, category: 'normal', durationMinutes: 60, after: '2026-11-20T20:00:00Z', count: 2 });
    // Assess: 11:30–12:30 and 12:30–13:30 EST
    expect(slots).toEqual([
      { start: '2026-11-24T16:30:00.000Z', end: '2026-11-24T17:30:00.000Z' },
      { start: '2026-11-24T17:30:00.000Z', end: '2026-11-24T18:30:00.000Z' },
    ]);
  });

  it('a busy interval on another component does not block', () => {
    const busy = [{ start: '2026-11-24T15:00:00Z', end: '2026-11-24T16:30:00Z', components: ['Redis Cache'] }];
    const slots = nextFreeSlots({ ...base, busy, category: 'normal', durationMinutes: 60, after: '2026-11-20T20:00:00Z', count: 1 });
    expect(slots).toEqual([{ start: '2026-11-24T15:00:00.000Z', end: '2026-11-24T16:00:00.000Z' }]);
  });

  it('never lands in a declared high-traffic event: Tuesday 09:00–13:00 local pushes the slot to 13:00', () => {
    // Prepare
    const events: CalendarEvent[] = [{ id: 'ev-launch', kind: 'high-traffic', title: 'Launch', start: '2026-11-24T14:00:00Z', end: '2026-11-24T18:00:00Z' }];
    // Act
    const slots = nextFreeSlots({ ...base, events, category: 'normal', durationMinutes: 60, after: '2026-11-20T20:00:00Z', count: 1 });
    // Assess
    expect(slots).toEqual([{ start: '2026-11-24T18:00:00.000Z', end: '2026-11-24T19:00:00.000Z' }]);
  });

  it('standard: any time outside blackouts — a slot may end exactly at Friday 14:00, the next starts Monday 00:00 local', () => {
    // Act: Friday 2026-11-20 12:40 EST; the grid is :00 and :30 local
    const slots = nextFreeSlots({ ...base, category: 'standard', durationMinutes: 60, after: '2026-11-20T17:40:00Z', count: 2 });
    // Assess
    expect(slots).toEqual([
      { start: '2026-11-20T18:00:00.000Z', end: '2026-11-20T19:00:00.000Z' },
      { start: '2026-11-23T05:00:00.000Z', end: '2026-11-23T06:00:00.000Z' },
    ]);
  });

  it('standard in Asia/Kolkata steps on the local half-hour grid: 09:40 IST → 10:00 IST', () => {
    const slots = nextFreeSlots({ ...base, config: KOLKATA, category: 'standard', durationMinutes: 30, after: '2027-03-16T04:10:00Z', count: 1 });
    expect(slots).toEqual([{ start: '2027-03-16T04:30:00.000Z', end: '2027-03-16T05:00:00.000Z' }]);
  });

  it('major: inside the Tuesday maintenance window only', () => {
    // Prepare: Tuesday 22:00 → Wednesday 02:00 EST, weekly from 2026-11-24
    const events: CalendarEvent[] = [
      {
        id: 'ev-mw',
        kind: 'maintenance-window',
        title: 'Weekly maintenance',
        start: '2026-11-25T03:00:00Z',
        end: '2026-11-25T07:00:00Z',
        rrule: 'FREQ=WEEKLY',
      },
    ];
    // Act
    const slots = nextFreeSlots({ ...base, events, category: 'major', durationMinutes: 60, after: '2026-11-20T20:00:00Z', count: 2 });
    // Assess: Tuesday 22:00 and 23:00 EST
    expect(slots).toEqual([
      { start: '2026-11-25T03:00:00.000Z', end: '2026-11-25T04:00:00.000Z' },
      { start: '2026-11-25T04:00:00.000Z', end: '2026-11-25T05:00:00.000Z' },
    ]);
  });

  it('major with no maintenance window declared: no slot', () => {
    expect(nextFreeSlots({ ...base, category: 'major', durationMinutes: 60, after: '2026-11-20T20:00:00Z', count: 1 })).toEqual([]);
  });

  it('property: every slot is clear of blackouts and busy components, draws no preferred-window warning, and slots increase without overlapping', () => {
    // Prepare: a weekly Tuesday-night maintenance window and a weekly Wednesday high-traffic event,
    // defined once, evaluated in each org zone.
    const events: CalendarEvent[] = [
      {
        id: 'ev-mw',
        kind: 'maintenance-window',
        title: 'Weekly maintenance',
        start: '2026-01-07T03:00:00Z',
        end: '2026-01-07T09:00:00Z',
        rrule: 'FREQ=WEEKLY',
      },
      { id: 'ev-peak', kind: 'high-traffic', title: 'Midweek peak', start: '2026-01-07T17:00:00Z', end: '2026-01-07T19:00:00Z', rrule: 'FREQ=WEEKLY' },
    ];
    const HOUR = 3_600_000;
    const arbitraryCase = fc.record({
      config: fc.constantFrom(NEW_YORK, LONDON, KOLKATA),
      category: fc.constantFrom<Category>('standard', 'normal', 'major', 'emergency'),
      after: fc.integer({ min: Date.parse('2026-01-10T00:00:00Z'), max: Date.parse('2028-12-31T00:00:00Z') }),
      durationMinutes: fc.integer({ min: 5, max: 360 }),
      count: fc.integer({ min: 1, max: 5 }),
      busyOffsetHours: fc.integer({ min: 0, max: 24 * 14 }),
      busyHours: fc.integer({ min: 1, max: 30 }),
    });

    fc.assert(
      fc.property(arbitraryCase, (c) => {
        // Prepare
        const after = new Date(c.after).toISOString();
        const busy = [
          {
            start: new Date(c.after + c.busyOffsetHours * HOUR).toISOString(),
            end: new Date(c.after + (c.busyOffsetHours + c.busyHours) * HOUR).toISOString(),
            components: ['DATABASE'],
          },
        ];
        // Act
        const slots = nextFreeSlots({
          category: c.category,
          durationMinutes: c.durationMinutes,
          after,
          count: c.count,
          events,
          busy,
          components: ['Database'],
          config: c.config,
        });
        // Assess
        expect(slots).toHaveLength(c.count);
        let previousEnd = c.after;
        for (const slot of slots) {
          const start = Date.parse(slot.start);
          const end = Date.parse(slot.end);
          expect(start).toBeGreaterThanOrEqual(previousEnd);
          expect(end - start).toBe(c.durationMinutes * 60_000);
          expect(blackoutsTouching(slot, events, c.config)).toEqual([]);
          expect(preferredWindowWarnings(c.category, slot, events, c.config)).toEqual([]);
          const busyStart = Date.parse(busy[0]!.start);
          const busyEnd = Date.parse(busy[0]!.end);
          expect(start >= busyEnd || end <= busyStart).toBe(true);
          previousEnd = end;
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('Rule: the calendar state says when the open/closed answer next changes', () => {
  it('Friday 10:00 local: open, changes at Friday 14:00 local', () => {
    expect(calendarState('2026-11-20T15:00:00Z', [], NEW_YORK)).toEqual({ open: true, reasons: [], changesAt: '2026-11-20T19:00:00.000Z' });
  });

  it('Saturday: closed by the weekend, changes at Monday 00:00 local', () => {
    // Act: Saturday 2026-11-21 12:00 EST
    const state = calendarState('2026-11-21T17:00:00Z', [], NEW_YORK);
    // Assess
    expect(state.open).toBe(false);
    expect(summary(state.reasons)).toEqual([{ kind: 'weekend', name: 'Weekend', start: '2026-11-21T05:00:00.000Z', end: '2026-11-23T05:00:00.000Z' }]);
    expect(state.changesAt).toBe('2026-11-23T05:00:00.000Z');
  });

  it('Saturday before Martin Luther King Jr. Day (Monday 2027-01-18): changes at Tuesday 00:00 local', () => {
    const state = calendarState('2027-01-16T17:00:00Z', [], NEW_YORK);
    expect(state.open).toBe(false);
    expect(state.changesAt).toBe('2027-01-19T05:00:00.000Z');
  });

  it('the Wednesday before Thanksgiving: open until Thanksgiving 00:00 local, which closes until Friday 00:00 local', () => {
    // Act
    const wednesday = calendarState('2026-11-25T20:00:00Z', [], NEW_YORK);
    const thanksgiving = calendarState('2026-11-26T17:00:00Z', [], NEW_YORK);
    // Assess
    expect(wednesday).toEqual({ open: true, reasons: [], changesAt: '2026-11-26T05:00:00.000Z' });
    expect(thanksgiving.open).toBe(false);
    expect(thanksgiving.reasons.map((b) => b.name)).toEqual(['Thanksgiving Day']);
    expect(thanksgiving.changesAt).toBe('2026-11-27T05:00:00.000Z');
  });

  it('a declared blackout lasting five weeks is looked through to its end', () => {
    // Prepare: 2026-12-01 00:00 EST → 2027-01-05 00:00 EST
    const events: CalendarEvent[] = [
      { id: 'ev-freeze', kind: 'blackout', title: 'Year-end freeze', start: '2026-12-01T05:00:00Z', end: '2027-01-05T05:00:00Z' },
    ];
    // Act
    const state = calendarState('2026-12-02T15:00:00Z', events, NEW_YORK);
    // Assess
    expect(state.open).toBe(false);
    expect(state.changesAt).toBe('2027-01-05T05:00:00.000Z');
  });
});

describe('Rule: bad configuration and bad instants are refused, naming the problem', () => {
  it('names every bad setting', () => {
    const problems = calendarConfigProblems({ timeZone: 'Mars/Olympus', holidayCountry: 'XX', fridayCutoff: '2pm' });
    expect(problems).toHaveLength(3);
    expect(problems.join(' ')).toMatch(/timeZone.*fridayCutoff.*holidayCountry/);
  });

  it('accepts the defaults and a known region', () => {
    expect(calendarConfigProblems(NEW_YORK)).toEqual([]);
    expect(calendarConfigProblems(LONDON)).toEqual([]);
  });

  it('refuses to compute with a bad config', () => {
    expect(() => calendarState('2026-11-20T15:00:00Z', [], { ...NEW_YORK, timeZone: 'Mars/Olympus' })).toThrow(/timeZone/);
  });

  it('refuses an instant without an offset (it would be read in the server zone)', () => {
    expect(() => calendarState('2026-11-20T15:00:00', [], NEW_YORK)).toThrow(/offset/);
  });

  it('refuses an empty or inverted window', () => {
    expect(() => blackoutsTouching({ start: '2026-11-20T15:00:00Z', end: '2026-11-20T15:00:00Z' }, [], NEW_YORK)).toThrow(/end must be after/);
  });
});
