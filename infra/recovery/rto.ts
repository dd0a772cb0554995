import { AZ_RECOVERY_POLL_SECONDS } from '../../runbooks/az-evacuation/state-machine.js';
import { APPROVAL_TIMEOUT } from '../../runbooks/kit/approval-gate.js';
import {
  REPLACEMENT_POLL_SECONDS,
  WORST_INSTANCE_WINDOW_SECONDS,
} from '../../runbooks/replace-unhealthy-instance/state-machine.js';
import type { FailureClass, RecoveryObjectives } from '../recovery-objectives.js';
import {
  APP_READY_SECONDS,
  BOOT_SECONDS,
  CACHE_FAILOVER_SECONDS,
  EVALUATION_DELAY_MS,
  NORMAL_CPU_PERCENT,
  RDS_FAILOVER_SECONDS,
  TARGET_TRACKING_HIGH_DATAPOINTS,
} from './physics.js';
import type { MathAlarmSettings, ShopSettings } from './shop-settings.js';

/**
 * Worst-case recovery times per failure class, computed from the synthesized settings (health
 * checks, grace period, alarm periods and datapoints), next to the floor AWS's own physics sets
 * and the slack Rebound adds between the shop serving again and the incident resolved. The game
 * day's measured times must fall inside these (test/sandbox/gameday.test.ts checks it).
 */

export interface RecoveryBudget {
  readonly failureClass: FailureClass;
  /** What AWS needs at the least, seconds, and why. */
  readonly floorSeconds: number;
  readonly floor: string;
  /** Fault → the shop serves again, at worst, seconds. */
  readonly worstRecoveredSeconds: number;
  /** Fault → incident resolved, at worst, seconds (MTTR). */
  readonly worstResolvedSeconds: number;
  readonly how: string;
  /** The largest part of the worst resolved time, in words: what to change to shorten it. */
  readonly dominatedBy: string;
}

export interface RtoOptions {
  /** Most an event is late (best-effort delivery), seconds. */
  readonly eventLatenessSeconds: number;
}

export const DEFAULT_RTO_OPTIONS: RtoOptions = { eventLatenessSeconds: 5 };

const DELAY = EVALUATION_DELAY_MS / 1000;

/**
 * A launch at worst: when the instance enters InService (the warm-up counts from there) and how
 * its boot and app start read. With the group's launch hook it waits in Pending:Wait, out of the
 * target group, until its app answers /health (the hook's heartbeat timeout bounds the wait);
 * without one it goes InService once it runs and its app answers later. Either way it serves
 * after boot + app + the healthy threshold.
 */
const launchWait = (settings: ShopSettings) => {
  const hook = settings.group.launchHook;
  const boot = `boot ≤ ${BOOT_SECONDS.max} s + app ≤ ${APP_READY_SECONDS.max} s`;
  return hook === undefined
    ? { inServiceSeconds: BOOT_SECONDS.max, words: boot }
    : {
        inServiceSeconds: BOOT_SECONDS.max + APP_READY_SECONDS.max,
        words: `${boot} (in Pending:Wait on the ${hook.name} hook, ${hook.defaultResult} at ${hook.heartbeatTimeoutSeconds} s)`,
      };
};

/**
 * A new instance serves once it boots, its app answers and the ALB has counted the healthy
 * threshold: at best `h` checks `i` s apart, at worst one more interval of phase.
 */
const newInstanceServes = (settings: ShopSettings) => {
  const { intervalSeconds: i, healthyThreshold: h } = settings.targetGroup;
  return {
    floorSeconds: BOOT_SECONDS.min + APP_READY_SECONDS.min + i * h,
    worstSeconds: BOOT_SECONDS.max + APP_READY_SECONDS.max + i * (h + 1),
  };
};

