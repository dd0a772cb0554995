import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classify } from '../../functions/lib/core/classify.js';
import type { Incident } from '../../functions/lib/core/incident.js';
import type { ShopInventory } from '../../functions/lib/core/inventory.js';
import { type TriageOutcome, triageSignal } from '../../functions/lib/core/triage.js';
import { parseIncomingEvent } from '../../functions/lib/events/index.js';
import { SHOP } from './support/shop-inventory.js';
import { aHarness, at, type Harness } from './support/signals.js';
import { storeImplementations } from './support/stores.js';

/**
 * A team's own alarms on the web group (they only inform) while one web instance crashes (the
 * shop's unhealthy-hosts alarm on the web group's target group): one incident, whichever comes
 * first, headed by the crash, the team's alarms in its record, no page, and resolved when the
 * crash has healed even though the team's alarms stay in ALARM (the game day's alarm storm).
 * Real classification of the documented alarm event, on the in-memory store and on the DynamoDB
 * adapters against dynalite.
 */

const implementations = storeImplementations('team-alarms');

const UNHEALTHY_HOSTS = 'rebound-dev-alb-unhealthy-hosts';
const INVENTORY: ShopInventory = {
  ...SHOP,
  shopAlarmNames: [...SHOP.shopAlarmNames, UNHEALTHY_HOSTS],
};
const TEAM_ALARMS = 5;

/** The documented alarm sample (test/fixtures) as CloudWatch sends it at `minutes` past T0. */
const alarmEvent = (
  minutes: number,
  alarmName: string,
  change: { from: string; to: string },
  metric: { namespace: string; name: string; dimensions: Record<string, string> },
  description: string,
): unknown => {
  const event = JSON.parse(
    readFileSync(
      new URL('../fixtures/events/cloudwatch/alarm-state-change-alarm.json', import.meta.url),
      'utf8',
    ),
  );
  const time = at(minutes).toISOString();
  event.id = `evt-${alarmName}-${change.to}-${minutes}`;
  event.time = time.replace('.000Z', 'Z');
  event.detail.alarmName = alarmName;
  event.detail.configuration.description = description;
  event.detail.configuration.metrics[0].metricStat.metric = metric;
  event.detail.previousState.value = change.from;
  event.detail.state.value = change.to;
  event.detail.state.timestamp = time.replace('Z', '+0000');
  return event;
};

const teamAlarm = (minutes: number, n: number) =>
  alarmEvent(
    minutes,
    `shop-team-web-${n}`,
    { from: 'OK', to: 'ALARM' },
    {
      namespace: 'ShopTeam/Web',
      name: `checkout-step-${n}-errors`,
      dimensions: { AutoScalingGroupName: 'rebound-dev-web' },
    },
    `Team dashboard alarm ${n} on the web tier`,
  );

const unhealthyHosts = (minutes: number, from: string, to: string) =>
  alarmEvent(
    minutes,
    UNHEALTHY_HOSTS,
    { from, to },
    {
      namespace: 'AWS/ApplicationELB',
      name: 'UnHealthyHostCount',
      dimensions: {
        LoadBalancer: 'app/rebound-dev-alb/50dc6c495c0c9188',
        TargetGroup: 'targetgroup/rebound-dev-web/50dc6c495c0c9188',
      },
    },
    '[warning] Targets fail the /health check',
  );

const triage = async (harness: Harness, minutes: number, event: unknown) => {
  harness.clock.current = at(minutes);
  const parsed = parseIncomingEvent(event);
  if (!parsed.ok || parsed.events[0] === undefined) throw new Error('the alarm must parse');
  return triageSignal(classify(parsed.events[0], INVENTORY), harness.deps);
};

const incidentsOf = async (harness: Harness, outcomes: readonly TriageOutcome[]) => {
  const ids = new Set(outcomes.flatMap((outcome) => outcome.incident?.id ?? []));
  const incidents = await Promise.all([...ids].map((id) => harness.store.get(id)));
  return incidents.filter((incident): incident is Incident => incident !== undefined);
};

const teamParts = (incident: Incident | undefined) =>
  incident?.parts.filter((part) => part.key.startsWith('alarm:shop-team-web-')) ?? [];

