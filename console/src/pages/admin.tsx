/**
 * Admin: webhook deliveries (the last ones, their outcome), outbound subscriptions with their
 * deliveries and redeliver, the calendar's events (on the calendar page), the secrets' rotation.
 */
import { useState } from 'preact/hooks';
import { call, get, query } from '../api';
import type { PageProps } from '../main';
import { formatTime, Problem, Section, useLoad, usePageTitle, When } from '../ui';

interface Delivery {
  key?: string;
  id?: string;
  source?: string;
  event?: string;
  receivedAt?: string;
  status?: string;
  outcome?: string;
  [k: string]: unknown;
}
interface Subscription {
  id: string;
  url: string;
  events: string[];
  createdAt?: string;
}

export function AdminPage({ me }: PageProps) {
  usePageTitle('Admin');
  if (!me.roles.includes('admin'))
    return (
      <>
        <h1>Admin</h1>
        <p>Only an admin sees this page.</p>
      </>
    );
  return <AdminBody />;
}

function AdminBody() {
  const deliveries = useLoad(() => get<{ items: Delivery[] }>(`/webhooks/deliveries${query({ limit: 25 })}`), 'deliveries');
  const subs = useLoad(() => get<{ items: Subscription[] }>('/subscriptions'), 'subs');
  return (
    <>
      <h1>Admin</h1>
      <Section title="Webhook deliveries received" id="in">
        <When loaded={deliveries}>
          {(d) =>
            d.items.length ? (
              <div class="table-wrap">
                <table class="list">
                  <thead>
                    <tr>
                      <th scope="col">Received</th>
                      <th scope="col">Source</th>
                      <th scope="col">Delivery</th>
                      <th scope="col">Outcome</th>
                    </tr>
                  </thead>
                  <tbody>
                    {d.items.map((x, i) => (
                      <tr key={String(x.key ?? x.id ?? i)}>
                        <td>{formatTime(String(x.receivedAt ?? ''))}</td>
                        <td>{String(x.source ?? '')}</td>
                        <td>
                          <code>{String(x.key ?? x.id ?? '')}</code> {String(x.event ?? '')}
                        </td>
                        <td>{String(x.outcome ?? x.status ?? '')}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ) : (
              <p class="muted">No webhook delivery yet. Point a pipeline at /webhooks/github, /webhooks/gitlab, /webhooks/pagerduty or /webhooks/ci.</p>
            )
          }
        </When>
      </Section>
      <Section title="Outbound subscriptions" id="out">
        <When loaded={subs}>{(s) => <Subscriptions items={s.items} reload={subs.reload} />}</When>
      </Section>
      <Section title="Calendar events" id="events">
        <p>
          Blackouts, maintenance windows and high-traffic events are declared on the <a href="#/calendar">calendar</a>.
        </p>
      </Section>
      <Section title="Secrets" id="secrets">
        <p>
          The approval-link, list-cursor, calendar-feed and webhook secrets are kept in AWS Secrets Manager with rotation (docs/deploy.md); locally they are
          derived from the development key in the data folder. Rotating the webhook secrets keeps the previous one valid until the senders are updated.
        </p>
      </Section>
    </>
  );
}

function Subscriptions({ items, reload }: { items: Subscription[]; reload: () => void }) {
  const [open, setOpen] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  return (
    <>
      {items.length ? (
        <ul>
          {items.map((s) => (
            <li key={s.id}>
              <code>{s.id}</code> → {s.url} <span class="muted">({s.events.join(', ')})</span>{' '}
              <button type="button" class="small" aria-expanded={open === s.id} onClick={() => setOpen(open === s.id ? null : s.id)}>
                Deliveries<span class="sr-only"> of {s.id}</span>
              </button>{' '}
              <button
                type="button"
                class="small danger"
                onClick={async () => {
                  try {
                    await call(`/subscriptions/${s.id}`, { method: 'DELETE' });
                    reload();
                  } catch (e) {
                    setError(e);
                  }
                }}
              >
                Remove<span class="sr-only"> {s.id}</span>
              </button>
              {open === s.id ? <SubscriptionDeliveries id={s.id} /> : null}
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">No outbound subscription.</p>
      )}
      <Problem error={error} />
    </>
  );
}

function SubscriptionDeliveries({ id }: { id: string }) {
  const list = useLoad(() => get<{ items: Record<string, unknown>[] }>(`/subscriptions/${id}/deliveries`), id);
  const [error, setError] = useState<unknown>(null);
  return (
    <When loaded={list}>
      {(d) => (
        <>
          <ul>
            {d.items.map((x, i) => (
              <li key={String(x.id ?? i)}>
                {String(x.eventType ?? x.type ?? '')} {String(x.status ?? x.outcome ?? '')} {x.lastAttemptAt ? formatTime(String(x.lastAttemptAt)) : ''}{' '}
                <button
                  type="button"
                  class="small"
                  onClick={async () => {
                    try {
                      await call(`/subscriptions/${id}/redeliver`, { method: 'POST', body: { delivery: String(x.id) } });
                      list.reload();
                    } catch (e) {
                      setError(e);
                    }
                  }}
                >
                  Redeliver
                </button>
              </li>
            ))}
          </ul>
          <Problem error={error} />
        </>
      )}
    </When>
  );
}
