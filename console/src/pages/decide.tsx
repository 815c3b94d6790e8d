/**
 * Deciding from an email link, signed in: the link of a major change or of high or critical risk
 * sends its approver here (`#/decide?token=…`). The page shows the change, then sends the link's
 * decision to `POST /approvals/decide` with the sign-in's bearer token: the service checks that the
 * signed-in person is the one the link names, then applies the same rules as every other channel.
 */
import { useState } from 'preact/hooks';
import { call, tokens } from '../api';
import type { PageProps } from '../main';
import { Problem, RiskBadge, StateBadge, useLoad, usePageTitle, When, WindowTimes } from '../ui';
import type { ChangeView } from './change';

interface LinkClaims {
  approver: string;
  changeId: string;
  revision: number;
  slot: string;
  decision: 'approve' | 'reject';
  expiresAt: string;
}

interface LinkAnswer {
  outcome: string;
  title?: string;
  message?: string;
  changeId?: string | null;
}

/** The token's claims are readable (only its signature is secret): what the link is for. */
function claimsOf(token: string): LinkClaims | null {
  try {
    const part = token.split('.')[0] ?? '';
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(part.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0))));
  } catch {
    return null;
  }
}

async function link(token: string, method: 'GET' | 'POST', comment?: string): Promise<{ status: number; answer: LinkAnswer }> {
  const headers: Record<string, string> = { accept: 'application/json', authorization: `Bearer ${tokens.get() ?? ''}` };
  const init: RequestInit = { method, headers };
  if (method === 'POST') {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    init.body = new URLSearchParams({ token, ...(comment ? { comment } : {}) }).toString();
  }
  const res = await fetch(method === 'GET' ? `/approvals/decide?token=${encodeURIComponent(token)}` : '/approvals/decide', init);
  return { status: res.status, answer: (await res.json()) as LinkAnswer };
}

export function DecidePage({ me, config, params }: PageProps) {
  usePageTitle('Decide from a link');
  const token = params.get('token') ?? '';
  const claims = claimsOf(token);
  const state = useLoad(async () => {
    const checked = await link(token, 'GET');
    const cr = claims ? (await call<ChangeView>(`/changes/${encodeURIComponent(claims.changeId)}`)).data : undefined;
    return { checked, cr };
  }, token);
  const [comment, setComment] = useState('');
  const [done, setDone] = useState<{ status: number; answer: LinkAnswer } | null>(null);
  const [error, setError] = useState<unknown>(null);
  if (!claims) return <h1>This link is damaged: open it from the email exactly as sent</h1>;
  const verb = claims.decision === 'approve' ? 'Approve' : 'Reject';
  return (
    <>
      <h1>
        {verb} {claims.changeId}
      </h1>
      <When loaded={state}>
        {({ checked, cr }) => (
          <>
            {cr ? (
              <section class="card" aria-labelledby="h-what">
                <h2 id="h-what">{cr.content.title}</h2>
                <p>
                  <StateBadge state={cr.state} /> <RiskBadge level={cr.riskLevel} /> {cr.content.category} · revision {cr.revision} · filed by{' '}
                  {cr.requestor.name}
                </p>
                <p>
                  Window: <WindowTimes window={cr.content.plannedWindow} orgZone={config.timeZone} />
                </p>
                <p>
                  <a href={`#/changes/${cr.id}`}>The whole change</a>
                </p>
              </section>
            ) : null}
            {done ? (
              <div class={done.status < 300 ? 'card good' : 'problem'} role="status">
                <p>
                  <strong>{done.answer.title}</strong>
                </p>
                <p>{done.answer.message}</p>
              </div>
            ) : checked.status >= 300 ? (
              <div class="problem" role="alert">
                <p>{checked.answer.title}</p>
                <p>{checked.answer.message}</p>
              </div>
            ) : (
              <form
                class="card"
                onSubmit={async (e) => {
                  e.preventDefault();
                  setError(null);
                  try {
                    setDone(await link(token, 'POST', comment.trim() || undefined));
                  } catch (err) {
                    setError(err);
                  }
                }}
              >
                <p>
                  Signed in as <strong>{me.name}</strong>; the link is for <strong>{claims.approver}</strong> ({claims.slot} approval of revision{' '}
                  {claims.revision}).
                </p>
                <label for="comment">{claims.decision === 'reject' ? 'Why (the requestor reads it)' : 'Comment (optional)'}</label>
                <textarea id="comment" rows={3} value={comment} onInput={(e) => setComment((e.target as HTMLTextAreaElement).value)} />
                <div class="actions">
                  <button type="submit" class={claims.decision === 'approve' ? 'primary' : 'danger'}>
                    {verb} revision {claims.revision}
                  </button>
                </div>
                <Problem error={error} />
              </form>
            )}
          </>
        )}
      </When>
    </>
  );
}
