/**
 * The workflow task function and the notification consumer refuse input that is not theirs, naming
 * the field, before they touch anything.
 */
import { describe, expect, it, vi } from 'vitest';
import { ValidationError } from '../../functions/core/errors.js';
import type { ChangeStore, Directory, Mailer, Once } from '../../functions/ports.js';
import { runWorkflowTask } from '../../functions/use-cases/approval-flow.js';
import { notify } from '../../functions/notifications/notify.js';
import { DEFAULT_TIMERS } from '../../functions/core/approval-flow.js';

const store = {
  get: vi.fn(),
  save: vi.fn(),
  create: vi.fn(),
  list: vi.fn(),
  listDeployed: vi.fn(),
  decidedInMeeting: vi.fn(),
  nextSequence: vi.fn(),
} satisfies ChangeStore;
const clock = { now: () => new Date('2027-03-01T15:00:00Z') };

describe('Function: workflow tasks', () => {
  it.each([
    ['an unknown task', { task: 'launch', changeId: 'CR-2027-03-01-001' }, 'task'],
    ['a missing revision', { task: 'route', changeId: 'CR-2027-03-01-001' }, 'revision'],
    [
      'a token over 2048 characters',
      { task: 'request-approval', changeId: 'CR-2027-03-01-001', revision: 1, slot: 'tech-lead', taskToken: 'x'.repeat(2049) },
      'taskToken',
    ],
    ['an unknown slot', { task: 'request-approval', changeId: 'CR-2027-03-01-001', revision: 1, slot: 'ceo', taskToken: 't' }, 'slot'],
  ])('refuses %s, naming %s, and reads nothing', async (_, payload, field) => {
    const err = await runWorkflowTask({ store, clock, timers: DEFAULT_TIMERS }, payload).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).issues.map((i) => i.path)).toContain(field);
    expect(store.get).not.toHaveBeenCalled();
  });
});

describe('Function: notifications', () => {
  const mailer = { send: vi.fn() } satisfies Mailer;
  const once = { run: vi.fn() } satisfies Once;
  const directory = { get: vi.fn(), byEmail: vi.fn(), withRole: vi.fn(), put: vi.fn() } satisfies Directory;
  const deps = {
    directory,
    mailer,
    once,
    linkKey: async () => new Uint8Array(32),
    baseUrl: 'http://localhost:3000',
    timeZone: 'America/New_York',
    timers: DEFAULT_TIMERS,
    stakeholderEmails: {},
  };

  it.each([
    ['a foreign event', { hello: 'world' }, 'detail.schemaVersion'],
    [
      'an event without its change',
      { schemaVersion: '1', id: 'CR-2027-03-01-001#4', type: 'ApprovalRequested', changeId: 'CR-2027-03-01-001' },
      'detail.change',
    ],
    [
      'a malformed id',
      { schemaVersion: '1', id: 'nope', type: 'ApprovalRequested', changeId: 'x', change: { id: 'x', requestor: { id: 'a' }, content: { title: 't' } } },
      'detail.id',
    ],
  ])('refuses %s, naming %s, and sends nothing', async (_, detail, field) => {
    const err = await notify(deps, detail).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).issues.map((i) => i.path)).toContain(field);
    expect(once.run).not.toHaveBeenCalled();
    expect(mailer.send).not.toHaveBeenCalled();
  });
});
