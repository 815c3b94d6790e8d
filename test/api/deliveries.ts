/**
 * What the webhook tests share: a change made ready for its deployment (approved, its checklist
 * done, its T-1h notice out, the clock inside its window), each in a window a week after the last
 * (so no two conflict at the deploy gate), and deliveries signed as each provider signs them.
 */
import { sign as signGitHub } from '@octokit/webhooks-methods';
import { Webhook } from 'standardwebhooks';
import { expect } from 'vitest';
import { completeContent } from '../fixtures.js';
import { type Api, routed } from './harness.js';

/** The checklist items people and pipelines tick (ChangeFlow ticks approved and stakeholders-notified). */
export const MANUAL_ITEMS = ['tests-passing', 'staging-deployed', 'rollback-tested', 'dashboards-open', 'on-call-briefed', 'templates-ready'];

const WEEK = 7 * 86_400_000;
/** Five minutes into the fixture's window (Tuesday 16 March 2027, 11:00 New York). */
export const WINDOW_START = Date.parse('2027-03-16T15:05:00.000Z');

export interface Windows {
  /** The clock the system reads, moved by the helpers. */
  setNow(ms: number): void;
  /** Windows handed out so far. */
  count: number;
}

/** Windows handed out a week apart, on the clock `setNow` moves. */
export const windowsOn = (setNow: (ms: number) => void): Windows => ({ setNow, count: 0 });

/** A normal change filed and submitted, routed to its approvers; its window `week` weeks after the fixture's. */
export async function submittedChange(api: Api, windows: Windows): Promise<{ id: string; shift: number; slots: { slot: string }[] }> {
  const shift = windows.count++ * WEEK;
  windows.setNow(Date.parse('2027-03-15T14:00:00.000Z') + shift);
  const content = completeContent('normal');
  content.plannedWindow = {
    start: new Date(Date.parse('2027-03-16T15:00:00Z') + shift).toISOString(),
    end: new Date(Date.parse('2027-03-16T16:00:00Z') + shift).toISOString(),
  };
  const filed = await api.call('POST', '/changes', { as: 'alice', body: content });
  expect(filed.status, filed.text).toBe(201);
  const id = filed.body.id as string;
  expect((await api.call('POST', `/changes/${id}/submit`, { as: 'alice' })).status).toBe(200);
  const r = await api.waitFor(id, routed);
  return { id, shift, slots: r.requiredApprovals.slots };
}

/** Approved, its checklist ticked, its T-1h notice out, and the clock five minutes into its window. */
export async function readyChange(api: Api, windows: Windows): Promise<{ id: string; windowStart: number }> {
  const { id, shift, slots } = await submittedChange(api, windows);
  for (const slot of slots) {
    expect((await api.call('POST', `/changes/${id}/approve`, { as: slot.slot === 'tech-lead' ? 'tom' : 'erin', body: { revision: 1 } })).status).toBe(200);
  }
  expect((await api.call('POST', `/changes/${id}/checklist`, { as: 'oscar', body: { tick: MANUAL_ITEMS } })).status).toBe(200);
  windows.setNow(Date.parse('2027-03-16T14:05:00.000Z') + shift); // T-55m: the notice that ticks "stakeholders notified"
  await api.system.jobs.TimelineNotifications!();
  windows.setNow(WINDOW_START + shift);
  return { id, windowStart: WINDOW_START + shift };
}

/** ChangeFlow's CI body, signed with Standard Webhooks at `at` (the service's clock). */
export function sendCi(api: Api, secret: string, at: number, body: object | string, id: string) {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const when = new Date(at);
  return api.call('POST', '/webhooks/ci', {
    as: null,
    raw,
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(when.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign(id, when, raw),
    },
  });
}

/** A GitHub delivery, signed as GitHub signs it (X-Hub-Signature-256). */
export async function sendGitHub(api: Api, secret: string, event: string, payload: object, delivery: string) {
  const raw = JSON.stringify(payload);
  return api.call('POST', '/webhooks/github', {
    as: null,
    raw,
    headers: {
      'content-type': 'application/json',
      'x-github-event': event,
      'x-github-delivery': delivery,
      'x-hub-signature-256': await signGitHub(secret, raw),
    },
  });
}
