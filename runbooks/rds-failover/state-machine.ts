import { fileURLToPath } from 'node:url';
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as rds from 'aws-cdk-lib/aws-rds';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { verifyAt } from '../../functions/lib/runbook/state-paths.js';
import type { ReboundFunction } from '../../infra/constructs/rebound-function.js';
import { acknowledgeFinding } from '../../infra/nag.js';
import { type RunbookProps, RunbookSkeleton } from '../kit/skeleton.js';
import { jitteredRetry } from '../kit/tasks.js';
import { ENVIRONMENT } from './environment.js';
import { INPUT } from './state.js';

export interface RdsFailoverProps extends RunbookProps {
  /**
   * The shop's databases: the primary first, then its read replicas. The runbook reboots only
   * the primary and promotes only these replicas.
   */
  readonly databases: readonly rds.IDatabaseInstance[];
  /**
   * A replica lagging this many seconds or more is not caught up.
   * @default 30, the shop's replica-lag alarm threshold
   */
  readonly replicaLagThresholdSeconds?: number;
  /** The shared approvals function: a forced failover or a promotion waits for a person. */
  readonly approvals: lambda.IFunction;
}

/**
 * Rounds between recovery checks, in seconds: at most 60 s each, 15 checks (~15 min). A
 * Multi-AZ failover typically completes in 60–120 s, but the endpoint's DNS may take minutes to
 * follow, the new standby has to be rebuilt and the replicas reconnect to the new primary. RDS
 * announces the end of the failover (RDS-EVENT-0049, "Multi-AZ failover completed"; RDS User
 * Guide, "Amazon RDS event categories and event messages"): a round ends within seconds of it
 * (triage answers the round's task token), so the interval only bounds a lost event's delay
 * (RDS events are best effort) and can be twice the old blind poll's 30 s, at half the checks.
 */
export const RECOVERY_POLL_SECONDS: readonly number[] = Array(15).fill(60);
/**
 * A bound on the whole run: the approval wait (30 min), the mutating call with its retries,
 * ~15 min of recovery checks and the reports, with margin.
 */
export const RUN_TIMEOUT = Duration.minutes(60);
/** The shop's replica-lag alarm threshold. */
export const DEFAULT_REPLICA_LAG_THRESHOLD_SECONDS = 30;
/** The app reads the primary's endpoint from here (a promotion does not change it). */
export const primaryEndpointParameter = (stage: string): string =>
  `/rebound/${stage}/db/primary-endpoint`;

const C = sfn.Condition;

/**
 * Runbook `rds-failover`: follows a Multi-AZ failover RDS started until the new primary serves
 * with Multi-AZ restored and the replicas replicating; after a person's approval, forces a
 * failover (RebootDBInstance with ForceFailover) or promotes a read replica (the disaster
 * path). See runbooks/README.md.
 */
