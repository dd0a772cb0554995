import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Capped exponential backoff with full jitter (delay = random × min(cap, base × 2^attempt)),
 * for idempotent work only: a catalog read, or a checkout that carries its idempotency key.
 */

export interface RetryPolicy {
  readonly attempts: number;
  readonly baseMs: number;
  readonly capMs: number;
}

/** About 10 s of trying: longer than a local promotion, bounded for an HTTP request. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 12, baseMs: 50, capMs: 1_000 };

/**
 * Errors after which the same work may succeed on a new connection: the connection dropped or
 * was refused (failover, DNS flip), the server is shutting down or starting (SQLSTATE 57P01-03),
 * class 08 (connection exception), or the node became read-only under us (25006: a demoted
 * primary or a replica behind the primary's name).
 * https://www.postgresql.org/docs/current/errcodes-appendix.html
 */
const TRANSIENT_SQLSTATES = new Set(['57P01', '57P02', '57P03', '25006', '40001', '40P01']);
const TRANSIENT_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const TRANSIENT_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Client was closed',
  'Query read timeout',
];

export const isTransientDbError = (error: unknown): boolean => {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (TRANSIENT_SQLSTATES.has(code) || code.startsWith('08') || TRANSIENT_NODE_CODES.has(code)) {
      return true;
    }
  }
  return TRANSIENT_MESSAGES.some((message) => error.message.includes(message));
};

export const backoffDelayMs = (
  policy: RetryPolicy,
  attempt: number,
  random: () => number,
): number => random() * Math.min(policy.capMs, policy.baseMs * 2 ** attempt);

export const withRetry = async <T>(
  work: () => Promise<T>,
  policy: RetryPolicy,
  onRetry: (error: unknown, attempt: number) => void = () => undefined,
  random: () => number = Math.random,
): Promise<T> => {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      if (!isTransientDbError(error) || attempt + 1 >= policy.attempts) throw error;
      onRetry(error, attempt);
      await sleep(backoffDelayMs(policy, attempt, random));
    }
  }
};
