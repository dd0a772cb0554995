import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';

// Counts the zod objects built, to see when the event schemas are built.
const built = vi.hoisted(() => ({ objects: 0 }));
vi.mock('zod/mini', async (importOriginal) => {
  const zod = await importOriginal<typeof import('zod/mini')>();
  return {
    ...zod,
    object: (...args: Parameters<typeof zod.object>) => {
      built.objects += 1;
      return zod.object(...args);
    },
  };
});

const fixture = (path: string): unknown =>
  JSON.parse(
    readFileSync(new URL(`../fixtures/events/${path}.json`, import.meta.url), 'utf8'),
  ) as unknown;

describe('event schemas are built on first use (triage parses one kind of event per invocation)', () => {
  it('builds none at load, each kind with its first event, once', async () => {
    const { parseIncomingEvent } = await import('../../functions/lib/events/index.js');
    expect(built.objects).toBe(0);

    expect(parseIncomingEvent(fixture('cloudwatch/alarm-asg-cpu')).ok).toBe(true);
    const afterAlarm = built.objects;
    expect(afterAlarm).toBeGreaterThan(0);
    expect(parseIncomingEvent(fixture('cloudwatch/alarm-asg-cpu')).ok).toBe(true);
    expect(built.objects).toBe(afterAlarm);

    expect(parseIncomingEvent(fixture('rds/failover-started-0013')).ok).toBe(true);
    expect(built.objects).toBeGreaterThan(afterAlarm);
  });
});
