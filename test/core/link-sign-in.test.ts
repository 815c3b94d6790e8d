/** Which email-link decisions need the approver signed in (functions/core/approval-link.ts). */
import { describe, expect, it } from 'vitest';
import { linkSignInReason } from '../../functions/core/approval-link.js';

const cr = (category: string, riskLevel: string | null) => ({ content: { category }, riskLevel });

describe('Rule: a link decides alone only below a major change and below high risk, unless LINK_SIGN_IN=always', () => {
  it.each([
    ['major', 'low', 'It is a major change.'],
    ['major', null, 'It is a major change.'],
    ['normal', 'high', 'It carries high risk.'],
    ['standard', 'critical', 'It carries critical risk.'],
    ['emergency', 'high', 'It carries high risk.'],
  ])('%s at %s risk needs a sign-in, whatever the setting', (category, risk, why) => {
    expect(linkSignInReason(cr(category, risk), 'high-risk')).toBe(why);
    expect(linkSignInReason(cr(category, risk), 'always')).toBe(why);
  });

  it.each([
    ['normal', 'medium'],
    ['normal', 'low'],
    ['standard', 'low'],
    ['emergency', 'medium'],
    ['normal', null],
  ])('%s at %s risk: the link alone by default, a sign-in with always', (category, risk) => {
    expect(linkSignInReason(cr(category, risk), 'high-risk')).toBeUndefined();
    expect(linkSignInReason(cr(category, risk), 'always')).toBe('Every decision from a link is taken signed in here.');
  });
});
