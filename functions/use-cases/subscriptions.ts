/**
 * Outbound subscriptions (docs/webhooks.md, "Out"): an admin registers an endpoint and the events
 * it wants, gets its signing secret once, sees what was delivered and redelivers one.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Person } from '../core/change-request.js';
import { NotFoundError, ValidationError } from '../core/errors.js';
import { mustBeAdmin } from '../core/roles.js';
import { attempt, RetryLaterError } from '../outbound/send.js';
import type { Clock, HttpPoster, Subscription, SubscriptionDelivery, SubscriptionStore } from '../ports.js';

export interface SubscriptionDeps {
  subscriptions: SubscriptionStore;
  poster: HttpPoster;
  clock: Clock;
  /** The event types a subscriber may ask for. */
  eventTypes: readonly string[];
  allowHttp: boolean;
}

/** A subscription as listed: everything but the secret. */
export type SubscriptionView = Omit<Subscription, 'secret'>;

const view = ({ secret: _secret, ...rest }: Subscription): SubscriptionView => rest;

export async function subscribe(
  deps: SubscriptionDeps,
  actor: Person,
  input: { url: string; events: string[]; description?: string | undefined },
): Promise<Subscription> {
  mustBeAdmin(actor, 'register a webhook subscription');
  const url = new URL(input.url);
  if (url.protocol !== 'https:' && !(deps.allowHttp && url.protocol === 'http:')) {
    throw new ValidationError([{ path: 'body.url', message: 'must be an https URL (the events carry change requests)' }]);
  }
  if (url.username || url.password)
    throw new ValidationError([{ path: 'body.url', message: 'must not carry a user name or password: the signature authenticates ChangeFlow' }]);
  const unknown = input.events.filter((e) => e !== '*' && !deps.eventTypes.includes(e));
  if (unknown.length) {
    throw new ValidationError([
      {
        path: 'body.events',
        message: `${unknown.join(', ')} ${unknown.length > 1 ? 'are not event types' : 'is not an event type'}; the types are ${deps.eventTypes.join(', ')}, or * for every one`,
      },
    ]);
  }
  const subscription: Subscription = {
    id: `sub_${randomUUID().replaceAll('-', '').slice(0, 16)}`,
    url: url.toString(),
    events: [...new Set(input.events)],
    description: input.description,
    createdAt: deps.clock.now().toISOString(),
    createdBy: actor.id,
    secret: `whsec_${randomBytes(32).toString('base64')}`,
  };
  await deps.subscriptions.put(subscription);
  return subscription;
}

export async function listSubscriptions(deps: SubscriptionDeps, actor: Person): Promise<SubscriptionView[]> {
  mustBeAdmin(actor, 'list the webhook subscriptions');
  return (await deps.subscriptions.list()).map(view).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

export async function unsubscribe(deps: SubscriptionDeps, actor: Person, id: string): Promise<void> {
  mustBeAdmin(actor, 'remove a webhook subscription');
  if (!(await deps.subscriptions.delete(id))) throw new NotFoundError(`no subscription ${id}`);
}

async function found(deps: SubscriptionDeps, id: string): Promise<Subscription> {
  const sub = await deps.subscriptions.get(id);
  if (!sub) throw new NotFoundError(`no subscription ${id}`);
  return sub;
}

export async function subscriptionDeliveries(deps: SubscriptionDeps, actor: Person, id: string, limit: number): Promise<Omit<SubscriptionDelivery, 'body'>[]> {
  mustBeAdmin(actor, 'read the deliveries of a webhook subscription');
  await found(deps, id);
  return (await deps.subscriptions.deliveries(id, limit)).map(({ body: _body, ...d }) => d);
}

/** Sends one delivery again, now, signed afresh, and says what came of it. */
export async function redeliver(deps: SubscriptionDeps, actor: Person, id: string, key: string): Promise<Omit<SubscriptionDelivery, 'body'>> {
  mustBeAdmin(actor, 'redeliver a webhook');
  const sub = await found(deps, id);
  const delivery = await deps.subscriptions.delivery(id, key);
  if (!delivery) throw new NotFoundError(`subscription ${id} has no delivery ${key} (GET /subscriptions/${id}/deliveries lists them)`);
  try {
    await attempt(deps, sub, delivery);
  } catch (err) {
    if (!(err instanceof RetryLaterError)) throw err;
  }
  const { body: _body, ...after } = (await deps.subscriptions.delivery(id, key))!;
  return after;
}
