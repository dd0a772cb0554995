import {
  APP_READY_SECONDS,
  BOOT_SECONDS,
  CACHE_FAILOVER_SECONDS,
  NORMAL_CPU_PERCENT,
  RDS_FAILOVER_SECONDS,
  TARGET_TRACKING_HIGH_DATAPOINTS,
} from '../../infra/recovery/physics.js';
import type { ShopSettings } from '../../infra/recovery/shop-settings.js';
import { WEB_TIER_NAMESPACE } from '../../shop/metrics-namespace.js';
import { SimulatedApiError } from './aws-api-kit.js';
import {
  ACCOUNT,
  type AwsEvent,
  alarmStateChange,
  autoScalingActivity,
  autoScalingGroupArn,
  autoScalingLaunchLifecycleAction,
  cacheNotification,
  eventIdFor,
  healthEvent,
  rdsInstanceEvent,
  type SnsDelivery,
} from './aws-events.js';
import { gameDayAzIds } from './az-ids.js';
import type { Random } from './random.js';
import type { VirtualTime } from './virtual-time.js';
import { type ManagedResource, SimulatedZonalShifts } from './zonal-shifts.js';

/**
 * The simulated shop: the web group and its target group, the Multi-AZ database with its
 * replicas, on the virtual clock. What it does by itself follows AWS's documented behaviour
 * (AWS-FACTS.md, "Recovery physics"), with its times drawn from the seeded random source:
 *
 * - a target is unhealthy after `UnhealthyThresholdCount` failed checks `HealthCheckIntervalSeconds`
 *   apart, healthy after `HealthyThresholdCount` good ones;
 * - the group (ELB health checks) replaces an InService instance whose target is unhealthy once
 *   its grace period has passed; its instance maintenance policy launches the replacement first
 *   and terminates the old one when the replacement serves;
 * - a new instance boots in 30–45 s and its app answers /health 20–40 s later. Without a launch
 *   lifecycle hook the group registers it with the target group once it runs, so it fails its
 *   first health checks while the app starts; with one (the template's
 *   LifecycleHookSpecificationList) it waits in Pending:Wait, unregistered, until its user data
 *   sees /health answer and completes the hook, or until the heartbeat timeout gives the hook's
 *   default result (ABANDON: terminated and replaced; see `#launch`);
 * - a Multi-AZ primary that fails is failed over by RDS in 60–120 s; the new standby is rebuilt
 *   some minutes later. RDS events are best effort: late, duplicated or missing (see `emit`);
 * - an ARC zonal shift on the load balancer stops its traffic to the targets in that AZ ("your
 *   load balancer stops sending new traffic for the resource to the affected Availability
 *   Zone", ELB User Guide, "Zonal shift for your Application Load Balancer"; with cross-zone
 *   load balancing, always on for an ALB, no other node sends to them either: AWS Networking
 *   blog, "Using cross-zone load balancing with zonal shift"), until it is cancelled or expires;
 *   one on the group keeps its launches out of that AZ (zonal-shifts.ts).
 */

/** The instance states of the Auto Scaling lifecycle the simulator models (`Pending:Wait`: a launch hook holds it). */
export type LifecycleState =
  | 'Pending'
  | 'Pending:Wait'
  | 'InService'
  | 'Terminating'
  | 'Terminated';
export type TargetState = 'initial' | 'healthy' | 'unhealthy' | 'draining' | 'unused';

export interface Instance {
  readonly id: string;
  readonly availabilityZone: string;
  lifecycle: LifecycleState;
  health: 'Healthy' | 'Unhealthy';
  launchedAt: number;
  /**
   * When it entered InService: the health-check grace period and the default instance warm-up
   * count from here ("after it enters the InService state", EC2 Auto Scaling User Guide, "Set the
   * health check grace period" and "Set the default instance warmup").
   */
  inServiceAt?: number;
  /** The EC2 instance runs (false once it crashed or lost power). */
  running: boolean;
  /** The app answers /health. */
  appReady: boolean;
  target: TargetState;
  okStreak: number;
  failStreak: number;
  /** Memory used, percent (a leak raises it; the ELB's shallow /health does not see it). */
  memoryPercent: number;
  /** When its app started to leak memory (`leakMemory`). */
  leakingSince?: number;
  /** When AWS stops it for retirement (an AWS Health scheduled change announced it). */
  retiresAt?: number;
}

export interface DbInstance {
  readonly id: string;
  status: string;
  availabilityZone: string;
  secondaryAvailabilityZone?: string;
  multiAz: boolean;
  replicaSourceId?: string;
  replicaLagSeconds: number;
}

export interface CacheNode {
  readonly id: string;
  readonly availabilityZone: string;
  role: 'primary' | 'replica';
  available: boolean;
}

/** How an emitted event is delivered: durably (alarms) or best effort (RDS, Auto Scaling, SNS). */
export interface Emitter {
  emit(event: AwsEvent | SnsDelivery, delivery: 'durable' | 'best-effort'): void;
}

/** A mutating AWS call the shop received (what a dry run must never cause). */
export interface ShopChange {
  readonly at: number;
  readonly call: string;
  readonly target: string;
}

/** One sample of what the picture draws. */
export interface ShopSample {
  readonly at: number;
  readonly inService: number;
  readonly healthyTargets: number;
  readonly desired: number;
  readonly dbAvailable: boolean;
}

