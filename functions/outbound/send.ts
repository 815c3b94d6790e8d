/**
 * Events out (docs/webhooks.md, "Out"), as a consumer of the bus: Slack (one incoming webhook per
 * stakeholder channel), PagerDuty change events (a deployment, a rollback) and the subscribers an
 * admin registered, signed with Standard Webhooks. Each target of an event is its own step, done
 * once by the event id and the target, however often the event is delivered; an answer worth
 * retrying (a timeout, 408, 429, 5xx) fails the delivery, so the bus retries it (and at last
 * dead-letters it), and the targets already done are not sent again.
 */
import { Webhook } from 'standardwebhooks';
import { type BusEvent, isDomainEvent } from '../core/events.js';
import { PAGERDUTY_CHANGE_EVENTS, pagerDutyChangeEvent, retryable, slackChannels, slackMessage, subscribed, subscriberPayload } from '../core/outbound.js';
import { targetChannel } from '../core/communication.js';
import { type MirrorDeps, mirrorEvent, mirrorOf } from './mirror.js';
import { ClaimHeldError, type Clock, type CommunicationLog, type HttpPoster, type Once, type Subscription, type SubscriptionStore } from '../ports.js';

export interface OutboundTargets {
  /** Slack incoming webhook URL per channel (engineering, product, support, leadership, incidents). */
  slack: Record<string, string>;
  /** The Events API v2 integration key of the PagerDuty service that records changes. */
  pagerDutyRoutingKey?: string | undefined;
}

export interface OutboundDeps {
  poster: HttpPoster;
  once: Once;
  subscriptions: SubscriptionStore;
  clock: Clock;
  baseUrl: string;
  /** The targets' credentials (the Slack URLs are secrets): the settings locally, a secret in AWS. */
  targets: () => Promise<OutboundTargets>;
  pagerDutyEventsUrl: string;
  /** Where each notice about a change is recorded (the change's communication log). */
  log?: Pick<CommunicationLog, 'record'> | undefined;
  /** The Jira/Linear mirror of the teams that have one (outbound/mirror.ts). */
  mirror?: MirrorDeps | undefined;
}

/** A target that answered "later": the delivery fails so that the bus retries it. */
export class RetryLaterError extends Error {
  override name = 'RetryLaterError';
}

export interface OutboundResult {
  sent: string[];
  /** Refused for good (a 4xx other than 408 and 429): recorded, not retried. */
  refused: string[];
}

export async function sendOutbound(deps: OutboundDeps, event: BusEvent): Promise<OutboundResult> {
  if (event.type === 'WebhookReceived') return { sent: [], refused: [] };
  const targets = await deps.targets();
  const steps: { target: string; url?: string; notice?: false; send: () => Promise<'sent' | 'refused'> }[] = [];

  for (const channel of slackChannels(event, Object.keys(targets.slack))) {
    const body = JSON.stringify(slackMessage(event, deps.baseUrl));
    steps.push({ target: `slack:${channel}`, send: () => post(deps, targets.slack[channel]!, body, {}) });
  }
  if (targets.pagerDutyRoutingKey && isDomainEvent(event) && PAGERDUTY_CHANGE_EVENTS.includes(event.type)) {
    const body = JSON.stringify(pagerDutyChangeEvent(event, targets.pagerDutyRoutingKey, deps.baseUrl));
    steps.push({ target: 'pagerduty', send: () => post(deps, deps.pagerDutyEventsUrl, body, {}) });
  }
  const mirror = deps.mirror && isDomainEvent(event) ? mirrorOf(deps.mirror, event) : undefined;
  if (mirror && isDomainEvent(event)) {
    // a record kept in step, not a notice: not in the communication log
    steps.push({ target: `mirror:${mirror.tracker}`, notice: false, send: () => mirrorEvent(deps.mirror!, event, mirror) });
  }
  for (const sub of (await deps.subscriptions.list()).filter((s) => subscribed(s.events, event.type))) {
    steps.push({ target: `subscription:${sub.id}`, url: sub.url, send: () => deliverToSubscriber(deps, sub, event) });
  }

  const result: OutboundResult = { sent: [], refused: [] };
  const later: string[] = [];
  // a notice about a change goes in its communication log, whatever came of it
  const log = async (target: string, url: string | undefined, outcome: 'sent' | 'refused' | 'failed', detail?: string) => {
    if (!deps.log || !isDomainEvent(event)) return;
    const entry = { at: deps.clock.now().toISOString(), ...targetChannel(target, url), template: event.type, eventId: event.id, outcome };
    await deps.log.record(event.changeId, detail ? { ...entry, detail: detail.slice(0, 300) } : entry);
  };
  await Promise.all(
    steps.map(async ({ target, url, notice, send }) => {
      try {
        let outcome: 'sent' | 'refused' = 'sent';
        const { ran } = await deps.once.run('outbound', { eventId: event.id, target }, async () => {
          outcome = await send();
          if (notice !== false) await log(target, url, outcome, outcome === 'refused' ? 'refused for good by the target' : undefined);
        });
        if (ran) result[outcome].push(target);
      } catch (err) {
        later.push(`${target}: ${(err as Error).message}`);
        // another run holds the step right now: it records its own outcome
        if (!(err instanceof ClaimHeldError) && notice !== false) await log(target, url, 'failed', (err as Error).message).catch(() => undefined);
      }
    }),
  );
  if (later.length) throw new RetryLaterError(`${event.type} ${event.id}: ${later.join('; ')}`);
  return result;
}

