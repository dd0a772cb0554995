import {
  type AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  DescribeAutoScalingInstancesCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
  type TargetHealthDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { count, type Lines, MAX_MEMBERS, NotFound } from './describe-lines.js';

/** The web fleet's live state for alerts: its group, an instance, the target group's health. */
const targetLine = ({ Target, TargetHealth }: TargetHealthDescription): string =>
  `target ${Target?.Id ?? 'unknown'}: ${TargetHealth?.State ?? 'unknown'}` +
  (TargetHealth?.Reason === undefined
    ? ''
    : ` (${TargetHealth.Reason}${TargetHealth.Description === undefined ? '' : `: ${TargetHealth.Description}`})`);

/** The group: capacity, instances per AZ and their health, status, suspended processes. */
export const describeGroup = async (
  client: AutoScalingClient,
  name: string,
  abortSignal: AbortSignal,
): Promise<Lines> => {
  const output = await client.send(
    new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }),
    { abortSignal },
  );
  const group = output.AutoScalingGroups?.[0];
  if (group === undefined) throw new NotFound(`Auto Scaling group ${name} not found`);
  const instances = group.Instances ?? [];
  const inService = instances.filter((instance) => instance.LifecycleState === 'InService');
  const lines = [
    `${group.AutoScalingGroupName ?? name}: ${inService.length} InService / desired ` +
      `${group.DesiredCapacity} (min ${group.MinSize}, max ${group.MaxSize})` +
      (group.DesiredCapacity === group.MaxSize ? ' - at its maximum' : ''),
  ];
  const zones = [
    ...new Set(instances.map((instance) => instance.AvailabilityZone ?? 'unknown AZ')),
  ];
  for (const zone of zones.sort()) {
    const here = instances.filter(
      (instance) => (instance.AvailabilityZone ?? 'unknown AZ') === zone,
    );
    const unhealthy = here.filter((instance) => instance.HealthStatus !== 'Healthy');
    lines.push(
      `${zone}: ${count(here.map((instance) => instance.LifecycleState))}` +
        (unhealthy.length === 0
          ? ', all healthy'
          : `; unhealthy: ${unhealthy.map((instance) => instance.InstanceId).join(', ')}`),
    );
  }
  if (group.Status !== undefined) lines.push(`group status: ${group.Status}`);
  const suspended = (group.SuspendedProcesses ?? []).map((process) => process.ProcessName);
  if (suspended.length > 0) lines.push(`suspended processes: ${suspended.join(', ')}`);
  return lines;
};

/** The target group's health, of every target or of `instanceId` alone. */
export const describeTargets = async (
  client: ElasticLoadBalancingV2Client,
  targetGroupArn: string,
  instanceId: string | undefined,
  abortSignal: AbortSignal,
): Promise<Lines> => {
  const output = await client.send(
    new DescribeTargetHealthCommand({
      TargetGroupArn: targetGroupArn,
      ...(instanceId === undefined ? {} : { Targets: [{ Id: instanceId }] }),
    }),
    { abortSignal },
  );
  const descriptions = output.TargetHealthDescriptions ?? [];
  const lines = [
    `target group: ${count(descriptions.map((description) => description.TargetHealth?.State)) || 'no targets'}`,
  ];
  const notHealthy = descriptions.filter(
    (description) => description.TargetHealth?.State !== 'healthy',
  );
  lines.push(...notHealthy.slice(0, MAX_MEMBERS).map(targetLine));
  return lines;
};

/** An instance: its group, AZ, lifecycle and health, and its target health. */
export const describeInstance = async (
  clients: {
    readonly autoScaling: AutoScalingClient;
    readonly elbv2: ElasticLoadBalancingV2Client;
  },
  instanceId: string,
  targetGroupArn: string | undefined,
  abortSignal: AbortSignal,
): Promise<Lines> => {
  const [output, targets] = await Promise.all([
    clients.autoScaling.send(
      new DescribeAutoScalingInstancesCommand({ InstanceIds: [instanceId] }),
      { abortSignal },
    ),
    targetGroupArn === undefined
      ? []
      : describeTargets(clients.elbv2, targetGroupArn, instanceId, abortSignal),
  ]);
  const instance = output.AutoScalingInstances?.[0];
  return [
    instance === undefined
      ? `${instanceId}: in no Auto Scaling group (terminated, detached or not the shop's)`
      : `${instanceId}: group ${instance.AutoScalingGroupName}, ${instance.AvailabilityZone}, ` +
        `lifecycle ${instance.LifecycleState}, health ${instance.HealthStatus}`,
    ...targets,
  ];
};
