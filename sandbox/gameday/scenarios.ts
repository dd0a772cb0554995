import { guardrailParameterValues, parseGuardrails } from '../../functions/lib/core/guardrails.js';
import type { AlarmSettings } from '../../infra/recovery/shop-settings.js';
import { DEFAULT_RECOVERY_OBJECTIVES } from '../../infra/recovery-objectives.js';
import { healthAzIssue } from './aws-events.js';
import { gameDayAzIds } from './az-ids.js';
import { RELIABLE_DELIVERY } from './control-plane.js';
import type { Scenario, World } from './scenario.js';
import { NORMAL_MEMORY_PERCENT } from './shop.js';

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

/** api-throttling: how long Auto Scaling throttles SetInstanceHealth. */
const THROTTLED_MINUTES = 3;
/** api-throttling: AWS announces a retirement two weeks ahead (the game day ends long before). */
const RETIREMENT_NOTICE_MS = 14 * 24 * 3_600_000;

/** black-friday-surge: the traffic, as a multiple of a normal day's (issue 14: 5×). */
export const SURGE_FACTOR = 5;

/** memory-leak: how fast the leaking instance's memory use rises (40% to its ceiling in ~30 min). */
const MEMORY_LEAK_PERCENT_PER_MINUTE = 2;
/**
 * memory-leak: the memory use at which the leak starts to hurt, percent: where the kernel starts
 * to swap and the app slows, and so where the shop's web-memory-outlier rule sits
 * (infra/constructs/shop-alarms.ts, `worst >= 90`; test/sandbox/gameday.test.ts holds the two
 * together). Before it, a leak costs nothing a customer sees and no alarm may fire.
 */
export const MEMORY_LEAK_HURTS_PERCENT = 90;

// ---- az-power-loss ----------------------------------------------------------------------

/**
 * AWS Health posts an AZ issue minutes after the fact and closes it after power is back. Not
 * documented figures: the simulator's (AWS Health posts once AWS has confirmed the issue).
 */
const HEALTH_POSTS_SECONDS = { min: 120, max: 300 } as const;
const HEALTH_CLOSES_SECONDS = { min: 60, max: 180 } as const;
/** How long the AZ is without power (a short event: real ones last up to hours). */
const POWER_OUTAGE_MINUTES = { min: 8, max: 10 } as const;

/**
 * One AZ, picked by the seed, is hurt by `harm` for a seeded while (`minutes`); AWS Health posts
 * its AZ issue minutes later (`what` it says) and closes it minutes after the AZ is back.
 */
const troubleInOneAz = (
  world: World,
  minutes: { readonly min: number; readonly max: number },
  harm: (az: string, outageMs: number) => void,
  what?: Parameters<typeof healthAzIssue>[6],
): void => {
  const { availabilityZones } = world.settings;
  const az = availabilityZones[world.random.between(0, availabilityZones.length - 1)];
  const azId = Object.entries(gameDayAzIds(availabilityZones)).find(([, name]) => name === az)?.[0];
  if (az === undefined || azId === undefined) throw new Error('the shop has no AZ to hurt');
  const issue = { startMs: world.time.nowMs, id: world.shop.nextEventId() };
  const outageMs = world.random.between(minutes.min, minutes.max) * 60_000;
  harm(az, outageMs);
  const health = (status: 'open' | 'closed') =>
    world.controlPlane.emit(
      healthAzIssue(
        world.shop.nextEventId(),
        world.time.nowMs,
        world.shop.region,
        azId,
        issue,
        status,
        what,
      ),
      'best-effort',
    );
  world.time.after(
    world.random.between(HEALTH_POSTS_SECONDS.min, HEALTH_POSTS_SECONDS.max) * 1000,
    () => health('open'),
  );
  world.time.after(
    outageMs + world.random.between(HEALTH_CLOSES_SECONDS.min, HEALTH_CLOSES_SECONDS.max) * 1000,
    () => health('closed'),
  );
};

/**
 * One AZ, picked by the seed, loses power; the seed also decides whether the database's and the
 * cache's primaries live there (then they fail with it and AWS fails them over).
 */
const losePowerInOneAz = (world: World): void =>
  troubleInOneAz(world, POWER_OUTAGE_MINUTES, (az, outageMs) =>
    world.shop.losePower(az, outageMs, {
      databasePrimary: world.random.chance(0.5),
      cachePrimary: world.random.chance(0.5),
    }),
  );

