/**
 * What ChangeFlow tells other tools, as rules (docs/webhooks.md, "Out"): which Slack channels hear
 * of which events, what the message says (short Block Kit, linking to the change), the PagerDuty
 * change event of a deployment and of a rollback, and which events a subscriber gets. Pure: the
 * outbound consumer (functions/outbound/send.ts) sends what these build.
 */
import type { ChangeRequest } from './change-request.js';
import type { BusEvent, DomainEvent, ServiceEvent } from './events.js';
import { EVENT_TYPES, isDomainEvent, SERVICE_EVENT_TYPES } from './events.js';

/** The event types that go out (the outbound consumer's rule matches exactly these): what a subscriber may ask for. */
export const OUTBOUND_EVENTS: readonly string[] = [...EVENT_TYPES, ...SERVICE_EVENT_TYPES.filter((t) => t !== 'WebhookReceived')];

/** The stakeholder channels of the template, and #incidents (seed: Communication Plan, Emergency Change Process). */
export const SLACK_CHANNELS = ['engineering', 'product', 'support', 'leadership', 'incidents'] as const;
export type SlackChannel = (typeof SLACK_CHANNELS)[number];

/** Events that go to the change's own stakeholder channels (and #engineering). */
const TO_STAKEHOLDERS = ['TimelineNotice', 'ChangeDeployed', 'ChangeCompleted', 'ChangeRolledBack', 'ChangeFailed', 'MonitoringVerdict'];
/** Events that go to fixed channels, whoever the change's stakeholders are. */
const TO_CHANNELS: Record<string, SlackChannel[]> = {
  EmergencyStarted: ['incidents', 'engineering'],
  RollbackRequested: ['engineering', 'incidents'],
  RollbackOverdue: ['engineering', 'incidents'],
  IncidentLinked: ['incidents'],
  PostApprovalOverdue: ['engineering', 'leadership'],
  // ServiceNow's headline KPI: leadership hears of every one
  UnauthorizedDeployment: ['engineering', 'leadership'],
  UnauthorizedChange: ['engineering', 'leadership'],
  // seed: Monthly Report, delivered
  MonthlyReportReady: ['leadership'],
};

/** The event types Slack hears of. */
export const SLACK_EVENTS = [...TO_STAKEHOLDERS, ...Object.keys(TO_CHANNELS)];

/** The channels an event goes to, among those configured. */
export function slackChannels(event: BusEvent, configured: readonly string[]): SlackChannel[] {
  let wanted: SlackChannel[] = TO_CHANNELS[event.type] ?? [];
  if (TO_STAKEHOLDERS.includes(event.type) && isDomainEvent(event)) {
    // customers hear through the status page, not Slack
    const stakeholders = (event.change.content.communication?.stakeholders ?? []).filter((s) =>
      (SLACK_CHANNELS as readonly string[]).includes(s),
    ) as SlackChannel[];
    wanted = ['engineering', ...stakeholders];
  }
  return [...new Set(wanted)].filter((c) => configured.includes(c));
}

export interface SlackMessage {
  text: string;
  blocks: Record<string, unknown>[];
}

/** Block Kit caps a section's text at 3,000 characters; messages stay far shorter and link out. */
export const cut = (text: string, max = 600) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
/** Slack's mrkdwn needs &, < and > escaped in text it should not read as markup. */
export const esc = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

const HEADLINES: Record<string, string> = {
  TimelineNotice: 'notice',
  ChangeDeployed: 'deployed: the monitoring period has begun',
  ChangeCompleted: 'completed',
  ChangeRolledBack: 'rolled back',
  ChangeFailed: 'failed',
  MonitoringVerdict: 'monitoring verdict',
  EmergencyStarted: 'emergency change started',
  RollbackRequested: 'rollback requested',
  RollbackOverdue: 'rollback not reported in time',
  IncidentLinked: 'incident linked',
  PostApprovalOverdue: 'post-approval overdue',
  UnauthorizedDeployment: 'unauthorized deployment',
};