describe.each(implementations)('a team alarm storm during a crash (%s)', (_name, makeStores) => {
  it('team alarms first: the crash joins their incident, heads it and is told at once; resolved when it heals', async () => {
    // Prepare
    const harness = aHarness(await makeStores());
    const outcomes: TriageOutcome[] = [];
    for (let n = 1; n <= TEAM_ALARMS; n += 1) {
      outcomes.push(await triage(harness, n / 10, teamAlarm(n / 10, n)));
    }
    const emailsBeforeCrash = harness.alerts.published.length;

    // Act
    const crash = await triage(harness, 2, unhealthyHosts(2, 'OK', 'ALARM'));
    const healed = await triage(harness, 3, unhealthyHosts(3, 'ALARM', 'OK'));

    // Assess: one incident, its headline the crash's, every team alarm in its record.
    const incidents = await incidentsOf(harness, [...outcomes, crash, healed]);
    expect(incidents).toHaveLength(1);
    const [incident] = incidents;
    expect(incident?.title).toContain(UNHEALTHY_HOSTS);
    expect(incident?.kind).toBe('instance-health');
    expect(teamParts(incident)).toHaveLength(TEAM_ALARMS);
    expect(teamParts(incident).every((part) => part.informsOnly && part.state === 'active')).toBe(
      true,
    );
    // One email for the team alarms, one the moment the crash joins, one at resolution; no page.
    expect(emailsBeforeCrash).toBe(1);
    expect(harness.alerts.published.map((alert) => alert.subject)).toEqual([
      expect.stringMatching(/^\[WARNING\].*Team dashboard alarm 1/),
      expect.stringMatching(/^\[WARNING\]/),
      expect.stringMatching(/^\[RESOLVED\]/),
    ]);
    expect(harness.alerts.pages).toEqual([]);
    expect(healed.decision).toMatchObject({ action: 'resolve' });
    expect(healed.decision.reason).toContain(
      `${TEAM_ALARMS} from alarms that only inform stay in ALARM and do not hold it open`,
    );
    expect(incident?.status).toBe('resolved');
    expect(incident?.resolvedAt).toBe(at(3).toISOString());
  });

  it('crash first: the team alarms join the crash incident instead of opening another', async () => {
    // Prepare
    const harness = aHarness(await makeStores());
    const crash = await triage(harness, 0, unhealthyHosts(0, 'OK', 'ALARM'));

    // Act
    const outcomes: TriageOutcome[] = [];
    for (let n = 1; n <= TEAM_ALARMS; n += 1) {
      outcomes.push(await triage(harness, 1 + n / 10, teamAlarm(1 + n / 10, n)));
    }
    const healed = await triage(harness, 3, unhealthyHosts(3, 'ALARM', 'OK'));

    // Assess
    const incidents = await incidentsOf(harness, [crash, ...outcomes, healed]);
    expect(incidents.map((incident) => incident.id)).toEqual([crash.incident?.id]);
    expect(incidents[0]?.title).toContain(UNHEALTHY_HOSTS);
    expect(teamParts(incidents[0])).toHaveLength(TEAM_ALARMS);
    expect(incidents[0]?.status).toBe('resolved');
    expect(harness.alerts.pages).toEqual([]);
  });

  it('team alarms alone still make an incident that stays open until they all clear', async () => {
    // Prepare
    const harness = aHarness(await makeStores());
    const first = await triage(harness, 0, teamAlarm(0, 1));
    await triage(harness, 0.5, teamAlarm(0.5, 2));

    // Act
    const oneCleared = await triage(
      harness,
      5,
      alarmEvent(
        5,
        'shop-team-web-1',
        { from: 'ALARM', to: 'OK' },
        {
          namespace: 'ShopTeam/Web',
          name: 'checkout-step-1-errors',
          dimensions: { AutoScalingGroupName: 'rebound-dev-web' },
        },
        'Team dashboard alarm 1 on the web tier',
      ),
    );

    // Assess
    expect(oneCleared.incident?.id).toBe(first.incident?.id);
    expect(oneCleared.incident?.status).toBe('open');
    expect(harness.alerts.pages).toEqual([]);
  });
});
