/**
 * New change: the template as a form, with the core's own completeness and risk rules answering as
 * the person types, and the calendar's answer for the window; or the Markdown template pasted whole.
 * Saving is `POST /changes` (JSON or text/markdown); submitting is `POST /changes/{id}/submit`.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { call, get, query } from '../api';
import type { PageProps } from '../main';
import { formatTime, Problem, RiskBadge, Section, usePageTitle } from '../ui';
import {
  assessRisk,
  CATEGORIES,
  type ChangeContent,
  completenessIssues,
  IMPACTS,
  LIKELIHOODS,
  RISK_LEVEL_MEANING,
  RISK_LEVELS,
  riskExplanation,
  ROLLBACK_TRIGGERS,
  SEVERITIES,
  STAKEHOLDERS,
  STANDARD_CHANGE_TYPES,
  TEST_CHECKS,
} from '../vocabulary';

interface Form {
  title: string;
  category: string;
  standardType: string;
  summary: string;
  motivation: string;
  components: string[];
  otherComponents: string;
  changes: string;
  dependencies: string;
  estimatedDuration: string;
  start: string;
  end: string;
  testPlan: string;
  checklist: string[];
  successCriteria: string;
  likelihood: string;
  impact: string;
  declaredLevel: string;
  potentialImpacts: string;
  mitigations: string;
  procedure: string;
  rollbackDuration: string;
  triggers: string[];
  otherTriggers: string;
  drDrill: string;
  stakeholders: string[];
  incidentReference: string;
  severity: string;
}

const EMPTY: Form = {
  title: '',
  category: 'normal',
  standardType: '',
  summary: '',
  motivation: '',
  components: [],
  otherComponents: '',
  changes: '',
  dependencies: '',
  estimatedDuration: '',
  start: '',
  end: '',
  testPlan: '',
  checklist: [],
  successCriteria: '',
  likelihood: '',
  impact: '',
  declaredLevel: '',
  potentialImpacts: '',
  mitigations: '',
  procedure: '',
  rollbackDuration: '',
  triggers: [],
  otherTriggers: '',
  drDrill: '',
  stakeholders: [],
  incidentReference: '',
  severity: '',
};

const lines = (s: string) =>
  s
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
const opt = (s: string) => (s.trim() ? s.trim() : undefined);
const list = <T,>(a: T[]) => (a.length ? a : undefined);
const instant = (local: string) => (local ? new Date(local).toISOString() : undefined);

/** The form as the API's change content: empty fields left out, as a draft may be incomplete. */
export function toContent(f: Form): ChangeContent {
  const start = instant(f.start);
  const end = instant(f.end);
  const content = {
    title: f.title.trim(),
    category: f.category,
    standardType: f.category === 'standard' ? opt(f.standardType) : undefined,
    description: { summary: opt(f.summary), motivation: opt(f.motivation), components: list(f.components), otherComponents: list(lines(f.otherComponents)) },
    implementation: { changes: opt(f.changes), dependencies: opt(f.dependencies), estimatedDuration: opt(f.estimatedDuration) },
    plannedWindow: start && end ? { start, end } : undefined,
    testing: { testPlan: opt(f.testPlan), checklist: list(f.checklist), successCriteria: list(lines(f.successCriteria)) },
    risk: {
      likelihood: opt(f.likelihood),
      impact: opt(f.impact),
      declaredLevel: opt(f.declaredLevel),
      potentialImpacts: opt(f.potentialImpacts),
      mitigations: opt(f.mitigations),
    },
    rollback: {
      procedure: opt(f.procedure),
      duration: opt(f.rollbackDuration),
      triggers: list(f.triggers),
      otherTriggers: list(lines(f.otherTriggers)),
      drDrill: opt(f.drDrill),
    },
    communication: { stakeholders: list(f.stakeholders) },
    incident: f.category === 'emergency' ? { reference: opt(f.incidentReference), severity: opt(f.severity) } : undefined,
  };
  return prune(content) as ChangeContent;
}

