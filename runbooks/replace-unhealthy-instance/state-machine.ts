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
import { WEB_TIER_NAMESPACE } from '../../shop/metrics-namespace.js';
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
/**
 * With only the group named: how long the run samples the instances' memory before it picks
 * the worst one. The agent publishes every 60 s and a datapoint lands within about a minute,
 * so two minutes hold at least one datapoint of every instance.
 */
export const WORST_INSTANCE_WINDOW_SECONDS = 120;
/**
 * The instance using the most memory, by its own metric (the agent's InstanceId dimension
 * next to the group's): a CloudWatch Metrics Insights query (user guide, "Metrics Insights
 * query components and syntax": SELECT MAX(..) FROM SCHEMA(namespace, keys..) WHERE ..
 * GROUP BY .. ORDER BY MAX() DESC LIMIT 1); each group is one result, labelled with its
 * InstanceId.
 */
export const worstInstanceQuery = (groupName: string): string =>
  `SELECT MAX(mem_used_percent) FROM SCHEMA("${WEB_TIER_NAMESPACE}", AutoScalingGroupName, InstanceId) WHERE AutoScalingGroupName = '${groupName}' GROUP BY InstanceId ORDER BY MAX() DESC LIMIT 1`;
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

    const alarmNamed = sfn.Choice.jsonPath(this, 'AlarmNamed', { stateName: 'AlarmNamed' })
      .when(C.isPresent(INPUT('alarmName')), checkAlarm.next(listShifts))
      .otherwise(listShifts);

    // 1b. Only the group named (the alarm on its worst instance): find that instance first.
    const findWorstInstance = this.findWorstInstance(skeleton, groupName, alarmNamed, done);

    const definition = skeleton
      .validateInput({ 'web-group': [groupName] })
      .when(C.isPresent(INPUT('autoScalingGroupName')), findWorstInstance)
      .otherwise(alarmNamed)
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
      "DescribeAutoScalingGroups and DescribeTargetHealth, polled while the replacement comes up, ARC's ListZonalShifts (a List action) and CloudWatch GetMetricData (finding the group's worst instance) support no resource-level permissions; SetInstanceHealth is limited to the one group.",
    );
    acknowledgeWildcardResource(role, props.autoScalingGroup.autoScalingGroupArn, GROUP_ARN_REASON);
  }

  /**
   * Waits `WORST_INSTANCE_WINDOW_SECONDS`, then asks CloudWatch (GetMetricData, a Metrics
   * Insights query over that window) which instance of the group used the most memory; sets
   * `$.instanceId` to it and goes on to `then`. When no instance reports the metric, reports
   * `skipped` for the group and ends: nothing to replace.
   */
  private findWorstInstance(
    skeleton: RunbookSkeleton,
    groupName: string,
    then: sfn.IChainable,
    done: sfn.IChainable,
  ): sfn.IChainable {
    const wait = sfn.Wait.jsonPath(this, 'SampleMemory', {
      stateName: 'SampleMemory',
      time: sfn.WaitTime.duration(Duration.seconds(WORST_INSTANCE_WINDOW_SECONDS)),
    });
    // GetMetricData: botocore cloudwatch service-2.json (MetricDataQueries, StartTime, EndTime
    // required; MetricDataResults[].Label). No resource-level permissions: Service
    // Authorization Reference, Amazon CloudWatch (GetMetricData, resource `*`).
    const query = skeleton.escalateOnError(
      skeleton.callAws(
        'FindWorstInstance',
        {
          service: 'cloudwatch',
          action: 'getMetricData',
          parameters: {
            MetricDataQueries: [
              { Id: 'worst', Expression: worstInstanceQuery(groupName), Period: 60 },
            ],
            StartTime: sfn.JsonPath.stringAt('$$.Execution.StartTime'),
            EndTime: sfn.JsonPath.stringAt('$$.State.EnteredTime'),
          },
          iamAction: 'cloudwatch:GetMetricData',
          iamResources: ['*'],
          // The whole list (possibly empty): a path selecting nothing fails the state.
          resultSelector: { results: sfn.JsonPath.listAt('$.MetricDataResults') },
          resultPath: '$.worst',
        },
        [
          jitteredRetry(['CloudWatch.CloudWatchException'], 6),
          jitteredRetry([sfn.Errors.TASKS_FAILED], 2, Duration.seconds(5)),
        ],
      ),
    );
    const worst = sfn.Pass.jsonPath(this, 'WorstInstance', {
      stateName: 'WorstInstance',
      inputPath: '$.worst.results[0].Label',
      resultPath: INPUT('instanceId'),
    });
    const noneFound = sfn.Pass.jsonPath(this, 'NoInstanceReports', {
      stateName: 'NoInstanceReports',
      parameters: {
        detail: sfn.JsonPath.format(
          `No instance of {} reported mem_used_percent in the ${WORST_INSTANCE_WINDOW_SECONDS} s sampled: nothing to replace.`,
          sfn.JsonPath.stringAt(INPUT('autoScalingGroupName')),
        ),
      },
      resultPath: '$.worst',
    });
    const reportNoneFound = skeleton
      .escalateOnError(
        skeleton.report('ReportNoInstance', 'skipped', '$.worst.detail', {
          type: 'auto-scaling-group',
          id: sfn.JsonPath.stringAt(INPUT('autoScalingGroupName')),
        }),
      )
      .next(done);
    return wait
      .next(query)
      .next(
        sfn.Choice.jsonPath(this, 'WorstInstanceFound', { stateName: 'WorstInstanceFound' })
          .when(C.isPresent('$.worst.results[0].Label'), worst.next(then))
          .otherwise(noneFound.next(reportNoneFound)),
      );
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
