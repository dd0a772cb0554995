import { describe, expect, it } from 'vitest';
import { EVALUATION_DELAY_MS } from '../../infra/recovery/physics.js';
import { recoveryBudgets } from '../../infra/recovery/rto.js';
import type { ShopSettings } from '../../infra/recovery/shop-settings.js';
import { CliError } from '../../sandbox/cli-kit.js';
import { AlarmEvaluator } from '../../sandbox/gameday/alarms.js';
import { parseGameDayArgs } from '../../sandbox/gameday/args.js';
import type { AwsEvent, SnsDelivery } from '../../sandbox/gameday/aws-events.js';
import { seededRandom } from '../../sandbox/gameday/random.js';
import { SimulatedShop } from '../../sandbox/gameday/shop.js';
import { VirtualTime } from '../../sandbox/gameday/virtual-time.js';
import { TEST_SHOP_SETTINGS, UNHEALTHY_HOSTS_ALARM } from '../support/gameday-settings.js';
import { runScript } from '../support/run-script.js';

/** The game day's parts that need no synthesis: its clock, alarms, arguments and worst cases. */

const START = new Date('2026-11-27T02:00:00Z');

// No replicas and no cache nodes: these tests look at the web tier and the worst cases.
const SETTINGS: ShopSettings = {
  ...TEST_SHOP_SETTINGS,
  database: { ...TEST_SHOP_SETTINGS.database, replicas: [] },
  cache: { ...TEST_SHOP_SETTINGS.cache, nodeIds: [], nodeAzs: [] },
};

describe('VirtualTime', () => {
  it('runs due items in time order, and a process resumes only when its sleep is due', async () => {
    // Prepare
    const time = new VirtualTime(START);
    const seen: string[] = [];
    time.at(START.getTime() + 5_000, () => seen.push(`at 5 s`));
    time.spawn(async () => {
      seen.push('process starts');
      await time.sleep(3_000);
      seen.push(`process wakes at ${(time.nowMs - START.getTime()) / 1000} s`);
      await time.sleep(10_000);
      seen.push('never: past the end');
    });

    // Act
    await time.runUntil(START.getTime() + 8_000);

    // Assess
    expect(seen).toEqual(['process starts', 'process wakes at 3 s', 'at 5 s']);
    expect(time.nowMs).toBe(START.getTime() + 8_000);
  });

  it('rethrows what a process threw', async () => {
    // Prepare
    const time = new VirtualTime(START);
    time.spawn(async () => {
      throw new Error('boom');
    });

    // Act, Assess
    await expect(time.runUntil(START.getTime() + 1_000)).rejects.toThrow('boom');
  });
});

describe('seededRandom', () => {
  it('gives the same numbers for the same seed', () => {
    const draw = (seed: number) => Array.from({ length: 5 }, seededRandom(seed).next);
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
  });
});

describe('AlarmEvaluator', () => {
  it('goes to ALARM on the M-th breaching datapoint of N, after the period and its delay', async () => {
    // Prepare: one target fails its checks (3 × 10 s) and stays unhealthy: the group's grace
    // period (300 s) keeps it from being replaced in these 4 minutes.
    const time = new VirtualTime(START);
    const events: (AwsEvent | SnsDelivery)[] = [];
    const shop = new SimulatedShop(SETTINGS, 'us-east-1', time, seededRandom(1), {
      emit: (event) => events.push(event),
    });
    for (const instance of shop.instances.values()) instance.inServiceAt = START.getTime();
    const alarms = new AlarmEvaluator(shop, SETTINGS.alarms, () => true);
    shop.start();
    alarms.start();
    const victim = shop.serving()[0];
    if (victim === undefined) throw new Error('no instance');
    time.at(START.getTime() + 60_000, () => shop.crash(victim.id));

    // Act
    await time.runUntil(START.getTime() + 240_000);

    // Assess: checks fail at 70, 80, 90 s: unhealthy from 90 s, so the minutes 1:00–2:00 and
    // 2:00–3:00 breach; the second breaching datapoint (2 of 3) is evaluated at 3:00 + the delay.
    expect(alarms.transitions).toEqual([
      {
        at: START.getTime() + 180_000 + EVALUATION_DELAY_MS,
        alarm: UNHEALTHY_HOSTS_ALARM.name,
        from: 'OK',
        to: 'ALARM',
      },
    ]);
    expect(
      events.map((event) =>
        'Records' in event ? [] : [event['detail-type'], event.detail.alarmName],
      ),
    ).toEqual([['CloudWatch Alarm State Change', UNHEALTHY_HOSTS_ALARM.name]]);
  });
});

