/** The handler of each route group, built for a given configuration: the same code the stack deploys. */
import type { Config } from '../functions/config.js';
import { makeHandler as changesRead } from '../functions/handlers/changes-read.js';
import { makeHandler as changesTransition } from '../functions/handlers/changes-transition.js';
import { makeHandler as changesWrite } from '../functions/handlers/changes-write.js';
import { appDeps } from '../functions/handlers/deps.js';
import { makeHandler as meta } from '../functions/handlers/meta.js';
import type { LocalHandler } from './server.js';

export function localHandlers(config: Config): Record<string, LocalHandler> {
  const deps = appDeps(config);
  return {
    Meta: meta(config),
    ChangesRead: changesRead(deps),
    ChangesWrite: changesWrite(deps),
    ChangesTransition: changesTransition(deps),
  } as Record<string, LocalHandler>;
}
