/**
 * Freezes (GET /freezes, GET /freezes/{id}): the list, and one freeze with the changes it hits and
 * its exceptions. Admins declare, enforce, lift and reassign; the owner decides and reviews the
 * exceptions; a requestor asks for one from their change's page. Every button is one API call.
 */
import { useState } from 'preact/hooks';
import { call, get } from '../api';
import type { Freeze as CoreFreeze, FreezeException } from '../../../functions/core/freezes';
import type { PageProps } from '../main';
import { Badge, formatTime, Problem, RiskBadge, Section, StateBadge, useLoad, usePageTitle, When } from '../ui';

/** A freeze as the API shows it: the core's, with whether it is in force now and its warnings. */
type Freeze = CoreFreeze & { inForce: boolean; warnings: string[] };
interface Hit {
  id: string;
  title: string;
  state: string;
  risk?: string | null;
  requestor: string;
  window: { start: string; end: string };
  components: string[];
  held: boolean;
  exception?: string;
}
/** An exception as GET /freezes/{id} lists it: the core's, with its change and its review's due time. */
type ExceptionView = FreezeException & {
  change: string;
  title: string;
  changeState: string;
  covers?: boolean;
  reviewDueBy?: string;
  reviewOverdue?: boolean;
};
type FreezeDetail = Freeze & { hits: Hit[]; exceptions: ExceptionView[] };

const STATE_LABEL = { draft: 'draft', enforced: 'enforced', lifted: 'lifted' } as const;

export function FreezesPage({ me }: PageProps) {
  usePageTitle('Freezes');
  const list = useLoad(() => get<{ items: Freeze[] }>('/freezes'), 'freezes');
  return (
    <>
      <h1>Freezes</h1>
      <p class="muted">A freeze holds every planned or in-flight change on its components in its window; its owner alone lets one through.</p>
      <When loaded={list}>
        {(l) =>
          l.items.length ? (
            <ul class="cards">
              {l.items.map((f) => (
                <li key={f.id}>
                  <a href={`#/freezes/${f.id}`}>{f.title}</a> <FreezeBadge freeze={f} /> {formatTime(f.start)} – {formatTime(f.end)}, on {scope(f)}, owner{' '}
                  {f.owner.name}
                </li>
              ))}
            </ul>
          ) : (
            <p class="muted">No freeze declared.</p>
          )
        }
      </When>
      {me.roles.includes('admin') ? <DeclareFreeze onDeclared={(id) => (location.hash = `#/freezes/${id}`)} /> : null}
    </>
  );
}

const scope = (f: Pick<Freeze, 'components'>) => (f.components.includes('*') ? 'every component' : f.components.join(', '));

function FreezeBadge({ freeze }: { freeze: Pick<Freeze, 'state' | 'inForce'> }) {
  return <Badge kind={`freeze-${freeze.state}`}>{freeze.inForce ? 'in force' : STATE_LABEL[freeze.state]}</Badge>;
}

function DeclareFreeze({ onDeclared }: { onDeclared: (id: string) => void }) {
  const empty = { title: '', reason: '', owner: '', components: '', start: '', end: '' };
  const [form, setForm] = useState(empty);
  const [error, setError] = useState<unknown>(null);
  const set = (k: keyof typeof form) => (e: Event) => setForm({ ...form, [k]: (e.target as HTMLInputElement).value });
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      const created = await call<Freeze>('/freezes', {
        method: 'POST',
        body: {
          title: form.title,
          reason: form.reason,
          owner: form.owner.trim(),
          components: form.components
            .split(',')
            .map((c) => c.trim())
            .filter(Boolean),
          start: form.start ? new Date(form.start).toISOString() : '',
          end: form.end ? new Date(form.end).toISOString() : '',
        },
      });
      setForm(empty);
      onDeclared(created.data.id);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <Section title="Declare a freeze" id="declare">
      <form onSubmit={submit} class="filters">
        <label>
          Title
          <input value={form.title} onInput={set('title')} name="title" />
        </label>
        <label>
          Reason
          <input value={form.reason} onInput={set('reason')} name="reason" />
        </label>
        <label>
          Owner (person id)
          <input value={form.owner} onInput={set('owner')} name="owner" />
        </label>
        <label>
          Components (comma-separated, * for all)
          <input value={form.components} onInput={set('components')} name="components" />
        </label>
        <label>
          Starts
          <input type="datetime-local" value={form.start} onInput={set('start')} name="start" />
        </label>
        <label>
          Ends
          <input type="datetime-local" value={form.end} onInput={set('end')} name="end" />
        </label>
        <button type="submit">Declare as a draft</button>
      </form>
      <Problem error={error} />
    </Section>
  );
}

