import { fileURLToPath } from 'node:url';
import { Duration } from 'aws-cdk-lib';
import type * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { CHECKED_ALARM } from '../../functions/lib/runbook/state-paths.js';
import type { ReboundFunction } from '../../infra/constructs/rebound-function.js';
import { acknowledgeFinding } from '../../infra/nag.js';
import { acknowledgeWildcardResource, GROUP_ARN_REASON } from '../kit/iam.js';
import { type RunbookProps, RunbookSkeleton } from '../kit/skeleton.js';
import { jitteredRetry } from '../kit/tasks.js';
import { ENVIRONMENT } from './environment.js';
import { INPUT, SHIFTS } from './state.js';

export interface ReplaceUnhealthyInstanceProps extends RunbookProps {
  /** The web group whose instances this runbook replaces (and nothing else). */
  readonly autoScalingGroup: autoscaling.IAutoScalingGroup;
  /** The target group in front of that group: "healthy" means healthy here too. */
  readonly targetGroup: elbv2.IApplicationTargetGroup;
  /** The shop's AZ IDs as `AVAILABILITY_ZONE_IDS` (AvailabilityZoneIds, resolved at deploy). */
  readonly availabilityZoneIds: string;
}

/**
 * Waits between replacement checks, in seconds: 15, 30, then every 60. Sixteen checks span
 * 885 s (~15 min): enough for termination, a launch, the app's boot and the target group's
 * healthy threshold, even with the group's 300 s health check grace period.
 */
export const REPLACEMENT_POLL_SECONDS: readonly number[] = [15, 30, ...Array(14).fill(60)];
/** A bound on the whole run: guardrails, the mutating call with its retries, polling, report. */
export const RUN_TIMEOUT = Duration.minutes(30);

const C = sfn.Condition;

/**
 * Runbook `replace-unhealthy-instance`: checks the guardrails, marks one web instance
 * Unhealthy in its Auto Scaling group (so the group terminates and replaces it) and waits
 * until the replacement serves, reporting every outcome. See runbooks/README.md.
 */
