/**
 * The shop's counters, served as JSON on /metrics (and read by the tests and the benchmark):
 * cache hits and misses, database queries by node, database errors, checkouts and their failures;
 * and the request durations by route that shop/emf.ts sends to CloudWatch.
 */
export class Metrics {
  cacheHits = 0;
  cacheMisses = 0;
  /** Reads served from the database because the cache was cold or absent. */
  cacheBypasses = 0;
  replicaQueries = 0;
  primaryQueries = 0;
  dbErrors = 0;
  dbRetries = 0;
  checkouts = 0;
  /** Checkouts refused for the customer's cart (out of stock, unknown product, key reused). */
  checkoutFailures = 0;
  /** Checkouts the shop could not take (answered 5xx): customers who could not buy. */
  checkoutErrors = 0;
  /**
   * Request durations by route (`GET /api/products/:sku`) since the last `drainLatencies`; kept
   * only once a reader drains them (the EMF emitter), so a shop without one (`npm run shop`, the
   * benchmark's servers) does not grow a list with every request.
   */
  private latencies: Map<string, number[]> | undefined;

  recordLatency(route: string, milliseconds: number): void {
    if (this.latencies === undefined) return;
    const values = this.latencies.get(route);
    if (values === undefined) this.latencies.set(route, [milliseconds]);
    else values.push(milliseconds);
  }

  /** The durations recorded since the last call, by route; starts a new window (the first call, the first). */
  drainLatencies(): ReadonlyMap<string, readonly number[]> {
    const drained = this.latencies ?? new Map<string, number[]>();
    this.latencies = new Map();
    return drained;
  }

  snapshot(): Record<string, number> {
    const lookups = this.cacheHits + this.cacheMisses;
    return {
      cacheHits: this.cacheHits,
      cacheMisses: this.cacheMisses,
      cacheBypasses: this.cacheBypasses,
      cacheHitRatio: lookups === 0 ? 0 : this.cacheHits / lookups,
      replicaQueries: this.replicaQueries,
      primaryQueries: this.primaryQueries,
      dbErrors: this.dbErrors,
      dbRetries: this.dbRetries,
      checkouts: this.checkouts,
      checkoutFailures: this.checkoutFailures,
      checkoutErrors: this.checkoutErrors,
    };
  }
}
