import type { AlarmEvaluator } from './alarms.js';
import { type ApiInput, field, SimulatedApiError } from './aws-api-kit.js';
import { autoScalingGroupArn } from './aws-events.js';
import { parseInsightsQuery, runInsightsQuery } from './metrics-insights.js';
import type { SimulatedShop } from './shop.js';
import { statisticOf } from './statistics.js';

/**
 * The AWS APIs the control plane calls, answered by the simulated shop. Both callers use it:
 * the runbooks' `aws-sdk:*` Tasks (through `stepFunctionsTask`, which speaks the AWS SDK for
 * Java v2 field names Step Functions uses) and the task Lambdas' AWS adapters, which get a
 * client whose `send` lands here (`simulatedClient`). Inputs are read by member name without
 * regard to case (`DBInstanceIdentifier` and Step Functions' `DbInstanceIdentifier` alike);
 * answers use the AWS SDK for JavaScript's member names.
 */

export { SimulatedApiError };

type Input = ApiInput;

/**
 * A throttled call: the first `times` calls of `action` fail as AWS fails them, or (`until`,
 * virtual ms) every call before that time does (an account's API rate used up for minutes).
 */
export type Throttle =
  | { readonly action: string; times: number }
  | { readonly action: string; readonly until: number };

export class SimulatedAwsApi {
  /** Every call, `service:Action`, in order. */
  readonly calls: string[] = [];
  readonly throttles: Throttle[] = [];

  constructor(
    readonly shop: SimulatedShop,
    readonly alarms: AlarmEvaluator,
  ) {}

  /** Answers `service:Action` (the operation's name as in the service model). */
  call(service: string, action: string, input: Input): unknown {
    const name = `${service}:${action}`;
    this.calls.push(name);
    const throttle = this.throttles.find(
      (t) =>
        t.action.toLowerCase() === name.toLowerCase() &&
        ('times' in t ? t.times > 0 : this.shop.time.nowMs < t.until),
    );
    if (throttle !== undefined) {
      if ('times' in throttle) throttle.times -= 1;
      throw new SimulatedApiError('ThrottlingException', 'Rate exceeded');
    }
    const handler = this.#handlers[name.toLowerCase()];
    if (handler === undefined) throw new Error(`the game day does not simulate ${name}`);
    return handler(input);
  }

