import {
  type AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { ZonalFleetReader, ZonalFleetSnapshot } from './fleet.js';

/**
 * The web fleet over DescribeAutoScalingGroups and DescribeTargetHealth: a FleetReader, with
 * the group's maximum size and each instance's AZ for the runbooks that need them.
 */
export class AwsFleetReader implements ZonalFleetReader {
  constructor(
    private readonly autoScaling: AutoScalingClient,
    private readonly elb: ElasticLoadBalancingV2Client,
    private readonly groupName: string,
    private readonly targetGroupArn: string,
  ) {}

  async snapshot(): Promise<ZonalFleetSnapshot> {
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
      maxSize: group.MaxSize ?? 0,
      ...(group.AutoScalingGroupARN === undefined ? {} : { groupArn: group.AutoScalingGroupARN }),
      instances: (group.Instances ?? []).map((instance) => ({
        instanceId: instance.InstanceId ?? '',
        lifecycleState: instance.LifecycleState ?? 'Unknown',
        healthStatus: instance.HealthStatus ?? 'Unknown',
        availabilityZone: instance.AvailabilityZone ?? 'unknown',
      })),
      healthyTargetIds: (targets.TargetHealthDescriptions ?? [])
        .filter((target) => target.TargetHealth?.State === 'healthy')
        .flatMap((target) => (target.Target?.Id === undefined ? [] : [target.Target.Id])),
    };
  }
}
