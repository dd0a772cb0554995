import type * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as rds from 'aws-cdk-lib/aws-rds';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { ApprovalMode } from '../functions/lib/approval/ports.js';
import type { RunbookName } from '../functions/lib/core/runbook-registry.js';
import type { ReboundFunction } from '../infra/constructs/rebound-function.js';
import type { IGuardrailParameters } from '../infra/control-plane/guardrail-parameters.js';
import { AzEvacuation } from './az-evacuation/state-machine.js';
import { CacheFailover } from './cache-failover/state-machine.js';
import { Approvals } from './kit/approvals.js';
import type { RunbookProps } from './kit/skeleton.js';
import { RdsFailover } from './rds-failover/state-machine.js';
import { ReplaceUnhealthyInstance } from './replace-unhealthy-instance/state-machine.js';
import { ScaleOut } from './scale-out/state-machine.js';

export interface RunbookCatalogProps {
  /** `rebound-<stage>`. */
  readonly namePrefix: string;
  readonly stage: string;
  readonly autoScalingGroup: autoscaling.IAutoScalingGroup;
  /** The web group's configured maximum: scale-out returns the group to it. */
  readonly normalMaxCapacity: number;
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  readonly targetGroup: elbv2.IApplicationTargetGroup;
  readonly availabilityZones: readonly string[];
  /** The shop's AZ IDs as `AVAILABILITY_ZONE_IDS` (AvailabilityZoneIds, resolved at deploy). */
  readonly availabilityZoneIds: string;
  /** The primary first, then the read replicas. */
  readonly databases: readonly rds.IDatabaseInstance[];
  readonly cacheReplicationGroupId: string;
  /** Replicas beside the cache primary, as configured. */
  readonly cacheReplicas: number;
  readonly incidents: dynamodb.ITable;
  readonly guardrails: IGuardrailParameters;
  readonly alertsTopic: sns.ITopic;
  /** Failed asynchronous invocations of the runbooks' task Lambdas. */
  readonly deadLetterQueue: sqs.IQueue;
  /** How people answer approval requests (links and CLI, or CLI only). */
  readonly approvalMode: ApprovalMode;
}

/**
 * Every runbook of the registry (functions/lib/core/runbook-registry.ts) as a state machine, and the approvals
 * endpoint the destructive ones wait on. Triage starts them by registry name.
 */
export class RunbookCatalog extends Construct {
  public readonly approvals: Approvals;
  public readonly stateMachines: Readonly<Record<RunbookName, sfn.StateMachine>>;
  /** Every runbook's report function: it schedules the check of an incident a run leaves open. */
  public readonly reportFunctions: readonly ReboundFunction[];

  constructor(scope: Construct, id: string, props: RunbookCatalogProps) {
    super(scope, id);
    const shared: RunbookProps = {
      namePrefix: props.namePrefix,
      stage: props.stage,
      incidents: props.incidents,
      guardrails: props.guardrails,
      alertsTopic: props.alertsTopic,
      deadLetterQueue: props.deadLetterQueue,
    };
    this.approvals = new Approvals(this, 'Approvals', { ...shared, mode: props.approvalMode });
    const withApprovals = { ...shared, approvals: this.approvals.function };

    const runbooks = {
      'replace-unhealthy-instance': new ReplaceUnhealthyInstance(this, 'ReplaceUnhealthyInstance', {
        ...shared,
        autoScalingGroup: props.autoScalingGroup,
        targetGroup: props.targetGroup,
        availabilityZoneIds: props.availabilityZoneIds,
      }),
      'scale-out': new ScaleOut(this, 'ScaleOut', {
        ...shared,
        autoScalingGroup: props.autoScalingGroup,
        targetGroup: props.targetGroup,
        normalMaxCapacity: props.normalMaxCapacity,
      }),
      'rds-failover': new RdsFailover(this, 'RdsFailover', {
        ...withApprovals,
        databases: props.databases,
      }),
      'cache-failover': new CacheFailover(this, 'CacheFailover', {
        ...withApprovals,
        replicationGroupId: props.cacheReplicationGroupId,
        replicas: props.cacheReplicas,
      }),
      'az-evacuation': new AzEvacuation(this, 'AzEvacuation', {
        ...withApprovals,
        loadBalancer: props.loadBalancer,
        autoScalingGroup: props.autoScalingGroup,
        targetGroup: props.targetGroup,
        availabilityZones: props.availabilityZones,
        availabilityZoneIds: props.availabilityZoneIds,
      }),
    };
    this.stateMachines = {
      'replace-unhealthy-instance': runbooks['replace-unhealthy-instance'].stateMachine,
      'scale-out': runbooks['scale-out'].stateMachine,
      'rds-failover': runbooks['rds-failover'].stateMachine,
      'cache-failover': runbooks['cache-failover'].stateMachine,
      'az-evacuation': runbooks['az-evacuation'].stateMachine,
    };
    this.reportFunctions = Object.values(runbooks).map((runbook) => runbook.functions.report);
  }
}
