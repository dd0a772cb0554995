import { beforeAll, describe, expect, it } from 'vitest';
import { unavailableCacheZones } from '../../functions/lib/aws/describe-cache.js';
import { dbInstanceZones } from '../../functions/lib/aws/describe-database.js';
import { unhealthyTargetZones } from '../../functions/lib/aws/describe-unhealthy-zones.js';
import { formatBudgets, recoveryBudgets, unmetObjectives } from '../../infra/recovery/rto.js';
import type { ShopSettings } from '../../infra/recovery/shop-settings.js';
import {
  BotocoreModels,
  botocoreDataDir,
  type ServiceModel,
} from '../../sandbox/checks/botocore-models.js';
import { CliError } from '../../sandbox/cli-kit.js';
import { AlarmEvaluator } from '../../sandbox/gameday/alarms.js';
import { parseGameDayArgs } from '../../sandbox/gameday/args.js';
import { SimulatedApiError, SimulatedAwsApi } from '../../sandbox/gameday/aws-api.js';
import { simulatedClient } from '../../sandbox/gameday/lambda-steps.js';
import { seededRandom } from '../../sandbox/gameday/random.js';
import { retryDelayMs } from '../../sandbox/gameday/runbook-executions.js';
import { SCENARIOS } from '../../sandbox/gameday/scenarios.js';
import { SimulatedShop } from '../../sandbox/gameday/shop.js';
import { VirtualTime } from '../../sandbox/gameday/virtual-time.js';
import { probeRunbooks } from '../support/gameday-runbooks.js';
import { TEST_SHOP_SETTINGS, UNHEALTHY_HOSTS_ALARM } from '../support/gameday-settings.js';

/** The simulated AWS API, the local runbook executor on the virtual clock, the rto table. */

const START = new Date('2026-11-27T02:00:00Z');
// The unhealthy-hosts alarm without dimensions: these tests feed it by name only.
const SETTINGS: ShopSettings = {
  ...TEST_SHOP_SETTINGS,
  alarms: [{ ...UNHEALTHY_HOSTS_ALARM, dimensions: {} }],
};

const world = () => {
  const time = new VirtualTime(START);
  const shop = new SimulatedShop(SETTINGS, 'us-east-1', time, seededRandom(1), {
    emit: () => undefined,
  });
  const api = new SimulatedAwsApi(shop, new AlarmEvaluator(shop, SETTINGS.alarms, () => true));
  return { time, shop, api };
};

