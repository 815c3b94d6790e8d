/**
 * Reports: the process figures (GET /metrics) and DORA's five per service (GET /metrics/dora), each
 * with its n and drillable to the changes behind it (?ids=true), and the monthly reports to open.
 */
import { useState } from 'preact/hooks';
import { call, get, query } from '../api';
import type { PageProps } from '../main';
import { Bars, Section, useLoad, usePageTitle, When } from '../ui';

type Json = Record<string, unknown>;
interface Leaf {
  path: string;
  value: string;
  n: number | undefined;
  ids: string[] | undefined;
}

/** Every figure in a result: objects with an `n`, shown with their value and their records. */
function figures(obj: unknown, path: string[] = [], out: Leaf[] = []): Leaf[] {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return out;
  const o = obj as Json;
  if (typeof o.n === 'number') {
    const value =
      o.percent !== undefined
        ? o.percent === null
          ? '—'
          : `${o.percent}%`
        : o.p50Minutes !== undefined
          ? o.p50Minutes === null
            ? '—'
            : `p50 ${o.p50Minutes} min, p90 ${o.p90Minutes} min`
          : o.perWeek !== undefined
            ? `${o.perWeek} per week`
            : o.value === null || o.value === undefined
              ? String(o.n)
              : String(o.value);
    out.push({ path: path.join(' › '), value, n: o.n, ids: Array.isArray(o.ids) ? (o.ids as string[]) : undefined });
  }
  for (const [k, v] of Object.entries(o)) if (k !== 'ids' && v && typeof v === 'object' && !Array.isArray(v)) figures(v, [...path, k], out);
  return out;
}

export function ReportsPage(_: PageProps) {
  usePageTitle('Reports');
  const [days, setDays] = useState(30);
  // 30 days ending now is the API's own default (its clock); other periods end now by this browser's
  const metrics = useLoad(() => {
    const to = new Date();
    const period = days === 30 ? {} : { from: new Date(to.getTime() - days * 86_400_000).toISOString(), to: to.toISOString() };
    return get<Json>(`/metrics${query({ ...period, ids: 'true' })}`);
  }, `m-${days}`);
  const dora = useLoad(() => get<{ label: string; services: Json[] }>(`/metrics/dora${query({ window: '30d', ids: 'true' })}`), 'dora');
  const reports = useLoad(() => get<{ months: string[]; quarters: string[] }>('/reports'), 'reports');
  const [drill, setDrill] = useState<Leaf | null>(null);
  return (
    <>
      <h1>Reports</h1>
      <div class="toolbar">
        <label>
          Period{' '}
          <select value={days} onChange={(e) => setDays(Number((e.target as HTMLSelectElement).value))} name="days">
            <option value={7}>last 7 days</option>
            <option value={30}>last 30 days</option>
            <option value={90}>last 90 days</option>
          </select>
        </label>
      </div>
      {drill ? (
        <section class="card drill" aria-labelledby="h-drill">
          <h2 id="h-drill">
            {drill.path}: {drill.value} (n = {drill.n})
          </h2>
          {drill.ids?.length ? (
            <ul class="ids">
              {drill.ids.map((id) => (
                <li key={id}>
                  <a href={`#/changes/${id.split('/')[0]}`}>{id}</a>
                </li>
              ))}
            </ul>
          ) : (
            <p class="muted">No record behind this figure.</p>
          )}
          <button type="button" onClick={() => setDrill(null)}>
            Close
          </button>
        </section>
      ) : null}
      <Section title="The process" id="metrics">
        <When loaded={metrics}>
          {(m) => {
            const leaves = figures(m).filter((l) => !l.path.startsWith('groups'));
            const byCategory = leaves.filter((l) => l.path.startsWith('overall › byCategory › '));
            return (
              <>
                <Bars
                  label="Changes by category"
                  rows={byCategory.map((l) => ({ label: l.path.replace('overall › byCategory › ', ''), value: Number(l.value) || 0, note: `(n = ${l.n})` }))}
                />
                <FigureTable leaves={leaves} onDrill={setDrill} caption="Figures over the period" />
              </>
            );
          }}
        </When>
      </Section>
      <Section title="DORA, per service, last 30 days" id="dora">
        <When loaded={dora}>
          {(d) =>
            d.services.length ? (
              <>
                <Bars
                  label="Deployments per service"
                  rows={d.services.map((s) => ({ label: String(s.service), value: Number((s.deployments as Json).n ?? 0), note: 'deployments' }))}
                />
                {d.services.map((s) => (
                  <div key={String(s.service)} class="sub">
                    <h3>{String(s.service)}</h3>
                    <FigureTable leaves={figures(s)} onDrill={setDrill} caption={`DORA figures for ${String(s.service)}`} />
                  </div>
                ))}
              </>
            ) : (
              <p class="muted">No production deployment in {d.label}.</p>
            )
          }
        </When>
      </Section>
      <Section title="Monthly reports and quarterly reviews" id="files">
        <When loaded={reports}>
          {(r) =>
            r.months.length + r.quarters.length ? (
              <ul>
                {[...r.quarters.map((q) => [q, 'review'] as const), ...r.months.map((m) => [m, 'report'] as const)].map(([p, name]) => (
                  <li key={p}>
                    {p}:{' '}
                    {['html', 'md', 'json'].map((ext) => (
                      <span key={ext}>
                        <a href={`/reports/${p}/${name}.${ext}`} onClick={(e) => openFile(e, `/reports/${p}/${name}.${ext}`)}>
                          {name}.{ext}
                        </a>{' '}
                      </span>
                    ))}
                  </li>
                ))}
              </ul>
            ) : (
              <p class="muted">No report yet: the first is written at the start of next month (or an admin asks for one with POST /reports/&lt;month&gt;).</p>
            )
          }
        </When>
      </Section>
    </>
  );
}

/** The files need the bearer token: fetched, then opened from a blob. */
async function openFile(e: Event, path: string) {
  e.preventDefault();
  const { data } = await call<string | object>(path);
  const type = path.endsWith('.html') ? 'text/html' : path.endsWith('.json') ? 'application/json' : 'text/markdown';
  const url = URL.createObjectURL(new Blob([typeof data === 'string' ? data : JSON.stringify(data, null, 2)], { type }));
  const a = document.createElement('a');
  a.href = url;
  if (type !== 'text/html') a.download = path.split('/').slice(-2).join('-');
  else a.target = '_blank';
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

function FigureTable({ leaves, onDrill, caption }: { leaves: Leaf[]; onDrill: (l: Leaf) => void; caption: string }) {
  return (
    <div class="table-wrap">
      <table class="list figures">
        <caption class="sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Figure</th>
            <th scope="col">Value</th>
            <th scope="col">n</th>
            <th scope="col">Records</th>
          </tr>
        </thead>
        <tbody>
          {leaves.map((l) => (
            <tr key={l.path}>
              <th scope="row">{l.path || 'total'}</th>
              <td>{l.value}</td>
              <td class="num">{l.n}</td>
              <td>
                {l.ids?.length ? (
                  <button type="button" class="small" onClick={() => onDrill(l)}>
                    {l.ids.length} record{l.ids.length === 1 ? '' : 's'}
                    <span class="sr-only"> behind {l.path}</span>
                  </button>
                ) : (
                  <span class="muted">none</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
