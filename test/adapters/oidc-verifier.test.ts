/**
 * The email-link route's check of a signed-in approver in AWS: a bearer token verified as API
 * Gateway's JWT authorizer does, against an identity provider served here in its documented shapes
 * (OpenID discovery document, JWKS).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oidcBearer } from '../../functions/adapters/http/oidc-verifier.js';

let server: Server;
let issuer = '';
let key: CryptoKey;
let other: CryptoKey;
let discoveries = 0;

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  key = pair.privateKey;
  other = (await generateKeyPair('RS256')).privateKey;
  const pub = await exportJWK(pair.publicKey);
  server = createServer((req, res) => {
    if (req.url === '/pool/.well-known/openid-configuration') {
      discoveries++;
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/keys`, authorization_endpoint: `${issuer}/authorize` }));
    }
    if (req.url === '/pool/keys') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ keys: [{ ...pub, kid: 'k1', alg: 'RS256', use: 'sig' }] }));
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/pool`;
});
afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

const token = (claims: { iss?: string; aud?: string; sub?: string; exp?: string | number } = {}, signWith: CryptoKey = key) =>
  new SignJWT({})
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(claims.iss ?? issuer)
    .setAudience(claims.aud ?? 'console-client')
    .setSubject(claims.sub ?? 'erin')
    .setIssuedAt()
    .setExpirationTime(claims.exp ?? '1h')
    .sign(signWith);

describe('oidcBearer', () => {
  it('names the subject of a token the provider signed for one of the audiences, and reads the discovery document once', async () => {
    const signedIn = oidcBearer({ issuer, audiences: ['api', 'console-client'] });
    expect(await signedIn(`Bearer ${await token()}`)).toBe('erin');
    expect(await signedIn(`Bearer ${await token({ sub: 'ed' })}`)).toBe('ed');
    expect(discoveries).toBe(1);
  });

  it.each([
    ['another audience', { aud: 'someone-else' }],
    ['another issuer', { iss: 'https://evil.example.com/pool' }],
    ['an expired token', { exp: Math.floor(Date.parse('2020-01-01T00:00:00Z') / 1000) }],
  ])('is nobody for %s', async (_, claims) => {
    const signedIn = oidcBearer({ issuer, audiences: ['console-client'] });
    expect(await signedIn(`Bearer ${await token(claims as never)}`)).toBeNull();
  });

  it('is nobody for a token signed with another key, a garbled one, and no header', async () => {
    const signedIn = oidcBearer({ issuer, audiences: ['console-client'] });
    expect(await signedIn(`Bearer ${await token({}, other)}`)).toBeNull();
    expect(await signedIn('Bearer not.a.jwt')).toBeNull();
    expect(await signedIn(undefined)).toBeNull();
    expect(await signedIn('Basic dXNlcjpwYXNz')).toBeNull();
  });

  it('fails (rather than saying nobody) when the provider cannot be reached, and tries again on the next request', async () => {
    const signedIn = oidcBearer({ issuer: 'http://127.0.0.1:9/pool', audiences: ['console-client'] });
    await expect(signedIn(`Bearer ${await token()}`)).rejects.toThrow();
    await expect(signedIn(`Bearer ${await token()}`)).rejects.toThrow();
  });
});
