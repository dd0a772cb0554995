import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where the Debian packages put the servers the local shop runs: PostgreSQL's server binaries
 * live in /usr/lib/postgresql/<major>/bin (only psql & co. are on PATH), redis-server on PATH.
 * A missing one is a one-line error that says what to install, never a skipped test.
 */

export const POSTGRES_INSTALL_HINT =
  'PostgreSQL server binaries not found (/usr/lib/postgresql/<major>/bin/pg_ctl): run "apt-get install -y postgresql"';
export const REDIS_INSTALL_HINT =
  'redis-server not found on PATH: run "apt-get install -y redis-server"';

const PG_ROOT = '/usr/lib/postgresql';

/** The bin folder of the newest PostgreSQL installed, or PG_BIN when set. */
export const postgresBinDir = (): string => {
  const fromEnv = process.env.PG_BIN;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!existsSync(join(fromEnv, 'pg_ctl'))) throw new Error(`PG_BIN=${fromEnv} has no pg_ctl`);
    return fromEnv;
  }
  const majors = existsSync(PG_ROOT)
    ? readdirSync(PG_ROOT)
        .filter((name) => existsSync(join(PG_ROOT, name, 'bin', 'pg_ctl')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const newest = majors[0];
  if (newest === undefined) throw new Error(POSTGRES_INSTALL_HINT);
  return join(PG_ROOT, newest, 'bin');
};

export const redisServerPath = (): string => {
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(REDIS_INSTALL_HINT);
  }
};
