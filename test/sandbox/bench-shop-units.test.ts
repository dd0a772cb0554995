import { describe, expect, it } from 'vitest';
import { parseBenchArgs } from '../../sandbox/bench-shop/args.js';
import {
  checkoutLine,
  failureLine,
  goalLines,
  missRatioNote,
  type ReadPhase,
  readTable,
} from '../../sandbox/bench-shop/report.js';
import { percentile, reductionPercent, summarize } from '../../sandbox/bench-shop/stats.js';
import { skuOfRank, zipfSampler } from '../../sandbox/bench-shop/zipf.js';
import { CliError } from '../../sandbox/cli-kit.js';
import { seededRandom } from '../../sandbox/gameday/random.js';

/** The pure parts of `npm run bench:shop`: the Zipf draws, the percentiles, the table and verdicts. */

const harmonic = (n: number, s: number) => {
  let sum = 0;
  for (let k = 1; k <= n; k += 1) sum += k ** -s;
  return sum;
};

describe('zipfSampler', () => {
  it('draws rank k with probability k^-s / H(n, s) (s = 1, 200,000 draws over 1,000 ranks)', () => {
    // Prepare
    const n = 1_000;
    const draws = 200_000;
    const draw = zipfSampler(n, 1, seededRandom(42).next);
    const counts = new Map<number, number>();

    // Act
    for (let i = 0; i < draws; i += 1) {
      const rank = draw();
      counts.set(rank, (counts.get(rank) ?? 0) + 1);
    }

    // Assess: the head within 3 % of the law, the top 10 within 1 point, ranks in range.
    const h = harmonic(n, 1);
    for (const k of [1, 2, 3, 10]) {
      const expected = draws / (k * h);
      expect(Math.abs((counts.get(k) ?? 0) - expected) / expected).toBeLessThan(0.03);
    }
    let top10 = 0;
    for (let k = 1; k <= 10; k += 1) top10 += counts.get(k) ?? 0;
    expect(top10 / draws).toBeCloseTo(harmonic(10, 1) / h, 2);
    expect(Math.min(...counts.keys())).toBe(1);
    expect(Math.max(...counts.keys())).toBeLessThanOrEqual(n);
  });

  it('is steeper for a larger exponent and uniform-like for a small one', () => {
    // Act
    const share = (s: number) => {
      const draw = zipfSampler(100, s, seededRandom(7).next);
      let first = 0;
      for (let i = 0; i < 50_000; i += 1) if (draw() === 1) first += 1;
      return first / 50_000;
    };

    // Assess
    expect(share(2)).toBeCloseTo(1 / harmonic(100, 2), 2);
    expect(share(0.01)).toBeLessThan(0.02);
  });

  it('repeats the same draws for the same seed, other draws for another', () => {
    // Act
    const run = (seed: number) => {
      const draw = zipfSampler(1_000, 1, seededRandom(seed).next);
      return Array.from({ length: 20 }, draw);
    };

    // Assess
    expect(run(15)).toEqual(run(15));
    expect(run(15)).not.toEqual(run(16));
  });

  it('refuses an empty catalog or a non-positive exponent', () => {
    expect(() => zipfSampler(0, 1, Math.random)).toThrow('zipf: n=0 must be a positive integer');
    expect(() => zipfSampler(10, 0, Math.random)).toThrow('zipf: s=0 must be positive');
  });
});

describe('skuOfRank', () => {
  it.each([1_000, 7_919 * 3, 1_000_000])('is a permutation of 1…%i', (n) => {
    // Act
    const sku = skuOfRank(n);
    const seen = new Set(Array.from({ length: n }, (_, i) => sku(i + 1)));

    // Assess: every SKU once, the most popular ones not neighbours
    expect(seen.size).toBe(n);
    expect([...seen].every((sku) => Number.isInteger(sku) && sku >= 1 && sku <= n)).toBe(true);
    expect(Math.abs(sku(2) - sku(1))).toBeGreaterThan(1);
  });
});

describe('percentile and summarize', () => {
  it('takes the nearest rank', () => {
    // Prepare
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);

    // Assess
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile([3, 9], 50)).toBe(3);
    expect(percentile([3, 9], 99)).toBe(9);
    expect(percentile([5], 99)).toBe(5);
  });

  it('refuses no values and a percentile out of range', () => {
    expect(() => percentile([], 50)).toThrow('percentile of no values');
    expect(() => percentile([1], 0)).toThrow('percentile 0 must be in (0, 100]');
  });

  it('sorts before it ranks and counts requests per second', () => {
    // Act
    const summary = summarize([9, 1, 5, 3, 7, 2, 8, 4, 6, 10], 2);

    // Assess
    expect(summary).toEqual({ requests: 10, p50Ms: 5, p99Ms: 10, perSecond: 5 });
    expect(reductionPercent(10, 4)).toBe(60);
  });
});

