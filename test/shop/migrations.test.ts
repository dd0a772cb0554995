import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATION_LOCK_KEY, MIGRATIONS, migrate } from '../../shop/db/migrations.js';
import { type PostgresPair, startPostgresPair } from '../../shop/local/postgres.js';

describe('shop migrations on a real PostgreSQL', () => {
  let postgres: PostgresPair;
  let pools: pg.Pool[];

  beforeAll(async () => {
    postgres = await startPostgresPair();
    pools = [0, 1, 2, 3].map(() => new pg.Pool({ connectionString: postgres.primary.url, max: 2 }));
  });
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end()));
    await postgres.stop();
  });

  it('waits while another runner holds the advisory lock, then four concurrent runners apply each migration once', async () => {
    // Prepare: another deploy's runner holds the lock.
    const holder = await pools[0]?.connect();
    if (holder === undefined) throw new Error('no client');
    await holder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);

    // Act
    const runs = pools.map((pool) => migrate(pool));
    const settledEarly = await Promise.race([
      Promise.all(runs).then(() => true),
      new Promise((resolve) => setTimeout(() => resolve(false), 500)),
    ]);
    await holder.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    holder.release();
    const applied = await Promise.all(runs);

    // Assess
    expect(settledEarly).toBe(false);
    expect(applied.flat().sort()).toEqual(MIGRATIONS.map((m) => m.id));
    expect(applied.filter((ids) => ids.length > 0)).toHaveLength(1);
    const recorded = await pools[1]?.query('SELECT id FROM schema_migrations ORDER BY id');
    expect(recorded?.rows.map((r) => r.id)).toEqual(MIGRATIONS.map((m) => m.id));
  });

  it('is idempotent: a second run applies nothing', async () => {
    // Act
    const applied = await migrate(pools[2] as pg.Pool);

    // Assess
    expect(applied).toEqual([]);
  });

  it('rolls back a failing migration and names it', async () => {
    // Prepare
    const broken = [
      ...MIGRATIONS,
      { id: 99, name: 'broken', sql: 'CREATE TABLE products (x int)' },
    ];

    // Act + Assess
    await expect(migrate(pools[3] as pg.Pool, broken)).rejects.toThrow(
      /migration 99 \(broken\) failed: .*already exists/,
    );
    const recorded = await pools[3]?.query(
      'SELECT count(*)::int AS n FROM schema_migrations WHERE id = 99',
    );
    expect(recorded?.rows[0]?.n).toBe(0);
  });
});
