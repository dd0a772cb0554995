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

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'instance-crash',
    title: 'One web instance crashes',
    failureClass: 'instance-failure',
    objectiveMinutes: 15,
    maxMinutes: 45,
    inject: (world) => {
      const victims = world.shop.serving();
      const victim = victims[world.random.between(0, victims.length - 1)];
      if (victim !== undefined) world.shop.crash(victim.id);
    },
    recovered: webTierServes,
  },
  {
    name: 'rds-primary-failure',
    title: 'The RDS primary fails; Multi-AZ fails over',
    failureClass: 'database-failover',
    objectiveMinutes: 15,
    maxMinutes: 45,
    inject: (world) => world.shop.failDatabasePrimary(),
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
