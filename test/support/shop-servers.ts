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

export const startShopServers = async ({
  skus = TEST_SKUS,
  stock = 1_000,
} = {}): Promise<ShopServers> => {
  const postgres = await startPostgresPair();
  let redis: RedisPair | undefined;
  try {
    redis = await startRedisPair();
    const admin = new pg.Pool({ connectionString: postgres.primary.url, max: 4 });
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
export const replicaCaughtUp = async (servers: ShopServers): Promise<void> => {
  const lsn = (await servers.admin.query<{ lsn: string }>('SELECT pg_current_wal_lsn() AS lsn'))
    .rows[0]?.lsn;
  const replica = new pg.Client(servers.postgres.replica.url);
  await replica.connect();
  try {
    for (let i = 0; i < 100; i += 1) {
      const caught = await replica.query<{ ok: boolean }>(
        'SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS ok',
        [lsn],
      );
      if (caught.rows[0]?.ok === true) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('the replica did not catch up within 5 s');
  } finally {
    await replica.end();
  }
};
