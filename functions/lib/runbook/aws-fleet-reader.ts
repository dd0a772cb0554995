import {
  type AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { FleetReader, FleetSnapshot } from './fleet.js';

/** {@link FleetReader} over DescribeAutoScalingGroups and DescribeTargetHealth. */
export class AwsFleetReader implements FleetReader {
  constructor(
    private readonly autoScaling: AutoScalingClient,
    private readonly elb: ElasticLoadBalancingV2Client,
    private readonly groupName: string,
    private readonly targetGroupArn: string,
  ) {}

  async snapshot(): Promise<FleetSnapshot> {
    const [groups, targets] = await Promise.all([
      this.autoScaling.send(
        new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [this.groupName] }),
      ),
      this.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: this.targetGroupArn })),
    ]);
    const group = groups.AutoScalingGroups?.[0];
    if (group === undefined) {
      // The shop's own group missing is a broken deployment, not a skip: let the run escalate.
      throw new Error(`Auto Scaling group ${this.groupName} not found`);
    }
    return {
      groupName: this.groupName,
      desiredCapacity: group.DesiredCapacity ?? 0,
      instances: (group.Instances ?? []).map((instance) => ({
        instanceId: instance.InstanceId ?? '',
        lifecycleState: instance.LifecycleState ?? 'Unknown',
        healthStatus: instance.HealthStatus ?? 'Unknown',
      })),
      healthyTargetIds: (targets.TargetHealthDescriptions ?? [])
        .filter((target) => target.TargetHealth?.State === 'healthy')
        .flatMap((target) => (target.Target?.Id === undefined ? [] : [target.Target.Id])),
    };
  }
}
