/**
 * The credentials of a deployed function: the SDK clients of a Lambda bundle resolve them with this
 * in place of `@aws-sdk/credential-provider-node`'s default chain (the stack aliases the package to
 * this module, lib/constructs/function.ts). Lambda hands a function its role's credentials in
 * AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, which is the chain's first link;
 * its other links (profiles, SSO, web identity, the instance and container endpoints) and the STS
 * and SSO clients they bring are never reached there, and cost about 100 KB of every bundle and the
 * time to load it. Locally and in the tests the SDK's own chain runs.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

export const defaultProvider = (init: Parameters<typeof fromEnv>[0] = {}) => fromEnv(init);
