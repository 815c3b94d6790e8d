/**
 * Keys and secrets a function reads: given in the environment (locally), or kept in Secrets Manager
 * (AWS), read on first use and cached for five minutes by Powertools Parameters. A function
 * composed with a key whose settings are both missing fails at cold start, naming them.
 */
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { ConfigError } from '../../config.js';

/** The secret's text: `value` when given, else the secret `secretId`. */
export function secretText(what: string, value: string | undefined, secretId: string | undefined, settings: string): () => Promise<string> {
  if (value === undefined && secretId === undefined) throw new ConfigError(`${settings} is not set, and this function needs the ${what}`);
  return async () => {
    const text = value ?? (await getSecret(secretId!, { maxAge: 300 }));
    if (typeof text !== 'string' || text === '') throw new Error(`the ${what} secret is empty`);
    return text;
  };
}

/** A key kept as base64 text. */
export function secretKey(what: string, value: string | undefined, secretId: string | undefined, settings: string): () => Promise<Uint8Array> {
  const text = secretText(what, value, secretId, settings);
  return async () => Buffer.from(await text(), 'base64');
}