const minutes = (seconds: number) =>
  `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;

export const recoveryBudgets = (
  settings: ShopSettings,
  options: RtoOptions = DEFAULT_RTO_OPTIONS,
): RecoveryBudget[] => {
  const { intervalSeconds: i, unhealthyThreshold: u, healthyThreshold: h } = settings.targetGroup;
  const grace = settings.group.healthCheckGraceSeconds;
  // The alarm that opens an instance-failure incident, and whose return to OK resolves it.
  const alarm = settings.alarms.find((a) => a.metricName === 'UnHealthyHostCount');
  if (alarm === undefined) throw new Error('the shop template has no UnHealthyHostCount alarm');
  // The ALB sees the dead host after U failed checks (one more interval of phase); the group
  // acts at its next check, never inside an instance's grace period.
  const seen = Math.max(i * (u + 1), grace) + i;
  const serves = newInstanceServes(settings);
  const replaced = serves.worstSeconds;
  const instanceRecovered = seen + replaced;
  // The alarm clears when fewer than M of its last N datapoints breach.
  const clears =
    (alarm.evaluationPeriods - alarm.datapointsToAlarm + 2) * alarm.periodSeconds + DELAY;
  const late = options.eventLatenessSeconds;
  const launch = launchWait(settings).words;
  const instanceParts: readonly (readonly [string, number])[] = [
    [
      grace > i * (u + 1)
        ? `the group waits out the ${grace} s health-check grace period before it replaces the instance`
        : `the ALB needs ${u} failed checks ${i} s apart to see the dead host`,
      seen,
    ],
    [`the replacement boots and passes ${h} health checks`, replaced],
    [`${alarm.name} needs ${Math.round(clears)} s to clear`, clears],
  ];
  const [instanceDominant] = [...instanceParts].sort((a, b) => b[1] - a[1]);
  // An AZ evacuation (az-evacuation): AWS Health's event, a person's approval, then the zonal
  // shift stops the AZ's traffic at once and the two other AZs serve once their added
  // instances pass the healthy threshold; after AWS Health closes its issue, the run's next
  // AZ-recovery check ends the shifts and resolves the incident.
  const approval = APPROVAL_TIMEOUT.toSeconds();
  const grown = serves.worstSeconds;
  const azRecovered = late + approval + grown;
  const [recoveryRound = 0] = AZ_RECOVERY_POLL_SECONDS;
  const gray = grayFailureBudget(settings, late);
  return [
    {
      failureClass: 'instance-failure',
      floorSeconds: i * (u + h),
      floor: `the ALB needs ${u} failed checks ${i} s apart to see a dead host and ${h} good ones to trust its replacement`,
      worstRecoveredSeconds: instanceRecovered,
      worstResolvedSeconds: instanceRecovered + clears + late,
      dominatedBy: `the largest part, ${minutes(instanceDominant?.[1] ?? 0)}: ${instanceDominant?.[0]}`,
      how: `seen by the ALB and the group (max(${i}×${u + 1}, grace ${grace}) + ${i}), ${launch} + ${h + 1} checks; resolved when ${alarm.name} clears (${alarm.evaluationPeriods - alarm.datapointsToAlarm + 2} × ${alarm.periodSeconds} s + ${DELAY} s) and its event arrives`,
    },
    gray,
    {
      failureClass: 'database-failover',
      floorSeconds: RDS_FAILOVER_SECONDS.min,
      floor: `RDS Multi-AZ fails over in ${RDS_FAILOVER_SECONDS.min}–${RDS_FAILOVER_SECONDS.max} s`,
      worstRecoveredSeconds: RDS_FAILOVER_SECONDS.max,
      worstResolvedSeconds: RDS_FAILOVER_SECONDS.max + late,
      dominatedBy: `RDS's own failover, up to ${RDS_FAILOVER_SECONDS.max} s: no setting shortens it`,
      how: `RDS's failover (≤ ${RDS_FAILOVER_SECONDS.max} s); resolved when RDS-EVENT-0049 arrives (≤ ${late} s late)`,
    },
    {
      failureClass: 'cache-failover',
      floorSeconds: CACHE_FAILOVER_SECONDS.min,
      floor: `ElastiCache promotes a replica (the simulator assumes ${CACHE_FAILOVER_SECONDS.min}–${CACHE_FAILOVER_SECONDS.max} s; AWS documents no figure)`,
      worstRecoveredSeconds: CACHE_FAILOVER_SECONDS.max,
      worstResolvedSeconds: CACHE_FAILOVER_SECONDS.max + late,
      dominatedBy: `ElastiCache's own promotion, up to ${CACHE_FAILOVER_SECONDS.max} s: no setting shortens it`,
      how: `the promotion (≤ ${CACHE_FAILOVER_SECONDS.max} s); the incident is over when the first FailoverComplete notification arrives (≤ ${late} s late)`,
    },
    {
      failureClass: 'az-impairment',
      floorSeconds: serves.floorSeconds,
      floor: `a zonal shift stops the AZ's traffic at once, but the two other AZs carry the load only once the instances added there boot and pass ${h} health checks ${i} s apart`,
      worstRecoveredSeconds: azRecovered,
      worstResolvedSeconds: azRecovered + recoveryRound + late,
      dominatedBy: `the largest part, ${minutes(approval)}: the approval timeout (a person may answer at its last second; auto-approved-runbooks naming az-evacuation removes it)`,
      how: `AWS Health posts (≤ ${late} s late), the approval (≤ ${approval} s), ${launch} + ${h + 1} checks; resolved at most one AZ-recovery round (${recoveryRound} s) after AWS Health's closing arrives (≤ ${late} s late), counted as if AWS closed its issue by the time the two AZs carry the load: a longer impairment adds its own length, which no setting bounds`,
    },
  ];
};

