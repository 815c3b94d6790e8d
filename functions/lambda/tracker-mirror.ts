/** The Jira/Linear mirror of the outbound consumer (a module of its own: no other function loads the trackers). */
import { JiraTracker } from '../adapters/trackers/jira.js';
import { LinearTracker } from '../adapters/trackers/linear.js';
import { type Config, ConfigError } from '../config.js';
import { DEFAULT_STATUSES } from '../core/tracker-mirror.js';
import type { MirrorDeps } from '../outbound/mirror.js';
import type { Clock, MirrorStore } from '../ports.js';
import type { OutboundCredentials } from './keys.js';

/**
 * The Jira/Linear mirror, when TRACKER_MIRRORS names a team: the trackers it names, their
 * credentials read with the outbound ones (the settings locally; `jira` and `linearApiKey` of
 * OUTBOUND_SECRETS in AWS). A tracker named without its settings is a mistake, said at cold start.
 */
export function trackerMirror(config: Config, targets: () => Promise<OutboundCredentials>, store: MirrorStore, clock: Clock): MirrorDeps | undefined {
  const teams = config.TRACKER_MIRRORS ?? {};
  const used = new Set(Object.values(teams).map((t) => t.tracker));
  if (used.size === 0) return undefined;
  const missing = (what: string) => new ConfigError(`TRACKER_MIRRORS names ${what}`);
  const trackers: MirrorDeps['trackers'] = {};
  if (used.has('jira')) {
    if (!config.JIRA_URL) throw missing('Jira, but JIRA_URL (https://<site>.atlassian.net) is not set');
    trackers.jira = new JiraTracker(config.JIRA_URL, async () => {
      const jira = (await targets()).jira;
      if (!jira) throw new ConfigError('the Jira mirror needs JIRA_EMAIL and JIRA_API_TOKEN (in AWS "jira": {"email", "apiToken"} of the outbound secrets)');
      return jira;
    });
  }
  if (used.has('linear')) {
    trackers.linear = new LinearTracker(async () => {
      const key = (await targets()).linearApiKey;
      if (!key) throw new ConfigError('the Linear mirror needs LINEAR_API_KEY (in AWS "linearApiKey" of the outbound secrets)');
      return key;
    }, config.LINEAR_API_URL);
  }
  const statuses = {
    jira: { ...DEFAULT_STATUSES.jira, ...(config.TRACKER_STATES?.jira ?? {}) },
    linear: { ...DEFAULT_STATUSES.linear, ...(config.TRACKER_STATES?.linear ?? {}) },
  };
  return { store, trackers, teams, statuses, clock, baseUrl: config.PUBLIC_BASE_URL.replace(/\/$/, '') };
}