export class ReplaceUnhealthyInstance extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  public readonly functions: {
    readonly guardrail: ReboundFunction;
    readonly report: ReboundFunction;
  };

  constructor(scope: Construct, id: string, props: ReplaceUnhealthyInstanceProps) {
    super(scope, id);
    const groupName = props.autoScalingGroup.autoScalingGroupName;
    const skeleton = new RunbookSkeleton(this, 'Runbook', {
      ...props,
      runbook: 'replace-unhealthy-instance',
    });
    const guardrailFunction = this.guardrailFunction(skeleton, props);
    this.functions = { guardrail: guardrailFunction, report: skeleton.reportFunction };

    // 2. Guardrails. The alarm is read here (there is no CloudWatch client in the bundle).
    const checkAlarm = skeleton.escalateOnError(
      skeleton.readShopAlarm('CheckAlarm', CHECKED_ALARM),
    );
    // Every active zonal shift (the check keeps those away from the instance's AZ).
    const listShifts = skeleton.listActiveZonalShifts('ListZonalShifts', SHIFTS);
    const guardrailCheck = skeleton.checkTask('GuardrailCheck', guardrailFunction);
    listShifts.next(guardrailCheck);

    // 3. Act, or report why not.
    const done = sfn.Succeed.jsonPath(this, 'Done', { stateName: 'Done' });

    const markUnhealthy = skeleton.escalateOnError(
      skeleton.callAws(
        'MarkUnhealthy',
        {
          service: 'autoscaling',
          action: 'setInstanceHealth',
          parameters: {
            InstanceId: sfn.JsonPath.stringAt(INPUT('instanceId')),
            HealthStatus: 'Unhealthy',
            ShouldRespectGracePeriod: false,
          },
          iamAction: 'autoscaling:SetInstanceHealth',
          iamResources: [props.autoScalingGroup.autoScalingGroupArn],
          resultPath: sfn.JsonPath.DISCARD,
        },
        [
          // Throttling (`Throttling`, unmodeled) and contention, as the SDK integration names them.
          jitteredRetry(
            ['AutoScaling.AutoScalingException', 'AutoScaling.ResourceContentionException'],
            6,
          ),
          // Anything else transient; SetInstanceHealth is idempotent, a retry is harmless.
          jitteredRetry([sfn.Errors.TASKS_FAILED], 2, Duration.seconds(5)),
        ],
      ),
    );

    // 4. Wait for the replacement: the old instance out of service, the group back to its
    // desired count of InService+Healthy instances, as many healthy targets.
    const lastPoll = REPLACEMENT_POLL_SECONDS.length - 1;
    const {
      start: startPolling,
      wait: waitForReplacement,
      next: nextPoll,
    } = skeleton.pollStates(
      { start: 'StartPolling', wait: 'WaitForReplacement', next: 'NextPoll' },
      REPLACEMENT_POLL_SECONDS,
    );
    const describeGroup = skeleton.escalateOnError(
      skeleton.callAws('DescribeGroup', {
        service: 'autoscaling',
        action: 'describeAutoScalingGroups',
        parameters: { AutoScalingGroupNames: [groupName] },
        iamAction: 'autoscaling:DescribeAutoScalingGroups',
        iamResources: ['*'],
        resultSelector: {
          desired: sfn.JsonPath.numberAt('$.AutoScalingGroups[0].DesiredCapacity'),
          inServiceIds: sfn.JsonPath.listAt(
            "$.AutoScalingGroups[0].Instances[?(@.LifecycleState == 'InService')].InstanceId",
          ),
          healthyInServiceIds: sfn.JsonPath.listAt(
            "$.AutoScalingGroups[0].Instances[?(@.LifecycleState == 'InService' && @.HealthStatus == 'Healthy')].InstanceId",
          ),
        },
        resultPath: '$.group',
      }),
    );
    const describeTargets = skeleton.escalateOnError(
      skeleton.callAws('DescribeTargets', {
        service: 'elasticloadbalancingv2',
        action: 'describeTargetHealth',
        parameters: { TargetGroupArn: props.targetGroup.targetGroupArn },
        iamAction: 'elasticloadbalancing:DescribeTargetHealth',
        iamResources: ['*'],
        resultSelector: {
          healthyIds: sfn.JsonPath.listAt(
            "$.TargetHealthDescriptions[?(@.TargetHealth.State == 'healthy')].Target.Id",
          ),
        },
        resultPath: '$.targets',
      }),
    );
    const measure = sfn.Pass.jsonPath(this, 'MeasureReplacement', {
      stateName: 'MeasureReplacement',
      parameters: {
        oldInService: sfn.JsonPath.stringAt(
          'States.ArrayContains($.group.inServiceIds, $.instanceId)',
        ),
        healthyInService: sfn.JsonPath.stringAt('States.ArrayLength($.group.healthyInServiceIds)'),
        healthyTargets: sfn.JsonPath.stringAt('States.ArrayLength($.targets.healthyIds)'),
        desired: sfn.JsonPath.numberAt('$.group.desired'),
      },
      resultPath: '$.measure',
    });
    const notHealthy = sfn.Pass.jsonPath(this, 'ReplacementNotHealthy', {
      stateName: 'ReplacementNotHealthy',
      parameters: {
        Error: 'ReplacementNotHealthy',
        Cause: sfn.JsonPath.format(
          `The replacement of {} did not become healthy within ${REPLACEMENT_POLL_SECONDS.length} checks (~15 min): old instance still InService: {}; {} of {} desired instances InService and Healthy; {} healthy targets.`,
          sfn.JsonPath.stringAt(INPUT('instanceId')),
          sfn.JsonPath.stringAt('$.measure.oldInService'),
          sfn.JsonPath.stringAt('$.measure.healthyInService'),
          sfn.JsonPath.stringAt('$.measure.desired'),
          sfn.JsonPath.stringAt('$.measure.healthyTargets'),
        ),
      },
      resultPath: '$.error',
    });
    const replaced = C.and(
      C.booleanEquals('$.measure.oldInService', false),
      C.numberGreaterThanEqualsJsonPath('$.measure.healthyInService', '$.measure.desired'),
      C.numberGreaterThanEqualsJsonPath('$.measure.healthyTargets', '$.measure.desired'),
    );

    // 5. Report success.
    const reportSucceeded = skeleton.reportSucceeded(
      sfn.JsonPath.format(
        '{} was replaced: {} of {} desired instances are InService and Healthy, {} targets healthy.',
        sfn.JsonPath.stringAt(INPUT('instanceId')),
        sfn.JsonPath.stringAt('$.measure.healthyInService'),
        sfn.JsonPath.stringAt('$.measure.desired'),
        sfn.JsonPath.stringAt('$.measure.healthyTargets'),
      ),
      done,
    );

    const definition = skeleton
      .validateInput()
      .when(C.isPresent(INPUT('alarmName')), checkAlarm.next(listShifts))
      .otherwise(listShifts)
      .afterwards();

    const act = markUnhealthy
      .next(startPolling)
      .next(waitForReplacement)
      .next(describeGroup)
      .next(describeTargets)
      .next(measure)
      .next(
        sfn.Choice.jsonPath(this, 'IsReplaced', { stateName: 'IsReplaced' })
          .when(replaced, reportSucceeded)
          .when(
            C.numberGreaterThanEquals('$.poll.attempt', lastPoll),
            notHealthy.next(skeleton.escalate),
          )
          .otherwise(nextPoll.next(waitForReplacement)),
      );
    guardrailCheck.next(skeleton.verdictChoice({ act }, done));

    this.stateMachine = skeleton.stateMachine(definition, RUN_TIMEOUT);
    const role = this.stateMachine.role;
    acknowledgeFinding(
      role,
      'AwsSolutions-IAM5[Resource::*]',
      "DescribeAutoScalingGroups and DescribeTargetHealth, polled while the replacement comes up, and ARC's ListZonalShifts (a List action) support no resource-level permissions; SetInstanceHealth is limited to the one group.",
    );
    acknowledgeWildcardResource(role, props.autoScalingGroup.autoScalingGroupArn, GROUP_ARN_REASON);
  }

  /** The guardrail Lambda: reads guardrails, fleet, AZ IDs, incidents and the ledger; mutates nothing in EC2. */
  private guardrailFunction(
    skeleton: RunbookSkeleton,
    props: ReplaceUnhealthyInstanceProps,
  ): ReboundFunction {
    const fn = skeleton.checkFunction('Guardrail', {
      name: 'guardrail',
      description:
        'Decides whether replace-unhealthy-instance may act now (guardrails, floor, budget)',
      entry: fileURLToPath(new URL('./handler.ts', import.meta.url)),
      environment: ENVIRONMENT,
      values: {
        AUTO_SCALING_GROUP_NAME: props.autoScalingGroup.autoScalingGroupName,
        TARGET_GROUP_ARN: props.targetGroup.targetGroupArn,
        AVAILABILITY_ZONE_IDS: props.availabilityZoneIds,
      },
    });
    // Describe APIs without resource-level permissions: covered by the role's Resource::*
    // acknowledgement in ReboundFunction, like X-Ray.
    fn.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: [
          'autoscaling:DescribeAutoScalingGroups',
          'elasticloadbalancing:DescribeTargetHealth',
        ],
        resources: ['*'],
      }),
    );
    return fn;
  }
}