export const AZ_POWER_LOSS: Scenario = {
  name: 'az-power-loss',
  title: 'An AZ loses power: its instances, its subnet and the primaries that live there',
  failureClass: 'instance-failure',
  // One incident for the whole outage, one page (the first critical part's): its parts share
  // the AZ, learnt from AWS where the event names none (core/zone-questions.ts), and a part that
  // comes after the others have recovered reopens the incident (core/correlate.ts).
  resolutionUnbounded:
    'the incident resolves when AWS Health closes its AZ issue, after power is back: no setting bounds that',
  objectiveMinutes: DEFAULT_RECOVERY_OBJECTIVES['instance-failure'],
  maxMinutes: 60,
  // AWS Health posts and closes its issue after the web tier has healed: play until it has.
  playsAtLeastMinutes: POWER_OUTAGE_MINUTES.max + HEALTH_CLOSES_SECONDS.max / 60 + 1,
  // The on-call declines the evacuation: by the time they look, the group has replaced the
  // lost instances in the two other AZs and the load balancer sends nothing to the dark one.
  approver: {
    decision: 'reject',
    afterSeconds: 240,
    by: 'on-call (game day)',
    reason: 'the web tier already serves from the two other AZs; watching AWS Health instead',
  },
  inject: losePowerInOneAz,
  recovered: (world) => webTierServes(world) && databaseServes(world) && cacheServes(world),
};

// ---- az-gray-failure ---------------------------------------------------------------------

/** How long the AZ stays impaired (the simulator's; real gray failures last up to hours). */
const GRAY_FAILURE_MINUTES = { min: 25, max: 35 } as const;
/**
 * The mutating calls az-evacuation makes when approved: StartZonalShift of the load balancer
 * and of the group, UpdateAutoScalingGroup to raise the group, then (the AZ recovered) the two
 * CancelZonalShift and the UpdateAutoScalingGroup that restores the maximum.
 */
const EVACUATION_CHANGES = 6;

/**
 * One AZ, picked by the seed, fails gray: its instances pass the ELB's /health but fail a share
 * of their requests (shop.ts, `impairAz`). AWS Health posts the AZ issue minutes later and
 * closes it after the AZ has healed.
 */
const grayFailureInOneAz = (world: World): void =>
  troubleInOneAz(world, GRAY_FAILURE_MINUTES, (az, outageMs) => world.shop.impairAz(az, outageMs), {
    open: 'increased error rates and latencies for EC2 instances and their networking',
    closed: 'Error rates and latencies have recovered',
  });

