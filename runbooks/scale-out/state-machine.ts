import { fileURLToPath } from 'node:url';
import { Duration, Stack } from 'aws-cdk-lib';
import type * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { CHECKED_ALARM } from '../../functions/lib/runbook/state-paths.js';
import type { ReboundFunction } from '../../infra/constructs/rebound-function.js';
import { acknowledgeFinding } from '../../infra/nag.js';
import { acknowledgeWildcardResource, GROUP_ARN_REASON } from '../kit/iam.js';
import { type RunbookProps, RunbookSkeleton } from '../kit/skeleton.js';
import { jitteredRetry } from '../kit/tasks.js';
import { ENVIRONMENT } from './environment.js';
import { INPUT, PLAN, VERIFY } from './state.js';
import { MAX_NAME_PREFIX_LENGTH, returnSchedulePrefix } from './steps.js';

export interface ScaleOutProps extends RunbookProps {
  /** The web group whose maximum and desired capacity this runbook raises (and no other). */
  readonly autoScalingGroup: autoscaling.IAutoScalingGroup;
  /** The target group in front of that group: new capacity counts once it is healthy here. */
  readonly targetGroup: elbv2.IApplicationTargetGroup;
  /** The configured maxCapacity the group returns to, an hour after the new capacity serves. */
  readonly normalMaxCapacity: number;
  /** Failed asynchronous invocations of the task Lambdas, and return schedules that could not run. */
  readonly deadLetterQueue: sqs.IQueue;
}

/**
 * Waits before each capacity check, in seconds: the first after 60 s, then every 60 s, 15
 * checks (~15 min): a launch, the app's boot and the target group's healthy threshold (2 × 10 s)
 * take 2–5 minutes; the group's 300 s health check grace does not delay them.
 */
export const CAPACITY_POLL_SECONDS: readonly number[] = Array(15).fill(60);
/**
 * Reads of the pressure alarm once the new capacity serves, 60 s apart (~5 min). The shop's
 * web-cpu-high / web-memory-high alarms need 10 one-minute datapoints to alarm but return to OK
 * on the first good one: a minute or two after the load spreads over the new instances.
 */
export const ALARM_CHECKS = 6;
export const ALARM_CHECK_INTERVAL = Duration.seconds(60);
/**
 * A bound on the whole run: ValidateInput, CheckAlarm and Check (≤ 2 min), RaiseCapacity with
 * its retries (≤ 3 min), 15 min of capacity waits plus the checks themselves, ~5 min of alarm
 * reads, the schedule and the report, with margin for slow tasks.
 */
export const RUN_TIMEOUT = Duration.minutes(40);

const C = sfn.Condition;

/**
 * Runbook `scale-out`: when the web group is stuck at its maximum under CPU/memory pressure,
 * raises its maximum and desired capacity by a bounded step, waits until the new instances serve
 * and the pressure alarm is OK, and schedules the return to the normal maximum an hour later.
 * See runbooks/README.md.
 */
