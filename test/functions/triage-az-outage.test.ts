import { afterEach, describe, expect, it } from 'vitest';
import { CORRELATION_WINDOW_MINUTES } from '../../functions/lib/core/correlate.js';
import type { ShopInventory } from '../../functions/lib/core/inventory.js';
import type { ZoneLocator } from '../../functions/lib/core/ports.js';
import type { Signal } from '../../functions/lib/core/signal.js';
import { triageSignal } from '../../functions/lib/core/triage.js';
import type { AlarmSettings } from '../../infra/recovery/shop-settings.js';
import {
  type AwsEvent,
  alarmStateChange,
  cacheNotification,
  healthAzIssue,
  rdsInstanceEvent,
  type SnsDelivery,
} from '../../sandbox/gameday/aws-events.js';
import { SHOP } from './support/shop-inventory.js';
import { aHarness, aProblem, at, expectEverySmsFitsOneSegment, T0 } from './support/signals.js';
import { storeImplementations } from './support/stores.js';
import {
  aZoneTriage,
  classifiedSignal,
  deliverAt,
  FixedZoneLocator,
  incidentIds,
} from './support/zone-triage.js';

/**
 * One AZ loses power (the game day's az-power-loss): the parts of the outage reach triage in
 * any order, minutes apart, and most name no AZ. Triage asks AWS where (the ZoneLocator port,
 * here answering as DescribeDBInstances, DescribeCacheClusters and the ELB's per-AZ
 * UnHealthyHostCount would), and the parts join one incident with one page. Signals come from
 * the real classifiers over AWS-shaped events; the stores run in memory and on dynalite.
 */

afterEach(() => {
  expectEverySmsFitsOneSegment();
});

const LOST_AZ = 'us-east-1b';
const UNHEALTHY_HOSTS: AlarmSettings = {
  name: 'rebound-dev-alb-unhealthy-hosts',
  description: 'Targets fail the /health check; the Auto Scaling group should replace them.',
  namespace: 'AWS/ApplicationELB',
  metricName: 'UnHealthyHostCount',
  dimensions: {
    LoadBalancer: 'app/rebound-dev-alb/50dc6c495c0c9188',
    TargetGroup: 'targetgroup/rebound-dev-web/50dc6c495c0c9188',
  },
  statistic: 'Maximum',
  periodSeconds: 60,
  evaluationPeriods: 2,
  datapointsToAlarm: 2,
  threshold: 0,
  comparison: 'GreaterThanThreshold',
  treatMissingData: 'missing',
};
const INVENTORY: ShopInventory = {
  ...SHOP,
  shopAlarmNames: [...SHOP.shopAlarmNames, UNHEALTHY_HOSTS.name],
  azIdToName: { 'use1-az2': LOST_AZ },
};
const REGION = 'us-east-1';
const issue = { startMs: T0.getTime(), id: 'outage-1' };

const signalOf = (event: AwsEvent | SnsDelivery): Signal => classifiedSignal(event, INVENTORY);

const minute = (m: number) => at(m).getTime();
const outage = {
  dbFailoverStarted: () =>
    signalOf(
      rdsInstanceEvent(
        'e-0013',
        minute(0),
        REGION,
        'rebound-dev-db',
        'RDS-EVENT-0013',
        'failover',
        'A Multi-AZ failover that resulted in the promotion of a standby instance has started.',
      ),
    ),
  dbFailoverCompleted: () =>
    signalOf(
      rdsInstanceEvent(
        'e-0049',
        minute(2),
        REGION,
        'rebound-dev-db',
        'RDS-EVENT-0049',
        'failover',
        'A Multi-AZ failover has completed.',
      ),
    ),
  cacheFailedOver: () =>
    signalOf(
      cacheNotification(
        'e-cache',
        minute(2),
        REGION,
        'rebound-dev-cache-events',
        'FailoverComplete',
        'rebound-dev-cache',
      ),
    ),
  unhealthyHosts: () =>
    signalOf(
      alarmStateChange(
        'e-hosts',
        minute(3),
        REGION,
        UNHEALTHY_HOSTS,
        'OK',
        'ALARM',
        'Threshold Crossed',
      ),
    ),
  healthPosts: () =>
    signalOf(healthAzIssue('e-health', minute(4), REGION, 'use1-az2', issue, 'open')),
};

/** AWS's answers for an outage in LOST_AZ (`null`: a failed call, the budget ran out). */
const outageLocator = (answer: string | null = LOST_AZ) => new FixedZoneLocator(answer);