export const AZ_GRAY_FAILURE: Scenario = {
  name: 'az-gray-failure',
  title:
    'An AZ fails gray (its instances pass /health but fail requests); the on-call approves the evacuation',
  failureClass: 'az-impairment',
  resolutionUnbounded:
    'the incident resolves after AWS Health closes its AZ issue, 1–3 min after the AZ heals: no setting bounds how long the AZ stays impaired',
  objectiveMinutes: DEFAULT_RECOVERY_OBJECTIVES['az-impairment'],
  maxMinutes: 75,
  // AWS Health posts late (npm run rto counts it as the event's lateness).
  eventLatenessSeconds: HEALTH_POSTS_SECONDS.max,
  // Play until AWS Health has closed its issue and the run has ended the shifts.
  playsAtLeastMinutes: GRAY_FAILURE_MINUTES.max + HEALTH_CLOSES_SECONDS.max / 60 + 1,
  maxChanges: EVACUATION_CHANGES,
  approver: {
    decision: 'approve',
    afterSeconds: 180,
    by: 'on-call (game day)',
    reason: 'errors concentrate in the AZ AWS Health names; its targets still pass /health',
  },
  inject: grayFailureInOneAz,
  // No request fails, and the targets that get traffic carry the group's normal capacity.
  recovered: ({ shop, settings }) =>
    shop.failingRequestPercent() === 0 &&
    shop.routedTargets().length >= settings.group.desiredCapacity,
};

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
  // ---- issue 14's further scenarios: memory leak, Black Friday surge, API throttling, approval ----
  {
    name: 'memory-leak',
    title: 'One web instance leaks memory; its /health still answers (a gray failure)',
    failureClass: 'gray-failure',
    objectiveMinutes: DEFAULT_RECOVERY_OBJECTIVES['gray-failure'],
    maxMinutes: 45,
    // The guardrails allow replace-unhealthy-instance one replacement.
    maxChanges: 1,
    // The leak starts this long before the fault: the fault is the moment the leaking instance
    // crosses MEMORY_LEAK_HURTS_PERCENT (from the NORMAL_MEMORY_PERCENT every instance starts
    // at). Counting from the leak's start would charge Rebound for minutes nobody could act in.
    buildsUpMinutes:
      (MEMORY_LEAK_HURTS_PERCENT - NORMAL_MEMORY_PERCENT) / MEMORY_LEAK_PERCENT_PER_MINUTE,
    inject: (world) => {
      const victims = world.shop.serving();
      const victim = victims[world.random.between(0, victims.length - 1)];
      if (victim !== undefined) world.shop.leakMemory(victim.id, MEMORY_LEAK_PERCENT_PER_MINUTE);
    },
    // No serving instance uses more memory than the memory target tracking aims at.
    recovered: ({ shop, settings }) =>
      shop.serving().every((instance) => instance.memoryPercent < settings.memoryTargetPercent),
  },
  {
    name: 'api-throttling',
    title: `AWS schedules a web instance's retirement while Auto Scaling throttles SetInstanceHealth for ${THROTTLED_MINUTES} minutes`,
    failureClass: 'instance-failure',
    // replace-unhealthy-instance retries MarkUnhealthy's AutoScaling.AutoScalingException 6
    // times with jittered backoff (at most 2+4+8+16+30+30 s): it gives up inside the throttling
    // and escalates, having changed nothing.
    expectedOutcome: 'escalate',
    objectiveMinutes: DEFAULT_RECOVERY_OBJECTIVES['instance-failure'],
    maxMinutes: 20,
    maxChanges: 1,
    inject: (world) => {
      const { shop, time, random } = world;
      const victims = shop.serving();
      const victim = victims[random.between(0, victims.length - 1)];
      if (victim === undefined) return;
      // Auto Scaling's model (botocore autoscaling 2011-01-01) declares no throttling error
      // for SetInstanceHealth (only ResourceContentionFault): Step Functions raises it as
      // AutoScaling.AutoScalingException (AWS-FACTS, Step Functions SDK integrations).
      world.api.throttles.push({
        action: 'autoscaling:SetInstanceHealth',
        until: time.nowMs + THROTTLED_MINUTES * 60_000,
      });
      shop.scheduleRetirement(victim.id, RETIREMENT_NOTICE_MS);
    },
    // The retiring instance replaced and the group serving at its desired capacity.
    recovered: (world) =>
      world.shop.serving().every((instance) => instance.retiresAt === undefined) &&
      webTierServes(world),
  },
  {
    name: 'approval-never-comes',
    title:
      'AWS Health reports the cache primary degraded; the forced failover waits for an approval that never comes',
    failureClass: 'cache-failover',
    // cache-failover asks a person before TestFailover (needsApproval, not auto-approved by
    // cdk.json's guardrails); nobody answers within APPROVAL_TIMEOUT (30 min): it escalates
    // without acting, the safe default.
    // AWS Health's degraded-but-serving primary is a warning: the request goes by email, and
    // the escalation when nobody answers is the incident's one page.
    expectedOutcome: 'escalate',
    objectiveMinutes: DEFAULT_RECOVERY_OBJECTIVES['cache-failover'],
    maxMinutes: 45,
    maxChanges: 1,
    inject: (world) => world.shop.reportCachePrimaryIssue(),
    // A primary other than the degraded one (set at the fault) serves: never, nobody approved.
    recovered: cacheServes,
  },
  {
    name: 'black-friday-surge',
    title: `Black Friday: traffic jumps to ${SURGE_FACTOR}× a normal day's`,
    failureClass: 'instance-failure',
    expectedOutcome: 'absorb',
    capacitySurge: SURGE_FACTOR,
    objectiveMinutes: DEFAULT_RECOVERY_OBJECTIVES['instance-failure'],
    maxMinutes: 30,
    inject: (world) => {
      world.shop.trafficFactor = SURGE_FACTOR;
    },
    // Every desired instance serves and the load is back at or under the CPU target.
    recovered: (world) =>
      webTierServes(world) && world.shop.cpuPercent() <= world.settings.cpuTargetPercent,
  },
  AZ_POWER_LOSS,
  AZ_GRAY_FAILURE,
];

export const scenarioNamed = (name: string): Scenario | undefined =>
  SCENARIOS.find((scenario) => scenario.name === name);

export { gameDayAzIds };