function prune(v: unknown): unknown {
  if (Array.isArray(v)) return v;
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const p = prune(x);
      if (p !== undefined && !(p && typeof p === 'object' && !Array.isArray(p) && Object.keys(p).length === 0)) out[k] = p;
    }
    return out;
  }
  return v;
}

/** Which form field answers an issue's path, so each issue links to its field. */
const FIELD_OF: Record<string, string> = {
  'content.description.summary': 'summary',
  'content.description.motivation': 'motivation',
  'content.description.components': 'components',
  'content.implementation.changes': 'changes',
  'content.plannedWindow': 'start',
  'content.testing.testPlan': 'testPlan',
  'content.testing.successCriteria': 'successCriteria',
  'content.testing.checklist': 'checklist',
  'content.risk': 'likelihood',
  'content.risk.likelihood': 'likelihood',
  'content.risk.impact': 'impact',
  'content.risk.potentialImpacts': 'potentialImpacts',
  'content.risk.mitigations': 'mitigations',
  'content.rollback.procedure': 'procedure',
  'content.rollback.duration': 'rollbackDuration',
  'content.rollback.triggers': 'triggers',
  'content.rollback.drDrill': 'drDrill',
  'content.communication.stakeholders': 'stakeholders',
  'content.incident.reference': 'incidentReference',
  'content.incident': 'incidentReference',
};

interface CalendarAnswer {
  blackouts: { name: string; start: string; end: string; localStart?: string; localEnd?: string }[];
  maintenanceWindows: { title?: string; name?: string; start: string; end: string }[];
  changes: { id: string; title: string; state: string; components?: string[]; start: string; end: string }[];
}

export function NewChangePage({ config }: PageProps) {
  usePageTitle('New change');
  const [mode, setMode] = useState<'form' | 'markdown'>('form');
  return (
    <>
      <h1>New change</h1>
      <fieldset class="tabs">
        <legend class="sr-only">How to file</legend>
        <button type="button" aria-pressed={mode === 'form'} onClick={() => setMode('form')}>
          Fill in the form
        </button>
        <button type="button" aria-pressed={mode === 'markdown'} onClick={() => setMode('markdown')}>
          Paste the Markdown template
        </button>
      </fieldset>
      {mode === 'form' ? <ChangeForm components={config.components ?? []} /> : <MarkdownForm />}
    </>
  );
}

function MarkdownForm() {
  const [text, setText] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const loadTemplate = async () => setText(await (await fetch('/templates/change-request.md')).text());
  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { data } = await call<{ id: string }>('/changes', { method: 'POST', text, contentType: 'text/markdown' });
      location.hash = `#/changes/${data.id}`;
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={save} class="card">
      <p>
        Paste a change request written on the template (<a href="/templates/change-request.md">the change request template</a>, or the emergency one). It is
        saved as a draft; the change's page then says what is missing before you submit.
      </p>
      <label for="markdown">Markdown</label>
      <textarea id="markdown" rows={20} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
      <Problem error={error} />
      <div class="actions">
        <button type="button" onClick={loadTemplate}>
          Start from the blank template
        </button>
        <button type="submit" class="primary" disabled={busy || !text.trim()}>
          Save draft
        </button>
      </div>
    </form>
  );
}

