/**
 * The web fleet as the replacement runbook sees it: the Auto Scaling group's instances and
 * which of them the target group calls healthy. Read through a port so the guardrail logic
 * stays pure and testable.
 */

export interface FleetInstance {
  readonly instanceId: string;
  /** Auto Scaling lifecycle state: `InService`, `Pending`, `Terminating`, `Terminating:Wait`… */
  readonly lifecycleState: string;
  /** Auto Scaling health: `Healthy` or `Unhealthy`. */
  readonly healthStatus: string;
}

export interface FleetSnapshot {
  readonly groupName: string;
  readonly desiredCapacity: number;
  readonly instances: readonly FleetInstance[];
  /** Instance ids whose target state in the target group is `healthy`. */
  readonly healthyTargetIds: readonly string[];
}

export interface FleetReader {
  /** One consistent-enough look at the group and its target group (read-only calls). */
  snapshot(): Promise<FleetSnapshot>;
}

/** A group instance with the AZ Auto Scaling placed it in. */
export interface ZonalFleetInstance extends FleetInstance {
  readonly availabilityZone: string;
}

/** The fleet with the group's maximum size and each instance's AZ (az-evacuation). */
export interface ZonalFleetSnapshot extends FleetSnapshot {
  readonly maxSize: number;
  /** The group's ARN (`AutoScalingGroupARN`, optional in the model): its zonal-shift identifier. */
  readonly groupArn?: string;
  readonly instances: readonly ZonalFleetInstance[];
}

export interface ZonalFleetReader {
  snapshot(): Promise<ZonalFleetSnapshot>;
}

/** Leaving the group: terminating (any sub-state) or already terminated. */
export const isLeaving = (instance: FleetInstance): boolean =>
  instance.lifecycleState.startsWith('Terminat');

/**
 * Instance ids that serve traffic right now: InService and Healthy for Auto Scaling AND
 * healthy in the target group. This is what the healthy-capacity floor counts.
 */
export const servingInstanceIds = (fleet: FleetSnapshot): string[] => {
  const healthyTargets = new Set(fleet.healthyTargetIds);
  return fleet.instances
    .filter(
      (instance) =>
        instance.lifecycleState === 'InService' &&
        instance.healthStatus === 'Healthy' &&
        healthyTargets.has(instance.instanceId),
    )
    .map((instance) => instance.instanceId);
};
