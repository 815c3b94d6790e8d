/**
 * `npm run --silent token -- --user <id>`: prints a bearer token for a person in the directory,
 * signed with the local development key that `npm start` verifies.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { devKey, signToken } from '../local/dev-auth.js';
import { readDirectory } from '../local/directory-seed.js';
import { loadConfig } from '../functions/config.js';

const { values } = parseArgs({
  options: { user: { type: 'string', short: 'u' }, expires: { type: 'string', default: '12h' } },
});
const file = resolve(import.meta.dirname, '../seed/directory.json');
const people = readDirectory(file);
const person = people.find((p) => p.id === values.user);
if (!person) {
  console.error(`usage: npm run --silent token -- --user <id>   (people: ${people.map((p) => p.id).join(', ')})`);
  process.exit(2);
}
const config = loadConfig();
const key = devKey(resolve(process.env.CHANGEFLOW_DATA_DIR ?? '.changeflow'));
console.log(await signToken(person, key, { rolesClaim: config.ROLES_CLAIM, teamClaim: config.TEAM_CLAIM, expiresIn: values.expires }));
