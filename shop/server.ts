import pg from 'pg';
import { ConfigError, configFromEnv, type ShopConfig } from './config.js';
import { tlsOptions } from './db/database.js';
import { migrate } from './db/migrations.js';
import { startEmfEmitter } from './emf-emitter.js';
import { buildApp } from './http/app.js';
import { jsonLogger } from './logger.js';
import { createShop } from './shop.js';

/**
 * The shop's process: read the settings, apply pending migrations (under the advisory lock, so
 * the instances of a rolling deploy take turns), serve, stop cleanly on SIGTERM or SIGINT.
 */

const readConfig = (): ShopConfig => {
  try {
    return configFromEnv(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`error: ${error.message}`);
    process.exit(2);
  }
};

const config = readConfig();
const logger = jsonLogger('shop');
const migrations = new pg.Pool({
  connectionString: config.primaryUrl,
  ssl: tlsOptions(config.databaseCa),
  max: 1,
});
const applied = await migrate(migrations).finally(() => migrations.end());
logger.info({ applied }, 'migrations applied');

const shop = createShop(config, logger);
const app = buildApp(shop, { logger: true });
const emf =
  config.metrics === undefined ? undefined : startEmfEmitter(shop.metrics, config.metrics, logger);
const stop = async (signal: string) => {
  logger.info({ signal }, 'stopping');
  await app.close();
  await emf?.stop();
  await shop.close();
  process.exit(0);
};
process.once('SIGTERM', () => void stop('SIGTERM'));
process.once('SIGINT', () => void stop('SIGINT'));
await app.listen({ host: config.host, port: config.port });
