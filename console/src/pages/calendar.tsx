/**
 * The change calendar: month and week views of blackouts, maintenance windows, high-traffic events
 * and committed changes, conflicts marked, the subscribe link; admins declare events here.
 */
import { useState } from 'preact/hooks';
import { call, get, query } from '../api';
import type { PageProps } from '../main';
import { formatTime, Problem, Section, useLoad, usePageTitle, When } from '../ui';

interface Span {
  start: string;
  end: string;
}
interface CalendarView {
  timeZone: string;
  blackouts: (Span & { name: string; kind?: string })[];
  maintenanceWindows: (Span & { title: string })[];
  changes: (Span & { id: string; title: string; state: string; category: string; components: string[] })[];
  conflicts: { changeId: string; otherId: string; components: string[]; overlap: Span }[];
  events: { id: string; kind: string; title: string; start: string; end: string; rrule?: string }[];
  feed: string | null;
}

const DAY = 86_400_000;
const startOfDay = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate());
const touches = (s: Span, from: Date, to: Date) => Date.parse(s.start) < to.getTime() && Date.parse(s.end) > from.getTime();

export function CalendarPage({ me, params }: PageProps) {
  usePageTitle('Calendar');
  const [view, setView] = useState<'month' | 'week'>(params.get('view') === 'week' ? 'week' : 'month');
  const [anchor, setAnchor] = useState(() => startOfDay(new Date()));
  const { from, to, days } = range(view, anchor);
  const cal = useLoad(() => get<CalendarView>(`/calendar${query({ from: from.toISOString(), to: to.toISOString() })}`), `${from.toISOString()}-${view}`);
  const move = (n: number) => setAnchor(view === 'week' ? new Date(anchor.getTime() + n * 7 * DAY) : new Date(anchor.getFullYear(), anchor.getMonth() + n, 1));
  const title =
    view === 'month'
      ? anchor.toLocaleDateString('en-GB', { month: 'long', year: 'numeric' })
      : `Week of ${from.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric' })}`;
  return (
    <>
      <h1>Calendar</h1>
      <div class="toolbar">
        <button type="button" onClick={() => move(-1)}>
          Previous
        </button>
        <button type="button" onClick={() => setAnchor(startOfDay(new Date()))}>
          Today
        </button>
        <button type="button" onClick={() => move(1)}>
          Next
        </button>
        <fieldset class="tabs">
          <legend class="sr-only">View</legend>
          <button type="button" aria-pressed={view === 'month'} onClick={() => setView('month')}>
            Month
          </button>
          <button type="button" aria-pressed={view === 'week'} onClick={() => setView('week')}>
            Week
          </button>
        </fieldset>
        <h2 class="inline" aria-live="polite">
          {title}
        </h2>
      </div>
      <When loaded={cal}>
        {(c) => (
          <>
            <div class="legend">
              <span class="chip chip-blackout">blackout</span> <span class="chip chip-maintenance">maintenance window</span>{' '}
              <span class="chip chip-traffic">high traffic</span> <span class="chip chip-change">change</span> <span class="chip chip-conflict">conflict</span>
            </div>
            <table class={`grid grid-${view}`}>
              <caption class="sr-only">
                {title}, in your time zone (the organisation's is {c.timeZone})
              </caption>
              <thead>
                <tr>
                  {['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].map((d) => (
                    <th scope="col" key={d}>
                      {d}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {chunk(days, 7).map((week) => (
                  <tr key={week[0]!.toISOString()}>
                    {week.map((day) => (
                      <DayCell key={day.toISOString()} day={day} cal={c} dim={view === 'month' && day.getMonth() !== anchor.getMonth()} />
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
            <NextFree cal={c} from={from} to={to} />
            <p>
              {c.feed ? (
                <>
                  Subscribe in your calendar app: <a href={c.feed}>{`${location.origin}${c.feed.replace(/key=[^&]+/, 'key=…')}`}</a> (copy the link; the key in
                  it is the feed's password)
                </>
              ) : (
                <span class="muted">The iCalendar feed is off (no feed key configured).</span>
              )}
            </p>
            {me.roles.includes('admin') ? <DeclareEvent events={c.events} onChange={cal.reload} /> : null}
          </>
        )}
      </When>
    </>
  );
}

function range(view: 'month' | 'week', anchor: Date) {
  const monday = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate() - ((d.getDay() + 6) % 7));
  const from = view === 'week' ? monday(anchor) : monday(new Date(anchor.getFullYear(), anchor.getMonth(), 1));
  const last = view === 'week' ? new Date(from.getTime() + 6 * DAY) : new Date(anchor.getFullYear(), anchor.getMonth() + 1, 0);
  const end =
    view === 'week'
      ? new Date(from.getFullYear(), from.getMonth(), from.getDate() + 7)
      : new Date(monday(last).getFullYear(), monday(last).getMonth(), monday(last).getDate() + 7);
  const days: Date[] = [];
  for (let d = from; d < end; d = new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1)) days.push(d);
  return { from, to: end, days };
}

const chunk = <T,>(a: T[], n: number) => Array.from({ length: Math.ceil(a.length / n) }, (_, i) => a.slice(i * n, i * n + n));
const hm = (iso: string) => new Date(iso).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });

function DayCell({ day, cal, dim }: { day: Date; cal: CalendarView; dim: boolean }) {
  const next = new Date(day.getFullYear(), day.getMonth(), day.getDate() + 1);
  const conflicted = new Set(cal.conflicts.flatMap((x) => [x.changeId, x.otherId]));
  const traffic = cal.events.filter((e) => e.kind === 'high-traffic' && !e.rrule && touches(e, day, next));
  const isToday = startOfDay(new Date()).getTime() === day.getTime();
  return (
    <td class={`day${dim ? ' dim' : ''}${isToday ? ' today' : ''}`}>
      <span class="day-n">
        {day.getDate()}
        {isToday ? <span class="sr-only"> (today)</span> : null}
      </span>
      <ul>
        {cal.blackouts
          .filter((b) => touches(b, day, next))
          .map((b) => (
            <li key={b.name + b.start} class="chip chip-blackout" title={`${b.name}: ${formatTime(b.start)} – ${formatTime(b.end)}`}>
              {b.name}
            </li>
          ))}
        {cal.maintenanceWindows
          .filter((m) => touches(m, day, next))
          .map((m) => (
            <li key={m.title + m.start} class="chip chip-maintenance" title={`${m.title}: ${formatTime(m.start)} – ${formatTime(m.end)}`}>
              {hm(m.start)} {m.title}
            </li>
          ))}
        {traffic.map((e) => (
          <li key={e.id} class="chip chip-traffic" title={e.title}>
            {e.title}
          </li>
        ))}
        {cal.changes
          .filter((x) => touches(x, day, next))
          .map((x) => (
            <li key={x.id} class={`chip ${conflicted.has(x.id) ? 'chip-conflict' : 'chip-change'}`} title={`${x.id} ${x.title}`}>
              <a href={`#/changes/${x.id}`}>
                {hm(x.start)} {x.id}
              </a>
              {conflicted.has(x.id) ? <span> conflict</span> : null}
              <span class="sr-only"> {x.title}</span>
            </li>
          ))}
      </ul>
    </td>
  );
}

/** The first hour-long gap from now in the shown range with no blackout and no committed change. */
function NextFree({ cal, from, to }: { cal: CalendarView; from: Date; to: Date }) {
  const busy = [...cal.blackouts, ...cal.changes].map((s) => [Date.parse(s.start), Date.parse(s.end)] as const).sort((a, b) => a[0] - b[0]);
  let t = Math.max(from.getTime(), Math.ceil(Date.now() / 3_600_000) * 3_600_000);
  for (const [s, e] of busy) {
    if (s - t >= 3_600_000) break;
    if (e > t) t = Math.ceil(e / 900_000) * 900_000;
  }
  const free = t < to.getTime() ? new Date(t).toISOString() : null;
  return (
    <p>
      Next free hour in this view: {free ? <strong>{formatTime(free)}</strong> : <span class="muted">none</span>}{' '}
      <span class="muted">(a change's own page gives the free slots for its duration and components)</span>
    </p>
  );
}

function DeclareEvent({ events, onChange }: { events: CalendarView['events']; onChange: () => void }) {
  const [form, setForm] = useState({ kind: 'blackout', title: '', start: '', end: '', rrule: '' });
  const [error, setError] = useState<unknown>(null);
  const set = (k: keyof typeof form) => (e: Event) => setForm({ ...form, [k]: (e.target as HTMLInputElement).value });
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      await call('/calendar/events', {
        method: 'POST',
        body: {
          kind: form.kind,
          title: form.title,
          start: form.start ? new Date(form.start).toISOString() : '',
          end: form.end ? new Date(form.end).toISOString() : '',
          ...(form.rrule.trim() ? { rrule: form.rrule.trim() } : {}),
        },
      });
      setForm({ kind: 'blackout', title: '', start: '', end: '', rrule: '' });
      onChange();
    } catch (err) {
      setError(err);
    }
  };
  const remove = async (id: string) => {
    try {
      await call(`/calendar/events/${id}`, { method: 'DELETE' });
      onChange();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <Section title="Declared events" id="declare">
      <ul>
        {events.map((e) => (
          <li key={e.id}>
            {e.kind}: {e.title} {formatTime(e.start)} – {formatTime(e.end)} {e.rrule ? <code>{e.rrule}</code> : null}{' '}
            <button type="button" class="small" onClick={() => remove(e.id)}>
              Remove<span class="sr-only"> {e.title}</span>
            </button>
          </li>
        ))}
      </ul>
      <form onSubmit={submit} class="filters">
        <label>
          Kind
          <select value={form.kind} onChange={set('kind')} name="kind">
            <option value="blackout">blackout</option>
            <option value="maintenance-window">maintenance window</option>
            <option value="high-traffic">high-traffic event</option>
          </select>
        </label>
        <label>
          Title
          <input value={form.title} onInput={set('title')} name="title" />
        </label>
        <label>
          Starts
          <input type="datetime-local" value={form.start} onInput={set('start')} name="start" />
        </label>
        <label>
          Ends
          <input type="datetime-local" value={form.end} onInput={set('end')} name="end" />
        </label>
        <label>
          Repeats (RRULE, optional)
          <input value={form.rrule} onInput={set('rrule')} name="rrule" placeholder="FREQ=WEEKLY;BYDAY=SA" />
        </label>
        <div class="actions">
          <button type="submit" class="primary">
            Declare
          </button>
        </div>
      </form>
      <Problem error={error} />
    </Section>
  );
}