async function post(deps: OutboundDeps, url: string, body: string, headers: Record<string, string>): Promise<'sent' | 'refused'> {
  const res = await deps.poster.post(url, body, headers);
  if (res.status >= 200 && res.status < 300) return 'sent';
  if (retryable(res.status)) throw new RetryLaterError(`${res.status} ${res.body.slice(0, 200)}`);
  return 'refused';
}

/** Standard Webhooks: the event id is the message id (the same on every retry), signed afresh at each attempt. */
export function signedHeaders(sub: Pick<Subscription, 'secret'>, messageId: string, body: string, at: Date): Record<string, string> {
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(sub.secret).sign(messageId, at, body),
  };
}

async function deliverToSubscriber(deps: OutboundDeps, sub: Subscription, event: BusEvent): Promise<'sent' | 'refused'> {
  const body = JSON.stringify(subscriberPayload(event));
  return attempt(deps, sub, { key: `${event.time}#${event.id}`, eventId: event.id, eventType: event.type, at: event.time, body });
}

/** One attempt to one subscriber, recorded (for the admin's list and the redeliver action) whatever comes of it. */
export async function attempt(
  deps: Pick<OutboundDeps, 'poster' | 'subscriptions' | 'clock'>,
  sub: Subscription,
  d: { key: string; eventId: string; eventType: string; at: string; body: string },
): Promise<'sent' | 'refused'> {
  const now = deps.clock.now();
  const base = { key: d.key, eventId: d.eventId, eventType: d.eventType, at: d.at, body: d.body, subscriptionId: sub.id, lastAttemptAt: now.toISOString() };
  let res: { status: number; body: string };
  try {
    res = await deps.poster.post(sub.url, d.body, signedHeaders(sub, d.eventId, d.body, now));
  } catch (err) {
    await deps.subscriptions.recordAttempt({ ...base, status: 'retrying', error: (err as Error).message });
    throw new RetryLaterError(`${sub.url}: ${(err as Error).message}`);
  }
  if (res.status >= 200 && res.status < 300) {
    await deps.subscriptions.recordAttempt({ ...base, status: 'delivered', httpStatus: res.status });
    return 'sent';
  }
  const again = retryable(res.status);
  await deps.subscriptions.recordAttempt({
    ...base,
    status: again ? 'retrying' : 'failed',
    httpStatus: res.status,
    error: res.body.slice(0, 300) || undefined,
  });
  if (again) throw new RetryLaterError(`${sub.url} answered ${res.status}`);
  return 'refused';
}
