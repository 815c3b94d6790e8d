/**
 * The keys a function reads, each from its two settings (a value locally, a secret in AWS). A
 * function composed with one of them fails at cold start when neither setting is there.
 */
import { secretKey, secretText } from '../adapters/aws/secrets.js';
import type { Config } from '../config.js';

export const linkKey = (config: Config) =>
  secretKey('approval link key', config.APPROVAL_LINK_KEY, config.APPROVAL_LINK_SECRET_ID, 'APPROVAL_LINK_KEY or APPROVAL_LINK_SECRET_ID');

export const cursorKey = (config: Config) => secretKey('list cursor key', config.CURSOR_KEY, config.CURSOR_SECRET_ID, 'CURSOR_KEY or CURSOR_SECRET_ID');

/** The feed's key, or none: without either setting the feed is off (404), not broken. */
export const feedKey = (config: Config) =>
  config.CALENDAR_FEED_KEY === undefined && config.CALENDAR_FEED_SECRET_ID === undefined
    ? undefined
    : secretText('calendar feed key', config.CALENDAR_FEED_KEY, config.CALENDAR_FEED_SECRET_ID, 'CALENDAR_FEED_KEY or CALENDAR_FEED_SECRET_ID');
