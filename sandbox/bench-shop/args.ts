import { splitCliOptions, usageError } from '../cli-kit.js';

/** The arguments of `npm run bench:shop`, checked before any server starts. */

export const USAGE =
  'usage: npm run bench:shop -- [--skus N] [--seconds S] [--concurrency C] [--zipf S] [--seed N]';

export const HELP = `${USAGE}

Starts PostgreSQL (a primary and a streaming replica) and Redis on loopback as npm run
shop:local does, seeds the catalog (timed), and runs two shop server processes (shop/server.ts):
one with the Redis cache, one reading the replica alone. Then, at the same concurrency and over
HTTP (GET /api/products/:sku, SKUs drawn from a seeded Zipf distribution), each is warmed up
(not counted) and measured: p50, p99, requests/s, the cache hit ratio and the replica's
queries/s (from the server's /metrics). Then checkout (POST /api/checkout, one line, a new
Idempotency-Key each) on the primary. Goal (issue 15): with the cache, p50 and p99 at least 60 %
lower than the replica alone; the table says pass or FAIL and at which hit ratio.

  --skus N          catalog size (default 1000000)
  --seconds S       measured seconds of each phase (default 20); each read phase is warmed up
                    for half as long first
  --concurrency C   clients sending requests back to back (default 8)
  --zipf S          Zipf exponent of the reads (default 1.0, the classic law)
  --seed N          seed of the SKU draws (default 15)

Exit codes: 0 measured (a missed goal is a FAIL line, not an error), 1 a server or the
measurement failed, 2 bad arguments.`;

export interface BenchOptions {
  readonly skus: number;
  readonly seconds: number;
  readonly concurrency: number;
  readonly zipf: number;
  readonly seed: number;
}

const OPTIONS = {
  '--skus': 'skus',
  '--seconds': 'seconds',
  '--concurrency': 'concurrency',
  '--zipf': 'zipf',
  '--seed': 'seed',
} as const;

const integer = (flag: string, text: string | undefined, fallback: number, max: number): number => {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > max)
    throw usageError(`${flag} ${text} must be an integer from 1 to ${max}`);
  return value;
};

/** The options, `'help'`, or a CliError (exit 2) that names the wrong value. */
export const parseBenchArgs = (argv: readonly string[]): BenchOptions | 'help' => {
  const split = splitCliOptions(argv, OPTIONS);
  if (split === 'help') return 'help';
  const [extra] = split.positionals;
  if (extra !== undefined) throw usageError(`unexpected argument ${JSON.stringify(extra)}`);
  const { values } = split;
  const zipf = values.zipf === undefined ? 1 : Number(values.zipf);
  if (!Number.isFinite(zipf) || zipf <= 0 || zipf > 3)
    throw usageError(`--zipf ${values.zipf} must be a number above 0 and at most 3`);
  return {
    skus: integer('--skus', values.skus, 1_000_000, 10_000_000),
    seconds: integer('--seconds', values.seconds, 20, 600),
    concurrency: integer('--concurrency', values.concurrency, 8, 256),
    zipf,
    seed: integer('--seed', values.seed, 15, 2 ** 31 - 1),
  };
};
