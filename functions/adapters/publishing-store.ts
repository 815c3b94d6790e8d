/**
 * Publishes the domain events of every write, after the write commits: one event per audit entry,
 * so what is published is exactly what was recorded. A write that fails publishes nothing.
 */
import type { AuditEntry, ChangeRequest } from '../core/change-request.js';
import { toDomainEvents } from '../core/events.js';
import type { ChangeStore, ChangeWithAudit, EventPublisher, ListPage, ListQuery } from '../ports.js';

export class PublishingChangeStore implements ChangeStore {
  constructor(
    private readonly inner: ChangeStore,
    private readonly events: EventPublisher,
    /** A publish that fails after the write committed is reported here, not to the caller: the change stands. */
    private readonly onPublishError: (err: unknown, events: string[]) => void,
  ) {}

  nextSequence(day: string): Promise<number> {
    return this.inner.nextSequence(day);
  }

  get(id: string): Promise<ChangeWithAudit | null> {
    return this.inner.get(id);
  }

  list(query: ListQuery): Promise<ListPage> {
    return this.inner.list(query);
  }

  async create(cr: ChangeRequest, audit: AuditEntry[]): Promise<void> {
    await this.inner.create(cr, audit);
    await this.publish(cr, audit);
  }

  async save(expectedVersion: number, next: ChangeRequest, audit: AuditEntry[]): Promise<void> {
    await this.inner.save(expectedVersion, next, audit);
    await this.publish(next, audit);
  }

  private async publish(cr: ChangeRequest, audit: AuditEntry[]): Promise<void> {
    if (audit.length === 0) return;
    const events = toDomainEvents(cr, audit);
    try {
      await this.events.publish(events);
    } catch (err) {
      this.onPublishError(
        err,
        events.map((e) => `${e.type} ${e.id}`),
      );
    }
  }
}
