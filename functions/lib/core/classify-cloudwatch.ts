import type { AlarmStateChangeEvent } from '../events/cloudwatch.js';
import { INSTANCE_ID_PATTERN } from '../runbook/run-input.js';
import type { Severity } from '../severity.js';
import {
  cacheGroupOf,
  inAz,
  isShopDb,
  ref,
  relatedDbs,
  type SignalParts,
  selfHealing,
  signalOf,
} from './classify-common.js';
import type { ShopInventory } from './inventory.js';
import { practiceRunHealthAlarmName } from './practice-run-health.js';
import type { ResourceRef, Signal } from './signal.js';

/**
 * CloudWatch alarm state changes: the kind follows the alarm's metric, the severity its
 * description prefix (`[critical]` / `[warning]`), the phase its state transition.
 */

type Dimensions = ReadonlyMap<string, string>;

interface AlarmMetric {
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  /** The names of every metric the alarm reads (metric math included), in the event's order. */
  readonly names: readonly string[];
  /** Dimensions of every metric the alarm reads (metric math included), first one wins. */
  readonly dimensions: Dimensions;
}

const metricOf = (event: AlarmStateChangeEvent): AlarmMetric => {
  const metrics = (event.detail.configuration?.metrics ?? []).flatMap((query) =>
    query.metricStat === undefined ? [] : [query.metricStat.metric],
  );
  // A Map, not an object: dimension names come from the event and may be `__proto__`.
  const dimensions = new Map<string, string>();
  for (const metric of metrics) {
    for (const [name, value] of Object.entries(metric.dimensions ?? {})) {
      if (!dimensions.has(name)) dimensions.set(name, value);
    }
  }
  return {
    namespace: metrics[0]?.namespace,
    name: metrics[0]?.name,
    names: metrics.map((metric) => metric.name),
    dimensions,
  };
};

const SEVERITY_PREFIX = /^\s*\[(critical|warning)\]\s*/i;

const severityOf = (description: string | undefined): Severity =>
  SEVERITY_PREFIX.exec(description ?? '')?.[1]?.toLowerCase() === 'critical'
    ? 'critical'
    : 'warning';

const phaseOf = (event: AlarmStateChangeEvent): Signal['phase'] => {
  const state = event.detail.state.value;
  if (state === 'ALARM') return 'problem';
  return state === 'OK' && event.detail.previousState?.value === 'ALARM' ? 'recovered' : 'info';
};

const startsWithName = (value: string | undefined, kind: string, namePrefix: string): boolean =>
  value !== undefined &&
  (value.startsWith(`${kind}/${namePrefix}-`) || value.startsWith(`${kind}/${namePrefix}/`));

const namesShopResource = (inventory: ShopInventory, dimensions: Dimensions): boolean => {
  const cacheCluster = dimensions.get('CacheClusterId');
  const dbInstance = dimensions.get('DBInstanceIdentifier');
  return (
    dimensions.get('AutoScalingGroupName') === inventory.autoScalingGroupName ||
    (dbInstance !== undefined && isShopDb(inventory, dbInstance)) ||
    (cacheCluster !== undefined &&
      cacheGroupOf(cacheCluster) === inventory.cacheReplicationGroupId) ||
    dimensions.get('ReplicationGroupId') === inventory.cacheReplicationGroupId ||
    startsWithName(dimensions.get('LoadBalancer'), 'app', inventory.namePrefix) ||
    startsWithName(dimensions.get('TargetGroup'), 'targetgroup', inventory.namePrefix)
  );
};

/** One of the alarms the shop stack deploys, by exact name (a prefix would take another stage's). */
const isShopAlarm = (inventory: ShopInventory, alarmName: string): boolean =>
  inventory.assumeOwned || inventory.shopAlarmNames.includes(alarmName);

/** A value from the event, quoted and escaped for a reason people read (`"\u0000"`). */
const quoted = (value: string): string => JSON.stringify(value);

/**
 * Whoever can put an alarm in the account writes its name and dimensions. Every identifier a
 * runbook could act on must be the shop's own, exactly: an instance id of EC2's form tied to the
 * shop by the alarm's web-group dimension, the web group, a shop DB, the cache and one of the
 * shop's AZs. What fails is said, one phrase per identifier.
 */
