import { describe, expect, it, vi } from 'vitest';
import { ConfigError, loadConfig } from '../../functions/config.js';
import { actor, personFromClaims, reader, rolesFromClaim } from '../../functions/http/identity.js';
import { ForbiddenError, UnauthorizedError } from '../../functions/core/errors.js';
import type { Person } from '../../functions/core/change-request.js';
import type { Directory } from '../../functions/ports.js';
import { mergePatch } from '../../functions/use-cases/changes.js';
import { people } from '../fixtures.js';

const token = { IDENTITY_SOURCE: 'token' as const, ROLES_CLAIM: 'roles', TEAM_CLAIM: 'team' };
const directory = { IDENTITY_SOURCE: 'directory' as const, ROLES_CLAIM: 'roles', TEAM_CLAIM: 'team' };
const withClaims = (claims: Record<string, unknown> | undefined) => ({ requestContext: { authorizer: claims ? { jwt: { claims } } : undefined } }) as never;
const inDirectory = (...known: Person[]): Directory => ({
  get: async (id) => known.find((p) => p.id === id) ?? null,
  byEmail: async (email) => known.find((p) => p.email === email) ?? null,
  withRole: async () => [],
  put: async () => undefined,
});

describe('Rule: roles come from one authority, matched exactly', () => {
  it.each([
    ['a real array, element by element', ['cto', 'billing admin'], undefined, ['cto']],
    ["API Gateway's flattened array, when every word is a role", '[tech-lead requester]', undefined, ['tech-lead', 'requester']],
    ['a flattened array holding anything else grants nothing ("billing admin" is not admin)', '[billing admin requester]', undefined, []],
    ['a plain string, whole, without a separator', 'tech-lead requester', undefined, []],
    ['a plain string split on the configured separator only', 'tech-lead,requester', ',', ['tech-lead', 'requester']],
    ['a space-separated string is not split on commas', 'admin,cto', ' ', []],
    ['nothing', undefined, undefined, []],
  ])('%s', (_, value, separator, expected) => {
    expect(rolesFromClaim(value, separator)).toEqual(expected);
  });

  it('with IDENTITY_SOURCE=token, the team and the known roles come from the claims', () => {
    const person = personFromClaims(withClaims({ sub: 'Tom', name: 'Tom', roles: ['tech-lead', 'superuser'], team: 'payments' }), token);
    expect(person).toMatchObject({ id: 'tom', roles: ['tech-lead'], team: 'payments' });
  });

  it('with the directory as the authority, a token cannot grant itself a role', async () => {
    const claimed = withClaims({ sub: 'mallory', roles: ['cto', 'admin'] });
    expect((await reader(claimed, directory, inDirectory())).roles).toEqual([]);
    await expect(actor(claimed, directory, inDirectory())).rejects.toThrow(ForbiddenError);
    const tom = await actor(withClaims({ sub: 'TOM', roles: ['cto'] }), directory, inDirectory(people.tom));
    expect(tom.roles).toEqual(['requester', 'tech-lead']);
  });

  it('refuses a request without claims or subject (401), for reads too', async () => {
    expect(() => personFromClaims(withClaims(undefined), token)).toThrow(UnauthorizedError);
    await expect(reader(withClaims({ name: 'nobody' }), directory, inDirectory())).rejects.toThrow(UnauthorizedError);
    await expect(reader(withClaims({ sub: '   ' }), directory, inDirectory())).rejects.toThrow(UnauthorizedError);
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

describe('Rule: an ordinary refusal leaves no warning in the logs', () => {
  it('a refused request publishes no (empty) metrics; a served one publishes what it recorded', async () => {
    // Prepare
    const { httpApi, metrics } = await import('../../functions/http/api.js');
    const { ValidationError } = await import('../../functions/core/errors.js');
    const { MetricUnit } = await import('@aws-lambda-powertools/metrics');
    const publish = vi.spyOn(metrics, 'publishStoredMetrics');
    const handler = httpApi(
      {
        'POST /refused': async () => {
          throw new ValidationError([{ path: 'body', message: 'is required' }]);
        },
        'POST /served': async () => {
          metrics.addMetric('Served', MetricUnit.Count, 1);
          return { statusCode: 200, headers: {}, body: '{}' };
        },
      },
      { emitsMetrics: true },
    );
    const event = (routeKey: string) => ({ routeKey, headers: {}, requestContext: { requestId: 'r' } }) as never;
    // Act
    const refused = await handler(event('POST /refused'), {} as never);
    // Assess
    expect(refused.statusCode).toBe(400);
    expect(publish).not.toHaveBeenCalled();
    await handler(event('POST /served'), {} as never);
    expect(publish).toHaveBeenCalledTimes(1);
    publish.mockRestore();
  });
});
