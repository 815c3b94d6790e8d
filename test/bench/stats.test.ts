/** The bench's pure helpers. Timings themselves are never asserted: `npm run bench` measures them. */
import { describe, expect, it } from 'vitest';
import { median, percentile, ratio, rotated } from '../../bench/stats.js';

describe('median', () => {
  it('is the middle sample of an odd count, whatever the order', () => {
    expect(median([9, 1, 5])).toBe(5);
    expect(median([42])).toBe(42);
  });

  it('is the mean of the two middle samples of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([10, 20])).toBe(15);
  });

  it('leaves its input as it was', () => {
    const samples = [3, 1, 2];
    median(samples);
    expect(samples).toEqual([3, 1, 2]);
  });

  it('is NaN without samples', () => {
    expect(median([])).toBeNaN();
  });
});

describe('percentile (nearest rank)', () => {
  it('takes a sample, never a value between two', () => {
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(percentile([1, 2, 3, 4], 0.95)).toBe(4);
  });
});

describe('ratio', () => {
  it('is written with two decimals and a times sign', () => {
    expect(ratio(3, 2)).toBe('1.50×');
    expect(ratio(1, 3)).toBe('0.33×');
  });

  it('is a dash when the base is zero or either side is not a number', () => {
    expect(ratio(1, 0)).toBe('–');
    expect(ratio(Number.NaN, 2)).toBe('–');
    expect(ratio(1, Number.NaN)).toBe('–');
  });
});

describe('rotated', () => {
  it('starts round k at the k-th item and wraps around', () => {
    expect(rotated(['a', 'b', 'c'], 0)).toEqual(['a', 'b', 'c']);
    expect(rotated(['a', 'b', 'c'], 1)).toEqual(['b', 'c', 'a']);
    expect(rotated(['a', 'b', 'c'], 5)).toEqual(['c', 'a', 'b']);
  });

  it('is empty for an empty list', () => {
    expect(rotated([], 3)).toEqual([]);
  });
});
