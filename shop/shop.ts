import type { Redis } from 'ioredis';
import { CartStore } from './cart/store.js';
import { type CacheOptions, CatalogCache, DEFAULT_CACHE } from './catalog/cache.js';
import { CatalogRepository } from './catalog/repository.js';
import type { ShopConfig } from './config.js';
import { Database } from './db/database.js';
import type { RetryPolicy } from './db/retry.js';
import type { Logger } from './logger.js';
import { Metrics } from './metrics.js';
import { Checkout } from './orders/checkout.js';
import { createRedis } from './redis-client.js';

/** The shop's parts wired together once per process; the HTTP layer only calls them. */
export interface Shop {
  readonly config: ShopConfig;
  readonly db: Database;
  readonly redis: Redis | undefined;
  readonly cache: CatalogCache;
  readonly catalog: CatalogRepository;
  readonly carts: CartStore;
  readonly checkout: Checkout;
  readonly metrics: Metrics;
  close(): Promise<void>;
}

/** What the shop's process is told about, to decide on its own life. */
export interface ShopEvents {
  /** The database refused the password: the secret rotated (shop/db/password-rejected.ts). */
  readonly onPasswordRejected?: (error: Error) => void;
}

export interface ShopTuning {
  readonly cache?: CacheOptions;
  readonly retry?: RetryPolicy;
}

export const createShop = (
  config: ShopConfig,
  logger: Logger,
  tuning: ShopTuning = {},
  events: ShopEvents = {},
): Shop => {
  const metrics = new Metrics();
  const db = new Database(
    {
      primaryUrl: config.primaryUrl,
      replicaUrls: config.replicaUrls,
      ...(config.databaseCa === undefined ? {} : { ca: config.databaseCa }),
      ...(tuning.retry ? { retry: tuning.retry } : {}),
      ...(events.onPasswordRejected ? { onPasswordRejected: events.onPasswordRejected } : {}),
    },
    logger,
    metrics,
  );
  const redis = config.redisUrl === undefined ? undefined : createRedis(config.redisUrl, logger);
  return {
    config,
    db,
    redis,
    cache: new CatalogCache(redis, metrics, logger, tuning.cache ?? DEFAULT_CACHE),
    catalog: new CatalogRepository(db),
    carts: new CartStore(redis, db, logger),
    checkout: new Checkout(db),
    metrics,
    close: async () => {
      redis?.disconnect();
      await db.close();
    },
  };
};
