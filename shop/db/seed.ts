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

export const seedCatalog = async (
  pool: pg.Pool,
  skus: number,
  initialStock = 1_000,
): Promise<void> => {
  const arrays = [CATEGORIES, ADJECTIVES, NOUNS];
  await pool.query(
    `INSERT INTO products (sku, name, description, category, price_cents)
     SELECT 'SKU-' || lpad(i::text, 7, '0'),
            ($2::text[])[1 + i % array_length($2, 1)] || ' ' || ($3::text[])[1 + (i / 7) % array_length($3, 1)] || ' ' || i,
            'Item number ' || i || ' of the reference catalog.',
            ($1::text[])[1 + (i / 3) % array_length($1, 1)],
            199 + (i * 7919) % 20000
     FROM generate_series(1, $4::int) AS i
     ON CONFLICT (sku) DO NOTHING`,
    [...arrays, skus],
  );
  await pool.query(
    `INSERT INTO inventory (sku, stock)
     SELECT 'SKU-' || lpad(i::text, 7, '0'), $2::int FROM generate_series(1, $1::int) AS i
     ON CONFLICT (sku) DO NOTHING`,
    [skus, initialStock],
  );
  await pool.query('ANALYZE products; ANALYZE inventory');
};
