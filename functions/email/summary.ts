/**
 * What an approver needs to decide, from a CR: summary, category, computed risk and why, the
 * approvals required, the planned window and its warnings, the rollback plan in short. Built once as
 * labelled fields, rendered as plain text (email text part) or HTML (email HTML part, confirmation
 * page). Pure.
 */
import { DateTime } from 'luxon';
import { approvalStatus } from '../core/approval-policy.js';
import { ROLLBACK_TRIGGERS, STANDARD_CHANGE_TYPES, type ApproverRole, type ChangeRequest } from '../core/change-request.js';
import { riskExplanation } from '../core/risk.js';
import { escapeHtml, shorten } from './html.js';

/** How much of the rollback procedure the summary shows. */
export const ROLLBACK_EXCERPT_CHARS = 300;

export const ROLE_LABELS: Record<ApproverRole, string> = {
  'tech-lead': 'Tech lead',
  'eng-manager': 'Engineering manager',
  cto: 'CTO',
};

export interface SummaryField {
  label: string;
  /** One value, or a list of values. */
  value: string | string[];
  /** Multi-line text whose line breaks matter (e.g. the rollback procedure). */
  pre?: boolean;
}

export interface SummaryOptions {
  /** The slot this message or page is about; marked in the list of approvals. */
  slot?: ApproverRole | undefined;
  /** The organisation's IANA time zone, to show the window in local time as well as UTC. */
  timeZone?: string | undefined;
}

export function riskLine(cr: ChangeRequest): string {
  const { likelihood, impact } = cr.content.risk ?? {};
  if (likelihood && impact) return riskExplanation(likelihood, impact);
  if (cr.riskLevel && cr.riskBasis === 'declared') return `${cr.riskLevel}, as the requestor declared it (no likelihood × impact given)`;
  if (cr.riskLevel) return `${cr.riskLevel} (likelihood or impact missing)`;
  return 'not determined: likelihood or impact missing';
}

export function categoryLine(cr: ChangeRequest): string {
  const { category, standardType } = cr.content;
  return category === 'standard' && standardType ? `standard (${STANDARD_CHANGE_TYPES[standardType]})` : category;
}

export function approvalLines(cr: ChangeRequest, slot?: ApproverRole): string[] {
  const status = approvalStatus(cr);
  if (status.slots.length === 0) return status.reasons.length ? status.reasons : ['none'];
  return status.slots.map((s) => {
    const state = s.filledBy ? `approved by ${s.filledBy}` : 'pending';
    const mine = s.slot === slot ? ' ← this request' : '';
    return `${ROLE_LABELS[s.slot]}: ${s.reason} — ${state}${mine}`;
  });
}

/** `2026-12-01 15:00 – 16:00 UTC (60 min)`, plus the same in the org zone when given. */
export function windowLines(cr: ChangeRequest, timeZone?: string): string[] {
  const w = cr.content.plannedWindow;
  if (!w) return ['not planned yet'];
  const start = DateTime.fromISO(w.start, { setZone: true });
  const end = DateTime.fromISO(w.end, { setZone: true });
  if (!start.isValid || !end.isValid) return [`${w.start} – ${w.end}`];
  const minutes = Math.round(end.diff(start, 'minutes').minutes);
  const range = (a: DateTime, b: DateTime, zone: string) =>
    a.hasSame(b, 'day')
      ? `${a.toFormat('yyyy-MM-dd HH:mm')} – ${b.toFormat('HH:mm')} ${zone}`
      : `${a.toFormat('yyyy-MM-dd HH:mm')} – ${b.toFormat('yyyy-MM-dd HH:mm')} ${zone}`;
  const lines = [`${range(start.toUTC(), end.toUTC(), 'UTC')} (${minutes} min)`];
  if (timeZone && timeZone !== 'UTC') {
    const ls = start.setZone(timeZone);
    const le = end.setZone(timeZone);
    if (ls.isValid && le.isValid) lines.push(`${range(ls, le, ls.toFormat('ZZZZ'))} in ${timeZone}`);
  }
  return lines;
}

export function rollbackFields(cr: ChangeRequest): SummaryField[] {
  const r = cr.content.rollback;
  const triggers = [...(r?.triggers ?? []).map((t) => ROLLBACK_TRIGGERS[t]), ...(r?.otherTriggers ?? [])];
  return [
    { label: 'Rollback procedure', value: r?.procedure ? shorten(r.procedure, ROLLBACK_EXCERPT_CHARS) : 'not given', pre: true },
    { label: 'Rollback duration', value: r?.duration ?? 'not given' },
    { label: 'Rollback triggers', value: triggers.length ? triggers : 'not given' },
  ];
}

export function summaryFields(cr: ChangeRequest, options: SummaryOptions = {}): SummaryField[] {
  const d = cr.content.description;
  const components = [...(d?.components ?? []), ...(d?.otherComponents ?? []).map((c) => `Other: ${c}`)];
  return [
    { label: 'Change request', value: `${cr.id} (revision ${cr.revision})` },
    { label: 'Title', value: cr.content.title },
    { label: 'Requested by', value: cr.requestor.team ? `${cr.requestor.name} (${cr.requestor.team})` : cr.requestor.name },
    { label: 'Category', value: categoryLine(cr) },
    { label: 'Summary', value: d?.summary ?? 'not given', pre: true },
    ...(components.length ? [{ label: 'Components', value: components }] : []),
    { label: 'Risk', value: riskLine(cr) },
    { label: 'Approvals required', value: approvalLines(cr, options.slot) },
    { label: 'Planned window', value: windowLines(cr, options.timeZone) },
    { label: 'Warnings', value: cr.warnings.length ? cr.warnings : 'none' },
    ...rollbackFields(cr),
  ];
}

export function summaryText(fields: SummaryField[]): string {
  const lines: string[] = [];
  for (const f of fields) {
    if (Array.isArray(f.value)) {
      lines.push(`${f.label}:`);
      for (const v of f.value) lines.push(`  - ${v}`);
    } else if (f.value.includes('\n')) {
      lines.push(`${f.label}:`);
      for (const v of f.value.split(/\r?\n/)) lines.push(`  ${v}`);
    } else {
      lines.push(`${f.label}: ${f.value}`);
    }
  }
  return lines.join('\n');
}

export function summaryHtml(fields: SummaryField[]): string {
  const cell = (f: SummaryField) =>
    Array.isArray(f.value)
      ? `<ul>${f.value.map((v) => `<li>${escapeHtml(v)}</li>`).join('')}</ul>`
      : f.pre
        ? `<div class="pre" style="white-space:pre-wrap">${escapeHtml(f.value)}</div>`
        : escapeHtml(f.value);
  const rows = fields.map(
    (f) =>
      `<tr><th style="text-align:left;vertical-align:top;padding:6px 12px 6px 0;color:#57606a">${escapeHtml(f.label)}</th>` +
      `<td style="vertical-align:top;padding:6px 0">${cell(f)}</td></tr>`,
  );
  return `<table class="summary" role="presentation" style="border-collapse:collapse;width:100%">\n${rows.join('\n')}\n</table>`;
}
