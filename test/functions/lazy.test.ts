import { describe, expect, it } from 'vitest';
import { lazy } from '../../functions/lib/lazy.js';

/** What triage builds on first use (functions/lib/triage-events.ts) is built once per container. */

describe('lazy', () => {
  it('loads on the first call only, and every call, concurrent ones included, gets that value', async () => {
    // Prepare
    let loads = 0;
    const get = lazy(async () => {
      loads += 1;
      return { built: loads };
    });

    // Act
    expect(loads).toBe(0);
    const [first, second] = await Promise.all([get(), get()]);
    const third = await get();

    // Assess
    expect(loads).toBe(1);
    expect(second).toBe(first);
    expect(third).toBe(first);
  });

  it('keeps no failed load: the next call loads again', async () => {
    // Prepare
    let loads = 0;
    const get = lazy(async () => {
      loads += 1;
      if (loads === 1) throw new Error('chunk unreadable');
      return 'loaded';
    });

    // Act / Assess
    await expect(get()).rejects.toThrow('chunk unreadable');
    await expect(get()).resolves.toBe('loaded');
    expect(loads).toBe(2);
  });
});