  readonly #handlers: Readonly<Record<string, (input: Input) => unknown>> = {
    'autoscaling:describeautoscalinggroups': () => this.#describeGroup(),
    'autoscaling:setinstancehealth': (input) => {
      this.shop.setInstanceHealth(
        String(field(input, 'InstanceId')),
        field(input, 'HealthStatus') === 'Healthy' ? 'Healthy' : 'Unhealthy',
      );
      return {};
    },
    'elasticloadbalancingv2:describetargethealth': () => ({
      TargetHealthDescriptions: [...this.shop.instances.values()]
        .filter((i) => i.target !== 'unused')
        .map((i) => ({ Target: { Id: i.id, Port: 8080 }, TargetHealth: { State: i.target } })),
    }),
    'cloudwatch:describealarms': (input) => {
      const names = (field(input, 'AlarmNames') as string[] | undefined) ?? [];
      return {
        MetricAlarms: names.map((name) => ({
          AlarmName: name,
          StateValue: this.alarms.stateOf(name),
        })),
        CompositeAlarms: [],
      };
    },
    'cloudwatch:getmetricdata': (input) => this.#metricData(input),
    'rds:describedbinstances': (input) => {
      const id = String(field(input, 'DBInstanceIdentifier'));
      const db = this.shop.databases.get(id);
      if (db === undefined)
        throw new SimulatedApiError('DBInstanceNotFoundFault', `DBInstance ${id} not found.`);
      return {
        DBInstances: [
          {
            DBInstanceIdentifier: db.id,
            DBInstanceStatus: db.status,
            MultiAZ: db.multiAz,
            AvailabilityZone: db.availabilityZone,
            ...(db.secondaryAvailabilityZone === undefined
              ? {}
              : { SecondaryAvailabilityZone: db.secondaryAvailabilityZone }),
            ...(db.replicaSourceId === undefined
              ? {}
              : {
                  ReadReplicaSourceDBInstanceIdentifier: db.replicaSourceId,
                  StatusInfos: [
                    { StatusType: 'read replication', Status: 'replicating', Normal: true },
                  ],
                }),
            Endpoint: {
              Address: `${db.id}.abcdefghijkl.${this.shop.region}.rds.amazonaws.com`,
              Port: 5432,
            },
          },
        ],
      };
    },
    'autoscaling:updateautoscalinggroup': (input) => {
      const size = (name: string) => {
        const value = field(input, name);
        return value === undefined ? undefined : Number(value);
      };
      this.shop.updateGroup({
        minSize: size('MinSize'),
        maxSize: size('MaxSize'),
        desiredCapacity: size('DesiredCapacity'),
      });
      return {};
    },
    // ARC zonal shift (zonal-shifts.ts); the mutating calls are changes to the shop.
    'arczonalshift:listzonalshifts': (input) => this.shop.zonalShifts.list(input),
    'arczonalshift:getmanagedresource': (input) => this.shop.zonalShifts.getManagedResource(input),
    'arczonalshift:startzonalshift': (input) => {
      const shift = this.shop.zonalShifts.start(input);
      this.shop.recordChange('arc-zonal-shift:StartZonalShift', shift.resourceIdentifier);
      return shift;
    },
    'arczonalshift:updatezonalshift': (input) => {
      const shift = this.shop.zonalShifts.update(input);
      this.shop.recordChange('arc-zonal-shift:UpdateZonalShift', shift.resourceIdentifier);
      return shift;
    },
    'arczonalshift:cancelzonalshift': (input) => {
      const shift = this.shop.zonalShifts.cancel(input);
      this.shop.recordChange('arc-zonal-shift:CancelZonalShift', shift.resourceIdentifier);
      return shift;
    },
    // A member the shop has lost (its AZ without power, or a failed primary not yet replaced) is
    // `modifying` while ElastiCache replaces it: one of the non-available statuses botocore's
    // CacheCluster.CacheClusterStatus lists; which one AWS shows then is not documented.
    'elasticache:describecacheclusters': (input) => {
      const id = String(field(input, 'CacheClusterId'));
      const node = this.shop.cacheNodes.find((candidate) => candidate.id === id);
      if (node === undefined)
        throw new SimulatedApiError('CacheClusterNotFoundFault', `CacheCluster ${id} not found.`);
      return {
        CacheClusters: [
          {
            CacheClusterId: node.id,
            ReplicationGroupId: this.shop.settings.cache.groupId,
            CacheClusterStatus: node.available ? 'available' : 'modifying',
            PreferredAvailabilityZone: node.availabilityZone,
            NumCacheNodes: 1,
          },
        ],
      };
    },
    'elasticache:describereplicationgroups': () => ({
      ReplicationGroups: [
        {
          ReplicationGroupId: this.shop.settings.cache.groupId,
          Status: this.shop.cacheStatus,
          AutomaticFailover: 'enabled',
          MemberClusters: this.shop.cacheNodes.map((node) => node.id),
          NodeGroups: [
            {
              NodeGroupId: '0001',
              NodeGroupMembers: this.shop.cacheNodes
                .filter((node) => node.available)
                .map((node) => ({
                  CacheClusterId: node.id,
                  CurrentRole: node.role,
                  PreferredAvailabilityZone: node.availabilityZone,
                })),
            },
          ],
        },
      ],
    }),
  };

  #describeGroup() {
    const { group } = this.shop.settings;
    return {
      AutoScalingGroups: [
        {
          AutoScalingGroupName: group.name,
          AutoScalingGroupARN: autoScalingGroupArn(this.shop.region, group.name),
          MinSize: this.shop.minSize,
          MaxSize: this.shop.maxSize,
          DesiredCapacity: this.shop.desired,
          AvailabilityZones: [...this.shop.settings.availabilityZones],
          Instances: [...this.shop.instances.values()].map((i) => ({
            InstanceId: i.id,
            AvailabilityZone: i.availabilityZone,
            LifecycleState: i.lifecycle,
            HealthStatus: i.health,
          })),
        },
      ],
    };
  }

  /**
   * GetMetricData (botocore cloudwatch 2010-08-01 service-2.json): each MetricDataQuery is a
   * metric (MetricStat: one value per period, its Stat over the period's samples; no value for
   * a period without one) or an Expression holding a
   * Metrics Insights query (one MetricDataResult per time series it returns, all with the
   * query's Id, each labelled as metrics-insights.ts says); values newest first, StatusCode
   * Complete. StartTime is inclusive, EndTime exclusive.
   */
  #metricData(input: Input) {
    const queries =
      (field(input, 'MetricDataQueries') as Record<string, unknown>[] | undefined) ?? [];
    const start = new Date(field(input, 'StartTime') as string | Date).getTime();
    const end = new Date(field(input, 'EndTime') as string | Date).getTime();
    return {
      MetricDataResults: queries.flatMap((query) => {
        const expression = field(query, 'Expression');
        if (typeof expression === 'string') return this.#insights(query, expression, start, end);
        const stat = field(query, 'MetricStat') as Record<string, unknown>;
        const metric = field(stat, 'Metric') as Record<string, unknown>;
        const period = Number(field(stat, 'Period')) * 1000;
        const dimensions = Object.fromEntries(
          (
            (field(metric, 'Dimensions') as { Name: string; Value: string }[] | undefined) ?? []
          ).map((d) => [d.Name, d.Value]),
        );
        const timestamps: Date[] = [];
        const values: number[] = [];
        for (let to = Math.floor(end / period) * period; to - period >= start; to -= period) {
          const value = statisticOf(
            String(field(stat, 'Stat')),
            this.shop.samplesOf(
              String(field(metric, 'Namespace')),
              String(field(metric, 'MetricName')),
              dimensions,
              to - period,
              to,
            ),
          );
          if (value === undefined) continue;
          timestamps.push(new Date(to - period));
          values.push(value);
        }
        return [
          {
            Id: field(query, 'Id'),
            Timestamps: timestamps,
            Values: values,
            StatusCode: 'Complete',
          },
        ];
      }),
    };
  }

  #insights(query: Input, expression: string, start: number, end: number) {
    const parsed = parseInsightsQuery(expression);
    // A Metrics Insights query needs the query's Period (MetricDataQuery.Period).
    const period = Number(field(query, 'Period'));
    if (!(period > 0))
      throw new SimulatedApiError(
        'InvalidParameterValueException',
        'A Metrics Insights query needs a Period.',
      );
    const series = this.shop.seriesOf(parsed.namespace, parsed.metricName, start, end);
    return runInsightsQuery(parsed, series, start, end, period * 1000).map((result) => ({
      Id: field(query, 'Id'),
      Label: result.label,
      Timestamps: result.timestamps.map((at) => new Date(at)),
      Values: [...result.values],
      StatusCode: 'Complete',
    }));
  }
}
