import { describe, expect, it } from 'vitest';
import { targetErrorZones } from '../../functions/lib/aws/describe-target-error-zones.js';
import { EVALUATION_DELAY_MS } from '../../infra/recovery/physics.js';
import type { ShopSettings } from '../../infra/recovery/shop-settings.js';
import { AlarmEvaluator } from '../../sandbox/gameday/alarms.js';
import { SimulatedAwsApi } from '../../sandbox/gameday/aws-api.js';
import { simulatedClient } from '../../sandbox/gameday/lambda-steps.js';
import { seededRandom } from '../../sandbox/gameday/random.js';
import { GRAY_FAILURE_ERROR_PERCENT, SimulatedShop } from '../../sandbox/gameday/shop.js';
import { VirtualTime } from '../../sandbox/gameday/virtual-time.js';
import { TEST_SHOP_SETTINGS, targetErrorRateAlarm } from '../support/gameday-settings.js';

/**
 * The ALB's request and target-5xx metrics as the game day publishes them from the shop's
 * traffic (AWS/ApplicationELB RequestCount and HTTPCode_Target_5XX_Count, for the target group
 * and per AZ: "CloudWatch metrics for your Application Load Balancer"), the shop's 5xx-rate
 * alarm evaluated over them, and GetMetricData answering triage's per-AZ question with each
 * query's Stat (botocore cloudwatch 2010-08-01: MetricStat's Stat).
 */

const START = new Date('2026-11-27T02:00:00Z');
const MINUTE = 60_000;
const ELB = {
  LoadBalancer: TEST_SHOP_SETTINGS.loadBalancerFullName,
  TargetGroup: TEST_SHOP_SETTINGS.targetGroup.fullName,
};
const TARGET_5XX_RATE = targetErrorRateAlarm('rebound-test-alb-target-5xx-rate', ELB);
const SETTINGS: ShopSettings = { ...TEST_SHOP_SETTINGS, alarms: [], mathAlarms: [TARGET_5XX_RATE] };

const world = () => {
  const time = new VirtualTime(START);
  const shop = new SimulatedShop(SETTINGS, 'us-east-1', time, seededRandom(1), {
    emit: () => undefined,
  });
  const alarms = new AlarmEvaluator(shop, SETTINGS.mathAlarms, () => true);
  const api = new SimulatedAwsApi(shop, alarms);
  shop.start();
  alarms.start();
  return { time, shop, alarms, api };
};

describe('the ALB request metrics (simulated)', () => {
  it("publishes the targets' requests and 5xx per AZ and for the target group; 5xx only where nonzero", async () => {
    // Prepare: us-east-1a fails gray; one instance per AZ, 50 requests a second spread evenly.
    const { time, shop } = world();
    shop.impairAz('us-east-1a', 60 * MINUTE);

    // Act
    await time.runUntil(START.getTime() + MINUTE);

    // Assess: every 10 s each AZ's target gets 500 / 3 requests, counted whole (167), and 30%
    // of us-east-1a's fail (50); the target group's are the AZs' sums.
    const minute = (name: string, dimensions: Record<string, string>) =>
      shop.samplesOf(
        'AWS/ApplicationELB',
        name,
        dimensions,
        START.getTime(),
        START.getTime() + MINUTE,
      );
    const perAz = SETTINGS.availabilityZones.map((az) => [
      az,
      minute('RequestCount', { ...ELB, AvailabilityZone: az }),
      minute('HTTPCode_Target_5XX_Count', { ...ELB, AvailabilityZone: az }),
    ]);
    const samples = (value: number) => Array(6).fill(value);
    expect(perAz).toEqual([
      ['us-east-1a', samples(167), samples(Math.round((167 * GRAY_FAILURE_ERROR_PERCENT) / 100))],
      ['us-east-1b', samples(167), []],
      ['us-east-1c', samples(167), []],
    ]);
    expect(minute('RequestCount', ELB)).toEqual(samples(3 * 167));
    expect(minute('HTTPCode_Target_5XX_Count', ELB)).toEqual(samples(50));
  });

  it('puts the 5xx-rate alarm in ALARM after 3 minutes of a gray AZ, and back to OK once the AZ heals', async () => {
    // Prepare
    const { time, shop, alarms } = world();
    shop.impairAz('us-east-1a', 5 * MINUTE);

    // Act
    await time.runUntil(START.getTime() + 10 * MINUTE);

    // Assess: 10% of requests fail (one AZ of three at 30%), above the alarm's 5%: ALARM once
    // three whole minutes breach (evaluated EVALUATION_DELAY_MS after each ends), OK once one
    // minute without the gray AZ's errors is evaluated after it heals at 5 min.
    const minutes = alarms.transitions.map(({ at, to }) => [(at - START.getTime()) / MINUTE, to]);
    expect(minutes).toEqual([
      [3 + EVALUATION_DELAY_MS / MINUTE, 'ALARM'],
      [6 + EVALUATION_DELAY_MS / MINUTE, 'OK'],
    ]);
  });
});

describe("GetMetricData for triage's per-AZ 5xx question (simulated)", () => {
  it('answers each MetricStat with its Stat per period, so the 5xx share names the gray AZ', async () => {
    // Prepare
    const { time, shop, api } = world();
    shop.impairAz('us-east-1b', 60 * MINUTE);
    await time.runUntil(START.getTime() + 5 * MINUTE);
    const query = {
      loadBalancer: ELB.LoadBalancer,
      targetGroup: ELB.TargetGroup,
      availabilityZones: SETTINGS.availabilityZones,
      minutes: 5,
      now: new Date(START.getTime() + 5 * MINUTE),
    };

    // Act
    const answer = api.call('cloudwatch', 'GetMetricData', {
      StartTime: new Date(START.getTime() + 3 * MINUTE),
      EndTime: new Date(START.getTime() + 5 * MINUTE),
      MetricDataQueries: [
        {
          Id: 'requests',
          MetricStat: {
            Metric: {
              Namespace: 'AWS/ApplicationELB',
              MetricName: 'RequestCount',
              Dimensions: [
                { Name: 'AvailabilityZone', Value: 'us-east-1b' },
                { Name: 'LoadBalancer', Value: ELB.LoadBalancer },
                { Name: 'TargetGroup', Value: ELB.TargetGroup },
              ],
            },
            Period: 60,
            Stat: 'Sum',
          },
        },
      ],
    });
    const zones = await targetErrorZones(
      simulatedClient(api, 'cloudwatch'),
      query,
      AbortSignal.timeout(1000),
    );

    // Assess: botocore's MetricDataResult (Id, Timestamps, Values, StatusCode), newest first,
    // each minute the Sum of its six samples (not their Maximum).
    expect(answer).toEqual({
      MetricDataResults: [
        {
          Id: 'requests',
          Timestamps: [
            new Date(START.getTime() + 4 * MINUTE),
            new Date(START.getTime() + 3 * MINUTE),
          ],
          Values: [6 * 167, 6 * 167],
          StatusCode: 'Complete',
        },
      ],
    });
    expect(zones).toEqual(['us-east-1b']);
  });
});