describe.each(storeImplementations('az-outage'))('one AZ outage (%s)', (_name, makeStores) => {
  const aTriage = (zones: ZoneLocator = outageLocator()) => aZoneTriage(makeStores, zones);
  const deliver = deliverAt;

  it('failovers over before AWS Health posts: the hosts and Health reopen the failover incident, which pages once', async () => {
    // Prepare
    const locator = outageLocator();
    const triage = await aTriage(locator);

    // Act
    const outcomes = [
      await deliver(triage, 0, outage.dbFailoverStarted()),
      await deliver(triage, 2, outage.dbFailoverCompleted()),
      await deliver(triage, 2.5, outage.cacheFailedOver()),
      await deliver(triage, 3, outage.unhealthyHosts()),
      await deliver(triage, 4, outage.healthPosts()),
    ];

    // Assess
    const ids = incidentIds(outcomes);
    expect(ids).toHaveLength(1);
    const incident = await triage.store.get(ids[0] as string);
    expect(outcomes[1]?.incident?.status).toBe('resolved');
    expect(incident).toMatchObject({ status: 'mitigating', availabilityZone: LOST_AZ });
    expect(incident?.parts.map((part) => [part.kind, part.state])).toEqual([
      ['database-failover', 'resolved'],
      ['instance-health', 'active'],
      ['az-impairment', 'active'],
    ]);
    expect(incident?.timeline).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'signal', kind: 'cache-failover', phase: 'info' }),
        expect.objectContaining({ type: 'status', from: 'resolved', to: 'open' }),
      ]),
    );
    expect(outcomes[3]?.decision.reason).toMatch(/^Reopened incident .* same AZ \(us-east-1b\)/);
    // The failover's page, and an email when the hosts reopened it.
    expect(triage.alerts.published.filter((alert) => alert.sms !== null)).toHaveLength(1);
    expect(outcomes[3]?.alert?.kind).toBe('incident-update');
    expect(locator.questions.map((question) => question.type)).toEqual([
      'db-failover',
      'cache-failover',
      'unhealthy-targets',
    ]);
    // The AWS-completed cache failover still gets the run that verifies it.
    expect(triage.runbooks.calls.map((call) => call.runbook)).toEqual([
      'rds-failover',
      'cache-failover',
      'az-evacuation',
    ]);
  });

  it('AWS Health first: the failover, the cache and the hosts join its incident, which pages once', async () => {
    // Prepare
    const triage = await aTriage();

    // Act
    const outcomes = [
      await deliver(triage, 0, outage.healthPosts()),
      await deliver(triage, 1, outage.dbFailoverStarted()),
      await deliver(triage, 2, outage.cacheFailedOver()),
      await deliver(triage, 3, outage.unhealthyHosts()),
      await deliver(triage, 4, outage.dbFailoverCompleted()),
    ];

    // Assess
    const ids = incidentIds(outcomes);
    expect(ids).toHaveLength(1);
    const incident = await triage.store.get(ids[0] as string);
    expect(incident?.status).toBe('mitigating');
    expect(incident?.parts.map((part) => [part.kind, part.state])).toEqual([
      ['az-impairment', 'active'],
      ['database-failover', 'resolved'],
      ['instance-health', 'active'],
    ]);
    expect(triage.alerts.published.filter((alert) => alert.sms !== null)).toHaveLength(1);
  });

  it('keeps a failover in another AZ, and one after the window, out of the resolved incident', async () => {
    // Prepare: the failover incident resolved at minute 2 in us-east-1b.
    const triage = await aTriage();
    const first = await deliver(triage, 0, outage.dbFailoverStarted());
    await deliver(triage, 2, outage.dbFailoverCompleted());
    const elsewhere = await aTriage(outageLocator('us-east-1c'));
    const other = await deliver(elsewhere, 0, outage.dbFailoverStarted());
    await deliver(elsewhere, 2, outage.dbFailoverCompleted());

    // Act
    const otherAz = await deliver(elsewhere, 4, outage.healthPosts());
    const late = await deliver(triage, 2 + CORRELATION_WINDOW_MINUTES + 1, outage.healthPosts());

    // Assess
    expect(otherAz.incident?.id).not.toBe(other.incident?.id);
    expect(late.incident?.id).not.toBe(first.incident?.id);
    expect(await triage.store.get(first.incident?.id as string)).toMatchObject({
      status: 'resolved',
    });
  });

  it('goes on as before when AWS does not tell the AZ: the failover and Health stay apart', async () => {
    // Prepare
    const triage = await aTriage(outageLocator(null));

    // Act
    const failover = await deliver(triage, 0, outage.dbFailoverStarted());
    const health = await deliver(triage, 4, outage.healthPosts());

    // Assess
    expect(failover.signal?.availabilityZone).toBeUndefined();
    expect(health.incident?.id).not.toBe(failover.incident?.id);
  });
});

describe.each(storeImplementations('az-handover'))(
  'a resolved incident holding its AZ (%s)',
  (_name, makeStores) => {
    it('hands its AZ over to an active incident a new problem there joins', async () => {
      // Prepare: the failover's incident resolved in us-east-1b; an instance's incident, with no
      // AZ yet, still open.
      const harness = aHarness({ ...(await makeStores()) });
      const triage = { ...harness, deps: { ...harness.deps, zones: outageLocator() } };
      const failover = await triageSignal(outage.dbFailoverStarted(), triage.deps);
      triage.clock.current = at(2);
      await triageSignal(outage.dbFailoverCompleted(), triage.deps);
      const instance = aProblem({ availabilityZone: undefined });
      const open = await triageSignal(instance, triage.deps);

      // Act: the same instance's next alarm names the AZ.
      triage.clock.current = at(3);
      const joined = await triageSignal(
        aProblem({
          partKey: 'alarm:rebound-prod-cpu-i-0aaa',
          availabilityZone: LOST_AZ,
          source: { ...instance.source, eventId: 'event-cpu' },
        }),
        triage.deps,
      );

      // Assess
      expect(joined.incident?.id).toBe(open.incident?.id);
      expect(joined.incident?.scopeKeys).toContain(`az:${LOST_AZ}`);
      const released = await triage.store.get(failover.incident?.id as string);
      expect(released?.status).toBe('resolved');
      expect(released?.scopeKeys).not.toContain(`az:${LOST_AZ}`);
      expect(await triage.store.findActive([`az:${LOST_AZ}`])).toEqual([
        expect.objectContaining({ id: open.incident?.id }),
      ]);
    });
  },
);
