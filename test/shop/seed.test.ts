import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../shop/db/migrations.js';
import { seedCatalog } from '../../shop/db/seed.js';
import { type PostgresPair, startPostgresPair } from '../../shop/local/postgres.js';

/**
 * The synthetic catalog on a real PostgreSQL, past 271,183 SKUs: there `i * 7919` (the price's
 * spread) no longer fits PostgreSQL's 32-bit integer, which broke the 1,000,000-SKU default.
 */

const SKUS = 300_000;

describe('seedCatalog on a real PostgreSQL', () => {
  let postgres: PostgresPair;
  let pool: pg.Pool;

  beforeAll(async () => {
    postgres = await startPostgresPair();
    pool = new pg.Pool({ connectionString: postgres.primary.url, max: 1 });
    await migrate(pool);
  });
  afterAll(async () => {
    await pool.end();
    await postgres.stop();
  });

  it(`seeds ${SKUS} SKUs with prices in range and the indexes of the migrations, once`, async () => {
    // Prepare
    const indexes = async () =>
      (
        await pool.query<{ def: string }>(
          "SELECT indexdef AS def FROM pg_indexes WHERE tablename IN ('products', 'inventory') ORDER BY indexname",
        )
      ).rows.map((r) => r.def);
    const migrated = await indexes();

    // Act
    const started = performance.now();
    await seedCatalog(pool, SKUS, 7);
    const seconds = (performance.now() - started) / 1000;
    await seedCatalog(pool, SKUS, 7);

    // Assess
    console.log(`seeded ${SKUS} SKUs in ${seconds.toFixed(1)} s`);
    const stats = (
      await pool.query<{ products: string; stock: string; min: number; max: number; last: string }>(
        `SELECT (SELECT count(*) FROM products) AS products,
                (SELECT sum(stock) FROM inventory) AS stock,
                min(price_cents) AS min, max(price_cents) AS max,
                max(sku) AS last
         FROM products`,
      )
    ).rows[0];
    expect(stats).toEqual({
      products: String(SKUS),
      stock: String(SKUS * 7),
      min: 199,
      max: 199 + 19_999,
      last: 'SKU-0300000',
    });
    expect(await indexes()).toEqual(migrated);
    const search = await pool.query(
      "SELECT sku FROM products WHERE to_tsvector('simple', name) @@ plainto_tsquery('simple', 'kettle') LIMIT 1",
    );
    expect(search.rowCount).toBe(1);
  });
});