const foreignIdentifiers = (inventory: ShopInventory, dimensions: Dimensions): string[] => {
  const instance = dimensions.get('InstanceId');
  const problems: string[] = [];
  if (instance !== undefined && !INSTANCE_ID_PATTERN.test(instance)) {
    problems.push(`InstanceId ${quoted(instance)} is not an EC2 instance id`);
  }
  if (inventory.assumeOwned) return problems;
  const group = dimensions.get('AutoScalingGroupName');
  if (group !== undefined && group !== inventory.autoScalingGroupName) {
    problems.push(`AutoScalingGroupName ${quoted(group)} is not the shop's web group`);
  } else if (instance !== undefined && group === undefined) {
    problems.push(
      `no AutoScalingGroupName dimension ties InstanceId ${quoted(instance)} to the shop`,
    );
  }
  const db = dimensions.get('DBInstanceIdentifier');
  if (db !== undefined && !isShopDb(inventory, db)) {
    problems.push(`DBInstanceIdentifier ${quoted(db)} is not a shop DB instance`);
  }
  const cacheGroup = dimensions.get('ReplicationGroupId');
  const cacheNode = dimensions.get('CacheClusterId');
  if (
    (cacheGroup !== undefined && cacheGroup !== inventory.cacheReplicationGroupId) ||
    (cacheNode !== undefined && cacheGroupOf(cacheNode) !== inventory.cacheReplicationGroupId)
  ) {
    problems.push(`the cache it names is not the shop's ${inventory.cacheReplicationGroupId}`);
  }
  const az = dimensions.get('AvailabilityZone');
  if (az !== undefined && !inventory.availabilityZones.includes(az)) {
    problems.push(`AvailabilityZone ${quoted(az)} is not one of the shop's AZs`);
  }
  return problems;
};

/**
 * Why the alarm may inform but never act nor page, or undefined when it may act: it must be one
 * of the shop stack's alarms by exact name, and name only the shop's own identifiers.
 */
const distrustOf = (
  inventory: ShopInventory,
  alarmName: string,
  dimensions: Dimensions,
): string | undefined => {
  const problems = [
    ...(isShopAlarm(inventory, alarmName)
      ? []
      : [
          `alarm ${quoted(alarmName)} is not one of the shop's own alarms (the shop stack's alarm table)`,
        ]),
    ...foreignIdentifiers(inventory, dimensions),
  ];
  return problems.length === 0 ? undefined : problems.join('; ');
};

/** The dimensions without an InstanceId that is no instance id: it never becomes a resource. */
const withoutMalformedInstance = (dimensions: Dimensions): Dimensions => {
  const instance = dimensions.get('InstanceId');
  if (instance === undefined || INSTANCE_ID_PATTERN.test(instance)) return dimensions;
  const kept = new Map(dimensions);
  kept.delete('InstanceId');
  return kept;
};

/** What the alarm is about; `metric` when it is not the first metric the alarm reads. */
type Verdict = Pick<SignalParts, 'kind' | 'resource' | 'related' | 'selfHealing' | 'metric'>;

const HEALTHY_HOST_METRICS = ['UnHealthyHostCount', 'HealthyHostCount'];
/** AWS/EC2 load metrics: high on one instance means busy, not broken. */
const INSTANCE_LOAD_METRICS = [
  'CPUUtilization',
  'NetworkIn',
  'NetworkOut',
  'NetworkPacketsIn',
  'NetworkPacketsOut',
];
const PRESSURE_METRICS = ['CPUUtilization', 'mem_used_percent'];
/** CloudWatch agent metrics whose high value on one instance is sickness (a leak), not load. */
const GRAY_FAILURE_METRICS = ['mem_used_percent'];

/**
 * The alarm reads the web group's `Maximum` of a gray-failure metric: its worst instance (the
 * agent publishes each instance's value under the group dimension too). The shop's
 * web-memory-outlier does, comparing it with the group's Average, so high load on every
 * instance never fires it.
 */
