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

/**
 * Runs `op`; when it fails because the connection is being re-established (a failover's
 * READONLY/LOADING reconnect: "Stream isn't writeable" while it happens), waits for the new
 * connection (bounded) and runs it once more. Without a connection in time, the retry's error
 * stands and the caller degrades. Only for idempotent operations.
 */
export const retryAfterReconnect = async <T>(
  redis: Redis,
  op: () => Promise<T>,
  waitMs = 1_000,
): Promise<T> => {
  try {
    return await op();
  } catch (error) {
    const reconnecting =
      redis.status !== 'ready' || (error as Error).message.startsWith("Stream isn't writeable");
    if (!reconnecting || redis.status === 'end') throw error;
    // The status may still read 'ready' while the old socket closes: wait for the next
    // 'ready' (or the bound), then try once more either way.
    await Promise.race([
      new Promise((resolve) => redis.once('ready', resolve)),
      new Promise((resolve) => setTimeout(resolve, waitMs).unref()),
    ]);
    return op();
  }
};
