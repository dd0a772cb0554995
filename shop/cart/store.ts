import type { Redis } from 'ioredis';
import type { Database } from '../db/database.js';
import type { Logger } from '../logger.js';

/**
 * Carts: a Redis hash per session (sku → quantity) that expires after a week without a write.
 * Sessions degrade instead of failing: while Redis is unavailable a cart is read from and
 * written to the `carts` table on the primary, and a session whose Redis cart is empty finds
 * the cart it filled during the outage there.
 */

export type Cart = Record<string, number>;

export const CART_TTL_SECONDS = 7 * 24 * 3600;

const key = (sessionId: string) => `cart:${sessionId}`;

export class CartStore {
  constructor(
    private readonly redis: Redis | undefined,
    private readonly db: Database,
    private readonly logger: Logger,
  ) {}

  async get(sessionId: string): Promise<Cart> {
    if (this.redis !== undefined) {
      try {
        const hash = await this.redis.hgetall(key(sessionId));
        if (Object.keys(hash).length > 0) {
          return Object.fromEntries(Object.entries(hash).map(([sku, qty]) => [sku, Number(qty)]));
        }
      } catch (error) {
        this.degraded('read', error);
      }
    }
    const rows = await this.db.readPrimary<{ items: Cart }>(
      'SELECT items FROM carts WHERE session_id = $1',
      [sessionId],
    );
    return rows[0]?.items ?? {};
  }

  /** Sets a line's quantity (0 removes it). */
  async setQuantity(sessionId: string, sku: string, quantity: number): Promise<Cart> {
    if (this.redis !== undefined) {
      try {
        const tx = this.redis.multi();
        if (quantity > 0) tx.hset(key(sessionId), sku, quantity);
        else tx.hdel(key(sessionId), sku);
        await tx.expire(key(sessionId), CART_TTL_SECONDS).exec();
        return await this.get(sessionId);
      } catch (error) {
        this.degraded('write', error);
      }
    }
    const cart = { ...(await this.get(sessionId)) };
    if (quantity > 0) cart[sku] = quantity;
    else delete cart[sku];
    await this.db.transaction(
      (client) =>
        client.query(
          `INSERT INTO carts (session_id, items) VALUES ($1, $2)
           ON CONFLICT (session_id) DO UPDATE SET items = EXCLUDED.items, updated_at = now()`,
          [sessionId, JSON.stringify(cart)],
        ),
      { idempotent: true },
    );
    return cart;
  }

  async clear(sessionId: string): Promise<void> {
    await this.redis?.del(key(sessionId)).catch((error: unknown) => this.degraded('clear', error));
    await this.db.transaction(
      (client) => client.query('DELETE FROM carts WHERE session_id = $1', [sessionId]),
      {
        idempotent: true,
      },
    );
  }

  private degraded(what: string, error: unknown): void {
    this.logger.warn(
      { what, err: (error as Error).message },
      'cart store degraded: using PostgreSQL',
    );
  }
}
