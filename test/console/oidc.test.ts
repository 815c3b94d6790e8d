/// <reference lib="dom" />
/**
 * The console's OpenID Connect sign-in (as in AWS), in a real browser against an identity provider
 * served here in the documented shapes: discovery, an authorization endpoint that redirects back
 * with a code, a token endpoint that checks the PKCE verifier against the challenge, and the JWKS
 * the ID token is checked with. The page's console-config.json is the one the stack writes.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type Api } from '../api/harness.js';
import { checkPage, launch, open } from './browser.js';

let api: Api;
let browser: Browser;
let idp: Server;
let issuer = '';
let key: CryptoKey;
const seen: { authorize?: URLSearchParams; token?: URLSearchParams; idToken?: string } = {};
const CLIENT = 'changeflow-console';

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  key = pair.privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const codes = new Map<string, { challenge: string; nonce?: string }>();
  idp = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    const cors = { 'access-control-allow-origin': '*', 'access-control-allow-headers': '*' };
    if (req.method === 'OPTIONS') return res.writeHead(204, cors).end();
    if (url.pathname === '/.well-known/openid-configuration') {
      res.writeHead(200, { 'content-type': 'application/json', ...cors });
      return res.end(
        JSON.stringify({
          issuer,
          authorization_endpoint: `${issuer}/authorize`,
          token_endpoint: `${issuer}/token`,
          jwks_uri: `${issuer}/jwks`,
          response_types_supported: ['code'],
          code_challenge_methods_supported: ['S256'],
          id_token_signing_alg_values_supported: ['RS256'],
        }),
      );
    }
    if (url.pathname === '/jwks') {
      res.writeHead(200, { 'content-type': 'application/json', ...cors });
      return res.end(JSON.stringify({ keys: [jwk] }));
    }
    if (url.pathname === '/authorize') {
      seen.authorize = url.searchParams;
      const code = `code-${codes.size + 1}`;
      codes.set(code, { challenge: url.searchParams.get('code_challenge') ?? '' });
      const back = new URL(url.searchParams.get('redirect_uri')!);
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      back.searchParams.set('iss', issuer);
      return res.writeHead(302, { location: back.href }).end();
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      let body = '';
      for await (const chunk of req) body += chunk;
      const form = new URLSearchParams(body);
      seen.token = form;
      const grant = codes.get(form.get('code') ?? '');
      const verifier = form.get('code_verifier') ?? '';
      if (!grant || createHash('sha256').update(verifier).digest('base64url') !== grant.challenge) {
        res.writeHead(400, { 'content-type': 'application/json', ...cors });
        return res.end(JSON.stringify({ error: 'invalid_grant' }));
      }
      const idToken = await new SignJWT({ name: 'Erin Evans', email: 'erin@example.com', roles: ['eng-manager'] })
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuer(issuer)
        .setAudience(CLIENT)
        .setSubject('erin')
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(key);
      seen.idToken = idToken;
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store', ...cors });
      return res.end(JSON.stringify({ access_token: 'opaque', token_type: 'Bearer', expires_in: 3600, id_token: idToken }));
    }
    res.writeHead(404, cors).end();
  });
  await new Promise<void>((ok) => idp.listen(0, '127.0.0.1', ok));
  issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
  [api, browser] = await Promise.all([startApi(), launch()]);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await api?.stop();
  await new Promise<void>((ok) => idp?.close(() => ok()));
});

describe('OIDC sign-in (authorization code with PKCE)', () => {
  it('sends a S256 challenge and state, trades the code with the matching verifier, and calls the API with the ID token', async () => {
    // the local page's CSP names no identity provider (the stack's names the issuer): not what this test is about
    const tab = await open(browser, api.system.url, { bypassCSP: true });
    try {
      // the config the stack writes beside the page (lib/constructs/console.ts)
      await tab.context.route('**/console-config.json', (route) =>
        route.fulfill({
          json: { auth: 'oidc', timeZone: 'America/New_York', components: [], oidc: { issuer, clientId: CLIENT, scope: 'openid email profile' } },
        }),
      );
      const bearers: string[] = [];
      tab.page.on('request', (r) => {
        const auth = r.headers().authorization;
        if (auth && r.url().startsWith(api.system.url)) bearers.push(auth);
      });
      await tab.page.goto('/#/changes');
      await tab.page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
      await checkPage(tab, '20-oidc-sign-in');
      await tab.page.getByRole('button', { name: 'Sign in' }).first().click();
      // the provider issued the ID token; back from it, on the page that asked for the sign-in, with no code left in the address
      await expect.poll(() => seen.idToken).toBeDefined();
      await expect.poll(() => tab.page.url()).toBe(`${api.system.url}/#/changes`);
      const a = seen.authorize!;
      expect(Object.fromEntries(['client_id', 'response_type', 'code_challenge_method', 'scope', 'redirect_uri'].map((k) => [k, a.get(k)]))).toEqual({
        client_id: CLIENT,
        response_type: 'code',
        code_challenge_method: 'S256',
        scope: 'openid email profile',
        redirect_uri: `${api.system.url}/`,
      });
      expect(a.get('state')).toMatch(/^[\w-]{20,}$/);
      expect(seen.token!.get('grant_type')).toBe('authorization_code');
      expect(seen.token!.get('code_verifier')).toMatch(/^[\w-]{43,128}$/);
      // the API is called with the ID token the provider issued; the local API refuses it (not its
      // development key), and a refused token sends the person back to the sign-in
      await expect.poll(() => bearers).toContain(`Bearer ${seen.idToken}`);
      await tab.page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
      expect(await tab.page.evaluate(() => sessionStorage.getItem('changeflow.token'))).toBeNull();
    } finally {
      await tab.context.close();
    }
  });
});
