import { afterEach, describe, expect, it } from 'vitest';
import type { ShopInventory } from '../../functions/lib/core/inventory.js';
import type { ZoneLocator } from '../../functions/lib/core/ports.js';
import type { Signal } from '../../functions/lib/core/signal.js';
import { zoneQuestionOf } from '../../functions/lib/core/zone-questions.js';
import {
  type AwsEvent,
  alarmStateChange,
  healthAzIssue,
} from '../../sandbox/gameday/aws-events.js';
import { targetErrorRateAlarm } from '../support/gameday-settings.js';
import { SHOP } from './support/shop-inventory.js';
import { at, expectEverySmsFitsOneSegment, T0 } from './support/signals.js';
import { storeImplementations } from './support/stores.js';
import {
  aZoneTriage,
  classifiedSignal,
  deliverAt,
  FixedZoneLocator,
  incidentIds,
  type ZoneTriage,
} from './support/zone-triage.js';

/**
 * One AZ fails gray (the game day's az-gray-failure): its targets pass /health but answer 5xx,
 * so the shop's target 5xx-rate alarm (metric math over RequestCount and
 * HTTPCode_Target_5XX_Count, no AZ dimension) fires minutes before or after AWS Health posts
 * the AZ's issue. Triage asks AWS where (the ZoneLocator port, here answering as the ELB's
 * per-AZ 5xx share would) and both join one incident with one page, in either order. Signals
 * come from the real classifiers over AWS-shaped events; the stores run in memory and on dynalite.
 */

afterEach(() => {
  expectEverySmsFitsOneSegment();
});

const GRAY_AZ = 'us-east-1b';
const LOAD_BALANCER = 'app/rebound-dev-alb/50dc6c495c0c9188';
const TARGET_GROUP = 'targetgroup/rebound-dev-web/50dc6c495c0c9188';
const ELB = { LoadBalancer: LOAD_BALANCER, TargetGroup: TARGET_GROUP };
const TARGET_5XX_RATE = targetErrorRateAlarm('rebound-dev-alb-target-5xx-rate', ELB);
const INVENTORY: ShopInventory = {
  ...SHOP,
  shopAlarmNames: [...SHOP.shopAlarmNames, TARGET_5XX_RATE.name],
  azIdToName: { 'use1-az2': GRAY_AZ },
};
const REGION = 'us-east-1';
const issue = { startMs: T0.getTime(), id: 'gray-1' };

const signalOf = (event: AwsEvent): Signal => classifiedSignal(event, INVENTORY);

const minute = (m: number) => at(m).getTime();
const grayFailure = {
  errorsAlarm: (m: number, from = 'OK', to = 'ALARM') =>
    signalOf(alarmStateChange(`e-5xx-${to}`, minute(m), REGION, TARGET_5XX_RATE, from, to, 'x')),
  healthPosts: (m: number) =>
    signalOf(healthAzIssue('e-health', minute(m), REGION, 'use1-az2', issue, 'open')),
};

/** AWS's answers for a gray failure of GRAY_AZ (`null`: no AZ stands out, a failed call…). */
const grayLocator = (answer: string | null = GRAY_AZ) => new FixedZoneLocator(answer);

describe('the target 5xx-rate alarm', () => {
  it("asks where the targets' 5xx stand out, naming the alarm's load balancer and target group", () => {
    // Act
    const signal = grayFailure.errorsAlarm(3);

    // Assess
    expect(signal).toMatchObject({
      kind: 'informational',
      resource: { type: 'load-balancer', id: LOAD_BALANCER },
      metric: 'HTTPCode_Target_5XX_Count',
    });
    expect(zoneQuestionOf(signal)).toEqual({
      type: 'target-errors',
      loadBalancer: LOAD_BALANCER,
      targetGroup: TARGET_GROUP,
    });
    expect(zoneQuestionOf(grayFailure.errorsAlarm(9, 'ALARM', 'OK'))).toBeUndefined();
  });
});

describe.each(storeImplementations('az-gray'))('one AZ failing gray (%s)', (_name, makeStores) => {
  const aTriage = (zones: ZoneLocator = grayLocator()) => aZoneTriage(makeStores, zones);
  const deliver = deliverAt;
  const pages = (triage: ZoneTriage) =>
    triage.alerts.published.filter((alert) => alert.sms !== null);

  it('the 5xx alarm first: AWS Health joins its incident (in the AZ) with az-evacuation, one page', async () => {
    // Prepare
    const locator = grayLocator();
    const triage = await aTriage(locator);

    // Act
    const outcomes = [
      await deliver(triage, 3, grayFailure.errorsAlarm(3)),
      await deliver(triage, 5, grayFailure.healthPosts(5)),
    ];

    // Assess
    const ids = incidentIds(outcomes);
    expect(ids).toHaveLength(1);
    const incident = await triage.store.get(ids[0] as string);
    expect(incident).toMatchObject({ availabilityZone: GRAY_AZ });
    expect(incident?.parts.map((part) => [part.kind, part.state])).toEqual([
      ['informational', 'active'],
      ['az-impairment', 'active'],
    ]);
    expect(locator.questions.map((question) => question.type)).toEqual(['target-errors']);
    expect(triage.runbooks.calls.map((call) => call.runbook)).toEqual(['az-evacuation']);
    expect(pages(triage)).toHaveLength(1);
  });

  it("AWS Health first: the 5xx alarm joins the AZ's incident, and its recovery is a line", async () => {
    // Prepare
    const triage = await aTriage();

    // Act
    const outcomes = [
      await deliver(triage, 2, grayFailure.healthPosts(2)),
      await deliver(triage, 3, grayFailure.errorsAlarm(3)),
      await deliver(triage, 8, grayFailure.errorsAlarm(8, 'ALARM', 'OK')),
    ];

    // Assess
    const ids = incidentIds(outcomes);
    expect(ids).toHaveLength(1);
    const incident = await triage.store.get(ids[0] as string);
    expect(incident?.status).not.toBe('resolved');
    expect(incident?.parts.map((part) => [part.kind, part.state])).toEqual([
      ['az-impairment', 'active'],
      ['informational', 'resolved'],
    ]);
    expect(pages(triage)).toHaveLength(1);
  });

  it('goes on as before when no AZ stands out: the alarm and Health stay apart', async () => {
    // Prepare
    const triage = await aTriage(grayLocator(null));

    // Act
    const alarm = await deliver(triage, 3, grayFailure.errorsAlarm(3));
    const health = await deliver(triage, 5, grayFailure.healthPosts(5));

    // Assess
    expect(alarm.signal?.availabilityZone).toBeUndefined();
    expect(health.incident?.id).not.toBe(alarm.incident?.id);
  });
});
