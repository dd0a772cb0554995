import pg from 'pg';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { isPasswordRejected } from './password-rejected.js';
import { DEFAULT_RETRY, isTransientDbError, type RetryPolicy, withRetry } from './retry.js';

/**
 * The shop's two kinds of database work. Reads go to a read replica (the next one when one
 * fails, then the primary) and are retried with backoff: they are idempotent. Writes run in one
 * transaction on the primary; they are retried only when the caller says the whole transaction
 * is idempotent (a checkout carries its idempotency key).
 */

export interface DatabaseOptions {
  readonly primaryUrl: string;
  readonly replicaUrls: readonly string[];
  readonly retry?: RetryPolicy;
  /** How long a failed replica is skipped before it is tried again. */
  readonly replicaQuarantineMs?: number;
  readonly poolSize?: number;
  /** PEM CA certificates: connect with TLS, verifying the server against them. */
  readonly ca?: string;
  /**
   * Called when a node refuses the password of a new connection (the secret rotated under the
   * running shop): retrying with the same password cannot help. The error is thrown as well.
   */
  readonly onPasswordRejected?: (error: Error) => void;
}

/**
 * node-postgres TLS that verifies the server's chain against `ca` and its name against the
 * host (Node's default checkServerIdentity), as libpq's sslmode=verify-full. Without `ca`, none.
 */
export const tlsOptions = (ca: string | undefined): pg.PoolConfig['ssl'] =>
  ca === undefined ? undefined : { ca, rejectUnauthorized: true };

type Row = Record<string, unknown>;

const pool = (
  url: string,
  size: number,
  ca: string | undefined,
  logger: Logger,
  name: string,
): pg.Pool => {
  const created = new pg.Pool({
    connectionString: url,
    ssl: tlsOptions(ca),
    max: size,
    connectionTimeoutMillis: 2_000,
    idleTimeoutMillis: 10_000,
    // Bounded waits: a statement never hangs a request longer than this.
    statement_timeout: 5_000,
    query_timeout: 6_000,
  });
  // An idle connection dropped by a failover is an event, not a crash of the process.
  created.on('error', (error) =>
    logger.warn({ pool: name, err: error.message }, 'idle database connection lost'),
  );
  return created;
};

export class Database {
  private readonly primary: pg.Pool;
  private readonly replicas: { readonly name: string; readonly pool: pg.Pool; downUntil: number }[];
  private readonly retry: RetryPolicy;
  private readonly quarantineMs: number;
  private readonly onPasswordRejected: (error: Error) => void;

  constructor(
    options: DatabaseOptions,
    private readonly logger: Logger,
    private readonly metrics: Metrics,
    private readonly now: () => number = Date.now,
  ) {
    const size = options.poolSize ?? 10;
    this.primary = pool(options.primaryUrl, size, options.ca, logger, 'primary');
    this.replicas = options.replicaUrls.map((url, index) => ({
      name: `replica-${index + 1}`,
      pool: pool(url, size, options.ca, logger, `replica-${index + 1}`),
      downUntil: 0,
    }));
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.quarantineMs = options.replicaQuarantineMs ?? 5_000;
    this.onPasswordRejected = options.onPasswordRejected ?? (() => undefined);
  }

  /** A read-only query: replicas first, then the primary; retried on transient errors. */
  async read<T extends Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return withRetry(
      () => this.readOnce<T>(sql, params),
      this.retry,
      (error, attempt) => this.noteRetry('read', error, attempt),
    );
  }

  private async readOnce<T extends Row>(sql: string, params: readonly unknown[]): Promise<T[]> {
    for (const replica of this.replicas) {
      if (replica.downUntil > this.now()) continue;
      try {
        const result = await replica.pool.query<T>(sql, params as unknown[]);
        this.metrics.replicaQueries += 1;
        return result.rows;
      } catch (error) {
        if (!isTransientDbError(error)) throw this.counted(error);
        this.metrics.dbErrors += 1;
        replica.downUntil = this.now() + this.quarantineMs;
        this.logger.warn(
          { replica: replica.name, err: (error as Error).message },
          'replica unavailable: next one',
        );
      }
    }
    const result = await this.primary.query<T>(sql, params as unknown[]).catch((error: unknown) => {
      throw this.counted(error);
    });
    this.metrics.primaryQueries += 1;
    return result.rows;
  }

  /** One transaction on the primary; retried as a whole only when `idempotent`. */
  async transaction<T>(
    work: (client: pg.PoolClient) => Promise<T>,
    { idempotent }: { idempotent: boolean },
  ): Promise<T> {
    const once = () => this.transactionOnce(work);
    if (!idempotent) return once();
    return withRetry(once, this.retry, (error, attempt) =>
      this.noteRetry('transaction', error, attempt),
    );
  }

  private async transactionOnce<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.primary.connect().catch((error: unknown) => {
      throw this.counted(error);
    });
    let broken = false;
    // A checked-out client has no pool listener: a dropped connection must not crash the process.
    const onError = (error: Error) =>
      this.logger.warn({ err: error.message }, 'connection lost mid-transaction');
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      this.metrics.primaryQueries += 1;
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      broken = isTransientDbError(error);
      if (!broken) await client.query('ROLLBACK').catch(() => undefined);
      throw this.counted(error);
    } finally {
      client.off('error', onError);
      // A connection that failed mid-transaction is destroyed, never handed out again.
      client.release(broken);
    }
  }

  /** A read on the primary (e.g. right after a write), retried on transient errors. */
  async readPrimary<T extends Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return withRetry(
      async () => {
        const result = await this.primary
          .query<T>(sql, params as unknown[])
          .catch((error: unknown) => {
            throw this.counted(error);
          });
        this.metrics.primaryQueries += 1;
        return result.rows;
      },
      this.retry,
      (error, attempt) => this.noteRetry('primary read', error, attempt),
    );
  }

  /** For /ready: which nodes answer, and whether the primary takes writes. */
  async probe(): Promise<{ primary: string; replicas: Record<string, string> }> {
    const check = async (p: pg.Pool, wantWritable: boolean) => {
      try {
        const rows = await p.query<{ recovery: boolean }>('SELECT pg_is_in_recovery() AS recovery');
        const recovery = rows.rows[0]?.recovery === true;
        return wantWritable && recovery ? 'read-only' : 'ok';
      } catch (error) {
        this.notePasswordRejected(error);
        return `down: ${(error as Error).message}`;
      }
    };
    const replicas: Record<string, string> = {};
    for (const replica of this.replicas) replicas[replica.name] = await check(replica.pool, false);
    return { primary: await check(this.primary, true), replicas };
  }

  async close(): Promise<void> {
    await Promise.all([this.primary.end(), ...this.replicas.map((r) => r.pool.end())]);
  }

  private counted(error: unknown): unknown {
    this.metrics.dbErrors += 1;
    this.notePasswordRejected(error);
    return error;
  }

  private notePasswordRejected(error: unknown): void {
    if (isPasswordRejected(error)) this.onPasswordRejected(error as Error);
  }

  private noteRetry(what: string, error: unknown, attempt: number): void {
    this.metrics.dbRetries += 1;
    this.logger.warn(
      { what, attempt, err: (error as Error).message },
      'transient database error: retrying',
    );
  }
}
