import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import type { Cache } from './cache.js';
import type { Edge } from './edge.js';
import type { ShopAlarm } from './shop-alarms.js';
import type { WebTier } from './web-tier.js';

export interface ShopDashboardProps {
  readonly namePrefix: string;
  readonly alarms: readonly ShopAlarm[];
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  readonly webTier: WebTier;
  readonly database: rds.DatabaseInstance;
  readonly replicas: readonly rds.IDatabaseInstance[];
  readonly cache: Cache;
  readonly edge: Edge;
}

const period = Duration.minutes(1);

/** The golden signals (traffic, errors, latency, saturation) of every tier on one page. */
export class ShopDashboard extends Construct {
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: ShopDashboardProps) {
    super(scope, id);
    const { loadBalancer, targetGroup, webTier, database, cache } = props;
    const graph = (title: string, left: cloudwatch.IMetric[], right: cloudwatch.IMetric[] = []) =>
      new cloudwatch.GraphWidget({ title, left, right, width: 8, height: 6 });
    const cacheNodes = (metricName: string, statistic = 'Average') =>
      cache.nodeMetrics(metricName, statistic);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${props.namePrefix}-shop`,
      defaultInterval: Duration.hours(3),
    });
    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({
        title: 'Alarms',
        alarms: props.alarms.map((entry) => entry.alarm),
        width: 24,
        height: 4,
      }),
    );
    this.dashboard.addWidgets(
      graph(
        'Edge: requests / 5xx rate (%)',
        [props.edge.metric('Requests', 'Sum')],
        [props.edge.metric('5xxErrorRate', 'Average')],
      ),
      graph(
        'ALB: requests / 5xx',
        [targetGroup.metrics.requestCount({ period, statistic: 'Sum' })],
        [
          loadBalancer.metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { period }),
          targetGroup.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period }),
        ],
      ),
      graph('ALB: latency p50 / p99 (s)', [
        targetGroup.metrics.targetResponseTime({ period, statistic: 'p50' }),
        targetGroup.metrics.targetResponseTime({ period, statistic: 'p99' }),
      ]),
    );
    this.dashboard.addWidgets(
      graph('Web: CPU / memory (%)', [webTier.cpuUtilization, webTier.memoryUtilization]),
      graph('Web: in service / healthy / unhealthy', [
        webTier.inServiceInstances,
        targetGroup.metrics.healthyHostCount({ period }),
        targetGroup.metrics.unhealthyHostCount({ period }),
      ]),
      graph(
        'DB: CPU (%) / connections',
        [database.metricCPUUtilization({ period })],
        [database.metricDatabaseConnections({ period })],
      ),
    );
    this.dashboard.addWidgets(
      graph('DB: free storage / freeable memory (bytes)', [
        database.metricFreeStorageSpace({ period }),
        database.metricFreeableMemory({ period }),
      ]),
      graph(
        'DB: replica lag (s)',
        props.replicas.map((replica) =>
          replica.metric('ReplicaLag', { period, statistic: 'Maximum' }),
        ),
      ),
      graph(
        'Cache: engine CPU / memory (%)',
        cacheNodes('EngineCPUUtilization'),
        cacheNodes('DatabaseMemoryUsagePercentage'),
      ),
    );
    this.dashboard.addWidgets(
      graph(
        'Cache: hits / misses / evictions',
        [...cacheNodes('CacheHits', 'Sum'), ...cacheNodes('CacheMisses', 'Sum')],
        cacheNodes('Evictions', 'Sum'),
      ),
    );
  }
}
