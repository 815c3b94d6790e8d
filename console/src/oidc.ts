/**
 * Sign-in in AWS: OpenID Connect, authorization code with PKCE (oauth4webapi), against the issuer
 * and client the API's JWT authorizer trusts. The ID token is the bearer the API checks (its
 * audience is the client id the authorizer names). Loaded only when the console signs in this way,
 * so the local console's first page does not carry it.
 */
import { tokens, type ConsoleConfig } from './api';

const VERIFIER = 'changeflow.pkce';
const STATE = 'changeflow.state';
const NEXT = 'changeflow.next';

const lib = () => import('oauth4webapi');

/** Plain http only for a provider on this machine (one run for development); every other issuer is https. */
const loopback = (issuer: string) => /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?(\/|$)/.test(issuer);
const requestOptions = async (c: ConsoleConfig) => {
  const oauth = await lib();
  return loopback(c.oidc!.issuer) ? { [oauth.allowInsecureRequests]: true } : {};
};

async function server(c: ConsoleConfig) {
  const oauth = await lib();
  const issuer = new URL(c.oidc!.issuer);
  return oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...(await requestOptions(c)) }));
}

const redirectUri = () => `${location.origin}/`;

export async function startOidcSignIn(c: ConsoleConfig, next: string) {
  const oauth = await lib();
  const as = await server(c);
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  sessionStorage.setItem(VERIFIER, verifier);
  sessionStorage.setItem(STATE, state);
  sessionStorage.setItem(NEXT, next);
  const url = new URL(as.authorization_endpoint!);
  url.searchParams.set('client_id', c.oidc!.clientId);
  url.searchParams.set('redirect_uri', redirectUri());
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', c.oidc!.scope ?? 'openid email profile');
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  url.searchParams.set('state', state);
  location.assign(url.href);
}

export async function completeOidcSignIn(c: ConsoleConfig) {
  const oauth = await lib();
  const as = await server(c);
  const client: import('oauth4webapi').Client = { client_id: c.oidc!.clientId };
  const params = oauth.validateAuthResponse(as, client, new URL(location.href), sessionStorage.getItem(STATE) ?? oauth.expectNoState);
  const response = await oauth.authorizationCodeGrantRequest(
    as,
    client,
    oauth.None(),
    params,
    redirectUri(),
    sessionStorage.getItem(VERIFIER) ?? '',
    await requestOptions(c),
  );
  const result = await oauth.processAuthorizationCodeResponse(as, client, response, { requireIdToken: true });
  tokens.set(result.id_token!);
  const next = sessionStorage.getItem(NEXT) ?? '#/inbox';
  for (const k of [VERIFIER, STATE, NEXT]) sessionStorage.removeItem(k);
  // drop ?code=… from the address bar
  history.replaceState(null, '', `/${next}`);
  location.hash = next;
}
