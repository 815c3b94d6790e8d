/**
 * Who is signed in, on a route the gateway leaves public (the email-link decisions): the bearer
 * token checked as API Gateway's JWT authorizer checks it, with jose against the identity
 * provider's signing keys (its OpenID discovery document names them; fetched once, then cached and
 * refreshed by jose when a token names a new key), its issuer and the accepted audiences.
 */
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';

export interface OidcVerifierOptions {
  issuer: string;
  audiences: readonly string[];
  fetch?: typeof fetch;
}

export function oidcBearer(options: OidcVerifierOptions): (authorization: string | undefined) => Promise<string | null> {
  let keys: Promise<JWTVerifyGetKey> | undefined;
  const load = async () => {
    const url = `${options.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    const res = await (options.fetch ?? fetch)(url);
    if (!res.ok) throw new Error(`${url} answered ${res.status}`);
    const doc = (await res.json()) as { jwks_uri?: string; issuer?: string };
    if (!doc.jwks_uri) throw new Error(`${url} names no jwks_uri`);
    return createRemoteJWKSet(new URL(doc.jwks_uri));
  };
  return async (authorization) => {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!m) return null;
    keys ??= load().catch((err) => {
      keys = undefined;
      throw err;
    });
    try {
      const { payload } = await jwtVerify(m[1]!, await keys, { issuer: options.issuer, audience: [...options.audiences] });
      return typeof payload.sub === 'string' && payload.sub ? payload.sub : null;
    } catch (err) {
      // a token that does not verify is nobody signed in; the provider being unreachable is not that
      if ((err as { code?: string }).code?.startsWith('ERR_JW')) return null;
      throw err;
    }
  };
}