describe('SimulatedAwsApi', () => {
  it('answers the web tier, alarm, database and cache calls from the shop, whatever the case of the member names', () => {
    // Prepare
    const { shop, api } = world();
    const [first] = shop.serving();

    // Act
    const targets = api.call('elasticloadbalancingv2', 'DescribeTargetHealth', {}) as {
      TargetHealthDescriptions: unknown[];
    };
    const alarms = api.call('cloudwatch', 'describeAlarms', {
      alarmNames: ['rebound-test-alb-unhealthy-hosts'],
    });
    const replica = api.call('rds', 'DescribeDBInstances', {
      DbInstanceIdentifier: 'rebound-test-db-replica-1',
    });
    const cache = api.call('elasticache', 'DescribeReplicationGroups', {}) as {
      ReplicationGroups: { NodeGroups: { NodeGroupMembers: unknown[] }[] }[];
    };
    api.call('autoscaling', 'SetInstanceHealth', {
      InstanceId: first?.id,
      HealthStatus: 'Unhealthy',
    });

    // Assess
    expect(targets.TargetHealthDescriptions).toHaveLength(3);
    expect(alarms).toEqual({
      MetricAlarms: [{ AlarmName: 'rebound-test-alb-unhealthy-hosts', StateValue: 'OK' }],
      CompositeAlarms: [],
    });
    expect(replica).toMatchObject({
      DBInstances: [
        {
          ReadReplicaSourceDBInstanceIdentifier: 'rebound-test-db',
          StatusInfos: [{ Status: 'replicating' }],
        },
      ],
    });
    expect(cache.ReplicationGroups[0]?.NodeGroups[0]?.NodeGroupMembers).toHaveLength(2);
    expect(shop.changes).toEqual([
      { at: START.getTime(), call: 'autoscaling:SetInstanceHealth', target: first?.id },
    ]);
    expect(first?.health).toBe('Unhealthy');
  });

  describe("answers triage's AZ lookups as AWS would, in botocore's output members", () => {
    let models: BotocoreModels;
    beforeAll(() => {
      models = new BotocoreModels(botocoreDataDir());
    });

    /** Paths of `value`'s members that `shape` of `model` does not declare. */
    const undeclared = (model: ServiceModel, shape: string, value: unknown, at = ''): string[] => {
      const declared = model.shapes[shape];
      if (declared === undefined) return [`${at}: no shape ${shape}`];
      if (declared.type === 'list' && Array.isArray(value)) {
        return value.flatMap((item, index) =>
          undeclared(model, declared.member?.shape ?? '', item, `${at}[${index}]`),
        );
      }
      if (declared.type !== 'structure' || typeof value !== 'object' || value === null) return [];
      return Object.entries(value).flatMap(([name, member]) => {
        const ref = declared.members?.[name];
        return ref === undefined
          ? [`${at}.${name}`]
          : undeclared(model, ref.shape, member, `${at}.${name}`);
      });
    };

    it('places the failing database primary, the lost cache node and the unhealthy hosts in the AZ without power', async () => {
      // Prepare: us-east-1a loses power with both primaries in it.
      const { shop, api, time } = world();
      const answers: [string, string, unknown][] = [];
      const call = api.call.bind(api);
      api.call = (service, action, input) => {
        const answer = call(service, action, input);
        answers.push([service, action, answer]);
        return answer;
      };
      shop.start();
      time.at(START.getTime() + 60_000, () =>
        shop.losePower('us-east-1a', 600_000, { databasePrimary: true, cachePrimary: true }),
      );
      const signal = new AbortController().signal;

      // Act: the failover has started (RDS-EVENT-0013 comes 5-20 s in); minutes later, the
      // cache has failed over and the ELB has seen the hosts fail.
      await time.runUntil(START.getTime() + 70_000);
      const database = await dbInstanceZones(
        simulatedClient(api, 'rds'),
        'rebound-test-db',
        signal,
      );
      await time.runUntil(START.getTime() + 300_000);
      const cache = await unavailableCacheZones(
        simulatedClient(api, 'elasticache'),
        SETTINGS.cache.groupId,
        signal,
      );
      const hosts = await unhealthyTargetZones(
        simulatedClient(api, 'cloudwatch'),
        {
          loadBalancer: SETTINGS.loadBalancerFullName,
          targetGroup: SETTINGS.targetGroup.fullName,
          availabilityZones: SETTINGS.availabilityZones,
          minutes: 5,
          now: new Date(time.nowMs),
        },
        signal,
      );

      // Assess
      expect([database, cache, hosts]).toEqual([['us-east-1a'], ['us-east-1a'], ['us-east-1a']]);
      expect(answers.map(([service, action]) => `${service}:${action}`)).toEqual([
        'rds:DescribeDBInstances',
        'elasticache:DescribeReplicationGroups',
        'elasticache:DescribeCacheClusters',
        'elasticache:DescribeCacheClusters',
        'cloudwatch:GetMetricData',
      ]);
      for (const [service, action, answer] of answers) {
        const model = models.model(service);
        const output = model?.operations[action]?.output?.shape;
        if (model === undefined || output === undefined) throw new Error(`${service}:${action}?`);
        expect(undeclared(model, output, answer), `${service}:${action}`).toEqual([]);
      }
    });
  });

  it('throttles every call of an action until a time, then answers again', async () => {
    // Prepare
    const { api, time } = world();
    api.throttles.push({ action: 'rds:DescribeDBInstances', until: START.getTime() + 60_000 });
    const describe = () =>
      api.call('rds', 'DescribeDBInstances', { DBInstanceIdentifier: 'rebound-test-db' });

    // Act, Assess
    expect(describe).toThrow(expect.objectContaining({ code: 'ThrottlingException' }));
    await time.runUntil(START.getTime() + 59_000);
    expect(describe).toThrow(expect.objectContaining({ code: 'ThrottlingException' }));
    await time.runUntil(START.getTime() + 60_000);
    expect(describe()).toMatchObject({ DBInstances: [{ MultiAZ: true }] });
  });

  it('throttles as told, says which database does not exist, and refuses a call it does not simulate', () => {
    // Prepare
    const { api } = world();
    api.throttles.push({ action: 'rds:DescribeDBInstances', times: 1 });

    // Act, Assess
    expect(() =>
      api.call('rds', 'DescribeDBInstances', { DBInstanceIdentifier: 'rebound-test-db' }),
    ).toThrow(expect.objectContaining({ code: 'ThrottlingException' }));
    expect(
      api.call('rds', 'DescribeDBInstances', { DBInstanceIdentifier: 'rebound-test-db' }),
    ).toMatchObject({ DBInstances: [{ MultiAZ: true }] });
    expect(() => api.call('rds', 'DescribeDBInstances', { DBInstanceIdentifier: 'nope' })).toThrow(
      SimulatedApiError,
    );
    expect(() => api.call('rds', 'FailoverDBCluster', {})).toThrow(
      'the game day does not simulate rds:FailoverDBCluster',
    );
  });
});

