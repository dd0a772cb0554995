/** A web group instance as EC2 Auto Scaling sees it (DescribeAutoScalingInstances). */
export interface GroupInstance {
  /** `InService`, `Terminating`, `Terminating:Wait`, `Standby`… */
  readonly lifecycleState: string;
  readonly availabilityZone?: string;
}

/**
 * What belongs to the shop, as triage needs to know it: names and ids resolved at deploy time
 * (Lambda environment) or, in the offline replay, taken from the synthesized template.
 * Classification uses it to tell the shop's events from anything else in the account.
 */
export interface ShopInventory {
  readonly region: string;
  /** `rebound-<stage>`: every alarm and resource name Rebound creates starts with it. */
  readonly namePrefix: string;
  /**
   * Exact names of the alarms the shop stack deploys: the only alarms that may start a runbook
   * or page. Any other alarm that names a shop resource only informs (classify-cloudwatch.ts).
   */
  readonly shopAlarmNames: readonly string[];
  readonly autoScalingGroupName: string;
  readonly primaryDbInstanceId: string;
  readonly replicaDbInstanceIds: readonly string[];
  readonly cacheReplicationGroupId: string;
  /** Names of Rebound's own runbook state machines. */
  readonly runbookStateMachineNames: readonly string[];
  /** AZ names the shop runs in, e.g. `us-east-1a`. */
  readonly availabilityZones: readonly string[];
  /** AZ ID (`use1-az2`) to AZ name (`us-east-1a`) in this account; AWS Health names AZ IDs. */
  readonly azIdToName: Readonly<Record<string, string>>;
  /**
   * The web group's instances an `aws.ec2` event names (EC2 events name only the instance),
   * looked up when such an event comes; absent otherwise.
   */
  readonly groupInstances?: Readonly<Record<string, GroupInstance>>;
  /**
   * Offline replay of AWS sample events: treat every resource an event names as the shop's.
   * Never set in Lambda.
   */
  readonly assumeOwned: boolean;
}
