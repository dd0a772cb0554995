import {
  type AutoScalingClient,
  DescribeAutoScalingInstancesCommand,
} from '@aws-sdk/client-auto-scaling';
import type { GroupInstance } from '../core/inventory.js';

/**
 * The web group's view of the instance an `aws.ec2` event names (EC2 events name only the
 * instance): DescribeAutoScalingInstances, whose answer always carries InstanceId,
 * AutoScalingGroupName, AvailabilityZone and LifecycleState (botocore autoscaling
 * AutoScalingInstanceDetails). Empty when the instance is in no group or in another one; a
 * failed call throws, so the invocation is retried.
 */
export async function lookUpGroupInstance(
  client: AutoScalingClient,
  groupName: string,
  instanceId: string,
): Promise<Record<string, GroupInstance>> {
  const output = await client.send(
    new DescribeAutoScalingInstancesCommand({ InstanceIds: [instanceId] }),
  );
  const found: Record<string, GroupInstance> = {};
  for (const instance of output.AutoScalingInstances ?? []) {
    if (instance.InstanceId !== instanceId || instance.AutoScalingGroupName !== groupName) continue;
    found[instanceId] = {
      lifecycleState: instance.LifecycleState ?? 'unknown',
      ...(instance.AvailabilityZone === undefined
        ? {}
        : { availabilityZone: instance.AvailabilityZone }),
    };
  }
  return found;
}
