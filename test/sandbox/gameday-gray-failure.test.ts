import { describe, expect, it, vi } from 'vitest';
import type { ShopSettings } from '../../infra/recovery/shop-settings.js';
import { worstInstanceQuery } from '../../runbooks/replace-unhealthy-instance/state-machine.js';
import { AlarmEvaluator } from '../../sandbox/gameday/alarms.js';
import { SimulatedAwsApi } from '../../sandbox/gameday/aws-api.js';
import type { AwsEvent, SnsDelivery } from '../../sandbox/gameday/aws-events.js';
import { parseMetricMath, UnsupportedExpressionError } from '../../sandbox/gameday/metric-math.js';
import { UnsupportedQueryError } from '../../sandbox/gameday/metrics-insights.js';
import { seededRandom } from '../../sandbox/gameday/random.js';
import { SimulatedShop } from '../../sandbox/gameday/shop.js';
import { VirtualTime } from '../../sandbox/gameday/virtual-time.js';
import { probeRunbooks } from '../support/gameday-runbooks.js';
import {
  MEMORY_OUTLIER_ALARM as OUTLIER_ALARM,
  TEST_SHOP_SETTINGS,
} from '../support/gameday-settings.js';

/**
 * What the game day needs to see a gray failure (one instance leaking memory) and let the real
 * replace-unhealthy-instance handle it: the shop's metric-math alarm evaluated, GetMetricData's
 * Metrics Insights query answered, and the runbook's context times on the virtual clock.
 */

const START = new Date('2026-11-27T02:00:00Z');
const GROUP = TEST_SHOP_SETTINGS.group.name;
const OUTLIER_EXPRESSION = OUTLIER_ALARM.expression;

// No replicas and no cache nodes: these tests look at the web tier.
const SETTINGS: ShopSettings = {
  ...TEST_SHOP_SETTINGS,
  database: { ...TEST_SHOP_SETTINGS.database, replicas: [] },
  cache: { ...TEST_SHOP_SETTINGS.cache, nodeIds: [], nodeAzs: [] },
  alarms: [],
};

const world = () => {
  const time = new VirtualTime(START);
  const events: (AwsEvent | SnsDelivery)[] = [];
  const shop = new SimulatedShop(SETTINGS, 'us-east-1', time, seededRandom(1), {
    emit: (event) => events.push(event),
  });
  const alarms = new AlarmEvaluator(shop, SETTINGS.mathAlarms, () => true);
  const api = new SimulatedAwsApi(shop, alarms);
  const [victim, ...others] = shop.serving();
  if (victim === undefined) throw new Error('no instance');
  return { time, events, shop, alarms, api, victim, others };
};

describe('metric math (parseMetricMath)', () => {
  it("evaluates the shop's outlier rule: the worst instance at 90% or more and 25 points over the mean", () => {
    // Prepare
    const { evaluate, ids } = parseMetricMath(OUTLIER_EXPRESSION);

    // Act / Assess
    expect([...ids]).toEqual(['worst', 'mean']);
    expect(evaluate({ worst: 90, mean: 56 })).toBe(1);
    expect(evaluate({ worst: 89.9, mean: 56 })).toBe(0);
    // Load on every instance: high, but no outlier.
    expect(evaluate({ worst: 95, mean: 80 })).toBe(0);
    // No datapoint of one metric: no datapoint of the expression.
    expect(evaluate({ worst: 95 })).toBeUndefined();
  });

  it("evaluates the shop's other expressions: a guarded ratio and the MAX of an array", () => {
    // Prepare
    const rate = parseMetricMath('IF(requests > 0, 100 * errors / requests, 0)');
    const max = parseMetricMath('MAX([n0, n1, n2])');

    // Act / Assess
    expect(rate.evaluate({ requests: 200, errors: 20 })).toBe(10);
    expect(rate.evaluate({ requests: 0, errors: 0 })).toBe(0);
    expect(max.evaluate({ n0: 3, n2: 7 })).toBe(7);
    expect(max.evaluate({})).toBeUndefined();
    expect(parseMetricMath('-(a - 2 * b) + 1 OR 0').evaluate({ a: 1, b: 1 })).toBe(1);
  });

  it.each([
    'SUM(METRICS())',
    'FILL(m1, 0)',
    'ANOMALY_DETECTION_BAND(m1, 2)',
    'm1 % 2',
    'IF(m1 > 0, 1)',
    'm1 m2',
  ])('refuses what the shop does not use instead of guessing: %s', (expression) => {
    // Act / Assess
    expect(() => parseMetricMath(expression)).toThrow(UnsupportedExpressionError);
  });
});

