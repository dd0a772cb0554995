import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as rds from 'aws-cdk-lib/aws-rds';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { RUNBOOKS } from '../../functions/lib/core/runbook-registry.js';
import { RunbookCatalog } from '../../runbooks/catalog.js';
import type { ReboundConfig } from '../config.js';
import { AlarmedDeadLetterQueue } from '../constructs/alarmed-dead-letter-queue.js';
import { AvailabilityZoneIds } from '../constructs/availability-zone-ids.js';
import { ReboundFunction } from '../constructs/rebound-function.js';
import { GuardrailParameters } from '../control-plane/guardrail-parameters.js';
import { HealthAlarms } from '../control-plane/health-alarms.js';
import { denyReadingApprovalItems, IncidentTables } from '../control-plane/incident-tables.js';
import { Triage } from '../control-plane/triage.js';

export interface ControlPlaneStackProps extends StackProps {
  readonly config: ReboundConfig;
  readonly autoScalingGroup: autoscaling.IAutoScalingGroup;
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** The primary first, then the read replicas. */
  readonly databases: readonly rds.IDatabaseInstance[];
  readonly cacheReplicationGroupId: string;
  readonly cacheNotifications: sns.ITopic;
  /** Exact names of the shop stack's alarms: the only alarms that may act (ShopAlarms). */
  readonly shopAlarmNames: readonly string[];
  readonly alertsTopic: sns.ITopic;
  /** Rebound's own health: every alarm on the control plane publishes here. */
  readonly opsTopic: sns.ITopic;
}

/**
 * The self-healing control plane, deployable and updatable on its own: event intake and
 * triage, the incident history, the guardrails and the runbooks. It only reads the shop's
 * names and ARNs; nothing in the shop depends on it.
 */
export class ControlPlaneStack extends Stack {
  public readonly tables: IncidentTables;
  public readonly guardrails: GuardrailParameters;
  public readonly triage: Triage;
  public readonly runbooks: RunbookCatalog;
  public readonly health: HealthAlarms;

  constructor(scope: Construct, id: string, props: ControlPlaneStackProps) {
    super(scope, id, props);
    const { config } = props;
    const namePrefix = `rebound-${config.stage}`;

    this.tables = new IncidentTables(this, 'Tables', {
      namePrefix,
      protectData: config.protectData,
    });
    this.guardrails = new GuardrailParameters(this, 'Guardrails', {
      stage: config.stage,
      guardrails: config.automation,
      alertsTopic: props.alertsTopic,
    });

    // Runbook task functions are invoked synchronously by Step Functions; this queue only
    // catches the asynchronous invocations nobody should make, and alarms if one fails.
    const runbookDeadLetters = new AlarmedDeadLetterQueue(this, 'RunbookDeadLetters', {
      queueName: `${namePrefix}-runbook-functions-dlq`,
      key: new kms.Key(this, 'RunbookDeadLettersKey', {
        alias: `alias/${namePrefix}-runbook-functions-dlq`,
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
      whatIsLost: 'Asynchronous invocations of runbook task functions',
      alarmName: `${namePrefix}-runbook-functions-dead-letters`,
      alarmTopic: props.opsTopic,
    });

    // Looked up once at deploy for triage and the runbooks: no function loads the EC2 client.
    const availabilityZoneIds = new AvailabilityZoneIds(this, 'AvailabilityZoneIds', {
      availabilityZones: config.availabilityZones,
    }).value;

    this.runbooks = new RunbookCatalog(this, 'Runbooks', {
      namePrefix,
      stage: config.stage,
      autoScalingGroup: props.autoScalingGroup,
      normalMaxCapacity: config.web.maxCapacity,
      loadBalancer: props.loadBalancer,
      targetGroup: props.targetGroup,
      availabilityZones: config.availabilityZones,
      availabilityZoneIds,
      databases: props.databases,
      cacheReplicationGroupId: props.cacheReplicationGroupId,
      cacheReplicas: config.cache.replicas,
      incidents: this.tables.incidents,
      guardrails: this.guardrails,
      alertsTopic: props.alertsTopic,
      deadLetterQueue: runbookDeadLetters.queue,
      approvalMode: config.approvals,
    });

    this.triage = new Triage(this, 'Triage', {
      namePrefix,
      stage: config.stage,
      availabilityZones: config.availabilityZones,
      availabilityZoneIds,
      autoScalingGroup: props.autoScalingGroup,
      loadBalancer: props.loadBalancer,
      targetGroup: props.targetGroup,
      databases: props.databases,
      cacheReplicationGroupId: props.cacheReplicationGroupId,
      cacheNotifications: props.cacheNotifications,
      shopAlarmNames: props.shopAlarmNames,
      alertsTopic: props.alertsTopic,
      opsTopic: props.opsTopic,
      incidents: this.tables.incidents,
      idempotency: this.tables.idempotency,
      guardrails: this.guardrails,
      runbooks: this.runbooks.stateMachines,
    });

    // A run that leaves its incident open schedules a recovery check into triage's group.
    for (const report of this.runbooks.reportFunctions) {
      this.triage.recoveryChecks.letReportSchedule(report);
    }

    // Every function of this stack: triage, approvals, runbook steps and reports.
    const functions = this.node
      .findAll()
      .filter((construct): construct is ReboundFunction => construct instanceof ReboundFunction);
    // Only the approval endpoint reads approval items (the task tokens); whatever the others
    // are granted on the table, they cannot.
    for (const { function: fn } of functions) {
      if (fn !== this.runbooks.approvals.links?.endpointFunction && fn.role !== undefined) {
        denyReadingApprovalItems(fn.role, this.tables.incidents);
      }
    }
    this.health = new HealthAlarms(this, 'Health', {
      namePrefix,
      stage: config.stage,
      opsTopic: props.opsTopic,
      alertsTopic: props.alertsTopic,
      functions,
      runbooks: this.runbooks.stateMachines,
      rules: [...this.triage.rules, this.triage.heartbeat],
      smsSpendLimitUsd: config.smsSpendLimitUsd,
    });

    new CfnOutput(this, 'IncidentsTableName', { value: this.tables.incidents.tableName });
    new CfnOutput(this, 'GuardrailsPath', { value: this.guardrails.path });
    for (const { name } of RUNBOOKS) {
      // ReplaceUnhealthyInstanceStateMachineArn, ScaleOutStateMachineArn, …
      const pascal = name.replace(/(?:^|-)([a-z])/g, (_match, letter: string) =>
        letter.toUpperCase(),
      );
      new CfnOutput(this, `${pascal}StateMachineArn`, {
        value: this.runbooks.stateMachines[name].stateMachineArn,
      });
    }
    const links = this.runbooks.approvals.links;
    if (links !== undefined) {
      new CfnOutput(this, 'ApprovalEndpointUrl', { value: links.endpointUrl });
    }
  }
}
