/** Lambda entry of ApprovalLinks: the table and the link key; a decision needs no calendar rule. */
import { tableClient } from '../adapters/dynamodb/client.js';
import { DynamoDbDirectory } from '../adapters/dynamodb/directory.js';
import { loadConfig } from '../config.js';
import { makeHandler } from '../handlers/approval-links.js';
import { changeDeps } from './change-deps.js';
import { linkKey } from './keys.js';
import { oidcBearer } from '../adapters/http/oidc-verifier.js';

const config = loadConfig();
const db = tableClient(config);

export const handler = makeHandler({
  config,
  links: {
    changes: changeDeps(config, db),
    directory: new DynamoDbDirectory(db, config.TABLE_NAME),
    linkKey: linkKey(config),
    signIn: config.LINK_SIGN_IN,
    consoleUrl: config.PUBLIC_BASE_URL,
  },
  // the identity provider the stack's JWT authorizer trusts; without one configured nobody is signed in
  signedIn: config.JWT_ISSUER ? oidcBearer({ issuer: config.JWT_ISSUER, audiences: config.JWT_AUDIENCES ?? [] }) : async () => null,
});
