/**
 * A change: its state, risk and why, the window in two time zones, the template's sections, the
 * approvals and who decided, the checklist, deployments, the monitoring evidence with its decide
 * buttons, incidents, and the audit trail. Each button is an action the API lists in
 * `allowedActions` for this person, sent as the one API call with the version read (If-Match).
 */
import { useEffect, useState } from 'preact/hooks';
import { call, get, query } from '../api';
import type { PageProps } from '../main';
import { HoldsOnChange } from './freezes';
import { formatTime, Problem, RiskBadge, saveFile, Section, Spark, StateBadge, useLoad, usePageTitle, When, WindowTimes } from '../ui';
import { ROLLBACK_TRIGGERS, STAKEHOLDERS, TEST_CHECKS } from '../vocabulary';

interface RecordNote {
  kind: 'implementation' | 'issue' | 'lessons-learned';
  text: string;
  by: string;
  name: string;
  at: string;
}

/** The parts of the API's change view the page reads. */
export interface ChangeView {
  id: string;
  state: string;
  revision: number;
  version: number;
  riskLevel: string | null;
  riskBasis?: string | null;
  requestor: { id: string; name: string; team?: string };
  content: Record<string, unknown> & { title: string; category: string; plannedWindow?: { start: string; end: string } };
  requiredApprovals: { route: string; reasons: string[]; slots: { slot: string; minRole: string; filledBy?: string }[] };
  approvals: {
    slot: string;
    by: string;
    name?: string;
    role: string;
    revision: number;
    at: string;
    comment?: string;
    channel?: 'api' | 'email' | 'slack' | 'meeting';
    meeting?: string;
  }[];
  postApproval?: { dueAt: string; approvedBy?: string; approvedAt?: string; overdue?: boolean };
  checklist: { item: string; label: string; automated: boolean; required: boolean; ticked: boolean; by?: string; at?: string; note?: string }[];
  allowedActions: string[];
  allowedNotes?: ('implementation' | 'issue' | 'lessons-learned')[];
  record?: { notes: RecordNote[]; lessonsLearned?: RecordNote };
  communications?: {
    at: string;
    channel: string;
    recipients: string[];
    template: string;
    subject?: string;
    outcome: 'sent' | 'refused' | 'failed';
    detail?: string;
  }[];
  warnings: string[];
  calendar?: {
    warnings: string[];
    blackouts: { name: string; localStart: string; localEnd: string }[];
    conflicts: unknown[];
    suggestedSlot?: { start: string; end: string };
  };
  deployments?: { source: string; step: string; at: string; environment?: string; commit?: string; url?: string; authorized: boolean; reasons?: string[] }[];
  incidents?: { id: string; title: string; url?: string; relation: string; decidedBy?: string; reason?: string }[];
  monitoring?: { verdict: string; reasons: string[] };
  monitoringUntil?: string;
  emergency?: { declaredBy: string };
  mirror?: { tracker: 'jira' | 'linear'; key: string; url: string };
  holds?: { freezeId: string; title: string; owner: { name: string }; start: string; end: string; releasedAt?: string }[];
  audit?: {
    seq: number;
    at: string;
    actor: { id: string; name: string };
    action: string;
    from: string | null;
    to: string;
    revision: number;
    reason?: string;
    detail?: { via?: { source: string } };
  }[];
}

interface MonitoringView {
  monitoring?: null;
  message?: string;
  verdict?: string;
  reasons?: string[];
  until?: string;
  now?: { verdict: string; reasons: string[] };
  criteria?: {
    id: string;
    kind: string;
    label: string;
    threshold?: number;
    unit?: string;
    measurements: { index: number; outcome: string; value?: number; reason: string; to: string }[];
  }[];
}

/** What each action is called on its button, and what it asks for. */
/** The actions that close a change: they ask for the lessons learned. */
const CLOSING = new Set(['complete', 'rollback', 'fail']);

