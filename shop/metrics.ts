/**
 * The shop's counters, served as JSON on /metrics (and read by the tests and the benchmark):
 * cache hits and misses, database queries by node, database errors, checkouts and their failures.
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
  checkoutFailures = 0;

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
    };
  }
}
