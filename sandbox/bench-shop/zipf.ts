/**
 * The skew of the catalog reads: a Zipf distribution over the SKUs, drawn from a seeded PRNG so
 * two runs with the same seed read the same SKUs in the same order (the game day's mulberry32,
 * sandbox/gameday/random.ts).
 *
 * The exponent defaults to s = 1.0, the classic Zipf law: the k-th most popular product is read
 * 1/k as often as the first. Measured web and catalog popularity sits around there (Breslau et
 * al., "Web Caching and Zipf-like Distributions", INFOCOM 1999: s 0.64-0.83 for proxy traces;
 * e-commerce product views are usually steeper); s = 1 is the common middle ground, and a lower
 * s (a flatter catalog) lowers the hit ratio, which `--zipf` lets you try.
 */

/**
 * Draws ranks 1…n with P(k) = k^-s / H(n, s), by inverting the cumulative distribution
 * (a table of n doubles, binary-searched: 8 MB and ~20 steps a draw for a million SKUs).
 */
export const zipfSampler = (n: number, s: number, random: () => number): (() => number) => {
  if (!Number.isInteger(n) || n < 1) throw new Error(`zipf: n=${n} must be a positive integer`);
  if (!(s > 0)) throw new Error(`zipf: s=${s} must be positive`);
  const cumulative = new Float64Array(n);
  let total = 0;
  for (let k = 1; k <= n; k += 1) {
    total += k ** -s;
    cumulative[k - 1] = total;
  }
  return () => {
    const target = random() * total;
    let low = 0;
    let high = n - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((cumulative[middle] as number) < target) low = middle + 1;
      else high = middle;
    }
    return low + 1;
  };
};

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * Which SKU number (1…n) has popularity rank k: a fixed permutation (k·step mod n), so the
 * popular products are spread over the table and its index as they would be in a real catalog,
 * not packed into the first pages (which would flatter the database).
 */
export const skuOfRank = (n: number): ((rank: number) => number) => {
  let step = 7_919; // a prime; moved up until it shares no factor with n (a bijection then)
  while (gcd(step, n) !== 1) step += 1;
  return (rank) => 1 + (((rank - 1) * step) % n);
};
