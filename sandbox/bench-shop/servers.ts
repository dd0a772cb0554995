import pg from 'pg';
import { migrate } from '../../shop/db/migrations.js';
import { seedCatalog } from '../../shop/db/seed.js';
import { type PostgresPair, startPostgresPair } from '../../shop/local/postgres.js';
import { type RedisPair, startRedisPair } from '../../shop/local/redis.js';

/**
 * What the benchmark runs against, all real: the PostgreSQL and Redis pairs of `npm run
 * shop:local` (shop/local) and a seeded catalog; the shop server processes that the load
 * reaches over HTTP are shop/local/shop-process.ts's.
 */

/** Enough stock that the checkout phase measures checkouts, not 409 out-of-stock answers. */
const BENCH_STOCK = 1_000_000;

export interface BenchServers {
  readonly postgres: PostgresPair;
  readonly redis: RedisPair;
  readonly seedSeconds: number;
  stop(): Promise<void>;
}

export const startBenchServers = async (
  skus: number,
  say: (line: string) => void,
): Promise<BenchServers> => {
  const postgres = await startPostgresPair();
  const redis = await startRedisPair().catch(async (error: unknown) => {
    await postgres.stop();
    throw error;
  });
  const stop = async () => {
    await redis.stop();
    await postgres.stop();
  };
  // Ended before the servers stop, on failure too: an idle pool whose server goes away emits an
  // error nothing listens to, which would end the run with a stack trace instead of its error.
  const admin = new pg.Pool({ connectionString: postgres.primary.url, max: 1 });
  try {
    await migrate(admin);
    say(`seeding ${skus} SKUs (generate_series inside PostgreSQL)…`);
    const started = performance.now();
    await seedCatalog(admin, skus, BENCH_STOCK);
    await postgres.replicaCaughtUp(300_000);
    const seedSeconds = (performance.now() - started) / 1000;
    await admin.end();
    return { postgres, redis, seedSeconds, stop };
  } catch (error) {
    await admin.end().catch(() => undefined);
    await stop();
    throw error;
  }
};
