import pg from 'pg';
import { ConfigError, configFromEnv, type ShopConfig } from './config.js';
import { tlsOptions } from './db/database.js';
import { migrate } from './db/migrations.js';
import { isPasswordRejected, PASSWORD_REJECTED_EXIT_CODE } from './db/password-rejected.js';
import { startEmfEmitter } from './emf-emitter.js';
import { buildApp } from './http/app.js';
import { jsonLogger } from './logger.js';
import { createShop } from './shop.js';

/**
 * The shop's process: read the settings, apply pending migrations (under the advisory lock, so
 * the instances of a rolling deploy take turns), serve, stop cleanly on SIGTERM or SIGINT. When
 * the database refuses the password (the secret rotated), it stops with its own exit status so
 * that systemd starts it again with the current secret.
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

/** Stopping is bounded: what is still open after this is cut. */
const STOP_TIMEOUT_MS = 5_000;
let stopping: Promise<void> | undefined;
let close: () => Promise<void> = async () => undefined;
const stop = (why: { signal: string } | { reason: string }, exitCode: number): Promise<void> => {
  stopping ??= (async () => {
    logger.info({ ...why, exitCode }, 'stopping');
    setTimeout(() => process.exit(exitCode), STOP_TIMEOUT_MS).unref();
    await close().catch((error: unknown) =>
      logger.error({ err: (error as Error).message }, 'unclean stop'),
    );
    process.exit(exitCode);
  })();
  return stopping;
};
const passwordRejected = (error: Error): void => {
  if (stopping === undefined) {
    logger.error(
      { err: error.message, exitCode: PASSWORD_REJECTED_EXIT_CODE },
      'database refused the password (SQLSTATE 28P01, the secret rotated?): exiting so that systemd restarts the shop with the current secret',
    );
  }
  void stop({ reason: 'database password rejected' }, PASSWORD_REJECTED_EXIT_CODE);
};

const migrations = new pg.Pool({
  connectionString: config.primaryUrl,
  ssl: tlsOptions(config.databaseCa),
  max: 1,
});
const applied = await migrate(migrations)
  .catch(async (error: unknown) => {
    if (!isPasswordRejected(error)) throw error;
    passwordRejected(error as Error);
    return await new Promise<never>(() => undefined); // exiting
  })
  .finally(() => migrations.end());
logger.info({ applied }, 'migrations applied');

const shop = createShop(config, logger, {}, { onPasswordRejected: passwordRejected });
const app = buildApp(shop, { logger: true });
const emf =
  config.metrics === undefined ? undefined : startEmfEmitter(shop.metrics, config.metrics, logger);
close = async () => {
  await app.close();
  await emf?.stop();
  await shop.close();
};
process.once('SIGTERM', () => void stop({ signal: 'SIGTERM' }, 0));
process.once('SIGINT', () => void stop({ signal: 'SIGINT' }, 0));
await app.listen({ host: config.host, port: config.port });
