import { fileURLToPath } from 'node:url';
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { verifyAt } from '../../functions/lib/runbook/state-paths.js';
import type { ReboundFunction } from '../../infra/constructs/rebound-function.js';
import { acknowledgeFinding } from '../../infra/nag.js';
import { type RunbookProps, RunbookSkeleton } from '../kit/skeleton.js';
import { jitteredRetry } from '../kit/tasks.js';
import { ENVIRONMENT } from './environment.js';
import { INPUT, PLAN } from './state.js';

export interface CacheFailoverProps extends RunbookProps {
  /** The shop's replication group (cluster-mode disabled): the only one this runbook touches. */
  readonly replicationGroupId: string;
  /** Replicas configured beside the primary (config `cacheReplicas`): "recovered" needs them all. */
  readonly replicas: number;
  /** The shared approvals function: a forced failover waits for a person. */
  readonly approvals: lambda.IFunction;
}

/**
 * Rounds before each verification, in seconds: at most 60 s each, 15 checks (900 s, ~15 min).
 * A Multi-AZ promotion usually completes well within a minute; a TestFailover can take several
 * minutes (the old primary comes back as a replica). ElastiCache announces the end
 * (`ElastiCache:FailoverComplete` on the group's SNS topic, several times: the group's and its
 * nodes'): a round ends within seconds of it (triage answers the round's task token), so the
 * interval only bounds a lost notification's delay and can be twice the old blind poll's 30 s.
 */
export const FAILOVER_POLL_SECONDS: readonly number[] = Array(15).fill(60);
/**
 * TestFailover's refusals (botocore elasticache 2015-02-02, TestFailover errors
 * `TestFailoverNotAvailableFault` and `APICallRateForCustomerExceededFault`, under the AWS SDK
 * for Java names Step Functions raises). AWS documents TestFailover as "not designed to be an
 * operational tool", which it "may block" during large-scale events and limits to 15 node
 * groups per rolling 24 h: a refusal is expected, not a bug.
 */
export const TEST_FAILOVER_REFUSALS = [
  'ElastiCache.TestFailoverNotAvailableException',
  'ElastiCache.ApiCallRateForCustomerExceededException',
] as const;
/** Retries of a refused TestFailover: 30 s, 60 s, 120 s apart at most (full jitter). */
const REFUSAL_RETRIES = 3;
const REFUSAL_RETRY_INTERVAL = Duration.seconds(30);

/**
 * A bound on the whole run: the approval wait (30 min), the verification (~15 min), the
 * TestFailover call with its retries and the Lambda steps, with margin.
 */
export const RUN_TIMEOUT = Duration.minutes(60);

/**
 * Runbook `cache-failover`: follows ElastiCache's own failover of the shop's replication group
 * until a primary and every replica serve in distinct AZs (`follow`), or, when the primary
 * fails and ElastiCache has not failed over, starts one with TestFailover after a person
 * approves (`force`). Every outcome is reported. See runbooks/README.md.
 */
