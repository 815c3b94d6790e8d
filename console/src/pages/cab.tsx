/**
 * The change board's agenda (GET /cab/agenda): changes awaiting a decision and those at medium risk
 * or above due in the period, in window order, each with its risk and reasons, the calendar and the
 * rollback plan; decisions taken here are the same approve and reject calls, with the meeting named.
 */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { call, get, query } from '../api';
import type { PageProps } from '../main';
import { formatTime, Problem, RiskBadge, saveFile, StateBadge, useLoad, usePageTitle, When, WindowTimes } from '../ui';

interface Decision {
  decision: string;
  by: string;
  name: string;
  at: string;
  slot?: string;
  comment?: string;
  channel: string;
  meeting?: string;
}
interface AgendaItem {
  id: string;
  title: string;
  state: string;
  category: string;
  revision: number;
  why: string[];
  risk: { level: string | null; reasons: string[] };
  window: { start: string; end: string } | null;
  requestor: { id: string; name: string; team?: string };
  components: string[];
  awaiting: { slot: string; reason: string }[];
  decisions: Decision[];
  rollback: { procedure: string | null; duration: string | null; triggers: string[] };
  calendar: string[];
  actions: ('approve' | 'reject')[];
}
interface Agenda {
  from: string;
  to: string;
  timeZone: string;
  meeting: string | null;
  items: AgendaItem[];
}

const WHY: Record<string, string> = {
  'awaiting-approval': 'awaiting approval',
  'awaiting-post-approval': 'emergency, awaiting post-approval',
  due: 'approved, due in this period',
  'decided-in-meeting': 'decided in this meeting',
};
const DAY = 86_400_000;
const dateInput = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

export function CabPage({ config }: PageProps) {
  usePageTitle('Change board');
  const today = new Date();
  const [meeting, setMeeting] = useState(`CAB ${dateInput(today)}`);
  // the name as typed; the agenda follows it when the form is sent (not at every keystroke)
  const [typed, setTyped] = useState(meeting);
  const [fromDay, setFromDay] = useState(dateInput(today));
  const [days, setDays] = useState(7);
  // the period from the start of the chosen day (the viewer's), so a change due later today is on it
  const from = new Date(`${fromDay}T00:00:00`);
  const params = { from: from.toISOString(), to: new Date(from.getTime() + days * DAY).toISOString(), meeting: meeting.trim() || undefined };
  const agenda = useLoad(() => get<Agenda>(`/cab/agenda${query(params)}`), JSON.stringify(params));
  return (
    <>
      <h1>Change board</h1>
      <form
        class="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          setMeeting(typed);
        }}
      >
        <label>
          Meeting
          <input value={typed} onInput={(e) => setTyped((e.target as HTMLInputElement).value)} maxLength={200} />
        </label>
        <label>
          From
          <input type="date" value={fromDay} onChange={(e) => setFromDay((e.target as HTMLInputElement).value || dateInput(today))} />
        </label>
        <label>
          Days ahead
          <select value={days} onChange={(e) => setDays(Number((e.target as HTMLSelectElement).value))}>
            {[7, 14, 31].map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Show the agenda</button>
        <button type="button" onClick={() => downloadMinutes(params)}>
          Download the minutes (Markdown)
        </button>
      </form>
      <When loaded={agenda}>
        {(a) => (
          <>
            <p aria-live="polite">
              {a.items.length} {a.items.length === 1 ? 'change' : 'changes'} from {formatTime(a.from)} to {formatTime(a.to)}.
            </p>
            {a.items.length ? (
              <ol class="agenda">
                {a.items.map((item) => (
                  <li key={item.id}>
                    <Item item={item} orgZone={config.timeZone} meeting={params.meeting} onDecided={agenda.reload} />
                  </li>
                ))}
              </ol>
            ) : (
              <p class="muted">Nothing for the board in this period.</p>
            )}
          </>
        )}
      </When>
    </>
  );
}

function Item({ item, orgZone, meeting, onDecided }: { item: AgendaItem; orgZone: string; meeting: string | undefined; onDecided: () => void }) {
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const decide = async (action: 'approve' | 'reject') => {
    setBusy(true);
    setError(null);
    try {
      await call(`/changes/${item.id}/${action}`, {
        method: 'POST',
        body: { revision: item.revision, ...(comment.trim() ? { comment: comment.trim() } : {}), ...(meeting ? { meeting } : {}) },
      });
      setComment('');
      onDecided();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const field = `comment-${item.id}`;
  return (
    <article class="card" aria-labelledby={`h-${item.id}`}>
      <h2 id={`h-${item.id}`}>
        <a href={`#/changes/${item.id}`}>{item.id}</a>: {item.title}
      </h2>
      <p>
        <StateBadge state={item.state} /> <RiskBadge level={item.risk.level} /> <span class="muted">{item.why.map((w) => WHY[w] ?? w).join('; ')}</span>
      </p>
      <dl>
        <Fact label="Why this risk">{item.risk.reasons.join('; ') || 'not assessed'}</Fact>
        <Fact label="Window">
          <WindowTimes window={item.window} orgZone={orgZone} />
        </Fact>
        <Fact label="Requestor">
          {item.requestor.name}
          {item.requestor.team ? ` (${item.requestor.team})` : ''}
        </Fact>
        <Fact label="Components">{item.components.join(', ') || 'none named'}</Fact>
        {item.awaiting.length ? <Fact label="Awaiting">{item.awaiting.map((s) => s.reason).join('; ')}</Fact> : null}
        <Fact label="Calendar">{item.calendar.join('; ') || 'no conflict, no blackout'}</Fact>
        <Fact label="Rollback plan">
          {item.rollback.procedure ?? 'none given'}
          {item.rollback.duration ? ` (takes ${item.rollback.duration})` : ''}
          {item.rollback.triggers.length ? `; triggers: ${item.rollback.triggers.join(', ')}` : ''}
        </Fact>
        <Fact label="Decisions">
          {item.decisions.length
            ? item.decisions.map((d) => (
                <div key={d.at + d.by}>
                  {d.decision} by {d.name}
                  {d.slot ? ` (${d.slot})` : ''} on {formatTime(d.at)} through {d.channel === 'meeting' ? `the meeting "${d.meeting}"` : d.channel}
                  {d.comment ? <q> {d.comment}</q> : null}
                </div>
              ))
            : 'none yet'}
        </Fact>
      </dl>
      {item.actions.length ? (
        <div class="ask">
          <label for={field}>Comment{item.actions.includes('reject') ? ' (a rejection needs one)' : ''}</label>
          <textarea id={field} rows={2} value={comment} onInput={(e) => setComment((e.target as HTMLTextAreaElement).value)} />
          <div class="actions">
            {item.actions.includes('approve') ? (
              <button type="button" class="primary" disabled={busy} onClick={() => decide('approve')}>
                Approve {item.id}
              </button>
            ) : null}
            {item.actions.includes('reject') ? (
              <button type="button" class="danger" disabled={busy} onClick={() => decide('reject')}>
                Reject {item.id}
              </button>
            ) : null}
          </div>
          <Problem error={error} />
        </div>
      ) : null}
    </article>
  );
}

function Fact({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

async function downloadMinutes(params: Record<string, string | undefined>) {
  const { data } = await call<string>(`/cab/agenda.md${query(params)}`);
  saveFile(data, 'text/markdown', `${(params.meeting ?? 'cab-agenda').replace(/[^\w-]+/g, '-')}.md`);
}
