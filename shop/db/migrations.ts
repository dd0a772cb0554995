import type pg from 'pg';

/**
 * The shop's schema, one numbered migration per change, applied once per deploy. Every
 * instance of a rolling deploy may run `migrate` at boot: a session-level advisory lock makes
 * them take turns, and the first one applies what is pending while the others wait and find
 * nothing left to do.
 */

/** pg_advisory_lock key of the shop's migrations (any constant the shop owns). */
export const MIGRATION_LOCK_KEY = 0x5e0b_0015;

export interface Migration {
  readonly id: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: 'catalog',
    sql: `
      CREATE TABLE products (
        sku text PRIMARY KEY,
        name text NOT NULL,
        description text NOT NULL,
        category text NOT NULL,
        price_cents integer NOT NULL CHECK (price_cents >= 0),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX products_category_sku ON products (category, sku);
      CREATE INDEX products_name_search ON products USING gin (to_tsvector('simple', name));
      CREATE TABLE inventory (
        sku text PRIMARY KEY REFERENCES products (sku),
        -- The last line of defence: whatever the code does, stock never goes below zero.
        stock integer NOT NULL CHECK (stock >= 0)
      );`,
  },
  {
    id: 2,
    name: 'carts and orders',
    sql: `
      -- Carts live in Redis; this table holds the carts written while Redis is unavailable.
      CREATE TABLE carts (
        session_id text PRIMARY KEY,
        items jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE orders (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        session_id text NOT NULL,
        total_cents integer NOT NULL CHECK (total_cents >= 0),
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE order_lines (
        order_id bigint NOT NULL REFERENCES orders (id),
        sku text NOT NULL REFERENCES products (sku),
        quantity integer NOT NULL CHECK (quantity > 0),
        price_cents integer NOT NULL,
        PRIMARY KEY (order_id, sku)
      );
      CREATE TABLE idempotency_keys (
        key text PRIMARY KEY,
        request_hash text NOT NULL,
        order_id bigint NOT NULL REFERENCES orders (id),
        created_at timestamptz NOT NULL DEFAULT now()
      );`,
  },
];

/** Applies the pending migrations under the advisory lock; returns the ids it applied. */
export const migrate = async (
  pool: pg.Pool,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number[]> => {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        id integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
      const done = new Set(
        (await client.query<{ id: number }>('SELECT id FROM schema_migrations')).rows.map(
          (r) => r.id,
        ),
      );
      const applied: number[] = [];
      for (const migration of migrations) {
        if (done.has(migration.id)) continue;
        await client.query('BEGIN');
        try {
          await client.query(migration.sql);
          await client.query('INSERT INTO schema_migrations (id, name) VALUES ($1, $2)', [
            migration.id,
            migration.name,
          ]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw new Error(
            `migration ${migration.id} (${migration.name}) failed: ${(error as Error).message}`,
          );
        }
        applied.push(migration.id);
      }
      return applied;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
};