/**
 * The alarm on the web group's worst instance (web-memory-outlier): a metric-math alarm reading
 * the group's Maximum of the agent's mem_used_percent, as triage recognises it
 * (functions/lib/core/classify-cloudwatch.ts, readsWorstInstance).
 */
const worstInstanceAlarm = (settings: ShopSettings): MathAlarmSettings | undefined =>
  settings.mathAlarms.find((alarm) =>
    alarm.metrics.some(
      (metric) =>
        metric.metricName === 'mem_used_percent' &&
        metric.statistic === 'Maximum' &&
        metric.dimensions.AutoScalingGroupName !== undefined &&
        metric.dimensions.InstanceId === undefined,
    ),
  );

/**
 * A gray failure: one instance sick in a way no AWS health check sees (a memory leak), from the
 * moment it crosses the outlier alarm's level. Only Rebound recovers it: the alarm's M breaching
 * periods (the crossing at a period's start: M whole periods) and its evaluation, the event,
 * replace-unhealthy-instance's sampling wait, then the group's replacement (launched first,
 * the sick instance terminated once it serves). Resolved at the runbook's next poll.
 */
const grayFailureBudget = (settings: ShopSettings, late: number): RecoveryBudget => {
  const alarm = worstInstanceAlarm(settings);
  if (alarm === undefined)
    throw new Error(
      'the shop template has no alarm on the web group worst instance (Maximum of mem_used_percent)',
    );
  const { intervalSeconds: i, healthyThreshold: h } = settings.targetGroup;
  const detected = alarm.datapointsToAlarm * alarm.periodSeconds + DELAY;
  const serves = newInstanceServes(settings);
  const replaced = serves.worstSeconds;
  const recovered = detected + late + WORST_INSTANCE_WINDOW_SECONDS + replaced;
  const poll = Math.max(...REPLACEMENT_POLL_SECONDS);
  const parts: readonly (readonly [string, number])[] = [
    [
      `${alarm.name} needs ${alarm.datapointsToAlarm} breaching ${alarm.periodSeconds} s periods`,
      detected,
    ],
    [
      `replace-unhealthy-instance samples memory for ${WORST_INSTANCE_WINDOW_SECONDS} s`,
      WORST_INSTANCE_WINDOW_SECONDS,
    ],
    [`the replacement boots and passes ${h} health checks`, replaced],
  ];
  const [dominant] = [...parts].sort((a, b) => b[1] - a[1]);
  return {
    failureClass: 'gray-failure',
    floorSeconds: alarm.datapointsToAlarm * alarm.periodSeconds + serves.floorSeconds,
    floor: `CloudWatch needs ${alarm.datapointsToAlarm} periods of ${alarm.periodSeconds} s to alarm on the sick instance, and its replacement boots and passes ${h} health checks ${i} s apart`,
    worstRecoveredSeconds: recovered,
    worstResolvedSeconds: recovered + poll,
    dominatedBy: `the largest part, ${minutes(dominant?.[1] ?? 0)}: ${dominant?.[0]}`,
    how: `${alarm.name} alarms (${alarm.datapointsToAlarm} × ${alarm.periodSeconds} s + ${DELAY} s), its event (≤ ${late} s late), the runbook samples ${WORST_INSTANCE_WINDOW_SECONDS} s, the replacement ${launchWait(settings).words} + ${h + 1} checks; resolved at the runbook's next poll (≤ ${poll} s)`,
  };
};

/**
 * One line per objective the worst case misses (`npm start` prints them as errors and fails);
 * empty when every objective is met.
 */
export const unmetObjectives = (
  budgets: readonly RecoveryBudget[],
  objectives: RecoveryObjectives,
): string[] =>
  budgets
    .filter((b) => b.worstResolvedSeconds > objectives[b.failureClass] * 60)
    .map(
      (b) =>
        `recovery objective for ${b.failureClass} is ${objectives[b.failureClass]} min, but the synthesized settings allow up to ${minutes(b.worstResolvedSeconds)} (${b.dominatedBy}; see npm run rto)`,
    );

