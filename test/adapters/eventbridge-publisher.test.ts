import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { EventBridgePublisher } from '../../functions/adapters/aws/eventbridge-publisher.js';
import { toDomainEvents } from '../../functions/core/events.js';
import { createChange } from '../../functions/core/lifecycle.js';
import { completeContent, people, rules } from '../fixtures.js';

const eventBridge = mockClient(EventBridgeClient);
const cr = createChange({ id: 'CR-2027-03-01-001', content: completeContent(), actor: people.alice, now: '2027-03-01T15:00:00.000Z', config: rules }).next;
const events = (n: number) =>
  toDomainEvents(
    cr,
    Array.from({ length: n }, (_, i) => ({
      seq: i + 1,
      at: '2027-03-01T15:00:00.000Z',
      actor: { id: 'alice', name: 'Alice' },
      action: 'edit',
      from: 'draft' as const,
      to: 'draft' as const,
      revision: 1,
    })),
  );

describe('Class: EventBridgePublisher', () => {
  beforeEach(() => eventBridge.reset());

  it('puts each event on the bus with source changeflow, its type as detail-type and itself as detail', async () => {
    // Prepare
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }] });
    // Act
    await new EventBridgePublisher(new EventBridgeClient({}), 'changeflow-bus').publish(events(1));
    // Assess
    const input = eventBridge.commandCalls(PutEventsCommand)[0]!.args[0].input;
    expect(input.Entries).toHaveLength(1);
    expect(input.Entries![0]).toMatchObject({ EventBusName: 'changeflow-bus', Source: 'changeflow', DetailType: 'ChangeRevised' });
    expect(JSON.parse(input.Entries![0]!.Detail!)).toMatchObject({ schemaVersion: '1', id: 'CR-2027-03-01-001#1', changeId: 'CR-2027-03-01-001' });
  });

  it('sends at most 10 entries a call', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0 });
    await new EventBridgePublisher(new EventBridgeClient({}), 'bus').publish(events(23));
    expect(eventBridge.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries!.length)).toEqual([10, 10, 3]);
  });

  it('retries only the failed entries once, then fails naming them', async () => {
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{ EventId: 'a' }, { ErrorCode: 'InternalFailure' }] })
      .resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }] });
    await expect(new EventBridgePublisher(new EventBridgeClient({}), 'bus').publish(events(2))).rejects.toThrow(/refused 1 event/);
    const calls = eventBridge.commandCalls(PutEventsCommand);
    expect(calls).toHaveLength(2);
    expect(JSON.parse(calls[1]!.args[0].input.Entries![0]!.Detail!).id).toBe('CR-2027-03-01-001#2');
  });
});
