/** Small pieces every page uses: loading a resource, showing an API refusal, badges, times, charts. */
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api';

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/** Loads on mount and whenever `key` changes; `reload` asks again. */
export function useLoad<T>(load: () => Promise<T>, key: string): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  const current = useRef(load);
  current.current = load;
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    current.current().then(
      (data) => live && setState({ data, loading: false }),
      (error) => live && setState({ error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [key, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

/** An API refusal in the API's words, each field named. */
export function Problem({ error }: { error: unknown }) {
  if (!error) return null;
  const e = error instanceof ApiError ? error : undefined;
  return (
    <div class="problem" role="alert">
      <p>{e ? e.message : error instanceof Error ? error.message : String(error)}</p>
      {e?.issues.length ? (
        <ul>
          {e.issues.map((i) => (
            <li key={i.path + i.message}>
              <code>{i.path}</code> {i.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export function Loading() {
  return (
    <p class="muted" aria-live="polite">
      Loading…
    </p>
  );
}

/** Shows the data once loaded, the refusal if any. */
export function When<T>({ loaded, children }: { loaded: Loaded<T>; children: (data: T) => ComponentChildren }) {
  if (loaded.error) return <Problem error={loaded.error} />;
  if (loaded.data === undefined) return <Loading />;
  return <>{children(loaded.data)}</>;
}

export function Badge({ kind, children }: { kind: string; children: ComponentChildren }) {
  return <span class={`badge badge-${kind.replace(/[^a-z0-9-]/gi, '-').toLowerCase()}`}>{children}</span>;
}

export const stateLabel = (state: string) => state.replace(/_/g, ' ');

export function RiskBadge({ level }: { level: string | null | undefined }) {
  return <Badge kind={`risk-${level ?? 'none'}`}>{level ? `${level} risk` : 'risk not assessed'}</Badge>;
}

export function StateBadge({ state }: { state: string }) {
  return <Badge kind={`state-${state}`}>{stateLabel(state)}</Badge>;
}

const viewerZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

/** An instant in a time zone, as people read it: "Tue 1 Dec 2026, 15:00 GMT+1". */
export function formatTime(iso: string | undefined | null, timeZone: string = viewerZone): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  }).format(d);
}

/** A window in the viewer's zone and, when it differs, in the organisation's. */
export function WindowTimes({ window, orgZone }: { window: { start: string; end: string } | undefined | null; orgZone: string }) {
  if (!window) return <span class="muted">no planned window</span>;
  return (
    <span>
      <time dateTime={window.start}>{formatTime(window.start)}</time> – <time dateTime={window.end}>{formatTime(window.end)}</time>
      {orgZone !== viewerZone ? (
        <span class="muted">
          {' '}
          ({orgZone}: {formatTime(window.start, orgZone)} – {formatTime(window.end, orgZone)})
        </span>
      ) : null}
    </span>
  );
}

/**
 * A small line chart of one criterion's values per interval, with its threshold; the numbers are
 * in the table beside it (the chart is decoration for a screen reader, the table is the record).
 */
export function Spark({ values, threshold, label }: { values: (number | undefined)[]; threshold?: number | undefined; label: string }) {
  const w = 160;
  const h = 40;
  const known = values.filter((v): v is number => typeof v === 'number');
  if (!known.length) return <span class="muted">no values yet</span>;
  const max = Math.max(...known, threshold ?? 0) || 1;
  const x = (i: number) => (values.length <= 1 ? w / 2 : (i / (values.length - 1)) * (w - 4) + 2);
  const y = (v: number) => h - 2 - (v / max) * (h - 4);
  const points = values.map((v, i) => (typeof v === 'number' ? `${x(i).toFixed(1)},${y(v).toFixed(1)}` : null)).filter(Boolean);
  return (
    <svg class="spark" width={w} height={h} viewBox={`0 0 ${w} ${h}`} role="img" aria-label={label}>
      {threshold !== undefined ? <line x1="0" x2={w} y1={y(threshold)} y2={y(threshold)} class="spark-threshold" /> : null}
      <polyline points={points.join(' ')} class="spark-line" fill="none" />
      {values.map((v, i) => (typeof v === 'number' ? <circle key={i} cx={x(i)} cy={y(v)} r="2" class="spark-dot" /> : null))}
    </svg>
  );
}

/** Horizontal bars with their numbers written out. */
export function Bars({ rows, label }: { rows: { label: string; value: number; note?: string; href?: string | undefined }[]; label: string }) {
  const max = Math.max(1, ...rows.map((r) => r.value));
  return (
    <table class="bars">
      <caption>{label}</caption>
      <tbody>
        {rows.map((r) => (
          <tr key={r.label}>
            <th scope="row">{r.href ? <a href={r.href}>{r.label}</a> : r.label}</th>
            <td class="bar-cell">
              <span class="bar" style={{ width: `${Math.round((r.value / max) * 100)}%` }} aria-hidden="true" />
            </td>
            <td class="num">
              {r.value}
              {r.note ? <span class="muted"> {r.note}</span> : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Section({ title, children, id }: { title: string; children: ComponentChildren; id?: string }) {
  const hid = `h-${id ?? title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return (
    <section aria-labelledby={hid} class="card">
      <h2 id={hid}>{title}</h2>
      {children}
    </section>
  );
}

/** Sets the document title and moves focus to the page's heading after a navigation. */
export function usePageTitle(title: string) {
  useEffect(() => {
    document.title = `${title} · ChangeFlow`;
    const h1 = document.querySelector('main h1') as HTMLElement | null;
    if (h1) {
      h1.tabIndex = -1;
      h1.focus({ preventScroll: true });
    }
  }, [title]);
}

/** Hands text to the browser as a downloaded file (the API's files need the bearer, so they are fetched first). */
export function saveFile(data: string, type: string, filename: string): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.click();
  URL.revokeObjectURL(url);
}
