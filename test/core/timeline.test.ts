import { describe, expect, it } from 'vitest';
import { dueMilestone } from '../../functions/core/timeline.js';

const start = Date.parse('2027-03-11T15:00:00Z');
const min = (m: number) => start + m * 60_000;

describe('Rule: the communication timeline sends T-24h, T-1h, T-0, T+15m, and never stale news', () => {
  it.each([
    [-24 * 60 - 1, undefined],
    [-24 * 60, 'T-24h'],
    [-61, 'T-24h'],
    [-60, 'T-1h'],
    [0, 'T-0'],
    [15, 'T+15m'],
    [74, 'T+15m'],
    [75, undefined], // an hour after T+15m the timeline is over
  ])('at %i minutes from the start: %s', (m, expected) => {
    expect(dueMilestone(start, min(m))?.id).toBe(expected);
  });
});