export class CacheFailover extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  public readonly functions: { readonly step: ReboundFunction; readonly report: ReboundFunction };

  constructor(scope: Construct, id: string, props: CacheFailoverProps) {
    super(scope, id);
    if (!Number.isInteger(props.replicas) || props.replicas < 1) {
      throw new Error(
        `CacheFailover: replicas must be a positive integer (config cacheReplicas), got ${props.replicas}`,
      );
    }
    const skeleton = new RunbookSkeleton(this, 'Runbook', { ...props, runbook: 'cache-failover' });
    const groupArn = Stack.of(this).formatArn({
      service: 'elasticache',
      resource: 'replicationgroup',
      resourceName: props.replicationGroupId,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const step = this.stepFunction(skeleton, props, groupArn);
    this.functions = { step, report: skeleton.reportFunction };

    // 2. Check: guardrails and the live group.
    const check = skeleton.checkTask('Check', step, { step: 'check' });

    // 3. Verify until recovered (both branches), then report.
    const done = sfn.Succeed.jsonPath(this, 'Done', { stateName: 'Done' });
    const verify = skeleton.verifyLoop({
      prefix: 'Failover',
      fn: step,
      step: 'verify',
      scheduleSeconds: FAILOVER_POLL_SECONDS,
      onRecovered: skeleton.reportSucceeded(verifyAt('detail'), done),
      announcedBy: { runbook: 'cache-failover', resourceIdPath: INPUT('replicationGroupId') },
    });

    // 4. Act (after approval): TestFailover of the one node group.
    const testFailover = skeleton.callAws(
      'TestFailover',
      {
        service: 'elasticache',
        action: 'testFailover',
        parameters: {
          ReplicationGroupId: props.replicationGroupId,
          NodeGroupId: sfn.JsonPath.stringAt(PLAN('nodeGroupId')),
        },
        iamAction: 'elasticache:TestFailover',
        iamResources: [groupArn],
        resultPath: sfn.JsonPath.DISCARD,
      },
      [
        // Throttling (`Throttling`, unmodeled) as the SDK integration names it.
        jitteredRetry(['ElastiCache.ElastiCacheException'], 6),
        // AWS's documented refusals, retried a few minutes (a large-scale event may end; the
        // rate may recover), then reported and paged: see TEST_FAILOVER_REFUSALS.
        {
          errors: [...TEST_FAILOVER_REFUSALS],
          interval: REFUSAL_RETRY_INTERVAL,
          backoffRate: 2,
          maxAttempts: REFUSAL_RETRIES,
          maxDelay: Duration.minutes(2),
          jitterStrategy: sfn.JitterType.FULL,
        },
      ],
    );
    testFailover.addCatch(
      sfn.Pass.jsonPath(this, 'TestFailoverRefused', {
        stateName: 'TestFailoverRefused',
        parameters: {
          Error: 'TestFailoverRefused',
          Cause: sfn.JsonPath.format(
            `ElastiCache refused TestFailover of ${props.replicationGroupId} ${REFUSAL_RETRIES + 1} times over a few minutes ({}: {}). AWS documents TestFailover as a testing tool that it may block during large-scale events and limits per rolling 24 h. Nothing was done: ElastiCache's automatic failover stays in charge; a person must decide.`,
            sfn.JsonPath.stringAt('$.refusal.Error'),
            sfn.JsonPath.stringAt('$.refusal.Cause'),
          ),
        },
        resultPath: '$.error',
      }).next(skeleton.escalate),
      { errors: [...TEST_FAILOVER_REFUSALS], resultPath: '$.refusal' },
    );
    skeleton.escalateOnError(testFailover);

    const definition = skeleton
      .validateInput({ 'cache-group': [props.replicationGroupId] })
      .otherwise(check)
      .afterwards();

    // After approval, the group is read again (ElastiCache may have promoted a replica itself).
    check.next(
      skeleton.verdictChoice(
        { act: testFailover.next(verify), follow: verify, recheck: { fn: step } },
        done,
      ),
    );

    this.stateMachine = skeleton.stateMachine(definition, RUN_TIMEOUT);
    acknowledgeFinding(
      this.stateMachine.role,
      'AwsSolutions-IAM5[Resource::*]',
      "Only the state machine's X-Ray tracing and CloudWatch Logs delivery actions, which support no resource-level permissions; TestFailover is limited to the shop's replication group ARN.",
    );
  }

  /** The step Lambda: reads guardrails, the group, incidents and the ledger; mutates no cache. */
  private stepFunction(
    skeleton: RunbookSkeleton,
    props: CacheFailoverProps,
    groupArn: string,
  ): ReboundFunction {
    const fn = skeleton.checkFunction('Step', {
      name: 'step',
      description: 'Checks and verifies cache-failover runs (guardrails, replication group state)',
      entry: fileURLToPath(new URL('./handler.ts', import.meta.url)),
      environment: ENVIRONMENT,
      values: {
        REPLICATION_GROUP_ID: props.replicationGroupId,
        CACHE_REPLICAS: String(props.replicas),
      },
    });
    fn.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['elasticache:DescribeReplicationGroups'],
        resources: [groupArn],
      }),
    );
    return fn;
  }
}
