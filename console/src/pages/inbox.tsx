/**
 * Inbox: what awaits my decision (risk and its reasons, window, calendar warnings), my changes, the
 * changes in their monitoring period now with their live verdict, today's windows, active blackouts.
 */
import { get, query } from '../api';
import type { PageProps } from '../main';
import { formatTime, RiskBadge, Section, StateBadge, useLoad, usePageTitle, When, WindowTimes } from '../ui';
import type { ChangeView } from './change';
import { ChangeTable, type ListPage } from './changes';

/** Changes a decision may be waiting on: pending approval, and emergencies waiting for their post-approval. */
async function awaitingMe(): Promise<ChangeView[]> {
  const [pending, emergencies] = await Promise.all([
    get<ListPage>(`/changes${query({ state: 'pending_approval', limit: 50 })}`),
    get<ListPage>(`/changes${query({ category: 'emergency', limit: 20 })}`),
  ]);
  const ids = [
    ...new Set([...pending.items, ...emergencies.items.filter((e) => ['in_progress', 'monitoring', 'completed'].includes(e.state))].map((s) => s.id)),
  ].slice(0, 30);
  const views = await Promise.all(ids.map((id) => get<ChangeView>(`/changes/${id}`)));
  return views.filter((v) => v.allowedActions.includes('approve'));
}

interface MonitoringNow {
  changeId: string;
  verdict?: string;
  until?: string;
  now?: { verdict: string; reasons: string[] };
}

async function watching(): Promise<{ id: string; title: string; m: MonitoringNow }[]> {
  const page = await get<ListPage>(`/changes${query({ state: 'monitoring', limit: 20 })}`);
  return Promise.all(page.items.map(async (s) => ({ id: s.id, title: s.title, m: await get<MonitoringNow>(`/changes/${s.id}/monitoring`) })));
}

interface Today {
  blackouts: { name: string; start: string; end: string }[];
  maintenanceWindows: { title: string; start: string; end: string }[];
  changes: { id: string; title: string; state: string; start: string; end: string }[];
}

export function InboxPage({ me, config }: PageProps) {
  usePageTitle('Inbox');
  const decide = useLoad(awaitingMe, 'awaiting');
  const mine = useLoad(() => get<ListPage>(`/changes${query({ requestor: me.id, limit: 10 })}`), `mine-${me.id}`);
  const live = useLoad(watching, 'watching');
  const today = useLoad(() => {
    const start = new Date();
    start.setHours(0, 0, 0, 0);
    const end = new Date(start.getTime() + 86_400_000);
    return get<Today>(`/calendar${query({ from: start.toISOString(), to: end.toISOString() })}`);
  }, 'today');
  return (
    <>
      <h1>Inbox</h1>
      <Section title="Waiting for your decision" id="decide">
        <When loaded={decide}>
          {(list) =>
            list.length ? (
              <ul class="decisions">
                {list.map((cr) => (
                  <li key={cr.id} class="decision">
                    <a href={`#/changes/${cr.id}`}>
                      <strong>{cr.id}</strong> {cr.content.title}
                    </a>
                    <div>
                      <StateBadge state={cr.state} /> <RiskBadge level={cr.riskLevel} /> {cr.content.category}
                    </div>
                    <div>
                      <WindowTimes window={cr.content.plannedWindow} orgZone={config.timeZone} />
                    </div>
                    <ul class="reasons">
                      {[...cr.requiredApprovals.reasons, ...(cr.calendar?.warnings ?? [])].map((r) => (
                        <li key={r}>{r}</li>
                      ))}
                    </ul>
                  </li>
                ))}
              </ul>
            ) : (
              <p class="muted">Nothing is waiting for you.</p>
            )
          }
        </When>
      </Section>
      <Section title="In their monitoring period now" id="watching">
        <When loaded={live}>
          {(list) =>
            list.length ? (
              <ul>
                {list.map((w) => (
                  <li key={w.id}>
                    <a href={`#/changes/${w.id}`}>{w.id}</a> {w.title}:{' '}
                    <strong class={`verdict verdict-${w.m.now?.verdict ?? w.m.verdict}`}>{w.m.now?.verdict ?? w.m.verdict}</strong>
                    {w.m.until ? <span class="muted"> until {formatTime(w.m.until)}</span> : null}
                    {w.m.now?.reasons.length ? <div class="muted">{w.m.now.reasons[0]}</div> : null}
                  </li>
                ))}
              </ul>
            ) : (
              <p class="muted">No change is being watched right now.</p>
            )
          }
        </When>
      </Section>
      <Section title="Today" id="today">
        <When loaded={today}>
          {(t) => (
            <ul>
              {t.blackouts.map((b) => (
                <li key={b.name + b.start} class="bad">
                  Blackout {b.name}: {formatTime(b.start)} – {formatTime(b.end)}
                </li>
              ))}
              {t.maintenanceWindows.map((m) => (
                <li key={m.title + m.start}>
                  Maintenance window {m.title}: {formatTime(m.start)} – {formatTime(m.end)}
                </li>
              ))}
              {t.changes.map((c) => (
                <li key={c.id}>
                  <a href={`#/changes/${c.id}`}>{c.id}</a> {c.title} ({c.state.replace(/_/g, ' ')}): {formatTime(c.start)} – {formatTime(c.end)}
                </li>
              ))}
              {t.blackouts.length + t.maintenanceWindows.length + t.changes.length === 0 ? <li class="muted">Nothing on the calendar today.</li> : null}
            </ul>
          )}
        </When>
      </Section>
      <Section title="Your changes" id="mine">
        <When loaded={mine}>
          {(page) =>
            page.items.length ? (
              <ChangeTable rows={page.items} orgZone={config.timeZone} caption="Your latest changes" />
            ) : (
              <p>
                You have filed no change yet. <a href="#/new">File one</a>.
              </p>
            )
          }
        </When>
      </Section>
    </>
  );
}
