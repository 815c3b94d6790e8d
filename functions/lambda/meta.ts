/** Lambda entry of the Meta routes: health, templates and the API description; no AWS service. */
import { loadConfig } from '../config.js';
import { makeHandler } from '../handlers/meta.js';

export const handler = makeHandler(loadConfig());