export function slackMessage(event: BusEvent, baseUrl: string): SlackMessage {
  if (!isDomainEvent(event)) return event.type === 'MonthlyReportReady' ? monthlyReportMessage(event, baseUrl) : unauthorizedChangeMessage(event);
  const cr = event.change;
  const link = `${baseUrl}/changes/${cr.id}`;
  const headline = HEADLINES[event.type] ?? event.type;
  const facts = [
    `state *${cr.state.replace('_', ' ')}*`,
    cr.riskLevel ? `risk *${cr.riskLevel}*` : undefined,
    cr.content.plannedWindow ? `window ${cr.content.plannedWindow.start.slice(0, 16).replace('T', ' ')} UTC` : undefined,
    cr.content.description?.components?.length ? cr.content.description.components.join(', ') : undefined,
  ].filter(Boolean);
  const text = `${cr.id} ${headline}: ${cut(cr.content.title, 150)}`;
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*<${link}|${cr.id}>* ${esc(headline)}: ${esc(cut(cr.content.title, 150))}` } },
      ...(event.reason ? [{ type: 'section', text: { type: 'mrkdwn', text: esc(cut(event.reason)) } }] : []),
      { type: 'context', elements: [{ type: 'mrkdwn', text: esc(facts.join(' · ')) }] },
    ],
  };
}

function monthlyReportMessage(event: ServiceEvent, baseUrl: string): SlackMessage {
  const d = event.detail as {
    month: string;
    total: number;
    successfulPercent: number | null;
    rolledBackPercent: number | null;
    emergency: number;
    unauthorized: number;
  };
  const pct = (p: number | null) => (p === null ? 'n/a' : `${p}%`);
  const text = `Change management report ${d.month}: ${d.total} changes, ${pct(d.successfulPercent)} successful, ${pct(d.rolledBackPercent)} rolled back`;
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `:bar_chart: *<${baseUrl}/reports/${d.month}/report.html|Change management report ${d.month}>*` } },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: esc(
              `${d.total} changes · ${pct(d.successfulPercent)} successful · ${pct(d.rolledBackPercent)} rolled back · ${d.emergency} emergency · ${d.unauthorized} unauthorized`,
            ),
          },
        ],
      },
    ],
  };
}

function unauthorizedChangeMessage(event: ServiceEvent): SlackMessage {
  const d = event.detail as { environment?: string; repository?: string; commit?: string; url?: string; reasons?: string[]; changeId?: string };
  const what = `${d.repository ?? 'a pipeline'} deployed to ${d.environment ?? 'production'}${d.commit ? ` (${d.commit.slice(0, 12)})` : ''}`;
  const text = `Unauthorized change: ${what}`;
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `:rotating_light: *Unauthorized change*: ${esc(what)}${d.url ? ` <${d.url}|run>` : ''}` } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: esc(cut((d.reasons ?? []).join('; ') || 'no approved change request covers it')) }] },
    ],
  };
}

/** PagerDuty hears of a deployment and of a rollback (Events API v2 change events). */
export const PAGERDUTY_CHANGE_EVENTS = ['ChangeDeployed', 'ChangeRolledBack'];

/** The change event (integrations.md §3.2): a summary of at most 1,024 characters, the change's facts, a link back. */
export function pagerDutyChangeEvent(event: DomainEvent, routingKey: string, baseUrl: string) {
  const cr: ChangeRequest = event.change;
  const deployment = cr.deployments?.at(-1);
  const verb = event.type === 'ChangeRolledBack' ? 'rolled back' : 'deployed';
  return {
    routing_key: routingKey,
    payload: {
      summary: cut(`${cr.id} ${verb}: ${cr.content.title}${cr.riskLevel ? ` (risk ${cr.riskLevel})` : ''}`, 1024),
      timestamp: event.time,
      source: 'changeflow',
      custom_details: {
        change_id: cr.id,
        category: cr.content.category,
        risk: cr.riskLevel,
        components: cr.content.description?.components ?? [],
        approvers: cr.approvals.filter((a) => a.revision === cr.revision).map((a) => a.by),
        ...(deployment ? { commit: deployment.commit, environment: deployment.environment, pipeline: deployment.url } : {}),
        ...(cr.monitoring?.verdict ? { monitoring_verdict: cr.monitoring.verdict } : {}),
        ...(event.reason ? { reason: cut(event.reason) } : {}),
      },
    },
    links: [{ href: `${baseUrl}/changes/${cr.id}`, text: `Change request ${cr.id}` }],
  };
}

/** A subscriber's events: the types it listed, or every one (`*`). WebhookReceived is internal and never sent. */
export function subscribed(events: readonly string[], type: string): boolean {
  return type !== 'WebhookReceived' && (events.includes('*') || events.includes(type));
}

/** What a subscriber gets: Standard Webhooks' recommended envelope around the event as the bus carries it. */
export function subscriberPayload(event: BusEvent): { type: string; timestamp: string; data: BusEvent } {
  return { type: event.type, timestamp: event.time, data: event };
}

/** Whether an answer means "try again later" (the sender's retries and then its dead-letter queue) or "never" (recorded, dropped). */
export const retryable = (status: number) => status === 408 || status === 429 || status >= 500;