describe('AlarmEvaluator with a metric-math alarm', () => {
  it('fires web-memory-outlier on the 3rd breaching minute after one instance crosses 90%, with the expression and its metrics in the event', async () => {
    // Prepare: one instance of three already at 89%, leaking 2 points a minute: it crosses 90%
    // at 0:30 (the average is then about 56.7%, 33 points below it).
    const { time, events, shop, alarms, victim } = world();
    victim.memoryPercent = 89;
    shop.start();
    alarms.start();
    shop.leakMemory(victim.id, 2);

    // Act
    await time.runUntil(START.getTime() + 5 * 60_000);

    // Assess: the minutes 0–1, 1–2 and 2–3 breach; the third is evaluated at 3:00 + 30 s.
    expect(alarms.transitions).toEqual([
      { at: START.getTime() + 210_000, alarm: OUTLIER_ALARM.name, from: 'OK', to: 'ALARM' },
    ]);
    const [event] = events;
    expect(event !== undefined && 'detail' in event ? event.detail : undefined).toMatchObject({
      alarmName: OUTLIER_ALARM.name,
      configuration: {
        metrics: [
          { id: 'expr_1', expression: OUTLIER_EXPRESSION, returnData: true },
          {
            id: 'worst',
            metricStat: {
              metric: {
                namespace: 'Rebound/WebTier',
                name: 'mem_used_percent',
                dimensions: { AutoScalingGroupName: GROUP },
              },
              period: 60,
              stat: 'Maximum',
            },
            returnData: false,
          },
          { id: 'mean', metricStat: { stat: 'Average' }, returnData: false },
        ],
      },
      state: { value: 'ALARM' },
    });
  });

  it('stays OK when every instance is equally high (load, not a leak)', async () => {
    // Prepare
    const { time, shop, alarms } = world();
    for (const instance of shop.serving()) instance.memoryPercent = 95;
    shop.start();
    alarms.start();

    // Act
    await time.runUntil(START.getTime() + 5 * 60_000);

    // Assess
    expect(alarms.transitions).toEqual([]);
  });

  it('refuses, when it is built, a metric-math alarm whose expression it cannot evaluate', () => {
    // Prepare
    const { shop } = world();
    const unsupported = { ...OUTLIER_ALARM, expression: 'FILL(worst, 0)' };

    // Act / Assess
    expect(() => new AlarmEvaluator(shop, [unsupported], () => true)).toThrow(
      /does not evaluate the function FILL/,
    );
  });
});

describe('GetMetricData with a Metrics Insights query', () => {
  /** One GetMetricData call, as replace-unhealthy-instance's FindWorstInstance makes it. */
  const getMetricData = (api: SimulatedAwsApi, expression: string, from: number, to: number) =>
    api.call('cloudwatch', 'getMetricData', {
      MetricDataQueries: [{ Id: 'worst', Expression: expression, Period: 60 }],
      StartTime: new Date(from).toISOString(),
      EndTime: new Date(to).toISOString(),
    }) as { MetricDataResults: Record<string, unknown>[] };

  it("answers the runbook's query with one result labelled with the worst instance's InstanceId", async () => {
    // Prepare: the victim leaks from 60% (2 points a minute); the others stay at 40%.
    const { time, shop, api, victim } = world();
    victim.memoryPercent = 60;
    shop.start();
    shop.leakMemory(victim.id, 2);
    await time.runUntil(START.getTime() + 180_000);

    // Act: the window 1:00–3:00, as the run's start and the state's entry give it.
    const answer = getMetricData(
      api,
      worstInstanceQuery(GROUP),
      START.getTime() + 60_000,
      START.getTime() + 180_000,
    );

    // Assess: botocore cloudwatch MetricDataResult (Id, Label, Timestamps, Values,
    // StatusCode); one-minute buckets stamped with their start, newest first, each the
    // victim's MAX within it (sampled every 10 s: 1:50 and 2:50 are the last samples).
    expect(answer.MetricDataResults).toEqual([
      {
        Id: 'worst',
        Label: victim.id,
        Timestamps: [new Date(START.getTime() + 120_000), new Date(START.getTime() + 60_000)],
        Values: [60 + (2 * 170) / 60, 60 + (2 * 110) / 60],
        StatusCode: 'Complete',
      },
    ]);
  });

  it('returns one result per group, ordered by the aggregate over the whole window, and only the metrics with exactly the SCHEMA dimensions', async () => {
    // Prepare
    const { time, shop, api, victim, others } = world();
    const [second, third] = others;
    if (second === undefined || third === undefined) throw new Error('three instances expected');
    victim.memoryPercent = 50;
    second.memoryPercent = 70;
    third.memoryPercent = 60;
    shop.start();
    await time.runUntil(START.getTime() + 120_000);

    // Act
    const ascending = getMetricData(
      api,
      `SELECT AVG(mem_used_percent) FROM SCHEMA("Rebound/WebTier", AutoScalingGroupName, InstanceId) WHERE AutoScalingGroupName = '${GROUP}' GROUP BY InstanceId ORDER BY AVG() ASC`,
      START.getTime(),
      START.getTime() + 120_000,
    );
    const byGroupOnly = getMetricData(
      api,
      'SELECT MAX(mem_used_percent) FROM SCHEMA("Rebound/WebTier", AutoScalingGroupName) GROUP BY AutoScalingGroupName',
      START.getTime(),
      START.getTime() + 120_000,
    );

    // Assess
    expect(ascending.MetricDataResults.map((r) => [r.Label, (r.Values as number[])[0]])).toEqual([
      [victim.id, 50],
      [third.id, 60],
      [second.id, 70],
    ]);
    expect(byGroupOnly.MetricDataResults.map((r) => [r.Label, (r.Values as number[])[0]])).toEqual([
      [GROUP, 70],
    ]);
  });

  it('refuses a query it cannot answer instead of guessing', () => {
    // Prepare
    const { api } = world();

    // Act / Assess
    expect(() =>
      getMetricData(
        api,
        'SELECT MAX(mem_used_percent) FROM "Rebound/WebTier" WHERE InstanceId != \'i-1\'',
        START.getTime(),
        START.getTime() + 60_000,
      ),
    ).toThrow(UnsupportedQueryError);
  });
});

