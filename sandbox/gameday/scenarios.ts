import { guardrailParameterValues, parseGuardrails } from '../../functions/lib/core/guardrails.js';
import type { AlarmSettings } from '../../infra/recovery/shop-settings.js';
import { DEFAULT_RECOVERY_OBJECTIVES } from '../../infra/recovery-objectives.js';
import { RELIABLE_DELIVERY } from './control-plane.js';
import type { Scenario, World } from './scenario.js';

/** The game day's scenarios, by name. Each is one fault; the shop and Rebound do the rest. */

/** Every desired instance InService, Healthy and a healthy target. */
const webTierServes = ({ shop }: World): boolean => {
  const serving = shop.serving().filter((i) => i.health === 'Healthy' && i.target === 'healthy');
  return serving.length >= shop.desired;
};

/** The primary available (customers served; the runbook then waits for the new standby). */
const databaseServes = ({ shop, settings }: World): boolean =>
  shop.databases.get(settings.database.primaryId)?.status === 'available';

/** The cache has one primary again and every node serves. */
const cacheServes = ({ shop }: World): boolean =>
  shop.cacheStatus === 'available' &&
  shop.cacheNodes.filter((node) => node.role === 'primary' && node.available).length === 1;

/** One serving instance, picked by the seed, crashes. */
const crashOneInstance = (world: World): void => {
  const victims = world.shop.serving();
  const victim = victims[world.random.between(0, victims.length - 1)];
  if (victim !== undefined) world.shop.crash(victim.id);
};

/** How many alarms of a team's dashboard fire in the alarm storm. */
export const STORM_ALARMS = 300;

/**
 * A team's own alarms on the web group (not the shop stack's): they reach triage (their metric
 * names a shop resource) and may only inform, never act or page (README, "Your own alarms").
 */
const stormAlarm = (world: World, index: number): AlarmSettings => ({
  name: `shop-team-web-${String(index).padStart(3, '0')}`,
  description: `Team dashboard alarm ${index} on the web tier`,
  namespace: 'ShopTeam/Web',
  metricName: `checkout-step-${index}-errors`,
  dimensions: { AutoScalingGroupName: world.settings.group.name },
  statistic: 'Sum',
  periodSeconds: 60,
  evaluationPeriods: 1,
  datapointsToAlarm: 1,
  threshold: 0,
  comparison: 'GreaterThanThreshold',
  treatMissingData: 'notBreaching',
});

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'instance-crash',
    title: 'One web instance crashes',
    failureClass: 'instance-failure',
    objectiveMinutes: DEFAULT_RECOVERY_OBJECTIVES['instance-failure'],
    maxMinutes: 45,
    inject: crashOneInstance,
    recovered: webTierServes,
  },
  {
    name: 'rds-primary-failure',
    title: 'The RDS primary fails; Multi-AZ fails over',
    failureClass: 'database-failover',
    objectiveMinutes: DEFAULT_RECOVERY_OBJECTIVES['database-failover'],
    maxMinutes: 45,
    inject: (world) => world.shop.failDatabasePrimary(),
    recovered: databaseServes,
  },
  {
    name: 'cache-primary-failure',
    title: 'The cache primary fails; ElastiCache promotes a replica',
    failureClass: 'cache-failover',
    objectiveMinutes: DEFAULT_RECOVERY_OBJECTIVES['cache-failover'],
    maxMinutes: 45,
    inject: (world) => world.shop.failCachePrimary(),
    recovered: cacheServes,
  },
  {
    name: 'lost-events',
    title:
      'The RDS primary fails; the failover-started event is lost, the completion comes twice and late',
    failureClass: 'database-failover',
    objectiveMinutes: DEFAULT_RECOVERY_OBJECTIVES['database-failover'],
    maxMinutes: 45,
    delivery: (event, delivery, random) => {
      const eventId = 'detail' in event ? event.detail.EventID : undefined;
      if (eventId === 'RDS-EVENT-0013') return [];
      if (eventId === 'RDS-EVENT-0049') return [90_000, 150_000];
      return RELIABLE_DELIVERY(event, delivery, random);
    },
    eventLatenessSeconds: 150,
    inject: (world) => world.shop.failDatabasePrimary(),
    recovered: databaseServes,
  },
  {
    name: 'alarm-storm',
    title: `One web instance crashes while ${STORM_ALARMS} team alarms on the web tier fire`,
    failureClass: 'instance-failure',
    objectiveMinutes: DEFAULT_RECOVERY_OBJECTIVES['instance-failure'],
    maxMinutes: 45,
    inject: (world) => {
      crashOneInstance(world);
      for (let index = 1; index <= STORM_ALARMS; index += 1) {
        const alarm = stormAlarm(world, index);
        world.time.after(world.random.between(30_000, 90_000), () =>
          world.shop.emitAlarm(
            alarm,
            'OK',
            'ALARM',
            'Threshold Crossed: 1 out of the last 1 datapoints was breaching.',
          ),
        );
      }
    },
    recovered: webTierServes,
  },
  {
    name: 'kill-switch',
    title: 'The RDS primary fails and the kill switch is thrown mid-incident',
    failureClass: 'database-failover',
    objectiveMinutes: DEFAULT_RECOVERY_OBJECTIVES['database-failover'],
    maxMinutes: 45,
    inject: (world) => {
      world.shop.failDatabasePrimary();
      // Someone sets the mode guardrail to `off` half a minute in, while Rebound follows.
      world.time.after(30_000, () => {
        const values = guardrailParameterValues({
          ...world.controlPlane.guardrails.guardrails,
          mode: 'off',
        });
        world.controlPlane.guardrails = parseGuardrails(values);
      });
    },
    recovered: databaseServes,
  },
];

export const scenarioNamed = (name: string): Scenario | undefined =>
  SCENARIOS.find((scenario) => scenario.name === name);

/**
 * The account's AZ IDs for the game day: `use1-az1`… for the configured AZ names in order (AWS
 * Health names AZs by ID; each account maps them to names its own way).
 */
export const gameDayAzIds = (availabilityZones: readonly string[]): Record<string, string> =>
  Object.fromEntries(availabilityZones.map((az, index) => [`use1-az${index + 1}`, az]));
