import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createDecisionToken, verifyDecisionToken, type DecisionClaims } from '../../functions/core/approval-link.js';

const KEY = new Uint8Array(32).map((_, i) => i * 7 + 1);
const OTHER_KEY = new Uint8Array(32).map((_, i) => 255 - i);
const NOW = '2026-12-01T12:00:00.000Z';

const claims: DecisionClaims = {
  approver: 'erin',
  changeId: 'CR-2026-12-01-007',
  revision: 3,
  slot: 'eng-manager',
  decision: 'approve',
  expiresAt: '2026-12-08T12:00:00.000Z',
};

/** Signs any payload the way the module does, to build tokens whose signature is right but whose content is not. */
function signedToken(payloadJson: string, key: Uint8Array = KEY): string {
  const payload = Buffer.from(payloadJson, 'utf8').toString('base64url');
  return `${payload}.${createHmac('sha256', key).update(payload).digest('base64url')}`;
}

describe('Rule: a decision token carries its claims, signed, and verifies as issued', () => {
  it('round-trips the claims, with and without a nonce', () => {
    // Prepare
    const withNonce = { ...claims, nonce: 'n-1' };
    // Act
    const plain = verifyDecisionToken(createDecisionToken(claims, KEY), KEY, NOW);
    const nonced = verifyDecisionToken(createDecisionToken(withNonce, KEY), KEY, NOW);
    // Assess
    expect(plain).toEqual({ ok: true, claims });
    expect(nonced).toEqual({ ok: true, claims: withNonce });
  });

  it('is compact and URL-safe: base64url payload, one dot, base64url HMAC-SHA256', () => {
    // Act
    const token = createDecisionToken(claims, KEY);
    // Assess
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(encodeURIComponent(token)).toBe(token);
    expect(token.length).toBeLessThan(400);
    expect(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString())).toEqual(claims);
  });

  it('gives the same token for the same claims (fixed field order)', () => {
    // Prepare
    const reordered = {
      expiresAt: claims.expiresAt,
      decision: claims.decision,
      slot: claims.slot,
      revision: 3,
      changeId: claims.changeId,
      approver: 'erin',
    } as const;
    // Act + Assess
    expect(createDecisionToken(reordered, KEY)).toBe(createDecisionToken(claims, KEY));
  });

  it('refuses to sign claims that could never verify, and keys shorter than 32 bytes', () => {
    // Act + Assess
    expect(() => createDecisionToken({ ...claims, revision: 0 }, KEY)).toThrow(TypeError);
    expect(() => createDecisionToken({ ...claims, expiresAt: 'next week' }, KEY)).toThrow(TypeError);
    expect(() => createDecisionToken({ ...claims, slot: 'requester' as never }, KEY)).toThrow(TypeError);
    expect(() => createDecisionToken(claims, new Uint8Array(16))).toThrow(/at least 32 bytes/);
  });
});

describe('Rule: a token not signed with our key, or altered after signing, is forged', () => {
  it('a token signed with another key is forged', () => {
    // Prepare
    const token = createDecisionToken(claims, OTHER_KEY);
    // Act
    const result = verifyDecisionToken(token, KEY, NOW);
    // Assess
    expect(result).toEqual({ ok: false, reason: 'forged' });
  });

  it('a changed signature is forged', () => {
    // Prepare
    const token = createDecisionToken(claims, KEY);
    const [payload, sig] = token.split('.') as [string, string];
    const flipped = `${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`;
    // Act + Assess
    expect(verifyDecisionToken(`${payload}.${flipped}`, KEY, NOW)).toEqual({ ok: false, reason: 'forged' });
    expect(verifyDecisionToken(`${payload}.${sig.slice(0, -2)}`, KEY, NOW)).toEqual({ ok: false, reason: 'forged' });
  });

  it.each([
    ['decision', { decision: 'reject' }],
    ['approver', { approver: 'mallory' }],
    ['revision', { revision: 4 }],
    ['slot', { slot: 'cto' }],
    ['expiry', { expiresAt: '2027-12-08T12:00:00.000Z' }],
    ['change', { changeId: 'CR-2026-12-01-008' }],
  ])('claims with a changed %s under the old signature are forged', (_name, change) => {
    // Prepare
    const token = createDecisionToken(claims, KEY);
    const sig = token.split('.')[1]!;
    const tampered = `${Buffer.from(JSON.stringify({ ...claims, ...change })).toString('base64url')}.${sig}`;
    // Act
    const result = verifyDecisionToken(tampered, KEY, NOW);
    // Assess
    expect(result).toEqual({ ok: false, reason: 'forged' });
  });
});

describe('Rule: a token is expired from its expiry instant on', () => {
  const token = createDecisionToken(claims, KEY);

  it('is valid one millisecond before the expiry', () => {
    expect(verifyDecisionToken(token, KEY, '2026-12-08T11:59:59.999Z').ok).toBe(true);
  });

  it('is expired exactly at the expiry', () => {
    expect(verifyDecisionToken(token, KEY, '2026-12-08T12:00:00.000Z')).toEqual({ ok: false, reason: 'expired' });
  });

  it('is expired after the expiry, whatever the offset the instants are written in', () => {
    expect(verifyDecisionToken(token, KEY, '2026-12-08T07:00:00.001-05:00')).toEqual({ ok: false, reason: 'expired' });
  });

  it('checks the signature before the expiry: an expired forgery is forged', () => {
    expect(verifyDecisionToken(createDecisionToken(claims, OTHER_KEY), KEY, '2030-01-01T00:00:00Z')).toEqual({ ok: false, reason: 'forged' });
  });
});

describe('Rule: a malformed token is refused as malformed, and verifying never throws', () => {
  it.each([
    ['empty', ''],
    ['no dot', 'abcdef'],
    ['three parts', 'a.b.c'],
    ['empty payload', `.${'A'.repeat(43)}`],
    ['empty signature', 'eyJhIjoxfQ.'],
    ['not base64url', 'ey+J/hIjo=.abc'],
    ['spaces', 'eyJh IjoxfQ.abc'],
    ['too long', `${'A'.repeat(5000)}.${'A'.repeat(43)}`],
  ])('%s → malformed', (_name, token) => {
    expect(verifyDecisionToken(token, KEY, NOW)).toEqual({ ok: false, reason: 'malformed' });
  });

  it.each([
    ['not JSON', 'not json {'],
    ['a JSON array', JSON.stringify([claims])],
    ['a JSON string', JSON.stringify('hello')],
    ['JSON null', 'null'],
    ['a number', '42'],
    ['an empty object', '{}'],
    ['missing the slot', JSON.stringify({ ...claims, slot: undefined })],
    ['missing the expiry', JSON.stringify({ ...claims, expiresAt: undefined })],
    ['a revision that is not a whole number', JSON.stringify({ ...claims, revision: '3' })],
    ['an unknown decision', JSON.stringify({ ...claims, decision: 'maybe' })],
    ['an extra claim', JSON.stringify({ ...claims, admin: true })],
  ])('correctly signed, but %s → malformed', (_name, json) => {
    expect(verifyDecisionToken(signedToken(json), KEY, NOW)).toEqual({ ok: false, reason: 'malformed' });
  });

  it.each([undefined, null, 42, {}, ['a.b']])('a token that is not a string (%j) → malformed', (token) => {
    expect(verifyDecisionToken(token, KEY, NOW)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('any string at all: never throws, never verifies', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[A-Za-z0-9_-]{0,60}\.[A-Za-z0-9_-]{0,60}$/)), (token) => {
        const result = verifyDecisionToken(token, KEY, NOW);
        expect(result.ok).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});