const ACTIONS: Record<string, { label: string; needs?: 'comment' | 'reason'; why?: boolean; danger?: boolean }> = {
  submit: { label: 'Submit for approval' },
  approve: { label: 'Approve', needs: 'comment' },
  // the API takes a rejection's why as its comment
  reject: { label: 'Reject', needs: 'comment', why: true, danger: true },
  schedule: { label: 'Schedule' },
  start: { label: 'Start the work' },
  deployed: { label: 'Report deployed' },
  complete: { label: 'Complete', needs: 'reason' },
  rollback: { label: 'Roll back', needs: 'reason', danger: true },
  fail: { label: 'Mark failed', needs: 'reason', danger: true },
  cancel: { label: 'Cancel the change', needs: 'reason', danger: true },
};
/** Actions with a section of their own on the page. */
const IN_SECTIONS = new Set(['checklist', 'verdict']);

export function ChangePage({ config, id, params, me }: PageProps & { id: string }) {
  usePageTitle(id);
  const change = useLoad(async () => {
    const r = await call<ChangeView>(`/changes/${encodeURIComponent(id)}`);
    return { ...r.data, etag: r.etag };
  }, id);
  return (
    <When loaded={change}>
      {(cr) => <ChangeBody cr={cr} etag={cr.etag} orgZone={config.timeZone} reload={change.reload} refused={params.get('refused')} me={me} />}
    </When>
  );
}

