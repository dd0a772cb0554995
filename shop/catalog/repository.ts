import type { Database } from '../db/database.js';

/** The catalog's queries: reads on the replicas, a product change on the primary. */

export interface Product {
  readonly sku: string;
  readonly name: string;
  readonly description: string;
  readonly category: string;
  readonly priceCents: number;
  readonly stock: number;
}

export interface CatalogQuery {
  readonly category?: string | undefined;
  readonly minPriceCents?: number | undefined;
  readonly maxPriceCents?: number | undefined;
  /** Full-text search on the product name. */
  readonly search?: string | undefined;
  /** Keyset paging: the last SKU of the previous page (no OFFSET scans over 1M rows). */
  readonly after?: string | undefined;
  readonly limit: number;
}

export interface CatalogPage {
  readonly products: readonly Product[];
  /** The `after` of the next page, absent on the last page. */
  readonly next?: string;
}

const COLUMNS = `p.sku, p.name, p.description, p.category, p.price_cents AS "priceCents",
  coalesce(i.stock, 0) AS "stock"`;

export class CatalogRepository {
  constructor(private readonly db: Database) {}

  async product(sku: string): Promise<Product | undefined> {
    const rows = await this.db.read<Product & Record<string, unknown>>(
      `SELECT ${COLUMNS} FROM products p LEFT JOIN inventory i USING (sku) WHERE p.sku = $1`,
      [sku],
    );
    return rows[0];
  }

  async list(query: CatalogQuery): Promise<CatalogPage> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (clause: (n: string) => string, value: unknown) => {
      params.push(value);
      where.push(clause(`$${params.length}`));
    };
    if (query.category !== undefined) add((n) => `p.category = ${n}`, query.category);
    if (query.minPriceCents !== undefined) add((n) => `p.price_cents >= ${n}`, query.minPriceCents);
    if (query.maxPriceCents !== undefined) add((n) => `p.price_cents <= ${n}`, query.maxPriceCents);
    if (query.search !== undefined) {
      add((n) => `to_tsvector('simple', p.name) @@ plainto_tsquery('simple', ${n})`, query.search);
    }
    if (query.after !== undefined) add((n) => `p.sku > ${n}`, query.after);
    params.push(query.limit + 1);
    const rows = await this.db.read<Product & Record<string, unknown>>(
      `SELECT ${COLUMNS} FROM products p LEFT JOIN inventory i USING (sku)
       ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY p.sku LIMIT $${params.length}`,
      params,
    );
    const products = rows.slice(0, query.limit);
    const last = products.at(-1);
    return rows.length > query.limit && last !== undefined
      ? { products, next: last.sku }
      : { products };
  }

  /** A price change on the primary; the caller invalidates the cache. */
  async setPrice(sku: string, priceCents: number): Promise<boolean> {
    const updated = await this.db.transaction(
      (client) =>
        client.query('UPDATE products SET price_cents = $2, updated_at = now() WHERE sku = $1', [
          sku,
          priceCents,
        ]),
      { idempotent: true },
    );
    return (updated.rowCount ?? 0) > 0;
  }
}