function ChangeForm({ components }: { components: readonly string[] }) {
  const [f, setF] = useState<Form>(EMPTY);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const content = useMemo(() => toContent(f), [f]);
  const issues = useMemo(
    () => (content.title ? completenessIssues(content) : [{ path: 'content.title', message: 'is required' }, ...completenessIssues(content)]),
    [content],
  );
  const risk = assessRisk(content.risk);
  const calendar = useCalendarAnswer(content.plannedWindow);

  const text = (k: keyof Form) => ({
    id: k,
    name: k,
    value: f[k] as string,
    onInput: (e: Event) => setF({ ...f, [k]: (e.target as HTMLInputElement).value }),
  });
  /** A select of the template's values (a list, or value → label), with an empty choice when the field is optional. */
  const choose = (k: keyof Form, options: readonly string[] | Record<string, string>, empty?: string) => (
    <select {...text(k)} onChange={(e) => setF({ ...f, [k]: (e.target as HTMLSelectElement).value })}>
      {empty ? <option value="">{empty}</option> : null}
      {(Array.isArray(options) ? options.map((o) => [o, o] as const) : Object.entries(options)).map(([value, label]) => (
        <option key={value} value={value}>
          {label}
        </option>
      ))}
    </select>
  );
  const toggle = (k: 'components' | 'checklist' | 'triggers' | 'stakeholders', v: string) =>
    setF({ ...f, [k]: f[k].includes(v) ? f[k].filter((x) => x !== v) : [...f[k], v] });

  const save = async (submit: boolean) => {
    setBusy(true);
    setError(null);
    try {
      const { data, etag } = await call<{ id: string; state: string }>('/changes', { method: 'POST', body: content });
      // an emergency change filed complete by on-call starts at once (approved afterwards); a draft
      // one is started here; any other change is submitted for approval
      if (submit && data.state === 'draft') {
        const action = content.category === 'emergency' ? 'start' : 'submit';
        try {
          await call(`/changes/${data.id}/${action}`, { method: 'POST', body: {}, etag });
        } catch (err) {
          // the draft is kept: its page shows why the submit was refused
          location.hash = `#/changes/${data.id}?refused=${action}`;
          throw err;
        }
      }
      location.hash = `#/changes/${data.id}`;
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="with-aside">
      <form
        class="form"
        onSubmit={(e) => {
          e.preventDefault();
          void save(true);
        }}
      >
        <Section title="Change" id="f-change">
          <Field label="Title" for="title">
            <input {...text('title')} required maxLength={200} />
          </Field>
          <Field label="Category" for="category">
            {choose('category', CATEGORIES)}
          </Field>
          {f.category === 'standard' ? (
            <Field label="Standard change type" for="standardType">
              {choose('standardType', STANDARD_CHANGE_TYPES, 'choose…')}
            </Field>
          ) : null}
          {f.category === 'emergency' ? (
            <>
              <Field label="Incident reference" for="incidentReference">
                <input {...text('incidentReference')} />
              </Field>
              <Field label="Severity" for="severity">
                {choose('severity', SEVERITIES, 'choose…')}
              </Field>
            </>
          ) : null}
        </Section>
        <Section title="Description" id="f-description">
          <Field label="Summary" for="summary">
            <textarea {...text('summary')} rows={3} />
          </Field>
          <Field label="Motivation (why now)" for="motivation">
            <textarea {...text('motivation')} rows={2} />
          </Field>
          <Checks
            legend="Components affected"
            id="components"
            options={Object.fromEntries(components.map((c) => [c, c]))}
            chosen={f.components}
            onToggle={(v) => toggle('components', v)}
          />
          <Field label="Other components (one per line)" for="otherComponents">
            <textarea {...text('otherComponents')} rows={2} />
          </Field>
        </Section>
        <Section title="Implementation" id="f-implementation">
          <Field label="Changes to be made" for="changes">
            <textarea {...text('changes')} rows={3} />
          </Field>
          <Field label="Dependencies" for="dependencies">
            <textarea {...text('dependencies')} rows={2} />
          </Field>
          <Field label="Estimated duration" for="estimatedDuration">
            <input {...text('estimatedDuration')} placeholder="e.g. 45 minutes" />
          </Field>
          <div class="pair">
            <Field label="Window starts (your time)" for="start">
              <input type="datetime-local" {...text('start')} />
            </Field>
            <Field label="Window ends (your time)" for="end">
              <input type="datetime-local" {...text('end')} />
            </Field>
          </div>
        </Section>
        <Section title="Testing" id="f-testing">
          <Field label="Test plan" for="testPlan">
            <textarea {...text('testPlan')} rows={2} />
          </Field>
          <Checks legend="Test checklist" id="checklist" options={TEST_CHECKS} chosen={f.checklist} onToggle={(v) => toggle('checklist', v)} />
          <Field label="Success criteria (one per line)" for="successCriteria">
            <textarea {...text('successCriteria')} rows={3} />
          </Field>
        </Section>
        <Section title="Risk assessment" id="f-risk">
          <div class="pair">
            <Field label="Likelihood" for="likelihood">
              {choose('likelihood', LIKELIHOODS, 'not given')}
            </Field>
            <Field label="Impact" for="impact">
              {choose('impact', IMPACTS, 'not given')}
            </Field>
          </div>
          <Field label="Risk level ticked (used only without likelihood and impact)" for="declaredLevel">
            {choose('declaredLevel', RISK_LEVELS, 'not ticked')}
          </Field>
          <Field label="Potential impacts" for="potentialImpacts">
            <textarea {...text('potentialImpacts')} rows={2} />
          </Field>
          <Field label="Mitigations" for="mitigations">
            <textarea {...text('mitigations')} rows={2} />
          </Field>
        </Section>
        <Section title="Rollback plan" id="f-rollback">
          <Field label="Rollback procedure" for="procedure">
            <textarea {...text('procedure')} rows={2} />
          </Field>
          <Field label="Rollback duration" for="rollbackDuration">
            <input {...text('rollbackDuration')} placeholder="e.g. 10 minutes" />
          </Field>
          <Checks legend="Rollback triggers" id="triggers" options={ROLLBACK_TRIGGERS} chosen={f.triggers} onToggle={(v) => toggle('triggers', v)} />
          <Field label="Other triggers (one per line)" for="otherTriggers">
            <textarea {...text('otherTriggers')} rows={2} />
          </Field>
          {f.category === 'major' ? (
            <Field label="DR drill" for="drDrill">
              <textarea {...text('drDrill')} rows={2} />
            </Field>
          ) : null}
        </Section>
        <Section title="Communication" id="f-communication">
          <Checks
            legend="Stakeholders to notify"
            id="stakeholders"
            options={STAKEHOLDERS}
            chosen={f.stakeholders}
            onToggle={(v) => toggle('stakeholders', v)}
          />
        </Section>
        <Problem error={error} />
        <div class="actions">
          <button type="button" onClick={() => save(false)} disabled={busy || !f.title.trim()}>
            Save draft
          </button>
          <button type="submit" class="primary" disabled={busy || !f.title.trim()}>
            {f.category === 'emergency' ? 'Declare and start the emergency change' : 'Save and submit'}
          </button>
        </div>
      </form>
      <aside class="aside" aria-label="What the service will say">
        <section class="card" aria-labelledby="h-risk-now">
          <h2 id="h-risk-now">Risk</h2>
          <p aria-live="polite">
            <RiskBadge level={risk?.level} />{' '}
            {risk?.basis === 'matrix' && content.risk?.likelihood && content.risk.impact ? riskExplanation(content.risk.likelihood, content.risk.impact) : null}
            {risk?.basis === 'declared' ? 'as ticked: give likelihood and impact and the matrix computes it' : null}
          </p>
          {risk ? <p class="muted">{RISK_LEVEL_MEANING[risk.level]}</p> : null}
        </section>
        <section class="card" aria-labelledby="h-missing">
          <h2 id="h-missing">{issues.length ? `${issues.length} missing before submit` : 'Complete: ready to submit'}</h2>
          <ul class="issues" aria-live="polite">
            {issues.map((i) => (
              <li key={i.path + i.message}>
                <button type="button" class="inline-link" onClick={(e) => focusField(e, FIELD_OF[i.path] ?? 'title')}>
                  {i.path.replace(/^content\./, '')}
                </button>{' '}
                {i.message}
              </li>
            ))}
          </ul>
        </section>
        <section class="card" aria-labelledby="h-cal-answer">
          <h2 id="h-cal-answer">Calendar</h2>
          <CalendarAnswerView answer={calendar} window={content.plannedWindow} components={[...(content.description?.components ?? [])]} />
        </section>
      </aside>
    </div>
  );
}

function focusField(e: Event, id: string) {
  e.preventDefault();
  const el = document.getElementById(id) ?? document.querySelector(`[name="${id}"]`);
  (el as HTMLElement | null)?.focus();
}

function useCalendarAnswer(window: { start: string; end: string } | undefined): CalendarAnswer | { error: unknown } | null {
  const [answer, setAnswer] = useState<CalendarAnswer | { error: unknown } | null>(null);
  const key = window ? `${window.start}/${window.end}` : '';
  useEffect(() => {
    if (!window || Date.parse(window.end) <= Date.parse(window.start)) {
      setAnswer(null);
      return;
    }
    let live = true;
    const t = setTimeout(() => {
      get<CalendarAnswer>(`/calendar${query({ from: window.start, to: window.end })}`).then(
        (a) => live && setAnswer(a),
        (error) => live && setAnswer({ error }),
      );
    }, 300);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [key]);
  return answer;
}

const overlaps = (a: { start: string; end: string }, b: { start: string; end: string }) =>
  Date.parse(a.start) < Date.parse(b.end) && Date.parse(b.start) < Date.parse(a.end);

function CalendarAnswerView({
  answer,
  window,
  components,
}: {
  answer: ReturnType<typeof useCalendarAnswer>;
  window?: { start: string; end: string } | undefined;
  components: string[];
}) {
  if (!window) return <p class="muted">Give the window's start and end to see blackouts, maintenance windows and other changes in it.</p>;
  if (!answer) return <p class="muted">Asking the calendar…</p>;
  if ('error' in answer) return <Problem error={answer.error} />;
  const blackouts = answer.blackouts.filter((b) => overlaps(b, window));
  const inWindow = answer.maintenanceWindows.some((m) => Date.parse(m.start) <= Date.parse(window.start) && Date.parse(window.end) <= Date.parse(m.end));
  const others = answer.changes.filter((c) => overlaps(c, window));
  const conflicts = others.filter((c) => (c.components ?? []).some((x) => components.includes(x)));
  return (
    <ul class="calendar-answer" aria-live="polite">
      {blackouts.length ? (
        blackouts.map((b) => (
          <li key={b.name + b.start} class="bad">
            Blackout <strong>{b.name}</strong>: {formatTime(b.start)} – {formatTime(b.end)}. A normal or major change is refused here.
          </li>
        ))
      ) : (
        <li class="good">No blackout in this window.</li>
      )}
      <li class={inWindow ? 'good' : 'muted'}>{inWindow ? 'Inside a maintenance window (preferred).' : 'Outside the maintenance windows.'}</li>
      {conflicts.map((c) => (
        <li key={c.id} class="bad">
          Conflict: <a href={`#/changes/${c.id}`}>{c.id}</a> {c.title} touches {(c.components ?? []).filter((x) => components.includes(x)).join(', ')} at the
          same time.
        </li>
      ))}
      {others.length > conflicts.length ? <li class="muted">{others.length - conflicts.length} other change(s) in the window on other components.</li> : null}
      <li class="muted">The next free slots are offered on the draft's page once it is saved.</li>
    </ul>
  );
}

export function Field({ label, for: id, children }: { label: string; for: string; children: ComponentChildren }) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {children}
    </div>
  );
}

function Checks({
  legend,
  id,
  options,
  chosen,
  onToggle,
}: {
  legend: string;
  id: string;
  options: Record<string, string>;
  chosen: string[];
  onToggle: (v: string) => void;
}) {
  return (
    <fieldset class="checks" id={id} tabIndex={-1}>
      <legend>{legend}</legend>
      {Object.entries(options).map(([k, v]) => (
        <label key={k} class="check">
          <input type="checkbox" name={id} value={k} checked={chosen.includes(k)} onChange={() => onToggle(k)} /> {v}
        </label>
      ))}
    </fieldset>
  );
}
