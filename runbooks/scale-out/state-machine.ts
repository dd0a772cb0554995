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
import { type RunbookProps, RunbookSkeleton } from '../kit/skeleton.js';
import { ENVIRONMENT } from './environment.js';
import { ALARM_NOW, INPUT, PLAN, RETURN, SHIFTS, VERIFY } from './state.js';

export interface ScaleOutProps extends RunbookProps {
  /** The web group whose maximum and desired capacity this runbook raises (and no other). */
  readonly autoScalingGroup: autoscaling.IAutoScalingGroup;
  /** The target group in front of that group: new capacity counts once it is healthy here. */
  readonly targetGroup: elbv2.IApplicationTargetGroup;
  /** The configured maxCapacity the group returns to once the pressure has cleared. */
  readonly normalMaxCapacity: number;
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
 * Waits before each look at whether the raised maximum may return: an hour after the new
 * capacity served, then every 15 min, 17 looks (~5 h). Returning earlier would cut capacity
 * while the load lasts; the pressure alarms need 10 minutes to fire again.
 */
const RETURN_FIRST_LOOK_MINUTES = 60;
const RETURN_EVERY_MINUTES = 15;
export const RETURN_CHECK_SECONDS: readonly number[] = [
  RETURN_FIRST_LOOK_MINUTES * 60,
  ...Array(16).fill(RETURN_EVERY_MINUTES * 60),
];
/**
 * A bound on the whole run: ValidateInput, CheckAlarm and Check (≤ 2 min), RaiseCapacity with
 * its retries (≤ 3 min), 15 min of capacity waits plus the checks themselves, ~5 min of alarm
 * reads, the report, ~5 h of holding the raised maximum and the return, with margin.
 */
export const RUN_TIMEOUT = Duration.hours(7);

const C = sfn.Condition;

/**
 * Runbook `scale-out`: when the web group is stuck at its maximum under CPU/memory pressure,
 * raises its maximum and desired capacity by a bounded step, waits until the new instances serve
 * and the pressure alarm is OK, then holds the raised maximum until the pressure has cleared and
 * no AZ evacuation is active, and returns it to max(normal maximum, desired capacity).
 * See runbooks/README.md.
 */
export class ScaleOut extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  public readonly functions: {
    readonly step: ReboundFunction;
    readonly report: ReboundFunction;
  };

  constructor(scope: Construct, id: string, props: ScaleOutProps) {
    super(scope, id);
    if (!Number.isInteger(props.normalMaxCapacity) || props.normalMaxCapacity < 1) {
      throw new Error(
        `ScaleOut: normalMaxCapacity must be a positive integer (the group's configured maxCapacity), not ${props.normalMaxCapacity}`,
      );
    }
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

    // 6. Report the recovery, then 7. hold the raised maximum until the pressure has cleared.
    const done = sfn.Succeed.jsonPath(this, 'Done', { stateName: 'Done' });
    const holdMaximum = this.holdMaximum(skeleton, group, done);
    const reportSucceeded = skeleton
      .escalateOnError(
        skeleton.report(
          'ReportSucceeded',
          'succeeded',
          sfn.JsonPath.format(
            `{}; {}; the maximum returns to at most {} once the pressure has cleared (checked from ${RETURN_FIRST_LOOK_MINUTES} min on, every ${RETURN_EVERY_MINUTES} min, never during an AZ evacuation).`,
            sfn.JsonPath.stringAt(VERIFY('detail')),
            sfn.JsonPath.stringAt('$.alarmCheck.detail'),
            sfn.JsonPath.stringAt(PLAN('normalMax')),
          ),
        ),
      )
      .next(holdMaximum);

    const afterCapacity = sfn.Choice.jsonPath(this, 'HasAlarm', { stateName: 'HasAlarm' })
      .when(C.isPresent(INPUT('alarmName')), waitForAlarm.next(alarmCleared).next(reportSucceeded))
      .otherwise(noAlarmNamed.next(reportSucceeded));

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
      "Added by CDK for the state machine's own logging (CloudWatch Logs log delivery) and X-Ray tracing, and ARC's ListZonalShifts (a read-only List action), which support no resource-level permissions; every other AWS call of the runbook names its resource.",
    );
  }

  /**
   * Holds the raised maximum until the return step (`return`, decideReturn in steps.ts) lets
   * it go: the first look an hour after the recovery, then every 15 min. Each look reads the
   * account's active zonal shifts and the pressure alarm, then lowers the maximum (ReturnMaximum),
   * holds it, or leaves it to whoever changed it. Still held after the last look → escalates.
   */
  private holdMaximum(
    skeleton: RunbookSkeleton,
    group: autoscaling.IAutoScalingGroup,
    done: sfn.IChainable,
  ): sfn.IChainable {
    const { start, wait, next } = skeleton.pollStates(
      { start: 'ReturnStart', wait: 'ReturnWait', next: 'ReturnNext' },
      RETURN_CHECK_SECONDS,
    );
    // az-evacuation shifts the load balancer and the group: no return while one is active.
    const returnShifts = skeleton.listActiveZonalShifts('ReturnShifts', SHIFTS);
    const returnAlarm = skeleton.escalateOnError(
      skeleton.readShopAlarm('ReturnAlarm', ALARM_NOW, {
        stateValues: sfn.JsonPath.listAt('$..StateValue'),
      }),
    );
    const returnCheck = skeleton.escalateOnError(
      skeleton.invoke(
        'ReturnCheck',
        this.functions.step,
        { step: 'return', ...skeleton.guardrailPayload() },
        '$.return',
      ),
    );
    const returnMaximum = skeleton.updateGroup('ReturnMaximum', group, {
      MaxSize: sfn.JsonPath.numberAt(RETURN('maxSize')),
    });
    const heldTooLong = sfn.Pass.jsonPath(this, 'ReturnHeldTooLong', {
      stateName: 'ReturnHeldTooLong',
      parameters: {
        Error: 'ReturnHeldTooLong',
        Cause: sfn.JsonPath.format(
          `The raised maximum could not return within ~${Math.round(RETURN_CHECK_SECONDS.reduce((sum, seconds) => sum + seconds, 0) / 3600)} h: {} A person must decide (keep it: raise maxCapacity; return it: aws autoscaling update-auto-scaling-group --max-size).`,
          sfn.JsonPath.stringAt(RETURN('detail')),
        ),
      },
      resultPath: '$.error',
    });
    start
      .next(wait)
      .next(returnShifts)
      .next(
        sfn.Choice.jsonPath(this, 'HasReturnAlarm', { stateName: 'HasReturnAlarm' })
          .when(C.isPresent(INPUT('alarmName')), returnAlarm.next(returnCheck))
          .otherwise(returnCheck),
      );
    returnCheck.next(
      sfn.Choice.jsonPath(this, 'ReturnDecision', { stateName: 'ReturnDecision' })
        .when(C.stringEquals(RETURN('action'), 'return'), returnMaximum.next(done))
        .when(
          C.and(
            C.stringEquals(RETURN('action'), 'hold'),
            C.numberGreaterThanEquals('$.poll.attempt', RETURN_CHECK_SECONDS.length - 1),
          ),
          heldTooLong.next(skeleton.escalate),
        )
        .when(C.stringEquals(RETURN('action'), 'hold'), next.next(wait))
        .otherwise(done),
    );
    return start;
  }

  /** The task Lambda (steps `check`, `verify` and `return`): reads guardrails, the group and incidents; mutates nothing in EC2. */
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
