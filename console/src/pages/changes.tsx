/** Changes: the API's server-side filters, search by id or title, cursor paging, CSV export. */
import { useEffect, useState } from 'preact/hooks';
import { call, get, query } from '../api';
import type { PageProps } from '../main';
import { Problem, RiskBadge, saveFile, StateBadge, usePageTitle, WindowTimes } from '../ui';
import { CATEGORIES, RISK_LEVELS, STATES } from '../vocabulary';

export interface Summary {
  id: string;
  title: string;
  category: string;
  state: string;
  riskLevel: string | null;
  requestor: string;
  plannedWindow?: { start: string; end: string };
  createdAt: string;
  updatedAt: string;
}

export interface ListPage {
  items: Summary[];
  cursor: string | null;
}

const FILTERS = ['state', 'category', 'risk', 'component', 'team', 'q', 'from', 'to'] as const;
type Filters = Partial<Record<(typeof FILTERS)[number], string>>;

const CHANGE_ID = /^CR-\d{4}-\d{2}-\d{2}-\d{3,}$/i;

export function ChangesPage({ config, params }: PageProps) {
  usePageTitle('Changes');
  const initial: Filters = Object.fromEntries(FILTERS.map((f) => [f, params.get(f) ?? '']));
  const [filters, setFilters] = useState<Filters>(initial);
  const [rows, setRows] = useState<Summary[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const apiQuery = (f: Filters, c?: string | null) =>
    query({
      ...f,
      q: f.q?.trim() || undefined,
      from: f.from ? new Date(`${f.from}T00:00:00`).toISOString() : undefined,
      to: f.to ? new Date(`${f.to}T00:00:00`).toISOString() : undefined,
      limit: 25,
      cursor: c ?? undefined,
    });

  const load = async (f: Filters, more = false) => {
    setBusy(true);
    setError(null);
    try {
      // an id typed into the search opens that change
      if (!more && f.q && CHANGE_ID.test(f.q.trim())) {
        location.hash = `#/changes/${f.q.trim().toUpperCase()}`;
        return;
      }
      const page = await get<ListPage>(`/changes${apiQuery(f, more ? cursor : null)}`);
      setRows((r) => (more && r ? [...r, ...page.items] : page.items));
      setCursor(page.cursor);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  useEffect(() => {
    void load(filters);
  }, []);

  const exportCsv = async () => {
    setBusy(true);
    try {
      const all: Summary[] = [];
      let c: string | null = null;
      do {
        const page: ListPage = (await call<ListPage>(`/changes${apiQuery({ ...filters }, c).replace('limit=25', 'limit=100')}`)).data;
        all.push(...page.items);
        c = page.cursor;
      } while (c && all.length < 10_000);
      const cells = (v: unknown) => `"${String(v ?? '').replace(/"/g, '""')}"`;
      const lines = [
        ['id', 'title', 'category', 'state', 'risk', 'requestor', 'window start', 'window end', 'created'].join(','),
        ...all.map((s) =>
          [s.id, s.title, s.category, s.state, s.riskLevel, s.requestor, s.plannedWindow?.start, s.plannedWindow?.end, s.createdAt].map(cells).join(','),
        ),
      ];
      saveFile(`${lines.join('\r\n')}\r\n`, 'text/csv', 'changes.csv');
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const set = (k: keyof Filters) => (e: Event) => setFilters({ ...filters, [k]: (e.target as HTMLInputElement).value });
  return (
    <>
      <h1>Changes</h1>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          void load(filters);
        }}
      >
        <label>
          Search id or title
          <input type="search" value={filters.q} onInput={set('q')} name="q" />
        </label>
        <label>
          State
          <select value={filters.state} onChange={set('state')} name="state">
            <option value="">any</option>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {s.replace(/_/g, ' ')}
              </option>
            ))}
          </select>
        </label>
        <label>
          Category
          <select value={filters.category} onChange={set('category')} name="category">
            <option value="">any</option>
            {CATEGORIES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Risk
          <select value={filters.risk} onChange={set('risk')} name="risk">
            <option value="">any</option>
            {RISK_LEVELS.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Component
          <input value={filters.component} onInput={set('component')} name="component" />
        </label>
        <label>
          Team
          <input value={filters.team} onInput={set('team')} name="team" />
        </label>
        <label>
          Filed from
          <input type="date" value={filters.from} onInput={set('from')} name="from" />
        </label>
        <label>
          Filed before
          <input type="date" value={filters.to} onInput={set('to')} name="to" />
        </label>
        <div class="actions">
          <button type="submit" class="primary" disabled={busy}>
            Filter
          </button>
          <button type="button" onClick={exportCsv} disabled={busy}>
            Export CSV
          </button>
        </div>
      </form>
      <Problem error={error} />
      {rows ? (
        <ChangeTable rows={rows} orgZone={config.timeZone} caption={`${rows.length} change${rows.length === 1 ? '' : 's'}${cursor ? ' (more below)' : ''}`} />
      ) : null}
      {cursor ? (
        <button type="button" onClick={() => load(filters, true)} disabled={busy}>
          Load more
        </button>
      ) : null}
    </>
  );
}

export function ChangeTable({ rows, orgZone, caption }: { rows: Summary[]; orgZone: string; caption: string }) {
  return (
    <div class="table-wrap">
      <table class="list">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Change</th>
            <th scope="col">State</th>
            <th scope="col">Risk</th>
            <th scope="col">Category</th>
            <th scope="col">Window</th>
            <th scope="col">Requestor</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id}>
              <td>
                <a href={`#/changes/${r.id}`}>{r.id}</a>
                <div>{r.title}</div>
              </td>
              <td>
                <StateBadge state={r.state} />
              </td>
              <td>
                <RiskBadge level={r.riskLevel} />
              </td>
              <td>{r.category}</td>
              <td>
                <WindowTimes window={r.plannedWindow} orgZone={orgZone} />
              </td>
              <td>{r.requestor}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
