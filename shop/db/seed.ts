import type pg from 'pg';

/**
 * A synthetic catalog generated inside PostgreSQL (generate_series: a million rows in seconds,
 * nothing streamed from Node). SKUs are SKU-0000001…; re-seeding the same size is a no-op.
 */

export const CATEGORIES = [
  'books',
  'garden',
  'kitchen',
  'music',
  'outdoor',
  'tools',
  'toys',
  'video',
];
const ADJECTIVES = [
  'Sturdy',
  'Compact',
  'Classic',
  'Bright',
  'Quiet',
  'Rapid',
  'Gentle',
  'Bold',
  'Smart',
  'Tiny',
];
const NOUNS = [
  'Lamp',
  'Kettle',
  'Shovel',
  'Novel',
  'Speaker',
  'Tent',
  'Hammer',
  'Puzzle',
  'Camera',
  'Blender',
  'Chair',
];

export const skuOf = (n: number): string => `SKU-${String(n).padStart(7, '0')}`;

/**
 * The secondary indexes of an empty products table (their definitions as the migrations made
 * them): dropped before a bulk load and built again after it, which is several times faster
 * than maintaining them row by row (the full-text GIN index above all).
 */
const dropSecondaryIndexes = async (client: pg.PoolClient): Promise<string[]> => {
  const { rows } = await client.query<{ name: string; def: string }>(
    `SELECT i.indexname AS name, i.indexdef AS def FROM pg_indexes i
     WHERE i.schemaname = current_schema() AND i.tablename = 'products'
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
  );
  for (const { name } of rows) await client.query(`DROP INDEX ${client.escapeIdentifier(name)}`);
  return rows.map((r) => r.def);
};

export const seedCatalog = async (
  pool: pg.Pool,
  skus: number,
  initialStock = 1_000,
): Promise<void> => {
  const arrays = [CATEGORIES, ADJECTIVES, NOUNS];
  const client = await pool.connect();
  try {
    // One transaction: the indexes are never seen missing, and a failed seed leaves nothing.
    await client.query('BEGIN');
    await client.query("SET LOCAL maintenance_work_mem = '256MB'");
    const empty = (await client.query('SELECT 1 FROM products LIMIT 1')).rowCount === 0;
    const indexes = empty ? await dropSecondaryIndexes(client) : [];
    await client.query(
      `INSERT INTO products (sku, name, description, category, price_cents)
       SELECT 'SKU-' || lpad(i::text, 7, '0'),
              ($2::text[])[1 + i % array_length($2, 1)] || ' ' || ($3::text[])[1 + (i / 7) % array_length($3, 1)] || ' ' || i,
              'Item number ' || i || ' of the reference catalog.',
              ($1::text[])[1 + (i / 3) % array_length($1, 1)],
              -- bigint: i * 7919 leaves the 32-bit integer range past 271,183 SKUs
              199 + (i::bigint * 7919 % 20000)::int
       FROM generate_series(1, $4::int) AS i
       ON CONFLICT (sku) DO NOTHING`,
      [...arrays, skus],
    );
    await client.query(
      `INSERT INTO inventory (sku, stock)
       SELECT 'SKU-' || lpad(i::text, 7, '0'), $2::int FROM generate_series(1, $1::int) AS i
       ON CONFLICT (sku) DO NOTHING`,
      [skus, initialStock],
    );
    for (const def of indexes) await client.query(def);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
  await pool.query('ANALYZE products; ANALYZE inventory');
};