/**
 * The share of the requests an instance in a gray-failing AZ fails (the simulator's: it still
 * answers the ELB's shallow /health, so the target stays healthy and keeps getting traffic).
 */
export const GRAY_FAILURE_ERROR_PERCENT = 30;
/** The shop's requests a second on a normal day (the ALB answers 503 itself with no target). */
const REQUESTS_PER_SECOND = 50;

/** A healthy instance's memory use, percent (the simulator's). */
export const NORMAL_MEMORY_PERCENT = 40;
/** A leaking app's memory use levels off here: the kernel swaps instead of killing it (the simulator's). */
export const MEMORY_LEAK_CEILING_PERCENT = 97;
/** A failed cache node is replaced (and serves as a replica again) this long after the failover. */
export const CACHE_NODE_REPLACEMENT_SECONDS = { min: 180, max: 420 } as const;

const hex = (random: Random, length: number) =>
  Array.from({ length }, () => random.between(0, 15).toString(16)).join('');

export class SimulatedShop {
  readonly instances = new Map<string, Instance>();
  /** Every instance the group ran, in launch order (`instances` forgets the terminated ones). */
  readonly ran: Instance[] = [];
  readonly databases = new Map<string, DbInstance>();
  readonly cacheNodes: CacheNode[];
  cacheStatus = 'available';
  readonly changes: ShopChange[] = [];
  /** AZs without power: nothing runs or launches there. */
  readonly lostAzs = new Set<string>();
  /**
   * AZs in a gray failure: their instances run and pass /health but fail some requests
   * (`GRAY_FAILURE_ERROR_PERCENT`).
   */
  readonly impairedAzs = new Set<string>();
  /** ARC's zonal shifts of the load balancer and the web group. */
  readonly zonalShifts: SimulatedZonalShifts;
  readonly loadBalancerArn: string;
  readonly groupArn: string;
  readonly samples: ShopSample[] = [];
  desired: number;
  minSize: number;
  maxSize: number;
  /** Traffic as a multiple of a normal day's. */
  trafficFactor = 1;
  /** Metric series by `namespace|name|dimension=value,...`: its dimensions and [time, value] samples. */
  readonly #metrics = new Map<string, MetricSeries>();
  #eventCount = 0;