export class RdsFailover extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  public readonly functions: {
    readonly step: ReboundFunction;
    readonly report: ReboundFunction;
  };

  constructor(scope: Construct, id: string, props: RdsFailoverProps) {
    super(scope, id);
    const [primary, ...replicas] = props.databases;
    if (primary === undefined) {
      throw new Error(
        'RdsFailover: props.databases is empty; pass the primary first, then its read replicas',
      );
    }
    const threshold = props.replicaLagThresholdSeconds ?? DEFAULT_REPLICA_LAG_THRESHOLD_SECONDS;
    if (!Number.isInteger(threshold) || threshold < 1) {
      throw new Error(
        `RdsFailover: replicaLagThresholdSeconds must be a whole number of seconds ≥ 1, got ${threshold}`,
      );
    }
    const primaryId = primary.instanceIdentifier;
    const replicaIds = replicas.map((replica) => replica.instanceIdentifier);

    const skeleton = new RunbookSkeleton(this, 'Runbook', { ...props, runbook: 'rds-failover' });
    const step = skeleton.checkFunction('Step', {
      name: 'step',
      description:
        'Checks whether rds-failover may act (guardrails, DB state) and verifies the recovery',
      entry: fileURLToPath(new URL('./handler.ts', import.meta.url)),
      environment: ENVIRONMENT,
      values: {
        PRIMARY_DB_INSTANCE_ID: primaryId,
        REPLICA_DB_INSTANCE_IDS: replicaIds.length === 0 ? 'none' : replicaIds.join(','),
        REPLICA_LAG_THRESHOLD_SECONDS: String(threshold),
        PRIMARY_ENDPOINT_PARAMETER: primaryEndpointParameter(props.stage),
      },
    });
    step.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['rds:DescribeDBInstances'],
        resources: props.databases.map((database) => database.instanceArn),
      }),
    );
    if (replicaIds.length > 0) {
      // The verify step reads the replicas' ReplicaLag. A policy of its own, so that its
      // Resource::* acknowledgement covers this one read-only statement and nothing else.
      const replicaLag = new iam.Policy(this, 'ReplicaLagPolicy', {
        statements: [
          new iam.PolicyStatement({ actions: ['cloudwatch:GetMetricData'], resources: ['*'] }),
        ],
      });
      step.function.role?.attachInlinePolicy(replicaLag);
      acknowledgeFinding(
        replicaLag,
        'AwsSolutions-IAM5[Resource::*]',
        "cloudwatch:GetMetricData supports no resource-level permissions, hence Resource::*; the call is read-only and the verify step uses it only for the replicas' AWS/RDS ReplicaLag metric.",
      );
    }
    this.functions = { step, report: skeleton.reportFunction };

    // 2. Check: guardrails and the databases' live state.
    const check = skeleton.checkTask('Check', step, { step: 'check' });

    // 4. Verify (shared by every mode): the loop ends in ReportSucceeded or escalates.
    const done = sfn.Succeed.jsonPath(this, 'Done', { stateName: 'Done' });
    const verify = skeleton.verifyLoop({
      prefix: 'Database',
      fn: step,
      step: 'verify',
      scheduleSeconds: RECOVERY_POLL_SECONDS,
      onRecovered: skeleton.reportSucceeded(verifyAt('detail'), done),
      announcedBy: { runbook: 'rds-failover', resourceIdPath: INPUT('dbInstanceId') },
    });

    // 3. Act: the mode's one mutating call. Throttling (RDS's `Throttling`, which its model does
    // not declare, so the integration raises it as `Rds.RdsException`) is retried with jitter;
    // anything else once, which is safe: RDS refuses a second reboot or promotion while the
    // first is under way. Fields take the AWS SDK for Java names (`DbInstanceIdentifier`):
    // test/checks/ checks them against the RDS service model.
    const rdsRetries = [
      jitteredRetry(['Rds.RdsException'], 6),
      jitteredRetry([sfn.Errors.TASKS_FAILED], 1, Duration.seconds(5)),
    ];
    const forceFailover = skeleton.escalateOnError(
      skeleton.callAws(
        'ForceFailover',
        {
          service: 'rds',
          action: 'rebootDBInstance',
          parameters: { DbInstanceIdentifier: primaryId, ForceFailover: true },
          iamAction: 'rds:RebootDBInstance',
          iamResources: [primary.instanceArn],
          resultPath: sfn.JsonPath.DISCARD,
        },
        rdsRetries,
      ),
    );
    const actMode = sfn.Choice.jsonPath(this, 'ActMode', { stateName: 'ActMode' }).when(
      C.stringEquals(INPUT('mode'), 'force'),
      forceFailover.next(verify),
    );
    if (replicas.length > 0) {
      const promote = skeleton.escalateOnError(
        skeleton.callAws(
          'PromoteReplica',
          {
            service: 'rds',
            action: 'promoteReadReplica',
            parameters: {
              DbInstanceIdentifier: sfn.JsonPath.stringAt(INPUT('replicaId')),
              BackupRetentionPeriod: 7,
            },
            iamAction: 'rds:PromoteReadReplica',
            iamResources: replicas.map((replica) => replica.instanceArn),
            resultPath: sfn.JsonPath.DISCARD,
          },
          rdsRetries,
        ),
      );
      actMode.when(C.stringEquals(INPUT('mode'), 'promote-replica'), promote.next(verify));
    }
    // `follow` never gets `act`/`approve`; anything else is a bug: escalate, never guess.
    actMode.otherwise(
      sfn.Pass.jsonPath(this, 'UnexpectedMode', {
        stateName: 'UnexpectedMode',
        parameters: {
          Error: 'UnexpectedMode',
          Cause: sfn.JsonPath.format(
            'The check let mode {} through to a mutating step: nothing was done.',
            sfn.JsonPath.stringAt(INPUT('mode')),
          ),
        },
        resultPath: '$.error',
      }).next(skeleton.escalate),
    );

    // Without replicas there is nothing to promote: every promote-replica input is invalid.
    const definition = skeleton
      .validateInput({ 'primary-db': [primaryId], 'db-replica': replicaIds })
      .otherwise(check)
      .afterwards();
    // After approval, the databases are read again (RDS may have failed over by itself).
    check.next(
      skeleton.verdictChoice({ act: actMode, follow: verify, recheck: { fn: step } }, done),
    );

    this.stateMachine = skeleton.stateMachine(definition, RUN_TIMEOUT);
    acknowledgeFinding(
      this.stateMachine.role,
      'AwsSolutions-IAM5[Resource::*]',
      'X-Ray tracing (PutTraceSegments, GetSamplingRules…) and the vended log delivery of the state machine support no resource-level permissions; the RDS calls are limited to the shop primary (RebootDBInstance) and its replicas (PromoteReadReplica).',
    );
  }
}
