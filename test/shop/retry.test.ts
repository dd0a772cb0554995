import { describe, expect, it } from 'vitest';
import { backoffDelayMs, isTransientDbError, withRetry } from '../../shop/db/retry.js';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('database retry policy', () => {
  it.each([
    [withCode('57P01'), true], // admin_shutdown: the primary is going away
    [withCode('25006'), true], // read_only_sql_transaction: a demoted primary
    [withCode('08006'), true], // connection_failure
    [withCode('ECONNREFUSED'), true],
    [new Error('Connection terminated unexpectedly'), true],
    [withCode('23505'), false], // unique_violation: a bug, not a failover
    [withCode('42P01'), false],
    ['a string', false],
  ])('classifies %s as transient: %s', (error, transient) => {
    // Act + Assess
    expect(isTransientDbError(error)).toBe(transient);
  });

  it('caps the backoff and spreads it with full jitter', () => {
    // Prepare
    const policy = { attempts: 10, baseMs: 50, capMs: 1_000 };

    // Act + Assess
    expect(backoffDelayMs(policy, 0, () => 1)).toBe(50);
    expect(backoffDelayMs(policy, 3, () => 1)).toBe(400);
    expect(backoffDelayMs(policy, 9, () => 1)).toBe(1_000);
    expect(backoffDelayMs(policy, 9, () => 0.25)).toBe(250);
  });

  it('retries transient errors until success, and stops at once on other errors or after the last attempt', async () => {
    // Prepare
    const policy = { attempts: 3, baseMs: 1, capMs: 1 };
    let calls = 0;
    const flaky = async () => {
      calls += 1;
      if (calls < 3) throw withCode('57P01');
      return 'done';
    };

    // Act + Assess
    await expect(withRetry(flaky, policy)).resolves.toBe('done');
    expect(calls).toBe(3);
    let bugCalls = 0;
    await expect(
      withRetry(async () => {
        bugCalls += 1;
        throw withCode('23505');
      }, policy),
    ).rejects.toThrow('x');
    expect(bugCalls).toBe(1);
    let downCalls = 0;
    await expect(
      withRetry(async () => {
        downCalls += 1;
        throw withCode('ECONNREFUSED');
      }, policy),
    ).rejects.toThrow('x');
    expect(downCalls).toBe(3);
  });
});