  constructor(
    readonly settings: ShopSettings,
    readonly region: string,
    readonly time: VirtualTime,
    readonly random: Random,
    readonly emitter: Emitter,
  ) {
    this.desired = settings.group.desiredCapacity;
    this.minSize = settings.group.minSize;
    this.maxSize = settings.group.maxSize;
    const azs = settings.availabilityZones;
    this.loadBalancerArn = `arn:aws:elasticloadbalancing:${region}:${ACCOUNT}:loadbalancer/${settings.loadBalancerFullName}`;
    this.groupArn = autoScalingGroupArn(region, settings.group.name);
    this.zonalShifts = new SimulatedZonalShifts(
      time,
      new Map<string, ManagedResource>([
        [
          this.loadBalancerArn,
          {
            arn: this.loadBalancerArn,
            name: settings.loadBalancerFullName.split('/')[1] ?? settings.loadBalancerFullName,
            zonalShiftEnabled: settings.loadBalancerZonalShiftEnabled,
            // Fail-open: with no healthy target outside the AZ the shift is not applied.
            applies: (az) =>
              [...this.instances.values()].some(
                (i) => i.target === 'healthy' && i.availabilityZone !== az,
              ),
          },
        ],
        [
          this.groupArn,
          {
            arn: this.groupArn,
            name: settings.group.name,
            zonalShiftEnabled: settings.group.zonalShiftEnabled,
            applies: () => true,
          },
        ],
      ]),
      gameDayAzIds(azs),
    );
    const { database } = settings;
    this.databases.set(database.primaryId, {
      id: database.primaryId,
      status: 'available',
      availabilityZone: azs[0] ?? 'unknown',
      ...(database.multiAz ? { secondaryAvailabilityZone: azs[1] ?? 'unknown' } : {}),
      multiAz: database.multiAz,
      replicaLagSeconds: 0,
    });
    for (const replica of database.replicas) {
      this.databases.set(replica.id, {
        id: replica.id,
        status: 'available',
        availabilityZone: replica.availabilityZone,
        multiAz: false,
        replicaSourceId: database.primaryId,
        replicaLagSeconds: 0,
      });
    }
    this.cacheNodes = settings.cache.nodeIds.map((id, index) => ({
      id,
      availabilityZone: settings.cache.nodeAzs[index] ?? azs[index % azs.length] ?? 'unknown',
      role: index === 0 ? 'primary' : 'replica',
      available: true,
    }));
    // The group starts at its desired capacity, spread over the AZs, every instance serving.
    for (let index = 0; index < this.desired; index += 1) {
      const instance = this.#newInstance(
        azs[index % azs.length] ?? 'unknown',
        time.nowMs - 3_600_000,
      );
      Object.assign(instance, {
        lifecycle: 'InService',
        inServiceAt: instance.launchedAt,
        appReady: true,
        target: 'healthy',
      });
    }
  }

  /**
   * Starts the shop's own loops: target health checks, the group's health checks, metrics, and
   * the CPU target tracking policy (once a minute).
   */
  start(): void {
    const { intervalSeconds } = this.settings.targetGroup;
    this.time.every(intervalSeconds * 1000, this.time.nowMs, () => {
      this.#healthChecks();
      this.#groupHealthCheck();
      this.#sampleMetrics(intervalSeconds);
      return true;
    });
    this.time.every(60_000, Math.ceil(this.time.nowMs / 60_000) * 60_000, () => {
      this.#trackCpuTarget();
      return true;
    });
  }

  /** The group's average CPU now: the day's load spread over the targets that get traffic. */
  cpuPercent(): number {
    return Math.min(
      100,
      (NORMAL_CPU_PERCENT * this.settings.group.desiredCapacity * this.trafficFactor) /
        Math.max(this.routedTargets().length, 1),
    );
  }

  /**
   * The targets the load balancer sends requests to: healthy, and outside an AZ its zonal shift
   * (applied, active) moves traffic away from.
   */
  routedTargets(): Instance[] {
    const away = this.zonalShifts.shiftedAway(this.loadBalancerArn);
    return [...this.instances.values()].filter(
      (i) => i.target === 'healthy' && !away.has(i.availabilityZone),
    );
  }

  /** The share of customers' requests that fail now, percent. */
  failingRequestPercent(): number {
    const routed = this.routedTargets();
    if (routed.length === 0) return 100;
    const gray = routed.filter((i) => this.impairedAzs.has(i.availabilityZone)).length;
    return (GRAY_FAILURE_ERROR_PERCENT * gray) / routed.length;
  }

  nextEventId(): string {
    this.#eventCount += 1;
    return eventIdFor(this.#eventCount);
  }

  // ---- faults ---------------------------------------------------------------------------

  serving(): Instance[] {
    return [...this.instances.values()].filter((i) => i.lifecycle === 'InService');
  }

  /** The instance stops (hardware, kernel panic): /health fails from now on. */
  crash(instanceId: string): void {
    const instance = this.instances.get(instanceId);
    if (instance === undefined) throw new Error(`no instance ${instanceId}`);
    instance.running = false;
    instance.appReady = false;
  }

  /** The primary database fails; RDS fails over to the standby (Multi-AZ) by itself. */
  failDatabasePrimary(): void {
    const primary = this.databases.get(this.settings.database.primaryId);
    if (primary === undefined) return;
    const standbyAz = primary.secondaryAvailabilityZone;
    primary.status = 'rebooting';
    const started = this.time.nowMs + this.random.between(5, 20) * 1000;
    this.time.at(started, () =>
      this.#rdsEvent(
        primary.id,
        'RDS-EVENT-0013',
        'failover',
        'A Multi-AZ failover that resulted in the promotion of a standby instance has started.',
      ),
    );
    if (standbyAz === undefined) return;
    // AWS-FACTS: RDS Multi-AZ fails over automatically, typically in 60–120 s.
    const completed =
      this.time.nowMs +
      this.random.between(RDS_FAILOVER_SECONDS.min, RDS_FAILOVER_SECONDS.max) * 1000;
    this.time.at(completed, () => {
      const oldAz = primary.availabilityZone;
      primary.availabilityZone = standbyAz;
      delete primary.secondaryAvailabilityZone;
      primary.status = 'available';
      this.#rdsEvent(
        primary.id,
        'RDS-EVENT-0049',
        'failover',
        'A Multi-AZ failover has completed.',
      );
      // The old primary's host is replaced and becomes the new standby.
      this.time.after(this.random.between(120, 300) * 1000, () => {
        primary.secondaryAvailabilityZone = oldAz;
      });
    });
  }

  /**
   * The cache's primary node fails; ElastiCache promotes a replica and then replaces the node.
   * It notifies the group's SNS topic once for the group and once per node (several
   * FailoverComplete notifications for one failover, as the README says).
   */
  failCachePrimary(): void {
    const primary = this.cacheNodes.find((node) => node.role === 'primary');
    const successor = this.cacheNodes.find((node) => node.role === 'replica' && node.available);
    if (primary === undefined || successor === undefined) return;
    primary.available = false;
    this.cacheStatus = 'modifying';
    const promoted = this.random.between(CACHE_FAILOVER_SECONDS.min, CACHE_FAILOVER_SECONDS.max);
    this.time.after(promoted * 1000, () => {
      primary.role = 'replica';
      successor.role = 'primary';
      this.cacheStatus = 'available';
      for (const source of [this.settings.cache.groupId, successor.id, primary.id]) {
        this.emitter.emit(
          cacheNotification(
            this.nextEventId(),
            this.time.nowMs,
            this.region,
            this.settings.cache.topicName,
            'FailoverComplete',
            source,
          ),
          'best-effort',
        );
      }
      const replaced = this.random.between(
        CACHE_NODE_REPLACEMENT_SECONDS.min,
        CACHE_NODE_REPLACEMENT_SECONDS.max,
      );
      this.time.after(replaced * 1000, () => {
        primary.available = true;
      });
    });
  }

  /**
   * An AZ loses power: its instances stop, its subnet takes no launch, its cache replicas stop,
   * and the primaries that live there (`primaries`: the database's, the cache's, placed there
   * from the start) fail; RDS and ElastiCache fail over to another AZ by themselves. Power
   * comes back after `outageMs`.
   */
  losePower(
    availabilityZone: string,
    outageMs: number,
    primaries: { readonly databasePrimary: boolean; readonly cachePrimary: boolean },
  ): void {
    this.#placePrimaries(availabilityZone, primaries);
    this.lostAzs.add(availabilityZone);
    for (const instance of this.instances.values()) {
      if (instance.availabilityZone === availabilityZone) {
        instance.running = false;
        instance.appReady = false;
      }
    }
    const cacheReplicasThere = this.cacheNodes.filter(
      (node) => node.availabilityZone === availabilityZone && node.role === 'replica',
    );
    for (const node of cacheReplicasThere) node.available = false;
    const db = this.databases.get(this.settings.database.primaryId);
    if (db?.availabilityZone === availabilityZone) this.failDatabasePrimary();
    const cachePrimary = this.cacheNodes.find((node) => node.role === 'primary');
    if (cachePrimary?.availabilityZone === availabilityZone) this.failCachePrimary();
    this.time.after(outageMs, () => {
      this.lostAzs.delete(availabilityZone);
      for (const node of cacheReplicasThere) node.available = true;
    });
  }

  /**
   * A gray failure of one AZ (a network or storage impairment): its instances keep running and
   * answering the ELB's /health, so their targets stay healthy and get traffic, but fail
   * `GRAY_FAILURE_ERROR_PERCENT` of their requests, until `outageMs` has passed.
   */
  impairAz(availabilityZone: string, outageMs: number): void {
    this.impairedAzs.add(availabilityZone);
    this.time.after(outageMs, () => this.impairedAzs.delete(availabilityZone));
  }

  /** Puts the primaries `there` in `az` and the others out of it, before anything looked. */
  #placePrimaries(
    az: string,
    there: { readonly databasePrimary: boolean; readonly cachePrimary: boolean },
  ): void {
    const others = this.settings.availabilityZones.filter((candidate) => candidate !== az);
    const db = this.databases.get(this.settings.database.primaryId);
    if (db !== undefined) {
      db.availabilityZone = there.databasePrimary ? az : (others[0] ?? az);
      if (db.multiAz)
        db.secondaryAvailabilityZone = there.databasePrimary
          ? (others[0] ?? az)
          : (others[1] ?? az);
    }
    const inAz = this.cacheNodes.find((node) => node.availabilityZone === az);
    const outside = this.cacheNodes.find((node) => node.availabilityZone !== az);
    const primary = there.cachePrimary ? inAz : outside;
    if (primary !== undefined) {
      for (const node of this.cacheNodes) node.role = node === primary ? 'primary' : 'replica';
    }
  }

  /**
   * The instance's app leaks memory from now on: `percentPerMinute` more in use for every minute
   * since, up to `MEMORY_LEAK_CEILING_PERCENT` (the kernel swaps; the app slows but still answers
   * /health: a gray failure the ELB's shallow check and so the group's health check never see).
   * Updated at every health-check interval.
   */
  leakMemory(instanceId: string, percentPerMinute: number): void {
    const instance = this.instances.get(instanceId);
    if (instance === undefined) throw new Error(`no instance ${instanceId}`);
    const since = this.time.nowMs;
    const from = instance.memoryPercent;
    instance.leakingSince = since;
    const interval = this.settings.targetGroup.intervalSeconds * 1000;
    this.time.every(interval, since + interval, () => {
      if (instance.lifecycle === 'Terminated') return false;
      instance.memoryPercent = Math.min(
        MEMORY_LEAK_CEILING_PERCENT,
        from + (percentPerMinute * (this.time.nowMs - since)) / 60_000,
      );
      return true;
    });
  }

  /**
   * AWS finds the instance's host degraded and schedules its retirement `noticeMs` from now,
   * announced by an AWS Health event (best effort, like every Health event).
   */
  scheduleRetirement(instanceId: string, noticeMs: number): void {
    const instance = this.instances.get(instanceId);
    if (instance === undefined) throw new Error(`no instance ${instanceId}`);
    instance.retiresAt = this.time.nowMs + noticeMs;
    this.emitter.emit(
      healthEvent(this.nextEventId(), this.time.nowMs, this.region, {
        service: 'EC2',
        eventTypeCode: 'AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED',
        category: 'scheduledChange',
        description: `EC2 has detected degradation of the underlying hardware hosting your instance ${instance.id}; it is scheduled for retirement and will be stopped on ${new Date(instance.retiresAt).toUTCString()}.`,
        entityValues: [`arn:aws:ec2:${this.region}:${ACCOUNT}:instance/${instance.id}`],
        startTime: instance.retiresAt,
      }),
      'best-effort',
    );
  }

  /**
   * AWS Health reports an operational issue with the cache's primary node (degraded, still
   * serving): ElastiCache does not fail over for it by itself.
   */
  reportCachePrimaryIssue(): void {
    const primary = this.cacheNodes.find((node) => node.role === 'primary');
    if (primary === undefined) return;
    this.emitter.emit(
      healthEvent(this.nextEventId(), this.time.nowMs, this.region, {
        service: 'ELASTICACHE',
        eventTypeCode: 'AWS_ELASTICACHE_OPERATIONAL_ISSUE',
        category: 'issue',
        description: `We are investigating degraded network performance of the host of cache node ${primary.id}.`,
        entityValues: [`arn:aws:elasticache:${this.region}:${ACCOUNT}:cluster:${primary.id}`],
        startTime: this.time.nowMs,
      }),
      'best-effort',
    );
  }

  // ---- what the control plane may call ---------------------------------------------------

  recordChange(call: string, target: string): void {
    this.changes.push({ at: this.time.nowMs, call, target });
  }

  /** SetInstanceHealth: the group replaces an instance marked Unhealthy. */
  setInstanceHealth(instanceId: string, health: 'Healthy' | 'Unhealthy'): void {
    this.recordChange('autoscaling:SetInstanceHealth', instanceId);
    const instance = this.instances.get(instanceId);
    if (instance === undefined) throw new Error(`no instance ${instanceId}`);
    instance.health = health;
    if (health === 'Unhealthy')
      this.#replace(
        instance,
        'an instance was taken out of service in response to a user health-check.',
      );
  }

  /**
   * UpdateAutoScalingGroup: new sizes; the group launches or terminates to its desired capacity.
   * "If you specify a new value for MaxSize without specifying a value for DesiredCapacity, and
   * the new MaxSize is smaller than the current size of the group, there's an implicit call to
   * SetDesiredCapacity to set the size of the group to the new value of MaxSize" (botocore
   * autoscaling 2011-01-01, UpdateAutoScalingGroup). A desired capacity outside [min, max] is a
   * ValidationError.
   */
  updateGroup(sizes: {
    readonly minSize: number | undefined;
    readonly maxSize: number | undefined;
    readonly desiredCapacity: number | undefined;
  }): void {
    const min = sizes.minSize ?? this.minSize;
    const max = sizes.maxSize ?? this.maxSize;
    const desired = sizes.desiredCapacity ?? Math.min(this.desired, max);
    if (desired < min || desired > max)
      throw new SimulatedApiError(
        'ValidationError',
        `Desired capacity:${desired} must be between the specified min size:${min} and max size:${max}`,
      );
    this.recordChange('autoscaling:UpdateAutoScalingGroup', this.settings.group.name);
    this.minSize = min;
    this.maxSize = max;
    const from = this.desired;
    this.desired = desired;
    const cause = `At ${new Date(this.time.nowMs).toISOString()} a user request update of AutoScalingGroup constraints to min: ${min}, max: ${max}, desired: ${desired} changing the desired capacity from ${from} to ${desired}.`;
    const live = () =>
      [...this.instances.values()].filter(
        (i) =>
          i.lifecycle === 'Pending' ||
          i.lifecycle === 'Pending:Wait' ||
          i.lifecycle === 'InService',
      );
    for (let count = live().length; count < desired; count += 1)
      this.#launch(this.#emptiestAz(), cause);
    for (let count = live().length; count > desired; count -= 1) {
      const victim = this.#scaleInVictim(live());
      if (victim === undefined) break;
      this.#terminate(
        victim,
        `${cause} An instance was taken out of service in response to a difference between desired and actual capacity.`,
      );
    }
  }

  /**
   * The default termination policy's pick: an instance of the AZ with the most instances (it
   * keeps the AZs balanced), the seed choosing among them (closest to the next billing hour).
   */
  #scaleInVictim(live: readonly Instance[]): Instance | undefined {
    const count = (az: string) => live.filter((i) => i.availabilityZone === az).length;
    const [az] = [...this.settings.availabilityZones].sort((a, b) => count(b) - count(a));
    const there = live.filter((i) => i.availabilityZone === az);
    return there[this.random.between(0, there.length - 1)];
  }

  // ---- metrics --------------------------------------------------------------------------

  /** The samples of one metric within [fromMs, toMs). */
  samplesOf(
    namespace: string,
    name: string,
    dimensions: Readonly<Record<string, string>>,
    fromMs: number,
    toMs: number,
  ): number[] {
    return inWindow(
      this.#metrics.get(metricKey(namespace, name, dimensions))?.samples ?? [],
      fromMs,
      toMs,
    ).map(([, value]) => value);
  }

  /** Every series of one metric (each set of dimensions it was published with), samples in [fromMs, toMs). */
  seriesOf(namespace: string, name: string, fromMs: number, toMs: number): MetricSeries[] {
    const prefix = `${namespace}|${name}|`;
    return [...this.#metrics]
      .filter(([key]) => key.startsWith(prefix))
      .map(([, series]) => ({
        dimensions: series.dimensions,
        samples: inWindow(series.samples, fromMs, toMs),
      }));
  }

  #put(
    namespace: string,
    name: string,
    dimensions: Readonly<Record<string, string>>,
    value: number,
  ): void {
    const key = metricKey(namespace, name, dimensions);
    const series = this.#metrics.get(key) ?? { dimensions, samples: [] };
    series.samples.push([this.time.nowMs, value]);
    this.#metrics.set(key, series);
  }

  #sampleMetrics(intervalSeconds: number): void {
    const { group, targetGroup, loadBalancerFullName } = this.settings;
    const lb = { LoadBalancer: loadBalancerFullName, TargetGroup: targetGroup.fullName };
    const all = [...this.instances.values()];
    const healthy = all.filter((i) => i.target === 'healthy').length;
    const inService = this.serving().length;
    const unhealthy = all.filter((i) => i.target === 'unhealthy');
    this.#put('AWS/ApplicationELB', 'UnHealthyHostCount', lb, unhealthy.length);
    // The ALB publishes its host counts per AZ too (dimensions AvailabilityZone, LoadBalancer,
    // TargetGroup: "CloudWatch metrics for your Application Load Balancer").
    for (const az of this.settings.availabilityZones) {
      this.#put(
        'AWS/ApplicationELB',
        'UnHealthyHostCount',
        { ...lb, AvailabilityZone: az },
        unhealthy.filter((i) => i.availabilityZone === az).length,
      );
    }
    this.#put('AWS/ApplicationELB', 'HealthyHostCount', lb, healthy);
    // With no healthy target the ALB answers 503 itself: about 50 requests a second.
    this.#put(
      'AWS/ApplicationELB',
      'HTTPCode_ELB_5XX_Count',
      { LoadBalancer: loadBalancerFullName },
      healthy === 0 ? REQUESTS_PER_SECOND * intervalSeconds : 0,
    );
    this.#putTargetRequests(intervalSeconds, lb);
    this.#put(
      'AWS/AutoScaling',
      'GroupInServiceInstances',
      { AutoScalingGroupName: group.name },
      inService,
    );
    this.#put('AWS/EC2', 'CPUUtilization', { AutoScalingGroupName: group.name }, this.cpuPercent());
    // The CloudWatch agent on each instance publishes its own value with the group and instance
    // dimensions and aggregated under each alone (shop-user-data.ts: append_dimensions,
    // aggregation_dimensions): the group's Average is the mean over its instances, its
    // Maximum the worst instance.
    for (const instance of this.serving()) {
      const value = instance.memoryPercent;
      const { id } = instance;
      this.#put(
        WEB_TIER_NAMESPACE,
        'mem_used_percent',
        { AutoScalingGroupName: group.name },
        value,
      );
      this.#put(WEB_TIER_NAMESPACE, 'mem_used_percent', { InstanceId: id }, value);
      this.#put(
        WEB_TIER_NAMESPACE,
        'mem_used_percent',
        { AutoScalingGroupName: group.name, InstanceId: id },
        value,
      );
    }
    for (const db of this.databases.values()) {
      if (db.replicaSourceId !== undefined)
        this.#put('AWS/RDS', 'ReplicaLag', { DBInstanceIdentifier: db.id }, db.replicaLagSeconds);
    }
    this.samples.push({
      at: this.time.nowMs,
      inService,
      healthyTargets: healthy,
      desired: this.desired,
      dbAvailable: this.databases.get(this.settings.database.primaryId)?.status === 'available',
    });
  }

  /**
   * The requests the targets answered in the last `intervalSeconds`, and those they answered
   * 5xx, per AZ and for the target group: the day's traffic spread evenly over the routed targets
   * (cross-zone load balancing, always on for an ALB), a gray-failing AZ's failing
   * `GRAY_FAILURE_ERROR_PERCENT` of theirs. The ALB publishes RequestCount and
   * HTTPCode_Target_5XX_Count with the dimensions (LoadBalancer, TargetGroup) and
   * (AvailabilityZone, LoadBalancer, TargetGroup), among others, and only while requests flow
   * ("CloudWatch metrics for your Application Load Balancer",
   * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html),
   * the 5xx count only when it is nonzero (its "Reporting criteria: There is a nonzero value").
   * With no target to route to, the ALB answers 503 itself and the targets answer nothing.
   */
  #putTargetRequests(intervalSeconds: number, lb: Readonly<Record<string, string>>): void {
    const routed = this.routedTargets();
    if (routed.length === 0) return;
    const perTarget = (REQUESTS_PER_SECOND * this.trafficFactor * intervalSeconds) / routed.length;
    let requests = 0;
    let errors = 0;
    for (const az of this.settings.availabilityZones) {
      const there = routed.filter((i) => i.availabilityZone === az).length;
      if (there === 0) continue;
      const azRequests = Math.round(perTarget * there);
      const azErrors = this.impairedAzs.has(az)
        ? Math.round((azRequests * GRAY_FAILURE_ERROR_PERCENT) / 100)
        : 0;
      const dimensions = { ...lb, AvailabilityZone: az };
      this.#put('AWS/ApplicationELB', 'RequestCount', dimensions, azRequests);
      if (azErrors > 0)
        this.#put('AWS/ApplicationELB', 'HTTPCode_Target_5XX_Count', dimensions, azErrors);
      requests += azRequests;
      errors += azErrors;
    }
    this.#put('AWS/ApplicationELB', 'RequestCount', lb, requests);
    if (errors > 0) this.#put('AWS/ApplicationELB', 'HTTPCode_Target_5XX_Count', lb, errors);
  }

  // ---- the web group's own behaviour ------------------------------------------------------

  /**
   * Target tracking on the group's average CPU, as the synthesized policy sets it (target
   * `cpuTargetPercent`; an instance counts once the group's default instance warm-up has passed
   * since it entered InService):
   * after `TARGET_TRACKING_HIGH_DATAPOINTS` minutes above the target, the desired capacity
   * becomes ceil(warmed-up instances × CPU ÷ target), never above the maximum; instances still
   * launching or warming up already count as capacity, so it does not launch them twice.
   */
  #trackCpuTarget(): void {
    const { group, cpuTargetPercent } = this.settings;
    const minute = 60_000;
    const end = Math.floor(this.time.nowMs / minute) * minute;
    const averages = Array.from({ length: TARGET_TRACKING_HIGH_DATAPOINTS }, (_, k) => {
      const values = this.samplesOf(
        'AWS/EC2',
        'CPUUtilization',
        { AutoScalingGroupName: group.name },
        end - (k + 1) * minute,
        end - k * minute,
      );
      return values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0) / values.length;
    });
    if (!averages.every((value) => value !== undefined && value > cpuTargetPercent)) return;
    const warm = this.serving().filter(
      (i) =>
        this.time.nowMs - (i.inServiceAt ?? i.launchedAt) >= group.instanceWarmupSeconds * 1000,
    ).length;
    const wanted = Math.min(
      this.maxSize,
      Math.ceil((warm * (averages[0] ?? 0)) / cpuTargetPercent),
    );
    if (wanted <= this.desired) return;
    const from = this.desired;
    this.desired = wanted;
    const at = new Date(this.time.nowMs).toISOString();
    for (let added = 0; added < wanted - from; added += 1) {
      this.#launch(
        this.#emptiestAz(),
        `At ${at} a monitor alarm TargetTracking-${group.name}-AlarmHigh in state ALARM triggered policy CpuTarget changing the desired capacity from ${from} to ${wanted}.`,
      );
    }
  }

  /**
   * The AZs the group may launch into: those with power, and not one a zonal shift of the group
   * moves away from (while the group's shift is active, Auto Scaling does not launch into that
   * AZ: EC2 Auto Scaling User Guide, "Auto Scaling group zonal shift").
   */
  #launchableAzs(): string[] {
    const shifted = this.zonalShifts.shiftedAway(this.groupArn);
    return this.settings.availabilityZones.filter(
      (az) => !this.lostAzs.has(az) && !shifted.has(az),
    );
  }

  /** The launchable AZ with the fewest live instances (the group balances its AZs). */
  #emptiestAz(): string {
    const live = [...this.instances.values()].filter((i) => i.lifecycle !== 'Terminated');
    const azs = this.#launchableAzs();
    return (
      [...azs].sort(
        (a, b) =>
          live.filter((i) => i.availabilityZone === a).length -
          live.filter((i) => i.availabilityZone === b).length,
      )[0] ?? 'unknown'
    );
  }

  #newInstance(availabilityZone: string, at: number): Instance {
    const instance: Instance = {
      id: `i-0${hex(this.random, 16)}`,
      availabilityZone,
      lifecycle: 'Pending',
      health: 'Healthy',
      launchedAt: at,
      running: true,
      appReady: false,
      target: 'unused',
      okStreak: 0,
      failStreak: 0,
      memoryPercent: NORMAL_MEMORY_PERCENT,
    };
    this.instances.set(instance.id, instance);
    this.ran.push(instance);
    return instance;
  }

  #healthChecks(): void {
    const { healthyThreshold, unhealthyThreshold } = this.settings.targetGroup;
    for (const instance of this.instances.values()) {
      if (instance.target === 'unused' || instance.target === 'draining') continue;
      if (instance.running && instance.appReady) {
        instance.okStreak += 1;
        instance.failStreak = 0;
        if (instance.target !== 'healthy' && instance.okStreak >= healthyThreshold)
          instance.target = 'healthy';
      } else {
        instance.failStreak += 1;
        instance.okStreak = 0;
        if (instance.target !== 'unhealthy' && instance.failStreak >= unhealthyThreshold)
          instance.target = 'unhealthy';
      }
    }
  }

  /**
   * ELB health checks: an InService instance past its grace period with an unhealthy target;
   * with `IgnoreUnhealthy`, not in an AZ the group's zonal shift moves away from ("instances will
   * not be replaced in the Availability Zone with the active zonal shift", Auto Scaling API
   * Reference, AvailabilityZoneImpairmentPolicy).
   */
  #groupHealthCheck(): void {
    const grace = this.settings.group.healthCheckGraceSeconds * 1000;
    const ignored =
      this.settings.group.impairedZoneHealthCheckBehavior === 'IgnoreUnhealthy'
        ? this.zonalShifts.shiftedAway(this.groupArn)
        : new Set<string>();
    for (const instance of this.serving()) {
      if (ignored.has(instance.availabilityZone)) continue;
      if (
        instance.health === 'Healthy' &&
        instance.target === 'unhealthy' &&
        this.time.nowMs - (instance.inServiceAt ?? instance.launchedAt) >= grace
      ) {
        instance.health = 'Unhealthy';
        this.#replace(
          instance,
          'an instance was taken out of service in response to an ELB system health check failure.',
        );
      }
    }
  }

  /**
   * Launches a replacement in the same AZ (in the AZ with the fewest instances when that one has
   * no power: Auto Scaling launches in the AZs it can), then terminates `old` once the
   * replacement serves.
   */
  #replace(old: Instance, why: string): void {
    const at = new Date(this.time.nowMs).toISOString();
    const replacement = this.#launch(
      this.#launchableAzs().includes(old.availabilityZone)
        ? old.availabilityZone
        : this.#leastUsedAz(),
      `At ${at} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from ${this.desired - 1} to ${this.desired}.`,
    );
    const waitForReplacement = () => {
      if (replacement.target === 'healthy' || !replacement.running) {
        this.#terminate(old, `At ${at} ${why}`);
        return false;
      }
      return true;
    };
    this.time.every(
      this.settings.targetGroup.intervalSeconds * 1000,
      this.time.nowMs,
      waitForReplacement,
    );
  }

  #leastUsedAz(): string {
    const count = (az: string) =>
      [...this.instances.values()].filter((i) => i.availabilityZone === az && i.running).length;
    return this.#launchableAzs().sort((a, b) => count(a) - count(b))[0] ?? 'unknown';
  }

  /**
   * Launches an instance. It runs after its boot and its app answers /health some seconds
   * later. Without a launch hook it goes InService (and into the target group) as soon as it
   * runs. With one it waits in Pending:Wait from its launch: its user data completes the hook
   * (CONTINUE) once /health answers locally, and only then does the group register it with the
   * target group and put it InService ("before the instance reaches the InService state, if the
   * Auto Scaling group is associated with an Elastic Load Balancing load balancer, the instance
   * is registered with the load balancer", EC2 Auto Scaling User Guide, "How lifecycle hooks
   * work in Auto Scaling groups"). If its app never answers (the instance crashed or lost power
   * meanwhile), the heartbeat timeout gives the default result.
   */
  #launch(availabilityZone: string, cause: string): Instance {
    const instance = this.#newInstance(availabilityZone, this.time.nowMs);
    const hook = this.settings.group.launchHook;
    if (hook !== undefined) {
      instance.lifecycle = 'Pending:Wait';
      this.emitter.emit(
        autoScalingLaunchLifecycleAction(
          this.nextEventId(),
          this.time.nowMs,
          this.region,
          this.settings.group.name,
          hook.name,
          instance.id,
        ),
        'best-effort',
      );
      this.time.after(hook.heartbeatTimeoutSeconds * 1000, () => {
        if (instance.lifecycle === 'Pending:Wait') this.#launchHookTimedOut(instance, cause);
      });
    }
    this.time.after(this.random.between(BOOT_SECONDS.min, BOOT_SECONDS.max) * 1000, () => {
      if (hook === undefined) this.#putInService(instance, cause);
      this.time.after(
        this.random.between(APP_READY_SECONDS.min, APP_READY_SECONDS.max) * 1000,
        () => {
          if (!instance.running) return;
          instance.appReady = true;
          if (instance.lifecycle === 'Pending:Wait') this.#putInService(instance, cause);
        },
      );
    });
    return instance;
  }

  /** Pending:Proceed → registered with the target group → InService; the launch succeeded. */
  #putInService(instance: Instance, cause: string): void {
    instance.lifecycle = 'InService';
    instance.inServiceAt = this.time.nowMs;
    instance.target = 'initial';
    this.#emitActivity('Launch', instance, cause);
  }

  /** The group's activity result (best effort, like every Auto Scaling event). */
  #emitActivity(
    kind: 'Launch' | 'Terminate',
    instance: Instance,
    cause: string,
    failure?: string,
  ): void {
    this.emitter.emit(
      autoScalingActivity(
        this.nextEventId(),
        this.time.nowMs,
        this.region,
        kind,
        this.settings.group.name,
        instance,
        cause,
        failure,
      ),
      'best-effort',
    );
  }

  /**
   * Nobody completed the launch hook in time. CONTINUE registers the instance anyway; ABANDON
   * fails the launch ("Instance failed to complete user's Lifecycle Action: Lifecycle Action with
   * token … was abandoned: Heartbeat Timeout", the activity's status as AWS reports it),
   * terminates the instance, and the group launches another for its desired capacity.
   */
  #launchHookTimedOut(instance: Instance, cause: string): void {
    if (this.settings.group.launchHook?.defaultResult === 'CONTINUE') {
      this.#putInService(instance, cause);
      return;
    }
    instance.lifecycle = 'Terminated';
    instance.running = false;
    instance.appReady = false;
    this.instances.delete(instance.id);
    this.#emitActivity(
      'Launch',
      instance,
      cause,
      `Instance failed to complete user's Lifecycle Action: Lifecycle Action with token ${this.nextEventId()} was abandoned: Heartbeat Timeout`,
    );
    // Instances being replaced (Unhealthy) do not count: their replacement was this one.
    const live = [...this.instances.values()].filter(
      (i) => i.lifecycle !== 'Terminating' && i.health === 'Healthy',
    );
    if (live.length < this.desired)
      this.#launch(
        this.#emptiestAz(),
        `At ${new Date(this.time.nowMs).toISOString()} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from ${live.length} to ${live.length + 1}.`,
      );
  }

  #terminate(instance: Instance, cause: string): void {
    instance.lifecycle = 'Terminating';
    instance.target = 'draining';
    this.time.after(this.settings.targetGroup.deregistrationDelaySeconds * 1000, () => {
      instance.lifecycle = 'Terminated';
      instance.target = 'unused';
      instance.running = false;
      this.instances.delete(instance.id);
      this.#emitActivity('Terminate', instance, cause);
    });
  }

  #rdsEvent(dbInstanceId: string, eventId: string, category: string, message: string): void {
    this.emitter.emit(
      rdsInstanceEvent(
        this.nextEventId(),
        this.time.nowMs,
        this.region,
        dbInstanceId,
        eventId,
        category,
        message,
      ),
      'best-effort',
    );
  }

  /** An alarm's state change, as CloudWatch delivers it (durably). */
  emitAlarm(
    ...args: Parameters<typeof alarmStateChange> extends [unknown, unknown, unknown, ...infer Rest]
      ? Rest
      : never
  ): void {
    this.emitter.emit(
      alarmStateChange(this.nextEventId(), this.time.nowMs, this.region, ...args),
      'durable',
    );
  }
}

/** One metric as published with one set of dimensions: its [time, value] samples. */
export interface MetricSeries {
  readonly dimensions: Readonly<Record<string, string>>;
  readonly samples: [number, number][];
}

/** The samples within [fromMs, toMs). */
const inWindow = (samples: readonly [number, number][], fromMs: number, toMs: number) =>
  samples.filter(([at]) => at >= fromMs && at < toMs);

export const metricKey = (
  namespace: string,
  name: string,
  dimensions: Readonly<Record<string, string>>,
): string =>
  `${namespace}|${name}|${Object.entries(dimensions)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(',')}`;
