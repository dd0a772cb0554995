import { loadavg } from 'node:os';
import { skuOf } from '../../shop/db/seed.js';
import { type ShopProcess, startShopProcess } from '../../shop/local/shop-process.js';
import { CliError, oneLine, runCliCommand } from '../cli-kit.js';
import { seededRandom } from '../gameday/random.js';
import { type BenchOptions, HELP, parseBenchArgs, USAGE } from './args.js';
import { type HttpCall, type LoadResult, runLoad } from './load.js';
import {
  checkoutLine,
  failureLine,
  goalLines,
  missRatioNote,
  type ReadPhase,
  readTable,
} from './report.js';
import { startBenchServers } from './servers.js';
import { summarize } from './stats.js';
import { skuOfRank, zipfSampler } from './zipf.js';

/**
 * `npm run bench:shop`: the cache claim of the design (about 60 % lower catalog read latency
 * for 1M+ SKUs) measured on real servers, through the shop's HTTP server, with and without the
 * cache in one run at the same concurrency; then checkout on the primary. See HELP in args.ts.
 */

const say = (line: string) => process.stderr.write(`bench:shop: ${line}\n`);

/** The Zipf-skewed SKU draws; the same seed gives both read phases the same sequence. */
const zipfSkus = (options: BenchOptions): (() => string) => {
  const rank = zipfSampler(options.skus, options.zipf, seededRandom(options.seed).next);
  const sku = skuOfRank(options.skus);
  return () => skuOf(sku(rank()));
};

const readPhase = async (
  mode: string,
  shop: ShopProcess,
  options: BenchOptions,
): Promise<{ phase: ReadPhase; result: LoadResult }> => {
  const nextSku = zipfSkus(options);
  let before: Record<string, number> = {};
  say(`${mode}: warm-up ${options.seconds / 2} s, then ${options.seconds} s measured`);
  const result = await runLoad({
    port: shop.port,
    concurrency: options.concurrency,
    warmupMs: (options.seconds * 1000) / 2,
    measureMs: options.seconds * 1000,
    next: () => ({ method: 'GET', path: `/api/products/${nextSku()}` }),
    ok: (status) => status === 200,
    onMeasureStart: async () => {
      before = await shop.metrics();
    },
  });
  const after = await shop.metrics();
  const delta = (key: string) => (after[key] ?? 0) - (before[key] ?? 0);
  const lookups = delta('cacheHits') + delta('cacheMisses');
  if (result.latenciesMs.length === 0)
    throw new CliError(1, [
      `error: ${mode}: no request succeeded (${JSON.stringify(result.failures)})`,
    ]);
  return {
    result,
    phase: {
      mode,
      latency: summarize(result.latenciesMs, result.measuredSeconds),
      read: summarize(result.serverReadMs, result.measuredSeconds),
      hitRatio: lookups === 0 ? undefined : delta('cacheHits') / lookups,
      replicaQueriesPerSecond: delta('replicaQueries') / result.measuredSeconds,
    },
  };
};

const checkoutPhase = async (shop: ShopProcess, options: BenchOptions) => {
  const nextSku = zipfSkus({ ...options, seed: options.seed + 1 });
  let order = 0;
  say(`checkout: warm-up 2 s, then ${options.seconds} s measured`);
  const result = await runLoad({
    port: shop.port,
    concurrency: options.concurrency,
    warmupMs: 2_000,
    measureMs: options.seconds * 1000,
    next: (): HttpCall => {
      order += 1;
      return {
        method: 'POST',
        path: '/api/checkout',
        headers: { 'idempotency-key': `bench-${options.seed}-${order}` },
        body: JSON.stringify({ lines: [{ sku: nextSku(), quantity: 1 }] }),
      };
    },
    ok: (status) => status === 201,
  });
  if (result.latenciesMs.length === 0)
    throw new CliError(1, [
      `error: checkout: no order placed (${JSON.stringify(result.failures)})`,
    ]);
  return result;
};

const bench = async (options: BenchOptions): Promise<void> => {
  say(
    `${options.skus} SKUs, Zipf s=${options.zipf} (seed ${options.seed}), ${options.concurrency} clients, ` +
      `${options.seconds} s per phase; load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} on ${navigator.hardwareConcurrency} cores`,
  );
  say('starting PostgreSQL (primary + streaming replica) and Redis on 127.0.0.1');
  const servers = await startBenchServers(options.skus, say).catch((error: unknown) => {
    throw new CliError(1, [`error: ${oneLine((error as Error).message)}`]);
  });
  const shops: ShopProcess[] = [];
  try {
    say(`seeded and replicated in ${servers.seedSeconds.toFixed(1)} s`);
    const database = {
      primaryUrl: servers.postgres.primary.url,
      replicaUrl: servers.postgres.replica.url,
    };
    const replicaOnly = await startShopProcess(database);
    shops.push(replicaOnly);
    const cached = await startShopProcess({ ...database, redisUrl: servers.redis.primary.url });
    shops.push(cached);

    const replica = await readPhase('replica alone', replicaOnly, options);
    const cache = await readPhase('Redis cache', cached, options);
    const checkout = await checkoutPhase(cached, options);

    console.log(
      `catalog reads: GET /api/products/:sku, Zipf s=${options.zipf} over ${options.skus} SKUs, ` +
        `${options.concurrency} clients, ${options.seconds} s measured after ${options.seconds / 2} s warm-up`,
    );
    for (const line of readTable(replica.phase, cache.phase)) console.log(line);
    for (const line of goalLines(replica.phase, cache.phase)) console.log(line);
    const note = missRatioNote(cache.phase);
    if (note !== undefined) console.log(note);
    console.log(checkoutLine(summarize(checkout.latenciesMs, checkout.measuredSeconds)));
    console.log(
      `seeding ${options.skus} SKUs (and the replica catching up): ${servers.seedSeconds.toFixed(1)} s`,
    );
    for (const line of [
      ...failureLine('replica alone', replica.result.failures),
      ...failureLine('Redis cache', cache.result.failures),
      ...failureLine('checkout', checkout.failures),
    ])
      console.log(line);
  } finally {
    for (const shop of shops) await shop.stop();
    await servers.stop();
  }
};

const command = async () => {
  const options = parseBenchArgs(process.argv.slice(2));
  if (options === 'help') console.log(HELP);
  else await bench(options);
};

process.exitCode = await runCliCommand(command, USAGE, (text) => console.error(text));
