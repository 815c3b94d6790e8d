/**
 * The local server's console routes: the built page with the console's CSP, its config, and the
 * local sign-in, which mints development tokens only for people of the directory.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type Api } from '../api/harness.js';

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api?.stop());

const post = (body: string) => fetch(`${api.system.url}/local/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

describe('the console on the local server', () => {
  it('serves the built page at / with a CSP that allows no inline script or style', async () => {
    const res = await fetch(`${api.system.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toMatch(/script-src 'self'; style-src 'self'/);
    const html = await res.text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${api.system.url}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${api.system.url}/assets/../package.json`)).status).toBe(404);
  });

  it('says to sign in locally, in the organisation time zone, with the configured components', async () => {
    const config = await (await fetch(`${api.system.url}/console-config.json`)).json();
    expect(config).toEqual({
      auth: 'local',
      timeZone: 'America/New_York',
      components: ['API Server', 'Database', 'Redis Cache', 'S3 Storage', 'Kubernetes Deployment', 'Monitoring/Alerting'],
    });
  });

  it('mints a token for a person of the directory, which the API accepts as them', async () => {
    const people = (await (await fetch(`${api.system.url}/local/people`)).json()).people as { id: string }[];
    expect(people.map((p) => p.id)).toContain('erin');
    const res = await post(JSON.stringify({ person: 'erin' }));
    expect(res.status).toBe(200);
    const { token } = await res.json();
    const list = await fetch(`${api.system.url}/changes`, { headers: { authorization: `Bearer ${token}` } });
    expect(list.status).toBe(200);
  });

  it.each([
    ['someone not in the directory', JSON.stringify({ person: 'mallory' })],
    ['no person', '{}'],
    ['a body that is not JSON', 'person=erin'],
  ])('refuses %s with 400 naming body.person', async (_, body) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    expect((await res.json()).issues.map((i: { path: string }) => i.path)).toEqual(['body.person']);
  });
});