describe('SimulatedRunbooks', () => {
  /** A template holding one state machine: a Wait, an aws-sdk Task, then a Lambda Task. */
  const template = (states: Record<string, unknown>) => ({
    controlPlane: {
      Resources: {
        Fn: {
          Type: 'AWS::Lambda::Function',
          Properties: { FunctionName: 'rebound-test-probe-step' },
        },
        Machine: {
          Type: 'AWS::StepFunctions::StateMachine',
          Properties: {
            StateMachineName: 'rebound-test-probe',
            DefinitionString: JSON.stringify({ StartAt: 'Pause', States: states }),
          },
        },
      },
    },
    shop: { Resources: {} },
  });
  const STATES = {
    Pause: { Type: 'Wait', SecondsPath: '$.pause', Next: 'Until' },
    Until: { Type: 'Wait', Timestamp: '2026-11-27T02:10:00Z', Next: 'Describe' },
    Describe: {
      Type: 'Task',
      Resource: 'arn:aws:states:::aws-sdk:rds:describeDBInstances',
      Parameters: { DbInstanceIdentifier: 'rebound-test-db' },
      ResultSelector: { 'status.$': '$.DbInstances[0].DbInstanceStatus' },
      ResultPath: '$.db',
      Next: 'Step',
    },
    Step: {
      Type: 'Task',
      Resource: 'arn:aws:lambda:us-east-1:123456789012:function:rebound-test-probe-step',
      End: true,
    },
  };

  it('runs the ASL on the virtual clock: waits take simulated time, SDK answers come in Step Functions field names', async () => {
    // Prepare
    const { time, api } = world();
    const lambdaCalls: unknown[] = [];
    const ended: string[] = [];
    const runbooks = probeRunbooks(
      template(STATES),
      { time, api },
      async (name, payload) => {
        lambdaCalls.push([name, payload, new Date(time.nowMs).toISOString()]);
        return { ok: true };
      },
      (record) => ended.push(record.status),
    );

    // Act
    const started = await runbooks.start('probe', 'run-1', { pause: 120 });
    const again = await runbooks.start('probe', 'run-1', { pause: 120 });
    await time.runUntil(START.getTime() + 3_600_000);

    // Assess
    expect(started.status).toBe('started');
    expect(again.status).toBe('already-running');
    expect(lambdaCalls).toEqual([
      [
        'rebound-test-probe-step',
        { pause: 120, db: { status: 'available' } },
        '2026-11-27T02:10:00.000Z',
      ],
    ]);
    expect(
      runbooks.executions[0]?.steps.map((step) => [step.state, (step.at - START.getTime()) / 1000]),
    ).toEqual([
      ['Pause', 0],
      ['Until', 120],
      ['Describe', 600],
      ['Step', 600],
    ]);
    expect(ended).toEqual(['SUCCEEDED']);
  });

  it("waits each retry's backoff on the virtual clock, as the Task's Retry rule sets it", async () => {
    // Prepare: the first two calls are throttled; the rule retries them 2 s, then 4 s later.
    const { time, api } = world();
    api.throttles.push({ action: 'rds:describeDBInstances', times: 2 });
    const retried = {
      ...STATES,
      Describe: {
        ...STATES.Describe,
        Retry: [
          {
            ErrorEquals: ['Rds.RdsException'],
            IntervalSeconds: 2,
            BackoffRate: 2,
            MaxAttempts: 6,
          },
        ],
      },
    };
    const runbooks = probeRunbooks(template(retried), { time, api });

    // Act
    await runbooks.start('probe', 'run-3', { pause: 1 });
    await time.runUntil(START.getTime() + 3_600_000);

    // Assess
    expect(
      runbooks.executions[0]?.steps
        .filter((step) => step.state !== 'Pause' && step.state !== 'Until')
        .map((step) => [step.state, (step.at - START.getTime()) / 1000]),
    ).toEqual([
      ['Describe', 600],
      ['Describe', 602],
      ['Describe', 606],
      ['Step', 606],
    ]);
    expect(runbooks.executions[0]?.status).toBe('SUCCEEDED');
  });

  it('raises a throttled call as Step Functions names it: <Service>.<Service>Exception for RDS', async () => {
    // Prepare
    const { time, api } = world();
    api.throttles.push({ action: 'rds:describeDBInstances', times: 99 });
    const runbooks = probeRunbooks(template(STATES), { time, api });

    // Act
    await runbooks.start('probe', 'run-2', { pause: 1 });
    await time.runUntil(START.getTime() + 3_600_000);

    // Assess
    expect(runbooks.executions[0]).toMatchObject({ status: 'FAILED', error: 'Rds.RdsException' });
  });
});

