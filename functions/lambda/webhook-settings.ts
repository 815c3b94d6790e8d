/** How deliveries are read, from the configuration: which environments are production, which workflows deploy. */
import type { Config } from '../config.js';
import type { SignalSettings } from '../core/webhooks.js';

export const signalSettings = (config: Config): SignalSettings => ({
  productionEnvironments: config.PRODUCTION_ENVIRONMENTS,
  deployWorkflows: config.GITHUB_DEPLOY_WORKFLOWS,
});