const readsWorstInstance = (event: AlarmStateChangeEvent): boolean =>
  (event.detail.configuration?.metrics ?? []).some(
    ({ metricStat }) =>
      metricStat?.stat === 'Maximum' &&
      GRAY_FAILURE_METRICS.includes(metricStat.metric.name) &&
      metricStat.metric.dimensions?.AutoScalingGroupName !== undefined &&
      metricStat.metric.dimensions.InstanceId === undefined,
  );
const ALB_PRESSURE_METRICS = ['TargetResponseTime', 'RequestCountPerTarget'];
const ALB_5XX_METRICS = ['HTTPCode_ELB_5XX_Count', 'HTTPCode_Target_5XX_Count'];

const albRefs = (dimensions: Dimensions): ResourceRef[] => {
  const targetGroup = dimensions.get('TargetGroup');
  const loadBalancer = dimensions.get('LoadBalancer');
  return [
    ...(targetGroup === undefined ? [] : [ref('target-group', targetGroup)]),
    ...(loadBalancer === undefined ? [] : [ref('load-balancer', loadBalancer)]),
  ];
};

/** A load metric, or any metric against its anomaly band (unusual, not broken). */
const isLoadAlarm = (event: AlarmStateChangeEvent, name: string): boolean =>
  INSTANCE_LOAD_METRICS.includes(name) ||
  (event.detail.configuration?.metrics ?? []).some((query) =>
    /\bANOMALY_DETECTION_BAND\s*\(/.test(query.expression ?? ''),
  );

/** What the alarm watches, in the order of the classification rules (first match wins). */
const verdictOf = (
  event: AlarmStateChangeEvent,
  metric: AlarmMetric,
  inventory: ShopInventory,
): Verdict => {
  const { namespace, name, dimensions } = metric;
  const alarm = ref('alarm', event.detail.alarmName);
  const at = (key: string) => dimensions.get(key);
  const group = at('AutoScalingGroupName');
  const instance = at('InstanceId');
  if (event.detail.configuration?.alarmRule !== undefined || name === undefined) {
    return { kind: 'informational', resource: alarm };
  }
  if (instance !== undefined) {
    const related = group === undefined ? [] : [ref('auto-scaling-group', group)];
    if (isLoadAlarm(event, name)) {
      // Pressure, not sickness: a fresh instance would take the same load; target tracking
      // spreads it over more instances.
      return {
        kind: 'capacity-pressure',
        resource: ref('ec2-instance', instance),
        related,
        selfHealing: selfHealing('target-tracking', 900),
      };
    }
    // Gray failures (memory, disk, status checks) that AWS health checks do not act on.
    return { kind: 'instance-health', resource: ref('ec2-instance', instance), related };
  }
  const alb = namespace === 'AWS/ApplicationELB';
  if (alb && HEALTHY_HOST_METRICS.includes(name)) {
    const [first = alarm, ...rest] = albRefs(dimensions);
    // The shop's target group's hosts are the web group's instances: an incident about them is
    // about the group (a team's alarm on the group then joins it instead of opening another).
    const shopTargets = startsWithName(at('TargetGroup'), 'targetgroup', inventory.namePrefix);
    return {
      kind: 'instance-health',
      resource: first,
      related: shopTargets
        ? [...rest, ref('auto-scaling-group', inventory.autoScalingGroupName)]
        : rest,
      selfHealing: selfHealing('auto-scaling', 900),
    };
  }
  if (namespace === 'AWS/AutoScaling' && name === 'GroupInServiceInstances') {
    return {
      kind: 'instance-health',
      resource: ref('auto-scaling-group', group ?? inventory.autoScalingGroupName),
      selfHealing: selfHealing('auto-scaling', 900),
    };
  }
  if (group !== undefined && readsWorstInstance(event)) {
    // One instance is sick and the alarm names only its group: replace-unhealthy-instance
    // finds the worst instance itself. No self-healer: the health checks do not see it.
    return { kind: 'instance-health', resource: ref('auto-scaling-group', group) };
  }
  if (
    (group !== undefined && PRESSURE_METRICS.includes(name)) ||
    (alb && ALB_PRESSURE_METRICS.includes(name))
  ) {
    return {
      kind: 'capacity-pressure',
      resource: ref('auto-scaling-group', group ?? inventory.autoScalingGroupName),
      related: albRefs(dimensions),
      selfHealing: selfHealing('target-tracking', 900),
    };
  }
  // A 5xx count, or a rate of it over the requests (metric math: the shop's
  // alb-target-5xx-rate reads RequestCount and HTTPCode_Target_5XX_Count): about the 5xx.
  const errors = ALB_5XX_METRICS.find((candidate) => metric.names.includes(candidate));
  if (alb && errors !== undefined) {
    const loadBalancer = at('LoadBalancer');
    return {
      kind: 'informational',
      resource: loadBalancer === undefined ? alarm : ref('load-balancer', loadBalancer),
      related: albRefs(dimensions).filter((item) => item.type !== 'load-balancer'),
      metric: errors,
    };
  }
  if (namespace === 'AWS/CloudFront') {
    const distribution = at('DistributionId');
    return {
      kind: 'informational',
      resource: distribution === undefined ? alarm : ref('distribution', distribution),
    };
  }
  if (namespace === 'AWS/RDS') {
    const db = at('DBInstanceIdentifier');
    return db === undefined
      ? { kind: 'database-degraded', resource: alarm }
      : {
          kind: 'database-degraded',
          resource: ref('db-instance', db),
          related: relatedDbs(inventory, db),
        };
  }
  if (namespace === 'AWS/ElastiCache') {
    const node = at('CacheClusterId');
    const groupId =
      at('ReplicationGroupId') ?? (node === undefined ? undefined : cacheGroupOf(node));
    return groupId === undefined
      ? { kind: 'cache-degraded', resource: alarm }
      : {
          kind: 'cache-degraded',
          resource: ref('cache-replication-group', groupId),
          related: node === undefined ? [] : [ref('cache-node', node)],
        };
  }
  // Any other metric of the web group (a team's dashboard alarms): about the group, so that a
  // storm of them correlates into one incident instead of one per alarm.
  if (group !== undefined && group === inventory.autoScalingGroupName) {
    return { kind: 'informational', resource: ref('auto-scaling-group', group) };
  }
  return { kind: 'informational', resource: alarm };
};

const transitionOf = (event: AlarmStateChangeEvent): string => {
  const previous = event.detail.previousState?.value;
  const state = event.detail.state.value;
  return previous === undefined ? state : `${previous}→${state}`;
};

export const classifyAlarm = (
  event: AlarmStateChangeEvent,
  inventory: ShopInventory,
): Signal | null => {
  const named = metricOf(event);
  const { alarmName, configuration } = event.detail;
  if (!isShopAlarm(inventory, alarmName) && !namesShopResource(inventory, named.dimensions)) {
    return null;
  }
  // Its members (the critical alarms) each reach triage: this one would be a second incident.
  if (alarmName === practiceRunHealthAlarmName(inventory.namePrefix)) return null;
  const untrusted = distrustOf(inventory, alarmName, named.dimensions);
  const metric = { ...named, dimensions: withoutMalformedInstance(named.dimensions) };
  const verdict = verdictOf(event, metric, inventory);
  const availabilityZone = metric.dimensions.get('AvailabilityZone');
  const description = configuration?.description?.replace(SEVERITY_PREFIX, '');
  const what =
    description === undefined || description.trim() === ''
      ? `${metric.name ?? 'composite'} alarm`
      : description;
  return signalOf(event, {
    ...verdict,
    phase: phaseOf(event),
    // An alarm that may not act informs: its own `[critical]` never makes a critical incident.
    severity: untrusted === undefined ? severityOf(configuration?.description) : 'warning',
    untrusted,
    partKey: `alarm:${alarmName}`,
    availabilityZone,
    metric: verdict.metric ?? metric.name,
    summary: `${verdict.resource.id}${inAz(availabilityZone)}: ${what} (${alarmName} ${transitionOf(event)})`,
  });
};