export const formatBudgets = (
  budgets: readonly RecoveryBudget[],
  objectives: RecoveryObjectives,
): string => {
  const header = [
    'failure class',
    'AWS floor',
    'worst recovered',
    'worst resolved',
    'Rebound adds',
    'objective',
    'meets',
  ];
  const rows = budgets.map((b) => {
    const objective = objectives[b.failureClass];
    return [
      b.failureClass,
      minutes(b.floorSeconds),
      minutes(b.worstRecoveredSeconds),
      minutes(b.worstResolvedSeconds),
      minutes(b.worstResolvedSeconds - b.worstRecoveredSeconds),
      `${objective}m`,
      b.worstResolvedSeconds <= objective * 60 ? 'yes' : 'NO',
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    ...budgets.flatMap((b) => [`${b.failureClass}: floor: ${b.floor}`, `  worst case: ${b.how}`]),
  ].join('\n');
};

/** How long target tracking takes to carry a traffic surge, computed from the settings. */
export interface SurgeBudget {
  readonly factor: number;
  /** The desired capacity after each scale-out round, the last one at or under the target. */
  readonly capacities: readonly number[];
  readonly floorSeconds: number;
  /** Surge → every instance of the final capacity serving, at worst. */
  readonly worstRecoveredSeconds: number;
  readonly how: string;
}

/**
 * A surge to `factor` × a normal day's load, carried by CPU target tracking alone. Each round
 * sets the capacity to ceil(capacity × CPU ÷ target) (CPU reads at most 100%, so a big surge
 * takes several rounds); the first waits for the high alarm's datapoints (up to a minute of
 * phase plus TARGET_TRACKING_HIGH_DATAPOINTS minutes), a later one for the previous round's
 * instances to enter InService and pass the warm-up, which counts from InService ("how long after
 * an instance reaches the InService state it waits before contributing usage data", EC2 Auto
 * Scaling User Guide, "Set the default instance warmup"), and its next one-minute tick; the last
 * round's instances boot and pass the healthy threshold.
 */
export const surgeBudget = (settings: ShopSettings, factor: number): SurgeBudget => {
  const { group, cpuTargetPercent: target } = settings;
  const { healthyThreshold: h } = settings.targetGroup;
  const load = NORMAL_CPU_PERCENT * group.desiredCapacity * factor;
  const capacities: number[] = [];
  let capacity = group.desiredCapacity;
  while (Math.min(100, load / capacity) > target && capacity < group.maxSize) {
    capacity = Math.min(
      group.maxSize,
      Math.ceil((capacity * Math.min(100, load / capacity)) / target),
    );
    capacities.push(capacity);
  }
  const rounds = capacities.length;
  const highAlarm = TARGET_TRACKING_HIGH_DATAPOINTS * 60;
  const warmup = group.instanceWarmupSeconds;
  const launch = launchWait(settings);
  const inServiceFloor =
    BOOT_SECONDS.min + (group.launchHook === undefined ? 0 : APP_READY_SECONDS.min);
  const serves = newInstanceServes(settings);
  return {
    factor,
    capacities,
    floorSeconds:
      rounds === 0 ? 0 : highAlarm + (rounds - 1) * (inServiceFloor + warmup) + serves.floorSeconds,
    worstRecoveredSeconds:
      rounds === 0
        ? 0
        : 60 +
          highAlarm +
          (rounds - 1) * (launch.inServiceSeconds + warmup + 60) +
          serves.worstSeconds,
    how: `${rounds} scale-out round(s) (${[group.desiredCapacity, ...capacities].join(' → ')} of at most ${group.maxSize}, target ${target}% CPU): the high alarm (≤ 60 + ${highAlarm} s), ${Math.max(rounds - 1, 0)} × (InService ≤ ${launch.inServiceSeconds} s after launch, then the ${warmup} s warm-up and a tick), then ${launch.words} + ${h + 1} checks`,
  };
};

export const formatSurgeBudget = (budget: SurgeBudget): string =>
  [
    `capacity surge (${budget.factor}× a normal day, target tracking alone): floor ${minutes(budget.floorSeconds)}, worst serving ${minutes(budget.worstRecoveredSeconds)}`,
    `  worst case: ${budget.how}`,
  ].join('\n');