const phase = (
  mode: string,
  http: [number, number],
  read: [number, number],
  hitRatio: number | undefined,
  replicaQueriesPerSecond: number,
): ReadPhase => ({
  mode,
  latency: { requests: 1_000, p50Ms: http[0], p99Ms: http[1], perSecond: 2_000 },
  read: { requests: 1_000, p50Ms: read[0], p99Ms: read[1], perSecond: 2_000 },
  hitRatio,
  replicaQueriesPerSecond,
});

describe('the report', () => {
  const replica = phase('replica alone', [2, 10], [1, 8], undefined, 2_000);
  const cached = phase('Redis cache', [1, 5], [0.3, 9], 0.876, 248);

  it('prints the two modes side by side and the change', () => {
    expect(readTable(replica, cached)).toEqual([
      'catalog read        HTTP p50  HTTP p99  read p50  read p99  requests/s  hit ratio  replica q/s',
      'replica alone        2.00 ms  10.00 ms   1.00 ms   8.00 ms        2000          -         2000',
      'Redis cache          1.00 ms   5.00 ms   0.30 ms   9.00 ms        2000     87.6 %          248',
      'cache vs replica       −50 %     −50 %     −70 %     +13 %        −0 %                   −88 %',
    ]);
  });

  it('says pass or FAIL against the 60 % goal with the hit ratio', () => {
    expect(goalLines(replica, cached)).toEqual([
      'pass: catalog read p50 with the cache 70 % lower than the replica alone (goal ≥60 %) at a 87.6 % hit ratio',
      'FAIL: catalog read p99 with the cache -13 % lower than the replica alone (goal ≥60 %) at a 87.6 % hit ratio',
      'FAIL: HTTP request p50 with the cache 50 % lower than the replica alone (goal ≥60 %) at a 87.6 % hit ratio',
      'FAIL: HTTP request p99 with the cache 50 % lower than the replica alone (goal ≥60 %) at a 87.6 % hit ratio',
    ]);
  });

  it('explains that p99 is a miss while more than 1 % of reads miss', () => {
    expect(missRatioNote(cached)).toBe(
      'note: 12.4 % of reads missed the cache; p99 is a cache hit only while misses stay under 1 %, otherwise it is a miss (Redis GET, replica read, Redis SET)',
    );
    expect(missRatioNote({ ...cached, hitRatio: 0.995 })).toBeUndefined();
  });

  it('prints checkout and the failures that were not counted', () => {
    expect(checkoutLine({ requests: 100, p50Ms: 11.5, p99Ms: 80.25, perSecond: 400.4 })).toBe(
      'checkout on the primary (POST /api/checkout): p50 11.50 ms, p99 80.25 ms, 400 orders/s',
    );
    expect(failureLine('checkout', { '409': 2, error: 1 })).toEqual([
      'checkout: 2× 409, 1× error not counted in the latencies',
    ]);
    expect(failureLine('checkout', {})).toEqual([]);
  });
});

describe('npm run bench:shop arguments', () => {
  it('takes the defaults of issue 15', () => {
    expect(parseBenchArgs([])).toEqual({
      skus: 1_000_000,
      seconds: 20,
      concurrency: 8,
      zipf: 1,
      seed: 15,
    });
    expect(parseBenchArgs(['--skus', '100000', '--seconds=5', '--zipf', '0.8'])).toMatchObject({
      skus: 100_000,
      seconds: 5,
      zipf: 0.8,
    });
    expect(parseBenchArgs(['--help'])).toBe('help');
  });

  it.each([
    [['--skus', '0'], 'error: --skus 0 must be an integer from 1 to 10000000'],
    [['--seconds', '1.5'], 'error: --seconds 1.5 must be an integer from 1 to 600'],
    [['--zipf', 'steep'], 'error: --zipf steep must be a number above 0 and at most 3'],
    [['--fast'], 'error: unknown option --fast'],
    [['--skus'], 'error: --skus needs a value'],
    [['1000'], 'error: unexpected argument "1000"'],
  ])('refuses %j with exit 2 and one line', (argv, line) => {
    // Act
    let thrown: unknown;
    try {
      parseBenchArgs(argv);
    } catch (error) {
      thrown = error;
    }

    // Assess
    expect(thrown).toBeInstanceOf(CliError);
    expect((thrown as CliError).exitCode).toBe(2);
    expect((thrown as CliError).lines).toEqual([line]);
    expect((thrown as CliError).withUsage).toBe(true);
  });
});
