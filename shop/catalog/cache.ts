import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';

/**
 * Cache-aside for catalog reads in Redis. A miss loads from the database and stores the value
 * with a TTL spread by jitter (entries written together do not expire together). Concurrent
 * misses of one key in this process share one load (stampede protection: N misses, 1 query).
 * A product change deletes the product's entry and bumps the catalog generation that every
 * list key carries, so no list page shows the old product either.
 * When Redis fails the cache is marked cold for a while: reads go straight to the database
 * (slower, still selling) without waiting on Redis for every request.
 */

export interface CacheOptions {
  readonly ttlSeconds: number;
  /** Fraction of the TTL added or removed at random (0.1 → ±10 %). */
  readonly jitter: number;
  /** How long the cache stays bypassed after a Redis error. */
  readonly coldMs: number;
}

export const DEFAULT_CACHE: CacheOptions = { ttlSeconds: 300, jitter: 0.1, coldMs: 2_000 };

const GENERATION_KEY = 'catalog:generation';

export class CatalogCache {
  private readonly inflight = new Map<string, Promise<unknown>>();
  private coldUntil = 0;

  constructor(
    private readonly redis: Redis | undefined,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    private readonly options: CacheOptions = DEFAULT_CACHE,
    private readonly random: () => number = Math.random,
    private readonly now: () => number = Date.now,
  ) {}

  /** 'warm', 'cold' (bypassed after an error) or 'absent' (no Redis configured). */
  get state(): 'warm' | 'cold' | 'absent' {
    if (this.redis === undefined) return 'absent';
    return this.coldUntil > this.now() ? 'cold' : 'warm';
  }

  ttlSeconds(): number {
    const spread = (this.random() * 2 - 1) * this.options.jitter;
    return Math.max(1, Math.round(this.options.ttlSeconds * (1 + spread)));
  }

  async product<T>(sku: string, load: () => Promise<T>): Promise<T> {
    return this.getOrLoad(`product:${sku}`, load);
  }

  /** A list page; its key carries the catalog generation (bumped on every product change). */
  async list<T>(query: string, load: () => Promise<T>): Promise<T> {
    const redis = this.usable();
    if (redis === undefined) return this.bypass(load);
    let generation: string;
    try {
      generation = (await redis.get(GENERATION_KEY)) ?? '0';
    } catch (error) {
      this.markCold(error);
      return this.bypass(load);
    }
    return this.getOrLoad(`list:${generation}:${query}`, load);
  }

  /** After a product change: its entry goes, and every list page with it. */
  async invalidateProduct(sku: string): Promise<void> {
    const redis = this.usable();
    if (redis === undefined) return;
    try {
      await redis.multi().del(`product:${sku}`).incr(GENERATION_KEY).exec();
    } catch (error) {
      // Entries written before the change expire within the TTL; say so, never hide it.
      this.logger.error(
        { sku, err: (error as Error).message },
        'cache invalidation failed: stale until TTL',
      );
      this.markCold(error);
    }
  }

  private async getOrLoad<T>(key: string, load: () => Promise<T>): Promise<T> {
    const redis = this.usable();
    if (redis === undefined) return this.bypass(load);
    let cached: string | null;
    try {
      cached = await redis.get(key);
    } catch (error) {
      this.markCold(error);
      return this.bypass(load);
    }
    if (cached !== null) {
      this.metrics.cacheHits += 1;
      return JSON.parse(cached) as T;
    }
    this.metrics.cacheMisses += 1;
    const running = this.inflight.get(key);
    if (running !== undefined) return running as Promise<T>;
    const loading = load()
      .then(async (value) => {
        await redis
          .set(key, JSON.stringify(value), 'EX', this.ttlSeconds())
          .catch((error: unknown) => this.markCold(error));
        return value;
      })
      .finally(() => this.inflight.delete(key));
    this.inflight.set(key, loading);
    return loading;
  }

  private usable(): Redis | undefined {
    return this.state === 'warm' ? this.redis : undefined;
  }

  private bypass<T>(load: () => Promise<T>): Promise<T> {
    this.metrics.cacheBypasses += 1;
    return load();
  }

  private markCold(error: unknown): void {
    if (this.state === 'warm') {
      this.logger.warn(
        { err: (error as Error).message, coldMs: this.options.coldMs },
        'cache unavailable: marked cold, reading the database',
      );
    }
    this.coldUntil = this.now() + this.options.coldMs;
  }
}
