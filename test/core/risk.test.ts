import { describe, expect, it } from 'vitest';
import { riskLevel } from '../../functions/core/risk.js';

// The seed's risk matrix, copied by hand (seed: "2. Risk Assessment → Risk Matrix").
const SEED_MATRIX = [
  ['high', 'low', 'medium'],
  ['high', 'medium', 'high'],
  ['high', 'high', 'critical'],
  ['high', 'critical', 'critical'],
  ['medium', 'low', 'low'],
  ['medium', 'medium', 'medium'],
  ['medium', 'high', 'high'],
  ['medium', 'critical', 'critical'],
  ['low', 'low', 'low'],
  ['low', 'medium', 'low'],
  ['low', 'high', 'medium'],
  ['low', 'critical', 'high'],
] as const;

describe('Rule: risk level is likelihood × impact from the seed matrix', () => {
  it.each(SEED_MATRIX)('likelihood %s × impact %s → %s', (likelihood, impact, expected) => {
    expect(riskLevel(likelihood, impact)).toBe(expected);
  });

  it('covers all 12 cells', () => {
    expect(new Set(SEED_MATRIX.map(([l, i]) => `${l}/${i}`)).size).toBe(12);
  });

  it('is undetermined while likelihood or impact is missing', () => {
    expect(riskLevel(undefined, 'high')).toBeNull();
    expect(riskLevel('high', undefined)).toBeNull();
  });
});
