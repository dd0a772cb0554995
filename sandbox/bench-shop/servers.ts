import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { migrate } from '../../shop/db/migrations.js';
import { seedCatalog } from '../../shop/db/seed.js';
import { type PostgresPair, startPostgresPair } from '../../shop/local/postgres.js';
import { freePort } from '../../shop/local/processes.js';
import { type RedisPair, startRedisPair } from '../../shop/local/redis.js';

/**
 * What the benchmark runs against, all real: the PostgreSQL and Redis pairs of `npm run
 * shop:local` (shop/local), a seeded catalog, and shop server processes (shop/server.ts, the
 * process systemd runs) that the load reaches over HTTP.
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const START_TIMEOUT_MS = 60_000;
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
  try {
    const admin = new pg.Pool({ connectionString: postgres.primary.url, max: 1 });
    await migrate(admin);
    say(`seeding ${skus} SKUs (generate_series inside PostgreSQL)…`);
    const started = performance.now();
    await seedCatalog(admin, skus, BENCH_STOCK);
    await postgres.replicaCaughtUp(300_000);
    const seedSeconds = (performance.now() - started) / 1000;
    await admin.end();
    return { postgres, redis, seedSeconds, stop };
  } catch (error) {
    await stop();
    throw error;
  }
};

export interface ShopProcess {
  readonly port: number;
  /** The server's /metrics counters. */
  metrics(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

/** `npm run shop` in its own process: with `redisUrl` the cache is on, without it reads go to the replica. */
export const startShopProcess = async (settings: {
  readonly primaryUrl: string;
  readonly replicaUrl: string;
  readonly redisUrl?: string;
}): Promise<ShopProcess> => {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'shop/server.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      SHOP_DATABASE_URL: settings.primaryUrl,
      SHOP_REPLICA_URLS: settings.replicaUrl,
      SHOP_REDIS_URL: settings.redisUrl ?? '',
      SHOP_PORT: String(port),
    },
    // The request log lines are written (as in production) but not kept; errors are.
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (
    !(await fetch(`${url}/health`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the shop server did not start: ${stderr.trim() || 'no answer on /health'}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    port,
    metrics: async () => (await (await fetch(`${url}/metrics`)).json()) as Record<string, number>,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
};
