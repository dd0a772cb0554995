import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Database } from '../db/database.js';

/**
 * Checkout: one transaction on the primary that records the idempotency key, decrements the
 * stock of every line (never below zero) and writes the order and its lines. The key is
 * inserted first: a concurrent retry with the same key waits on that row, then finds the
 * committed order and gets it back (`replayed`) instead of a second order. Because the whole
 * transaction is idempotent it is retried on connection loss and failover: if the first try
 * committed but its answer was lost, the retry finds the key.
 */

export interface CheckoutLine {
  readonly sku: string;
  readonly quantity: number;
}

export interface CheckoutRequest {
  readonly idempotencyKey: string;
  readonly sessionId: string;
  readonly lines: readonly CheckoutLine[];
}

export interface Order {
  readonly id: string;
  readonly totalCents: number;
  readonly lines: readonly (CheckoutLine & { readonly priceCents: number })[];
}

export class CheckoutError extends Error {
  constructor(
    readonly reason: 'out-of-stock' | 'unknown-product' | 'key-reused' | 'empty',
    message: string,
  ) {
    super(message);
    this.name = 'CheckoutError';
  }
}

/** The same key with another cart is a client bug, not a retry. */
const requestHash = (lines: readonly CheckoutLine[]): string =>
  createHash('sha256')
    .update(JSON.stringify([...lines].sort((a, b) => a.sku.localeCompare(b.sku))))
    .digest('hex');

export class Checkout {
  constructor(private readonly db: Database) {}

  async place(request: CheckoutRequest): Promise<{ order: Order; replayed: boolean }> {
    if (request.lines.length === 0) throw new CheckoutError('empty', 'the cart is empty');
    const hash = requestHash(request.lines);
    return this.db.transaction((client) => this.placeIn(client, request, hash), {
      idempotent: true,
    });
  }

  async order(id: string): Promise<Order | undefined> {
    if (!/^\d{1,18}$/.test(id)) return undefined;
    const rows = await this.db.readPrimary<{
      total: number;
      sku: string;
      quantity: number;
      price: number;
    }>(
      `SELECT o.total_cents AS total, l.sku, l.quantity, l.price_cents AS price
       FROM orders o JOIN order_lines l ON l.order_id = o.id WHERE o.id = $1 ORDER BY l.sku`,
      [id],
    );
    const first = rows[0];
    if (first === undefined) return undefined;
    return {
      id,
      totalCents: first.total,
      lines: rows.map((r) => ({ sku: r.sku, quantity: r.quantity, priceCents: r.price })),
    };
  }

  private async placeIn(
    client: pg.PoolClient,
    request: CheckoutRequest,
    hash: string,
  ): Promise<{ order: Order; replayed: boolean }> {
    // Held until commit or rollback: a concurrent checkout of the same key waits here, and its
    // next statement sees what this one committed (READ COMMITTED).
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [request.idempotencyKey]);
    const again = await client.query<{ request_hash: string; order_id: string }>(
      'SELECT request_hash, order_id FROM idempotency_keys WHERE key = $1',
      [request.idempotencyKey],
    );
    const raced = again.rows[0];
    if (raced !== undefined) return this.replay(raced, hash);

    // Lines in SKU order: two checkouts lock the same inventory rows in the same order (no deadlock).
    const lines = [...request.lines].sort((a, b) => a.sku.localeCompare(b.sku));
    const priced: (CheckoutLine & { priceCents: number })[] = [];
    for (const line of lines) {
      const updated = await client.query<{ price_cents: number }>(
        `UPDATE inventory i SET stock = i.stock - $2 FROM products p
         WHERE i.sku = $1 AND p.sku = i.sku AND i.stock >= $2 RETURNING p.price_cents`,
        [line.sku, line.quantity],
      );
      const row = updated.rows[0];
      if (row === undefined) {
        const known = await client.query('SELECT 1 FROM products WHERE sku = $1', [line.sku]);
        throw known.rowCount === 0
          ? new CheckoutError('unknown-product', `no product ${line.sku}`)
          : new CheckoutError(
              'out-of-stock',
              `not enough stock of ${line.sku} for ${line.quantity}`,
            );
      }
      priced.push({ ...line, priceCents: row.price_cents });
    }
    const totalCents = priced.reduce((sum, l) => sum + l.priceCents * l.quantity, 0);
    const inserted = await client.query<{ id: string }>(
      'INSERT INTO orders (session_id, total_cents) VALUES ($1, $2) RETURNING id',
      [request.sessionId, totalCents],
    );
    const id = inserted.rows[0]?.id as string;
    await client.query(
      `INSERT INTO order_lines (order_id, sku, quantity, price_cents)
       SELECT $1, * FROM unnest($2::text[], $3::int[], $4::int[])`,
      [
        id,
        priced.map((l) => l.sku),
        priced.map((l) => l.quantity),
        priced.map((l) => l.priceCents),
      ],
    );
    await client.query(
      'INSERT INTO idempotency_keys (key, request_hash, order_id) VALUES ($1, $2, $3)',
      [request.idempotencyKey, hash, id],
    );
    return { order: { id, totalCents, lines: priced }, replayed: false };
  }

  private async replay(
    earlier: { request_hash: string; order_id: string },
    hash: string,
  ): Promise<{ order: Order; replayed: boolean }> {
    if (earlier.request_hash !== hash) {
      throw new CheckoutError('key-reused', 'this idempotency key was used for another cart');
    }
    const order = await this.orderIn(earlier.order_id);
    return { order, replayed: true };
  }

  private async orderIn(id: string): Promise<Order> {
    const order = await this.order(id);
    if (order === undefined)
      throw new Error(`order ${id} of a recorded idempotency key is missing`);
    return order;
  }
}