describe('formatBudgets', () => {
  it('says NO where the worst case misses the objective', () => {
    // Act
    const table = formatBudgets(recoveryBudgets(SETTINGS), {
      'instance-failure': 5,
      'gray-failure': 15,
      'database-failover': 15,
      'cache-failover': 1,
      'az-impairment': 60,
    });

    // Assess
    const rows = table.split('\n').map((line) => line.split(/\s{2,}/));
    expect(rows.find((row) => row[0] === 'instance-failure')?.slice(-2)).toEqual(['5m', 'NO']);
    expect(rows.find((row) => row[0] === 'database-failover')?.slice(-2)).toEqual(['15m', 'yes']);
    expect(rows.find((row) => row[0] === 'cache-failover')?.slice(-2)).toEqual(['1m', 'NO']);
    expect(rows.find((row) => row[0] === 'az-impairment')?.slice(-2)).toEqual(['60m', 'yes']);
  });
});

describe('unmetObjectives', () => {
  it('names each missed objective, the worst case and what dominates it; nothing when all are met', () => {
    // Prepare
    const budgets = recoveryBudgets(SETTINGS);
    const instance = budgets.find((b) => b.failureClass === 'instance-failure');

    // Act
    const unmet = unmetObjectives(budgets, {
      'instance-failure': 5,
      'gray-failure': 15,
      'database-failover': 1,
      'cache-failover': 15,
      'az-impairment': 60,
    });
    const met = unmetObjectives(budgets, {
      'instance-failure': 60,
      'gray-failure': 60,
      'database-failover': 60,
      'cache-failover': 60,
      'az-impairment': 60,
    });

    // Assess
    expect(instance?.worstResolvedSeconds).toBeGreaterThan(5 * 60);
    expect(unmet).toHaveLength(2);
    expect(unmet[0]).toMatch(
      /^recovery objective for instance-failure is 5 min, but the synthesized settings allow up to \d+m\d\ds \(the largest part, \d+m\d\ds: .+; see npm run rto\)$/,
    );
    expect(unmet[1]).toBe(
      "recovery objective for database-failover is 1 min, but the synthesized settings allow up to 2m05s (RDS's own failover, up to 120 s: no setting shortens it; see npm run rto)",
    );
    expect(met).toEqual([]);
  });
});

describe('npm run gameday arguments', () => {
  it('answers --help, takes a report directory and every scenario with all', () => {
    expect(parseGameDayArgs(['--help'])).toBe('help');
    expect(parseGameDayArgs(['all', '--report-dir=out'])).toMatchObject({ reportDir: 'out' });
    expect(parseGameDayArgs(['all']).valueOf()).toHaveProperty('scenarios', SCENARIOS);
  });

  it.each([
    [['all', '--report-dir'], '--report-dir needs a directory'],
    [['all', '--nope'], 'unknown option --nope'],
    [['all', '-c', 'nokey'], 'key=value'],
  ])('%j is refused with one line, exit 2', (args, message) => {
    expect(() => parseGameDayArgs(args)).toThrow(CliError);
    try {
      parseGameDayArgs(args);
    } catch (error) {
      expect((error as CliError).lines).toEqual([expect.stringContaining(message)]);
    }
  });
});

describe('retryDelayMs', () => {
  const retriers = [
    {
      ErrorEquals: ['AutoScaling.AutoScalingException'],
      IntervalSeconds: 2,
      MaxAttempts: 3,
      MaxDelaySeconds: 5,
    },
    { ErrorEquals: ['States.TaskFailed'], MaxAttempts: 1 },
  ];

  it('backs off by the first retrier that catches the error, up to its maximum delay, until its attempts are used', () => {
    // Prepare
    const attempts: number[] = [];
    const random = seededRandom(1);

    // Act
    const delays = [1, 2, 3, 4].map(() =>
      retryDelayMs(retriers, 'AutoScaling.AutoScalingException', attempts, random),
    );

    // Assess: 2 s, 4 s, then 8 s capped at 5 s; the fourth failure is not retried.
    expect(delays).toEqual([2_000, 4_000, 5_000, undefined]);
  });

  it('lets States.TaskFailed catch any error but a timeout, with the ASL defaults (1 s)', () => {
    // Act, Assess
    expect(retryDelayMs(retriers, 'Lambda.Unknown', [], seededRandom(1))).toBe(1_000);
    expect(retryDelayMs(retriers, 'States.Timeout', [], seededRandom(1))).toBeUndefined();
  });

  it('takes a random part of the delay with FULL jitter', () => {
    // Prepare
    const jittered = [
      { ErrorEquals: ['States.ALL'], IntervalSeconds: 30, JitterStrategy: 'FULL' as const },
    ];

    // Act
    const delays = [1, 2, 3].map(
      (seed) => retryDelayMs(jittered, 'X', [], seededRandom(seed)) ?? -1,
    );

    // Assess
    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(30_000);
    }
    expect(new Set(delays).size).toBe(3);
  });
});
