import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../functions/config.js';
import { actorFromEvent, parseList } from '../../functions/http/identity.js';
import { UnauthorizedError } from '../../functions/core/errors.js';
import { mergePatch } from '../../functions/use-cases/changes.js';

const names = { rolesClaim: 'roles', teamClaim: 'team' };
const withClaims = (claims: Record<string, unknown> | undefined) => ({ requestContext: { authorizer: claims ? { jwt: { claims } } : undefined } }) as never;

describe('Rule: the caller is who the verified token says', () => {
  it.each([
    ['API Gateway flattened array', '[tech-lead requester]', ['tech-lead', 'requester']],
    ['space separated', 'tech-lead requester', ['tech-lead', 'requester']],
    ['comma separated', 'tech-lead,requester', ['tech-lead', 'requester']],
    ['a real array', ['cto'], ['cto']],
    ['nothing', undefined, []],
  ])('reads roles from %s', (_, value, expected) => {
    expect(parseList(value)).toEqual(expected);
  });

  it('keeps only known roles and takes the team from its claim', () => {
    const actor = actorFromEvent(withClaims({ sub: 'tom', name: 'Tom', roles: '[tech-lead superuser]', team: 'payments' }), names);
    expect(actor).toMatchObject({ id: 'tom', roles: ['tech-lead'], team: 'payments' });
  });

  it('refuses a request without claims or subject (401)', () => {
    expect(() => actorFromEvent(withClaims(undefined), names)).toThrow(UnauthorizedError);
    expect(() => actorFromEvent(withClaims({ name: 'nobody' }), names)).toThrow(UnauthorizedError);
  });
});

describe('Rule: a bad setting stops the start with a message naming it', () => {
  it.each([
    ['ORG_TIMEZONE', 'Mars/Olympus'],
    ['REMIND_EVERY_HOURS', '-3'],
    ['DYNAMODB_ENDPOINT', 'not a url'],
    ['COMPONENTS', ' , '],
  ])('%s=%s', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(name));
  });

  it('runs locally on defaults', () => {
    expect(loadConfig({})).toMatchObject({ ORG_TIMEZONE: 'America/New_York', TABLE_NAME: 'changeflow' });
  });
});

describe('Rule: PATCH is a JSON merge patch (RFC 7396)', () => {
  it('merges objects, replaces arrays and values, deletes on null', () => {
    const target = { a: { b: 1, c: 2 }, list: [1, 2], keep: 'x' };
    expect(mergePatch(target, { a: { c: null, d: 3 }, list: [9] })).toEqual({ a: { b: 1, d: 3 }, list: [9], keep: 'x' });
  });

  it('refuses prototype keys', () => {
    expect(() => mergePatch({}, JSON.parse('{"__proto__": {"polluted": true}}'))).toThrow(/not an allowed field name/);
  });
});
