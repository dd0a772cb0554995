import type {
  AutoScalingActivityEvent,
  AutoScalingLifecycleEvent,
  AutoScalingRefreshEvent,
} from '../events/autoscaling.js';
import { inAz, oneLine, ownsGroup, ref, selfHealing, signalOf } from './classify-common.js';
import type { ShopInventory } from './inventory.js';
import type { ResourceRef, Signal } from './signal.js';

/** EC2 Auto Scaling activity results, lifecycle hooks and instance refreshes. */

const instanceRefs = (instanceId: string | undefined): ResourceRef[] =>
  instanceId === undefined || instanceId === '' ? [] : [ref('ec2-instance', instanceId)];

/** The ASG says why it terminated an instance; a failed health check makes it a health event. */
const HEALTH_CHECK_CAUSE = /health[ -]?check/i;

const reasonOf = (statusMessage: string | undefined): string =>
  statusMessage === undefined || statusMessage.trim() === ''
    ? ''
    : `: ${oneLine(statusMessage, 100)}`;

export const classifyAutoScalingActivity = (
  event: AutoScalingActivityEvent,
  inventory: ShopInventory,
): Signal | null => {
  const { AutoScalingGroupName: groupName, EC2InstanceId: instanceId, Details } = event.detail;
  if (!ownsGroup(inventory, groupName)) return null;
  const group = ref('auto-scaling-group', groupName);
  const instances = instanceRefs(instanceId);
  const availabilityZone = Details?.['Availability Zone'];
  const where = inAz(availabilityZone);
  const reason = reasonOf(event.detail.StatusMessage);
  const base = { severity: 'warning', availabilityZone } as const;
  switch (event['detail-type']) {
    case 'EC2 Instance Launch Unsuccessful':
      return signalOf(event, {
        ...base,
        kind: 'instance-health',
        phase: 'problem',
        resource: group,
        related: instances,
        partKey: `asg-launch:${groupName}`,
        summary: `${groupName}: instance launch failed${where}${reason}`,
        selfHealing: selfHealing('auto-scaling', 900),
      });
    case 'EC2 Instance Launch Successful':
      return signalOf(event, {
        ...base,
        kind: 'instance-health',
        phase: 'recovered',
        resource: group,
        related: instances,
        partKey: `asg-launch:${groupName}`,
        summary: `${groupName}: launched ${instanceId || 'an instance'}${where}`,
      });
    case 'EC2 Instance Terminate Successful': {
      const unhealthy = HEALTH_CHECK_CAUSE.test(event.detail.Cause ?? '');
      const [instance = group] = instances;
      return signalOf(event, {
        ...base,
        kind: unhealthy ? 'instance-health' : 'informational',
        phase: 'info',
        resource: instance,
        related: [group],
        partKey: `instance:${instance.id}`,
        summary: `${groupName}: terminated ${instance.id}${where}${unhealthy ? ' after a failed health check' : ''}`,
      });
    }
    case 'EC2 Instance Terminate Unsuccessful':
      // On the group, not the instance: a termination AWS could not perform is for a person to
      // look at, not for the instance-replacement runbook to retry.
      return signalOf(event, {
        ...base,
        kind: 'instance-health',
        phase: 'problem',
        resource: group,
        related: instances,
        partKey: `asg-terminate:${groupName}`,
        summary: `${groupName}: could not terminate ${instanceId || 'an instance'}${where}${reason}`,
      });
  }
};

export const classifyAutoScalingLifecycle = (
  event: AutoScalingLifecycleEvent,
  inventory: ShopInventory,
): Signal | null => {
  const { AutoScalingGroupName: groupName, EC2InstanceId: instanceId } = event.detail;
  if (!ownsGroup(inventory, groupName)) return null;
  const transition =
    event['detail-type'] === 'EC2 Instance-launch Lifecycle Action' ? 'launch' : 'termination';
  return signalOf(event, {
    kind: 'informational',
    phase: 'info',
    severity: 'warning',
    resource: ref('auto-scaling-group', groupName),
    related: instanceRefs(instanceId),
    partKey: `asg-lifecycle:${groupName}`,
    summary: `${groupName}: ${instanceId || 'an instance'} waits on a ${transition} lifecycle hook`,
  });
};

const REFRESH_OUTCOMES: Readonly<Record<AutoScalingRefreshEvent['detail-type'], string>> = {
  'EC2 Auto Scaling Instance Refresh Started': 'started',
  'EC2 Auto Scaling Instance Refresh Succeeded': 'succeeded',
  'EC2 Auto Scaling Instance Refresh Failed': 'failed',
  'EC2 Auto Scaling Instance Refresh Cancelled': 'was cancelled',
  'EC2 Auto Scaling Instance Refresh Checkpoint Reached': 'reached a checkpoint',
};

export const classifyAutoScalingRefresh = (
  event: AutoScalingRefreshEvent,
  inventory: ShopInventory,
): Signal | null => {
  const groupName = event.detail.AutoScalingGroupName;
  if (!ownsGroup(inventory, groupName)) return null;
  const failed = event['detail-type'] === 'EC2 Auto Scaling Instance Refresh Failed';
  return signalOf(event, {
    kind: 'informational',
    phase: failed ? 'problem' : 'info',
    severity: 'warning',
    resource: ref('auto-scaling-group', groupName),
    partKey: `asg-refresh:${groupName}`,
    summary: `${groupName}: instance refresh ${REFRESH_OUTCOMES[event['detail-type']]}`,
  });
};
