import { once } from 'node:events';
import type { Redis } from 'ioredis';
import pg from 'pg';
import type { ShopConfig } from '../../shop/config.js';
import { migrate } from '../../shop/db/migrations.js';
import { seedCatalog } from '../../shop/db/seed.js';
import { type PostgresPair, startPostgresPair } from '../../shop/local/postgres.js';
import { type RedisPair, startRedisPair } from '../../shop/local/redis.js';

/**
 * The real servers the shop's tests run against, as `npm run shop:local` starts them: a
 * PostgreSQL primary with a streaming replica and a Redis primary with a replica, on loopback,
 * migrated and seeded with a small catalog. Missing binaries fail the test with one line that
 * says what to install.
 */

export interface ShopServers {
  readonly postgres: PostgresPair;
  readonly redis: RedisPair;
  readonly config: ShopConfig;
  /** A client on the primary for the test's own checks. */
  readonly admin: pg.Pool;
  stop(): Promise<void>;
}

export const TEST_SKUS = 200;

export interface ShopServersOptions {
  readonly skus?: number;
  readonly stock?: number;
  /** Synchronous replication (Multi-AZ semantics), for failover tests. @default false */
  readonly synchronous?: boolean;
}

export const startShopServers = async ({
  skus = TEST_SKUS,
  stock = 1_000,
  synchronous = false,
}: ShopServersOptions = {}): Promise<ShopServers> => {
  const postgres = await startPostgresPair({ synchronous });
  let redis: RedisPair | undefined;
  try {
    redis = await startRedisPair();
    const admin = new pg.Pool({ connectionString: postgres.primary.url, max: 4 });
    // A test that stops the primary drops the idle connections: expected, not a crash.
    admin.on('error', () => undefined);
    await migrate(admin);
    await seedCatalog(admin, skus, stock);
    const ready = redis;
    return {
      postgres,
      redis: ready,
      admin,
      config: {
        host: '127.0.0.1',
        port: 0,
        primaryUrl: postgres.primary.url,
        replicaUrls: [postgres.replica.url],
        redisUrl: ready.primary.url,
        adminToken: 'test-admin-token',
      },
      stop: async () => {
        await admin.end().catch(() => undefined);
        await ready.stop();
        await postgres.stop();
      },
    };
  } catch (error) {
    await redis?.stop();
    await postgres.stop();
    throw error;
  }
};

/** Waits until the replica has replayed everything the primary has written so far. */
export const replicaCaughtUp = (servers: ShopServers): Promise<void> =>
  servers.postgres.replicaCaughtUp();

/** Waits (bounded) until the shop's Redis connection is ready: commands fail fast before that. */
export const redisReady = async (redis: Redis | undefined): Promise<void> => {
  if (redis === undefined || redis.status === 'ready') return;
  await Promise.race([
    once(redis, 'ready'),
    new Promise((_, reject) =>
      setTimeout(() => reject(new Error('redis not ready within 5 s')), 5_000),
    ),
  ]);
};
