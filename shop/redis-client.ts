import { Redis } from 'ioredis';
import type { Logger } from './logger.js';

/**
 * The shop's Redis connection, shaped for failover:
 * - no offline queue and one try per command: a command fails fast while Redis is away, and
 *   the caller degrades (catalog from the database, cart in PostgreSQL) instead of waiting;
 * - a `READONLY` reply (we still talk to a demoted primary) or `LOADING` (the node is loading
 *   its data) → reconnect and resend, as ioredis' `reconnectOnError` documents for failovers;
 * - reconnect forever with capped backoff, so the shop warms up again by itself.
 */
export const RECONNECT_ERRORS = ['READONLY', 'LOADING'];

export const createRedis = (url: string, logger: Logger): Redis => {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 500,
    connectTimeout: 1_000,
    retryStrategy: (times) => Math.min(50 * 2 ** times, 2_000) * (0.5 + Math.random() / 2),
    reconnectOnError: (error) =>
      RECONNECT_ERRORS.some((code) => error.message.startsWith(code)) ? 2 : false,
  });
  let up = false;
  redis.on('ready', () => {
    up = true;
    logger.info({ url }, 'redis ready');
  });
  redis.on('error', (error) => {
    if (up) logger.warn({ err: error.message }, 'redis connection error');
    up = false;
  });
  return redis;
};