export class ScaleOut extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  public readonly functions: {
    readonly step: ReboundFunction;
    readonly report: ReboundFunction;
  };
  /** Assumed by EventBridge Scheduler to put the group's maximum back; may do nothing else. */
  public readonly returnRole: iam.Role;

  constructor(scope: Construct, id: string, props: ScaleOutProps) {
    super(scope, id);
    if (!Number.isInteger(props.normalMaxCapacity) || props.normalMaxCapacity < 1) {
      throw new Error(
        `ScaleOut: normalMaxCapacity must be a positive integer (the group's configured maxCapacity), not ${props.normalMaxCapacity}`,
      );
    }
    if (props.namePrefix.length > MAX_NAME_PREFIX_LENGTH) {
      throw new Error(
        `ScaleOut: namePrefix "${props.namePrefix}" is longer than ${MAX_NAME_PREFIX_LENGTH} characters: the return schedules' names would exceed EventBridge Scheduler's 64`,
      );
    }
    const stack = Stack.of(this);
    const group = props.autoScalingGroup;
    const skeleton = new RunbookSkeleton(this, 'Runbook', { ...props, runbook: 'scale-out' });
    const stepFunction = this.stepFunction(skeleton, props);
    this.functions = { step: stepFunction, report: skeleton.reportFunction };

    // 2. The check. The alarm is read here: there is no CloudWatch client in the bundle.
    const checkAlarm = skeleton.escalateOnError(
      skeleton.readShopAlarm('CheckAlarm', CHECKED_ALARM),
    );
    const check = skeleton.checkTask('Check', stepFunction, { step: 'check' });

    // 3. Act: raise max and desired to the planned values (absolute: a retry is harmless).
    const raiseCapacity = skeleton.updateGroup('RaiseCapacity', group, {
      MaxSize: sfn.JsonPath.numberAt(PLAN('newMax')),
      DesiredCapacity: sfn.JsonPath.numberAt(PLAN('newDesired')),
    });

    // 4. Verify: the pressure alarm back to OK once the new capacity serves. Each attempt of
    // WaitForAlarm reads the alarm afresh; a still-firing alarm fails the attempt with
    // AlarmNotCleared, which its Retry repeats every minute (a poll without a Lambda).
    // The alarm's state values, metric or composite (none if it was deleted meanwhile). No
    // catch inside the branch: WaitForAlarm's catch-all escalates whatever fails in it.
    const readAlarm = skeleton.readShopAlarm('ReadAlarm', '$.alarmNow', {
      stateValues: sfn.JsonPath.listAt('$..StateValue'),
    });
    const alarmNotCleared = sfn.Fail.jsonPath(this, 'AlarmNotCleared', {
      stateName: 'AlarmNotCleared',
      error: 'AlarmNotCleared',
      causePath: '$.alarmCheck.cause',
    });
    const alarmStillFiring = sfn.Pass.jsonPath(this, 'AlarmStillFiring', {
      stateName: 'AlarmStillFiring',
      parameters: {
        cause: sfn.JsonPath.format(
          `Alarm {} is still not OK (state {}) after ${ALARM_CHECKS} checks over ~${((ALARM_CHECKS - 1) * ALARM_CHECK_INTERVAL.toSeconds()) / 60} min once the new capacity served: {}`,
          sfn.JsonPath.stringAt(INPUT('alarmName')),
          sfn.JsonPath.jsonToString(sfn.JsonPath.listAt('$.alarmNow.stateValues')),
          sfn.JsonPath.stringAt(VERIFY('detail')),
        ),
      },
      resultPath: '$.alarmCheck',
    });
    const alarmOk = sfn.Succeed.jsonPath(this, 'AlarmOk', { stateName: 'AlarmOk' });
    const waitForAlarm = sfn.Parallel.jsonPath(this, 'WaitForAlarm', {
      stateName: 'WaitForAlarm',
      comment: `Reads the pressure alarm up to ${ALARM_CHECKS} times, ${ALARM_CHECK_INTERVAL.toSeconds()} s apart, until it is OK.`,
      resultPath: sfn.JsonPath.DISCARD,
    }).branch(
      readAlarm.next(
        sfn.Choice.jsonPath(this, 'IsAlarmOk', { stateName: 'IsAlarmOk' })
          .when(
            C.and(
              C.isPresent('$.alarmNow.stateValues[0]'),
              C.stringEquals('$.alarmNow.stateValues[0]', 'OK'),
            ),
            alarmOk,
          )
          .otherwise(alarmStillFiring.next(alarmNotCleared)),
      ),
    );
    waitForAlarm.addRetry({
      errors: ['AlarmNotCleared'],
      interval: ALARM_CHECK_INTERVAL,
      backoffRate: 1,
      maxAttempts: ALARM_CHECKS - 1,
    });
    waitForAlarm.addCatch(skeleton.escalate, { errors: [sfn.Errors.ALL], resultPath: '$.error' });
    const alarmCleared = sfn.Pass.jsonPath(this, 'AlarmCleared', {
      stateName: 'AlarmCleared',
      parameters: {
        detail: sfn.JsonPath.format('alarm {} is OK', sfn.JsonPath.stringAt(INPUT('alarmName'))),
      },
      resultPath: '$.alarmCheck',
    });
    const noAlarmNamed = sfn.Pass.jsonPath(this, 'NoAlarmNamed', {
      stateName: 'NoAlarmNamed',
      parameters: { detail: 'no pressure alarm was named' },
      resultPath: '$.alarmCheck',
    });

    // 5. Schedule the return to the normal maximum (EventBridge Scheduler, one shot).
    this.returnRole = new iam.Role(this, 'ReturnRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: `EventBridge Scheduler puts ${props.namePrefix}'s web group back to its normal maximum after a scale-out`,
    });
    this.returnRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['autoscaling:UpdateAutoScalingGroup'],
        resources: [group.autoScalingGroupArn],
      }),
    );
    // A return that fails after the scheduler's retries lands in the DLQ, which has an alarm.
    props.deadLetterQueue.grantSendMessages(this.returnRole);
    for (const action of ['kms:ReEncrypt*', 'kms:GenerateDataKey*']) {
      acknowledgeFinding(
        this.returnRole,
        `AwsSolutions-IAM5[Action::${action}]`,
        `Generated by grantSendMessages on the KMS-encrypted runbook dead-letter queue and scoped to that queue's key alone: the scheduler cannot dead-letter a failed return without ${action}.`,
      );
    }

    const returnSchedules = stack.formatArn({
      service: 'scheduler',
      resource: 'schedule',
      resourceName: `default/${returnSchedulePrefix(props.namePrefix)}*`,
    });
    const prepareReturn = sfn.Pass.jsonPath(this, 'PrepareReturn', {
      stateName: 'PrepareReturn',
      parameters: {
        AutoScalingGroupName: group.autoScalingGroupName,
        MaxSize: sfn.JsonPath.numberAt(PLAN('normalMax')),
      },
      resultPath: '$.returnInput',
    });
    const scheduleReturn = skeleton.callAws(
      'ScheduleReturn',
      {
        service: 'scheduler',
        action: 'createSchedule',
        parameters: {
          Name: sfn.JsonPath.stringAt(VERIFY('returnScheduleName')),
          Description: sfn.JsonPath.format(
            'Rebound scale-out {}: back to the normal maximum',
            sfn.JsonPath.stringAt('$$.Execution.Name'),
          ),
          ScheduleExpression: sfn.JsonPath.format(
            'at({})',
            sfn.JsonPath.stringAt(VERIFY('returnAt')),
          ),
          ScheduleExpressionTimezone: 'UTC',
          FlexibleTimeWindow: { Mode: 'OFF' },
          ActionAfterCompletion: 'DELETE',
          Target: {
            Arn: `arn:${stack.partition}:scheduler:::aws-sdk:autoscaling:updateAutoScalingGroup`,
            RoleArn: this.returnRole.roleArn,
            Input: sfn.JsonPath.jsonToString(sfn.JsonPath.objectAt('$.returnInput')),
            DeadLetterConfig: { Arn: props.deadLetterQueue.queueArn },
          },
        },
        iamAction: 'scheduler:CreateSchedule',
        iamResources: [returnSchedules],
        additionalIamStatements: [
          new iam.PolicyStatement({
            actions: ['iam:PassRole'],
            resources: [this.returnRole.roleArn],
            conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
          }),
        ],
        resultPath: sfn.JsonPath.DISCARD,
      },
      [
        // States.TaskFailed matches every error: stop it retrying a conflict, caught below.
        { errors: ['Scheduler.ConflictException'], maxAttempts: 0 },
        jitteredRetry(['Scheduler.ThrottlingException', 'Scheduler.InternalServerException'], 4),
        jitteredRetry([sfn.Errors.TASKS_FAILED], 2, Duration.seconds(5)),
      ],
    );

    // 6. Report success.
    const reportSucceeded = skeleton.escalateOnError(
      skeleton.report(
        'ReportSucceeded',
        'succeeded',
        sfn.JsonPath.format(
          '{}; {}; the return to max {} is scheduled at {} UTC (schedule {}).',
          sfn.JsonPath.stringAt(VERIFY('detail')),
          sfn.JsonPath.stringAt('$.alarmCheck.detail'),
          sfn.JsonPath.stringAt(PLAN('normalMax')),
          sfn.JsonPath.stringAt(VERIFY('returnAt')),
          sfn.JsonPath.stringAt(VERIFY('returnScheduleName')),
        ),
      ),
    );
    // The name is derived from the execution: a conflict is this run's own schedule, made by an
    // attempt whose answer was lost.
    scheduleReturn.addCatch(reportSucceeded, {
      errors: ['Scheduler.ConflictException'],
      resultPath: sfn.JsonPath.DISCARD,
    });
    skeleton.escalateOnError(scheduleReturn);

    const done = sfn.Succeed.jsonPath(this, 'Done', { stateName: 'Done' });
    prepareReturn.next(scheduleReturn).next(reportSucceeded).next(done);
    const afterCapacity = sfn.Choice.jsonPath(this, 'HasAlarm', { stateName: 'HasAlarm' })
      .when(C.isPresent(INPUT('alarmName')), waitForAlarm.next(alarmCleared).next(prepareReturn))
      .otherwise(noAlarmNamed.next(prepareReturn));

    const act = raiseCapacity.next(
      skeleton.verifyLoop({
        prefix: 'Capacity',
        fn: stepFunction,
        step: 'verify',
        scheduleSeconds: CAPACITY_POLL_SECONDS,
        onRecovered: afterCapacity,
      }),
    );
    check.next(skeleton.verdictChoice({ act }, done));

    const definition = skeleton
      .validateInput({ 'web-group': [group.autoScalingGroupName] })
      .when(C.isPresent(INPUT('alarmName')), checkAlarm.next(check))
      .otherwise(check)
      .afterwards();

    this.stateMachine = skeleton.stateMachine(definition, RUN_TIMEOUT);
    const role = this.stateMachine.role;
    acknowledgeFinding(
      role,
      'AwsSolutions-IAM5[Resource::*]',
      "Added by CDK for the state machine's own logging (CloudWatch Logs log delivery) and X-Ray tracing, whose actions support no resource-level permissions; every AWS call of the runbook names its resource.",
    );
    acknowledgeWildcardResource(
      this.returnRole,
      group.autoScalingGroupArn,
      `The return schedule's role may only UpdateAutoScalingGroup, on the web group alone: ${GROUP_ARN_REASON}`,
    );
    acknowledgeWildcardResource(
      role,
      returnSchedules,
      `Each run creates one return schedule named ${returnSchedulePrefix(props.namePrefix)}<hash of the execution name>, unknown at deploy time: the pattern admits those names only, in the default schedule group.`,
    );
  }

  /** The task Lambda (steps `check` and `verify`): reads guardrails, the group and incidents; mutates nothing in EC2. */
  private stepFunction(skeleton: RunbookSkeleton, props: ScaleOutProps): ReboundFunction {
    const fn = skeleton.checkFunction('Step', {
      name: 'step',
      description:
        'Decides whether scale-out may raise the web group now and verifies the new capacity',
      entry: fileURLToPath(new URL('./handler.ts', import.meta.url)),
      environment: ENVIRONMENT,
      values: {
        AUTO_SCALING_GROUP_NAME: props.autoScalingGroup.autoScalingGroupName,
        TARGET_GROUP_ARN: props.targetGroup.targetGroupArn,
        NORMAL_MAX_CAPACITY: String(props.normalMaxCapacity),
        NAME_PREFIX: props.namePrefix,
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