describe('SimulatedRunbooks: the context object on the virtual clock', () => {
  /** A template holding one state machine that reads its context times. */
  const template = (states: Record<string, unknown>, startAt: string) => ({
    controlPlane: {
      Resources: {
        Machine: {
          Type: 'AWS::StepFunctions::StateMachine',
          Properties: {
            StateMachineName: 'rebound-test-probe',
            DefinitionString: JSON.stringify({ StartAt: startAt, States: states }),
          },
        },
      },
    },
    shop: { Resources: {} },
  });
  const runbooksOf = (
    states: Record<string, unknown>,
    startAt: string,
    w: ReturnType<typeof world>,
  ) => probeRunbooks(template(states, startAt), w);

  it('gives $$.Execution.StartTime and $$.State.EnteredTime in virtual time, as FindWorstInstance reads them', async () => {
    // Prepare: replace-unhealthy-instance's shape: a 120 s wait, then GetMetricData over the
    // run's start to the state's entry.
    const w = world();
    const call = vi.spyOn(w.api, 'call');
    const runbooks = runbooksOf(
      {
        SampleMemory: { Type: 'Wait', Seconds: 120, Next: 'FindWorstInstance' },
        FindWorstInstance: {
          Type: 'Task',
          Resource: 'arn:aws:states:::aws-sdk:cloudwatch:getMetricData',
          Parameters: {
            MetricDataQueries: [{ Id: 'worst', Expression: worstInstanceQuery(GROUP), Period: 60 }],
            'StartTime.$': '$$.Execution.StartTime',
            'EndTime.$': '$$.State.EnteredTime',
          },
          End: true,
        },
      },
      'SampleMemory',
      w,
    );
    await w.time.runUntil(START.getTime() + 30_000);

    // Act
    await runbooks.start('probe', 'run-1', {});
    await w.time.runUntil(START.getTime() + 3_600_000);

    // Assess
    expect(runbooks.executions[0]?.status).toBe('SUCCEEDED');
    expect(call).toHaveBeenCalledWith(
      'cloudwatch',
      'getMetricData',
      expect.objectContaining({
        StartTime: '2026-11-27T02:00:30.000Z',
        EndTime: '2026-11-27T02:02:30.000Z',
      }),
    );
  });

  it("keeps a retried Task's $$.State.EnteredTime at its first entry, as Step Functions does", async () => {
    // Prepare: the first two calls are throttled; the rule retries them 10 s, then 20 s later.
    const w = world();
    w.api.throttles.push({ action: 'cloudwatch:getMetricData', times: 2 });
    const call = vi.spyOn(w.api, 'call');
    const runbooks = runbooksOf(
      {
        FindWorstInstance: {
          Type: 'Task',
          Resource: 'arn:aws:states:::aws-sdk:cloudwatch:getMetricData',
          Parameters: {
            MetricDataQueries: [{ Id: 'worst', Expression: worstInstanceQuery(GROUP), Period: 60 }],
            StartTime: '2026-11-27T02:00:00Z',
            'EndTime.$': '$$.State.EnteredTime',
          },
          Retry: [
            {
              ErrorEquals: ['CloudWatch.CloudWatchException'],
              IntervalSeconds: 10,
              BackoffRate: 2,
              MaxAttempts: 3,
            },
          ],
          End: true,
        },
      },
      'FindWorstInstance',
      w,
    );

    // Act
    await runbooks.start('probe', 'run-2', {});
    await w.time.runUntil(START.getTime() + 3_600_000);

    // Assess: three calls at 0, 10 and 30 s, each with the entry time.
    expect(runbooks.executions[0]?.steps.map((step) => (step.at - START.getTime()) / 1000)).toEqual(
      [0, 10, 30],
    );
    expect(call.mock.calls.map(([, , input]) => input.EndTime)).toEqual([
      '2026-11-27T02:00:00.000Z',
      '2026-11-27T02:00:00.000Z',
      '2026-11-27T02:00:00.000Z',
    ]);
  });
});
