import {
  type AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
} from '@aws-sdk/client-auto-scaling';
import type { GroupCapacity, GroupCapacityReader } from './steps.js';

/** {@link GroupCapacityReader} over DescribeAutoScalingGroups (one group, read-only). */
export class AwsGroupCapacityReader implements GroupCapacityReader {
  constructor(
    private readonly autoScaling: AutoScalingClient,
    private readonly groupName: string,
  ) {}

  async capacity(): Promise<GroupCapacity> {
    const answer = await this.autoScaling.send(
      new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [this.groupName] }),
    );
    const group = answer.AutoScalingGroups?.[0];
    if (group === undefined) {
      // The shop's own group missing is a broken deployment, not a skip: let the run escalate.
      throw new Error(`Auto Scaling group ${this.groupName} not found`);
    }
    return {
      groupName: this.groupName,
      minSize: group.MinSize ?? 0,
      maxSize: group.MaxSize ?? 0,
      desiredCapacity: group.DesiredCapacity ?? 0,
    };
  }
}