function ChangeBody({
  cr,
  etag,
  orgZone,
  reload,
  refused,
  me,
}: {
  cr: ChangeView;
  etag: string | undefined;
  orgZone: string;
  reload: () => void;
  refused: string | null;
  me: { id: string };
}) {
  const [error, setError] = useState<unknown>(null);
  const [note, setNote] = useState<string>('');
  const [lessons, setLessons] = useState<string>('');
  const [busy, setBusy] = useState(false);
  const [asking, setAsking] = useState<string | null>(refused);

  const act = async (action: string, body: Record<string, unknown> = {}) => {
    setBusy(true);
    setError(null);
    try {
      await call(`/changes/${cr.id}/${action}`, { method: 'POST', body, etag });
      setAsking(null);
      setNote('');
      reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const buttons = cr.allowedActions.filter((a) => !IN_SECTIONS.has(a) && ACTIONS[a]);
  const c = cr.content;
  return (
    <>
      <header class="change-head">
        <p class="muted">
          {cr.id} · {c.category} · revision {cr.revision} · filed by {cr.requestor.name}
          {cr.requestor.team ? ` (${cr.requestor.team})` : ''}
        </p>
        <h1>{c.title}</h1>
        <p>
          <StateBadge state={cr.state} /> <RiskBadge level={cr.riskLevel} />{' '}
          {cr.riskBasis === 'declared' ? <span class="muted">as ticked by the requestor</span> : null}
        </p>
        <p>
          Window: <WindowTimes window={c.plannedWindow} orgZone={orgZone} />
        </p>
        {cr.requiredApprovals.reasons.length ? (
          <ul class="reasons">
            {cr.requiredApprovals.reasons.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        ) : null}
        {cr.warnings.length ? (
          <ul class="warnings">
            {cr.warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        ) : null}
      </header>

      <section class="card" aria-labelledby="h-actions">
        <h2 id="h-actions">What you can do</h2>
        {buttons.length ? (
          <div class="actions">
            {buttons.map((a) => (
              <button
                type="button"
                key={a}
                class={ACTIONS[a]!.danger ? 'danger' : 'primary'}
                disabled={busy}
                aria-expanded={ACTIONS[a]!.needs ? asking === a : undefined}
                onClick={() => (ACTIONS[a]!.needs ? setAsking(a) : act(a))}
              >
                {ACTIONS[a]!.label}
              </button>
            ))}
          </div>
        ) : (
          <p class="muted">Nothing for you to do on this change in its state ({cr.state.replace(/_/g, ' ')}).</p>
        )}
        {asking && ACTIONS[asking]?.needs ? (
          <form
            class="ask"
            onSubmit={(e) => {
              e.preventDefault();
              const field = ACTIONS[asking]!.needs!;
              const body: Record<string, unknown> = note.trim() ? { [field]: note.trim() } : {};
              if (asking === 'approve' || asking === 'reject') body.revision = cr.revision;
              if (CLOSING.has(asking) && lessons.trim()) body.lessonsLearned = lessons.trim();
              void act(asking, body);
            }}
          >
            <label for="note">
              {ACTIONS[asking]!.needs === 'reason' || ACTIONS[asking]!.why ? `Why (${ACTIONS[asking]!.label.toLowerCase()})` : 'Comment (optional)'}
            </label>
            <textarea id="note" rows={3} value={note} onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)} />
            {CLOSING.has(asking) ? (
              <>
                <label for="lessons">Lessons learned (a sentence or more; you can add them later)</label>
                <textarea id="lessons" rows={3} value={lessons} onInput={(e) => setLessons((e.target as HTMLTextAreaElement).value)} />
              </>
            ) : null}
            <div class="actions">
              <button type="submit" class={ACTIONS[asking]!.danger ? 'danger' : 'primary'} disabled={busy}>
                {ACTIONS[asking]!.label} revision {cr.revision}
              </button>
              <button type="button" onClick={() => setAsking(null)}>
                Not now
              </button>
            </div>
          </form>
        ) : null}
        <Problem error={error} />
      </section>

      <div class="columns">
        <Approvals cr={cr} />
        <Checklist cr={cr} act={act} busy={busy} />
      </div>
      <HoldsOnChange cr={cr} me={me} reload={reload} />
      {cr.state === 'draft' || cr.state === 'submitted' || cr.state === 'approved' ? <Slots cr={cr} /> : null}
      {cr.monitoring || cr.deployments?.length ? <Monitoring cr={cr} act={act} busy={busy} /> : null}
      {cr.deployments?.length ? <Deployments cr={cr} /> : null}
      {cr.incidents?.length ? <Incidents cr={cr} reload={reload} /> : null}
      {cr.record?.notes.length || cr.allowedNotes?.length ? <RecordSection cr={cr} reload={reload} /> : null}
      {cr.communications?.length ? <Communications cr={cr} /> : null}
      <Sections cr={cr} />
      <Trail cr={cr} />
      <p>
        <a href={`/changes/${cr.id}.md`} onClick={(e) => downloadMarkdown(e, cr.id)}>
          Download as Markdown
        </a>
        {cr.mirror ? (
          <>
            {' · '}
            <a href={cr.mirror.url} rel="noopener noreferrer" target="_blank">
              {cr.mirror.tracker === 'jira' ? 'Jira' : 'Linear'} issue {cr.mirror.key}
            </a>{' '}
            <span class="muted">(mirrored; decided here)</span>
          </>
        ) : null}
      </p>
    </>
  );
}

async function downloadMarkdown(e: Event, id: string) {
  e.preventDefault();
  const { data } = await call<string>(`/changes/${id}.md`);
  saveFile(data, 'text/markdown', `${id}.md`);
}

function Approvals({ cr }: { cr: ChangeView }) {
  const channelOf = (a: ChangeView['approvals'][number]) => {
    if (a.channel === 'meeting') return `the meeting "${a.meeting}"`;
    if (a.channel === 'email') return 'an email link';
    if (a.channel === 'slack') return 'Slack';
    return 'the API or the console';
  };
  const r = cr.requiredApprovals;
  return (
    <Section title="Approvals">
      <p>
        Route: <strong>{r.route}</strong>
      </p>
      {r.slots.length ? (
        <table class="list">
          <thead>
            <tr>
              <th scope="col">Needed</th>
              <th scope="col">Decided by</th>
            </tr>
          </thead>
          <tbody>
            {r.slots.map((s) => {
              const a = cr.approvals.find((x) => x.slot === s.slot && x.revision === cr.revision) ?? cr.approvals.find((x) => x.slot === s.slot);
              return (
                <tr key={s.slot}>
                  <td>{s.minRole} or above</td>
                  <td>
                    {s.filledBy && a ? (
                      <>
                        {a.name ?? a.by} ({a.role}) on {formatTime(a.at)} through {channelOf(a)}
                        {a.comment ? <q> {a.comment}</q> : null}
                      </>
                    ) : (
                      <span class="muted">waiting</span>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : (
        <p class="muted">No approval needed.</p>
      )}
      {cr.postApproval ? (
        <p>
          Post-approval due {formatTime(cr.postApproval.dueAt)}:{' '}
          {cr.postApproval.approvedBy ? `given by ${cr.postApproval.approvedBy}` : cr.postApproval.overdue ? 'overdue' : 'waiting'}
        </p>
      ) : null}
    </Section>
  );
}

function Checklist({ cr, act, busy }: { cr: ChangeView; act: (a: string, b?: Record<string, unknown>) => Promise<void>; busy: boolean }) {
  const may = cr.allowedActions.includes('checklist');
  return (
    <Section title="Pre-deployment checklist">
      <ul class="checklist">
        {cr.checklist.map((l) => (
          <li key={l.item} class={l.ticked ? 'good' : l.required ? 'bad' : 'muted'}>
            <span aria-hidden="true">{l.ticked ? '✓' : '○'}</span> {l.label}
            {l.required ? '' : ' (optional)'}
            {l.ticked ? (
              <span class="muted">
                {' '}
                — {l.by} {formatTime(l.at)}
              </span>
            ) : null}
            {may && !l.automated ? (
              <button type="button" class="small" disabled={busy} onClick={() => act('checklist', l.ticked ? { untick: [l.item] } : { tick: [l.item] })}>
                {l.ticked ? 'Untick' : 'Tick'}
                <span class="sr-only"> {l.label}</span>
              </button>
            ) : null}
          </li>
        ))}
      </ul>
    </Section>
  );
}

function Slots({ cr }: { cr: ChangeView }) {
  const slots = useLoad(() => get<{ slots: { start: string; end: string }[] }>(`/changes/${cr.id}/slots${query({ count: 3 })}`), `${cr.id}@${cr.version}`);
  return (
    <Section title="Calendar">
      {cr.calendar?.warnings.length ? (
        <ul class="warnings">
          {cr.calendar.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      ) : null}
      <When loaded={slots}>
        {(s) =>
          s.slots?.length ? (
            <p>
              Next free slots for this change:{' '}
              {s.slots.map((x, i) => (
                <span key={x.start}>
                  {i ? '; ' : ''}
                  {formatTime(x.start)} – {formatTime(x.end)}
                </span>
              ))}
            </p>
          ) : (
            <p class="muted">No free slot found.</p>
          )
        }
      </When>
    </Section>
  );
}

function Monitoring({ cr, act, busy }: { cr: ChangeView; act: (a: string, b?: Record<string, unknown>) => Promise<void>; busy: boolean }) {
  const view = useLoad(() => get<MonitoringView>(`/changes/${cr.id}/monitoring`), `${cr.id}@${cr.version}`);
  const may = cr.allowedActions.includes('verdict');
  // while the period is being watched, its evidence and verdict are read again every 15 seconds
  const watching = view.data?.verdict === 'watching';
  const { reload } = view;
  useEffect(() => {
    if (!watching) return;
    const timer = setInterval(reload, 15_000);
    return () => clearInterval(timer);
  }, [watching, reload]);
  return (
    <Section title="Monitoring period">
      <When loaded={view}>
        {(m) =>
          m.monitoring === null ? (
            <p class="muted">{m.message}</p>
          ) : (
            <>
              <p>
                Verdict: <strong class={`verdict verdict-${m.verdict}`}>{m.verdict}</strong>
                {m.until ? ` · until ${formatTime(m.until)}` : ''}
              </p>
              <ul>
                {(m.now?.reasons ?? m.reasons ?? []).map((r) => (
                  <li key={r}>{r}</li>
                ))}
              </ul>
              <div class="table-wrap">
                <table class="list">
                  <thead>
                    <tr>
                      <th scope="col">Criterion</th>
                      <th scope="col">Trend</th>
                      <th scope="col">Last measurement</th>
                    </tr>
                  </thead>
                  <tbody>
                    {(m.criteria ?? []).map((c) => {
                      const last = c.measurements[c.measurements.length - 1];
                      return (
                        <tr key={c.id}>
                          <th scope="row">
                            {c.label} <span class="muted">({c.kind === 'rollback-trigger' ? 'rollback trigger' : 'success criterion'})</span>
                          </th>
                          <td>
                            <Spark
                              values={c.measurements.map((x) => x.value)}
                              threshold={c.threshold}
                              label={`${c.label}: ${c.measurements.length} measurements`}
                            />
                          </td>
                          <td>{last ? `${last.outcome}: ${last.reason}` : <span class="muted">none yet</span>}</td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
              {may ? <Decide act={act} busy={busy} /> : null}
            </>
          )
        }
      </When>
    </Section>
  );
}

/** A person's word on the period: pass, extend or fail, each with its reason for the trail. */
function Decide({ act, busy }: { act: (a: string, b?: Record<string, unknown>) => Promise<void>; busy: boolean }) {
  const [reason, setReason] = useState('');
  const send = (decision: string, extra: Record<string, unknown> = {}) =>
    act('verdict', { decision, ...(reason.trim() ? { reason: reason.trim() } : {}), ...extra });
  return (
    <div class="ask">
      <label for="verdict-reason">Why (for the trail)</label>
      <textarea id="verdict-reason" rows={2} value={reason} onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)} />
      <div class="actions">
        <button type="button" class="primary" disabled={busy} onClick={() => send('pass')}>
          Pass the period
        </button>
        <button type="button" disabled={busy} onClick={() => send('extend', { minutes: 30 })}>
          Extend by 30 minutes
        </button>
        <button type="button" class="danger" disabled={busy} onClick={() => send('fail')}>
          Fail the period
        </button>
      </div>
    </div>
  );
}

const NOTE_WORDS: Record<RecordNote['kind'], string> = {
  implementation: 'Implementation note',
  issue: 'Issue encountered',
  'lessons-learned': 'Lessons learned',
};

/** The implementation record (seed §6): notes, issues encountered, lessons learned; a note is POST /changes/{id}/notes. */
function RecordSection({ cr, reload }: { cr: ChangeView; reload: () => void }) {
  const kinds = cr.allowedNotes ?? [];
  const [kind, setKind] = useState<RecordNote['kind']>(
    kinds.includes('lessons-learned') && !cr.record?.lessonsLearned ? 'lessons-learned' : (kinds[0] ?? 'implementation'),
  );
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const add = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await call(`/changes/${cr.id}/notes`, { method: 'POST', body: { kind, text: text.trim() } });
      setText('');
      reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const notes = cr.record?.notes ?? [];
  return (
    <Section title="Implementation record">
      {notes.length ? (
        <ul class="notes">
          {notes.map((n) => (
            <li key={n.at + n.by + n.kind}>
              <strong>{NOTE_WORDS[n.kind]}</strong> by {n.name}, {formatTime(n.at)}: {n.text}
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">No notes yet.</p>
      )}
      {kinds.length ? (
        <form class="ask" onSubmit={add}>
          <label for="note-kind">Kind of note</label>
          <select id="note-kind" value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value as RecordNote['kind'])}>
            {kinds.map((k) => (
              <option key={k} value={k}>
                {NOTE_WORDS[k]}
              </option>
            ))}
          </select>
          <label for="note-text">Note</label>
          <textarea id="note-text" rows={3} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
          <div class="actions">
            <button type="submit" class="primary" disabled={busy}>
              Add the note
            </button>
          </div>
          <Problem error={error} />
        </form>
      ) : null}
    </Section>
  );
}

/** The communication log: every notice sent about the change, and what came of it. */
function Communications({ cr }: { cr: ChangeView }) {
  return (
    <Section title="Communication log">
      <table class="list">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Channel</th>
            <th scope="col">To</th>
            <th scope="col">Notice</th>
            <th scope="col">Outcome</th>
          </tr>
        </thead>
        <tbody>
          {cr.communications!.map((e, i) => (
            <tr key={`${e.at}-${i}`}>
              <td>{formatTime(e.at)}</td>
              <td>{e.channel}</td>
              <td>{e.recipients.join(', ')}</td>
              <td>{e.subject ?? e.template}</td>
              <td class={e.outcome === 'sent' ? 'good' : 'bad'}>
                {e.outcome}
                {e.detail ? ` (${e.detail})` : ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}

function Deployments({ cr }: { cr: ChangeView }) {
  return (
    <Section title="Deployments">
      <ul>
        {cr.deployments!.map((d) => (
          <li key={d.at + d.step}>
            {formatTime(d.at)}: {d.step} from {d.source}
            {d.environment ? ` to ${d.environment}` : ''}
            {d.commit ? ` (commit ${d.commit.slice(0, 12)})` : ''} {d.url ? <a href={d.url}>run</a> : null}
            {d.authorized ? null : <strong class="bad"> not authorized: {(d.reasons ?? []).join('; ')}</strong>}
          </li>
        ))}
      </ul>
    </Section>
  );
}

function Incidents({ cr, reload }: { cr: ChangeView; reload: () => void }) {
  const [error, setError] = useState<unknown>(null);
  const decide = async (incident: string, decision: 'confirm' | 'dismiss') => {
    const reason = prompt(decision === 'confirm' ? 'Why was this incident caused by the change?' : 'Why was it not caused by the change?');
    if (!reason) return;
    try {
      await call(`/changes/${cr.id}/incidents/${encodeURIComponent(incident)}`, { method: 'POST', body: { decision, reason } });
      reload();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <Section title="Incidents">
      <ul>
        {cr.incidents!.map((i) => (
          <li key={i.id}>
            {i.url ? <a href={i.url}>{i.id}</a> : i.id} {i.title} — {i.relation.replace(/-/g, ' ')}
            {i.relation === 'caused-by-candidate' ? (
              <>
                {' '}
                <button type="button" class="small" onClick={() => decide(i.id, 'confirm')}>
                  Confirm cause
                </button>{' '}
                <button type="button" class="small" onClick={() => decide(i.id, 'dismiss')}>
                  Dismiss
                </button>
              </>
            ) : null}
          </li>
        ))}
      </ul>
      <Problem error={error} />
    </Section>
  );
}

const LABELS: Record<string, Record<string, string>> = { checklist: TEST_CHECKS, triggers: ROLLBACK_TRIGGERS, stakeholders: STAKEHOLDERS };

function Sections({ cr }: { cr: ChangeView }) {
  const sections = Object.entries(cr.content).filter(([, v]) => v && typeof v === 'object' && !Array.isArray(v));
  return (
    <Section title="The change request">
      {sections.map(([name, value]) => (
        <div key={name} class="sub">
          <h3>{name.replace(/([A-Z])/g, ' $1').toLowerCase()}</h3>
          <dl>
            {Object.entries(value as Record<string, unknown>).map(([k, v]) => (
              <div key={k}>
                <dt>{k.replace(/([A-Z])/g, ' $1').toLowerCase()}</dt>
                <dd>{show(v, LABELS[k])}</dd>
              </div>
            ))}
          </dl>
        </div>
      ))}
    </Section>
  );
}

function show(v: unknown, labels?: Record<string, string>): string {
  if (Array.isArray(v)) return v.map((x) => labels?.[String(x)] ?? String(x)).join(', ');
  if (v && typeof v === 'object')
    return Object.entries(v)
      .map(([k, x]) => `${k}: ${show(x)}`)
      .join('; ');
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(v)) return formatTime(v);
  return String(v);
}

function Trail({ cr }: { cr: ChangeView }) {
  return (
    <Section title="Audit trail">
      <ol class="timeline">
        {(cr.audit ?? []).map((a) => (
          <li key={a.seq}>
            <time dateTime={a.at}>{formatTime(a.at)}</time> <strong>{a.actor.name}</strong> {a.action}
            {a.from !== a.to ? ` (${a.from ?? 'new'} → ${a.to})` : ''}
            {a.reason ? <div class="muted">{a.reason}</div> : null}
          </li>
        ))}
      </ol>
    </Section>
  );
}