describe('recoveryBudgets', () => {
  it('computes the instance worst case from the health checks, grace and alarm, and the floor from the ALB', () => {
    // Act
    const [instance, , database] = recoveryBudgets(SETTINGS, { eventLatenessSeconds: 5 });

    // Assess: seen max(10×4, 300) + 10, replaced 45 + 40 + 3 × 10; cleared (3 − 2 + 2) × 60 + 30.
    expect(instance).toMatchObject({
      failureClass: 'instance-failure',
      floorSeconds: 50,
      worstRecoveredSeconds: 425,
      worstResolvedSeconds: 425 + 210 + 5,
    });
    expect(database).toMatchObject({
      failureClass: 'database-failover',
      floorSeconds: 60,
      worstRecoveredSeconds: 120,
      worstResolvedSeconds: 125,
    });
  });

  it("computes the gray-failure worst case from the outlier alarm's datapoints, the runbook's sampling and polling, and the replacement", () => {
    // Act
    const gray = recoveryBudgets(SETTINGS, { eventLatenessSeconds: 5 }).find(
      (budget) => budget.failureClass === 'gray-failure',
    );

    // Assess: alarmed 3 × 60 + 30, event 5, sampled 120 (WORST_INSTANCE_WINDOW_SECONDS),
    // replaced 45 + 40 + 3 × 10; resolved at the next poll (at most 60 s, REPLACEMENT_POLL_SECONDS);
    // floor: 3 × 60 of datapoints, then boot 30 + app 20 + 2 × 10.
    expect(gray).toMatchObject({
      floorSeconds: 180 + 30 + 20 + 20,
      worstRecoveredSeconds: 210 + 5 + 120 + 115,
      worstResolvedSeconds: 450 + 60,
    });
    expect(gray?.dominatedBy).toBe(
      'the largest part, 3m30s: rebound-test-web-memory-outlier needs 3 breaching 60 s periods',
    );
  });

  it('has no gray-failure worst case without an alarm on the worst instance (it says which)', () => {
    // Act / Assess
    expect(() => recoveryBudgets({ ...SETTINGS, mathAlarms: [] })).toThrow(
      /no alarm on the web group worst instance/,
    );
  });

  it('a slower health check makes the worst case longer', () => {
    const slow = {
      ...SETTINGS,
      group: { ...SETTINGS.group, healthCheckGraceSeconds: 60 },
      targetGroup: { ...SETTINGS.targetGroup, intervalSeconds: 30, unhealthyThreshold: 5 },
    };
    const [fast] = recoveryBudgets({
      ...SETTINGS,
      group: { ...SETTINGS.group, healthCheckGraceSeconds: 60 },
    });
    const [slower] = recoveryBudgets(slow);
    expect(slower?.worstRecoveredSeconds).toBeGreaterThan(fast?.worstRecoveredSeconds ?? Infinity);
  });
});

describe('npm run gameday arguments', () => {
  it.each([
    [['nope'], 'unknown scenario "nope"'],
    [['instance-crash', '--seed', 'x'], '--seed takes a whole number'],
    [['instance-crash', '--seed', '4294967296'], '--seed takes a whole number'],
    [['instance-crash', '--mode', 'off'], '--mode takes dry-run or auto'],
    [[], 'name a scenario'],
  ])('%j is refused with one line, exit 2', (args, message) => {
    let error: unknown;
    try {
      parseGameDayArgs(args);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(2);
    expect((error as CliError).lines).toEqual([expect.stringContaining(message)]);
  });

  it('takes a scenario, a mode and a seed', () => {
    expect(
      parseGameDayArgs(['rds-primary-failure', '--mode', 'dry-run', '--seed', '9']),
    ).toMatchObject({
      scenarios: [{ name: 'rds-primary-failure' }],
      options: { mode: 'dry-run', seed: 9 },
    });
  });

  it('the command prints one line and exits 2 for an unknown scenario, without a stack trace', () => {
    // Act
    const run = runScript('sandbox/gameday/cli.ts', 'nope');

    // Assess
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split('\n')).toEqual([
      expect.stringContaining('unknown scenario "nope"'),
    ]);
    expect(run.stdout).toBe('');
  });

  it('the command judges a run against the configured recoveryObjectives of its class', () => {
    // Act (synthesizes the stacks and runs one scenario: seconds)
    const run = runScript(
      'sandbox/gameday/cli.ts',
      'rds-primary-failure',
      '-c',
      'recoveryObjectives=database-failover=1',
    );

    // Assess: RDS alone needs 60–120 s to fail over, so 1 min cannot be met.
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/^ {2}MTTR +\d+m\d\ds \(objective 1m\)$/m);
    expect(run.stdout).toMatch(/^ {2}FAIL resolved within 1 min: MTTR \d+ s$/m);
  });
});
