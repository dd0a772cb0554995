import pg from 'pg';
import { migrate } from '../db/migrations.js';
import { seedCatalog } from '../db/seed.js';
import { buildApp } from '../http/app.js';
import { jsonLogger } from '../logger.js';
import { createShop } from '../shop.js';
import { parseLocalArgs, USAGE } from './cli-args.js';
import { startPostgresPair } from './postgres.js';
import { startRedisPair } from './redis.js';

/**
 * `npm run shop:local`: the shop on this machine with real servers, in one command. Starts a
 * PostgreSQL primary with a streaming replica and a Redis primary with a replica (Debian's
 * packages, on loopback, in a temp folder), seeds the catalog, serves the shop, and stops
 * everything on Ctrl-C.
 */

const say = (line: string) => process.stderr.write(`shop:local: ${line}\n`);

const main = async (): Promise<void> => {
  const options = parseLocalArgs(process.argv.slice(2));
  if (options === 'help') {
    console.log(USAGE);
    return;
  }
  if ('error' in options) {
    say(`error: ${options.error}`);
    say(USAGE);
    process.exit(2);
  }
  say(
    'starting PostgreSQL 1 primary + 1 streaming replica (asynchronous, as a read replica) on 127.0.0.1',
  );
  const postgres = await startPostgresPair();
  say(
    `  primary ${postgres.primary.url}  replica ${postgres.replica.url}  (data in ${postgres.primary.dataDir}/..)`,
  );
  say('starting Redis 1 primary + 1 replica on 127.0.0.1 (no persistence)');
  const redis = await startRedisPair().catch(async (error: unknown) => {
    await postgres.stop();
    throw error;
  });
  say(`  primary ${redis.primary.url}  replica ${redis.replica.url}`);
  const admin = new pg.Pool({ connectionString: postgres.primary.url, max: 1 });
  const started = Date.now();
  await migrate(admin);
  say(`seeding ${options.skus} SKUs…`);
  await seedCatalog(admin, options.skus);
  await admin.end();
  say(`migrated and seeded in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const shop = createShop(
    {
      host: '127.0.0.1',
      port: options.port,
      primaryUrl: postgres.primary.url,
      replicaUrls: [postgres.replica.url],
      redisUrl: redis.primary.url,
      adminToken: undefined,
    },
    jsonLogger('shop'),
  );
  const app = buildApp(shop, { logger: true });
  const address = await app.listen({ host: '127.0.0.1', port: options.port });
  say(
    `the shop is at ${address}  (JSON API under /api, /health, /ready, /metrics); Ctrl-C stops everything`,
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: stopping the shop, Redis and PostgreSQL`);
    await app.close();
    await shop.close();
    await redis.stop();
    await postgres.stop();
    say('stopped; temp folders removed');
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
};

main().catch((error: unknown) => {
  say(`error: ${(error as Error).message}`);
  process.exit(1);
});