export function FreezePage({ me, id }: PageProps & { id: string }) {
  usePageTitle(id);
  const freeze = useLoad(() => get<FreezeDetail>(`/freezes/${encodeURIComponent(id)}`), id);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [comment, setComment] = useState('');
  const [owner, setOwner] = useState('');
  const post = async (path: string, body: unknown, method = 'POST') => {
    setBusy(true);
    setError(null);
    try {
      await call(path, { method, body });
      freeze.reload();
      return true;
    } catch (e) {
      setError(e);
      return false;
    } finally {
      setBusy(false);
    }
  };
  const admin = me.roles.includes('admin');
  return (
    <When loaded={freeze}>
      {(f) => (
        <>
          <h1>
            {f.title} <FreezeBadge freeze={f} />
          </h1>
          <dl>
            <dt>Window</dt>
            <dd>
              {formatTime(f.start)} – {formatTime(f.end)}
            </dd>
            <dt>Components</dt>
            <dd>{scope(f)}</dd>
            <dt>Owner</dt>
            <dd>{f.owner.name} (decides and reviews its exceptions)</dd>
            <dt>Why</dt>
            <dd>{f.reason}</dd>
            {f.liftComment ? (
              <>
                <dt>Lifted</dt>
                <dd>{f.liftComment}</dd>
              </>
            ) : null}
          </dl>
          {f.warnings.length ? (
            <ul class="warnings">
              {f.warnings.map((w) => (
                <li key={w}>{w}</li>
              ))}
            </ul>
          ) : null}
          {admin && f.state !== 'lifted' ? (
            <div class="ask">
              <label for="freeze-comment">Comment (optional)</label>
              <input id="freeze-comment" value={comment} onInput={(e) => setComment((e.target as HTMLInputElement).value)} />
              <div class="actions">
                {f.state === 'draft' ? (
                  <button type="button" class="primary" disabled={busy} onClick={() => post(`/freezes/${f.id}/enforce`, comment.trim() ? { comment } : {})}>
                    Enforce the freeze
                  </button>
                ) : null}
                <button type="button" class="danger" disabled={busy} onClick={() => post(`/freezes/${f.id}/lift`, comment.trim() ? { comment } : {})}>
                  {f.state === 'draft' ? 'Withdraw the draft' : 'Lift the freeze'}
                </button>
              </div>
              <label for="freeze-owner">New owner (person id)</label>
              <input id="freeze-owner" value={owner} onInput={(e) => setOwner((e.target as HTMLInputElement).value)} />
              <div class="actions">
                <button
                  type="button"
                  disabled={busy || !owner.trim()}
                  onClick={async () => {
                    if (await post(`/freezes/${f.id}`, { owner: owner.trim() }, 'PATCH')) setOwner('');
                  }}
                >
                  Name the new owner
                </button>
              </div>
            </div>
          ) : null}
          <Problem error={error} />
          <Section title={f.state === 'draft' ? 'Changes it would hold (preview)' : 'Changes it hits'}>
            {f.hits.length ? (
              <table>
                <thead>
                  <tr>
                    <th scope="col">Change</th>
                    <th scope="col">State</th>
                    <th scope="col">Risk</th>
                    <th scope="col">Window</th>
                    <th scope="col">Frozen components</th>
                    <th scope="col">Held</th>
                  </tr>
                </thead>
                <tbody>
                  {f.hits.map((h) => (
                    <tr key={h.id}>
                      <td>
                        <a href={`#/changes/${h.id}`}>{h.id}</a> {h.title} ({h.requestor})
                      </td>
                      <td>
                        <StateBadge state={h.state} />
                      </td>
                      <td>
                        <RiskBadge level={h.risk} />
                      </td>
                      <td>
                        {formatTime(h.window.start)} – {formatTime(h.window.end)}
                      </td>
                      <td>{h.components.join(', ')}</td>
                      <td>{h.exception === 'approved' ? 'let through (exception)' : h.held ? 'on hold' : 'no'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <p class="muted">No planned or in-flight change in its window and scope.</p>
            )}
          </Section>
          <Section title="Exceptions">
            {f.exceptions.length ? (
              <ol class="agenda">
                {f.exceptions.map((e) => (
                  <li key={e.change + e.askedAt}>
                    <ExceptionCard freeze={f} exception={e} mine={me.id === f.owner.id} busy={busy} post={post} />
                  </li>
                ))}
              </ol>
            ) : (
              <p class="muted">None asked for.</p>
            )}
          </Section>
        </>
      )}
    </When>
  );
}

function ExceptionCard({
  freeze,
  exception: e,
  mine,
  busy,
  post,
}: {
  freeze: FreezeDetail;
  exception: ExceptionView;
  mine: boolean;
  busy: boolean;
  post: (path: string, body: unknown) => Promise<boolean>;
}) {
  const [comment, setComment] = useState('');
  const base = `/freezes/${freeze.id}/exceptions/${e.change}`;
  const field = `exception-${e.change}`;
  const send = async (path: string, body: unknown) => {
    if (await post(path, body)) setComment('');
  };
  return (
    <article class="card" aria-labelledby={`h-${field}`}>
      <h2 id={`h-${field}`}>
        <a href={`#/changes/${e.change}`}>{e.change}</a>: {e.title}
      </h2>
      <p>
        <Badge kind={`exception-${e.state}`}>exception {e.state}</Badge> <span class="muted">the change is</span> <StateBadge state={e.changeState} />{' '}
        {e.covers === false ? <span class="muted">no longer covers the change as revised</span> : null}
      </p>
      <dl>
        <dt>Asked</dt>
        <dd>
          by {e.askedBy.name} on {formatTime(e.askedAt)}: <q>{e.reason}</q>
        </dd>
        <dt>Covers</dt>
        <dd>
          {formatTime(e.window.start)} – {formatTime(e.window.end)} on {e.components.join(', ')}
        </dd>
        {e.comment ? (
          <>
            <dt>Owner's comment</dt>
            <dd>{e.comment}</dd>
          </>
        ) : null}
        {e.review ? (
          <>
            <dt>Review</dt>
            <dd>
              by {e.review.name} on {formatTime(e.review.at)}: <q>{e.review.comment}</q>
            </dd>
          </>
        ) : e.reviewDueBy ? (
          <>
            <dt>Review due</dt>
            <dd>
              by {formatTime(e.reviewDueBy)}
              {e.reviewOverdue ? ' (overdue)' : ''}
            </dd>
          </>
        ) : null}
      </dl>
      {mine && (e.state === 'requested' || (e.state === 'approved' && !e.review)) ? (
        <div class="ask">
          <label for={field}>{e.state === 'requested' ? 'Comment (a rejection needs one)' : 'Review: how did the change go inside the freeze?'}</label>
          <textarea id={field} rows={2} value={comment} onInput={(ev) => setComment((ev.target as HTMLTextAreaElement).value)} />
          <div class="actions">
            {e.state === 'requested' ? (
              <>
                <button
                  type="button"
                  class="primary"
                  disabled={busy}
                  onClick={() => send(`${base}/decision`, { decision: 'approve', ...(comment.trim() ? { comment } : {}) })}
                >
                  Approve the exception for {e.change}
                </button>
                <button type="button" class="danger" disabled={busy} onClick={() => send(`${base}/decision`, { decision: 'reject', comment })}>
                  Reject the exception for {e.change}
                </button>
              </>
            ) : (
              <button type="button" class="primary" disabled={busy} onClick={() => send(`${base}/review`, { comment })}>
                Record the review of {e.change}
              </button>
            )}
          </div>
        </div>
      ) : null}
    </article>
  );
}

/** On a change's page: the freezes holding it, and for its requestor a form to ask each owner for an exception. */
export function HoldsOnChange({
  cr,
  me,
  reload,
}: {
  cr: {
    id: string;
    requestor: { id: string };
    holds?: { freezeId: string; title: string; owner: { name: string }; start: string; end: string; releasedAt?: string }[];
  };
  me: { id: string };
  reload: () => void;
}) {
  const active = (cr.holds ?? []).filter((h) => !h.releasedAt);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [sent, setSent] = useState<string | null>(null);
  if (!active.length) return null;
  const ask = async (freezeId: string) => {
    setError(null);
    try {
      await call(`/freezes/${freezeId}/exceptions`, { method: 'POST', body: { change: cr.id, reason } });
      setReason('');
      setSent(freezeId);
      reload();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <Section title="Freezes">
      {active.map((h) => (
        <div key={h.freezeId}>
          <p>
            On hold: <a href={`#/freezes/${h.freezeId}`}>{h.title}</a> ({formatTime(h.start)} – {formatTime(h.end)}), owner {h.owner.name}.
            {sent === h.freezeId ? ' Exception asked for.' : ''}
          </p>
          {me.id === cr.requestor.id ? (
            <div class="ask">
              <label for={`reason-${h.freezeId}`}>Why it cannot wait for the freeze to lift</label>
              <textarea id={`reason-${h.freezeId}`} rows={2} value={reason} onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)} />
              <div class="actions">
                <button type="button" onClick={() => ask(h.freezeId)}>
                  Ask {h.owner.name} for an exception
                </button>
              </div>
            </div>
          ) : null}
        </div>
      ))}
      <Problem error={error} />
    </Section>
  );
}
