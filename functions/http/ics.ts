/**
 * The iCalendar feed: blackouts and committed changes, in UTC (`…Z`), which every calendar client
 * places correctly without a VTIMEZONE (ical-generator writes zone-less local times otherwise).
 */
import ical, { ICalEventTransparency } from 'ical-generator';

export interface FeedItem {
  uid: string;
  summary: string;
  start: string;
  end: string;
  description?: string;
  busy: boolean;
}

export function icsFeed(name: string, items: FeedItem[], now: Date): string {
  const cal = ical({ name, prodId: { company: 'ChangeFlow', product: 'change-calendar', language: 'EN' }, ttl: 15 * 60 });
  for (const item of items) {
    cal.createEvent({
      id: item.uid,
      summary: item.summary,
      start: new Date(item.start),
      end: new Date(item.end),
      stamp: now,
      description: item.description,
      transparency: item.busy ? ICalEventTransparency.OPAQUE : ICalEventTransparency.TRANSPARENT,
    });
  }
  return cal.toString();
}
