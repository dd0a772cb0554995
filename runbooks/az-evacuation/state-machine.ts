import { fileURLToPath } from 'node:url';
import { Duration } from 'aws-cdk-lib';
import type * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { guardrailAt, verifyAt } from '../../functions/lib/runbook/state-paths.js';
import type { ReboundFunction } from '../../infra/constructs/rebound-function.js';
import { acknowledgeFinding } from '../../infra/nag.js';
import { type RunbookProps, RunbookSkeleton } from '../kit/skeleton.js';
import { jitteredRetry } from '../kit/tasks.js';
import { ENVIRONMENT } from './environment.js';
import { INPUT, PLAN, SHIFT, SHIFTS } from './state.js';

export interface AzEvacuationProps extends RunbookProps {
  /** The shop's load balancer (zonal shift enabled): the only resource the runbook shifts. */
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  /** The web group the two remaining AZs grow (its AZ impairment policy avoids a shifted AZ). */
  readonly autoScalingGroup: autoscaling.IAutoScalingGroup;
  /** The target group in front of that group: "serving" means healthy here too. */
  readonly targetGroup: elbv2.IApplicationTargetGroup;
  /** The shop's AZ names: the only values `availabilityZone` may take. */
  readonly availabilityZones: readonly string[];
  /** The shop's AZ IDs as `AVAILABILITY_ZONE_IDS` (AvailabilityZoneIds, resolved at deploy). */
  readonly availabilityZoneIds: string;
  /** The shared approvals function: a person approves the evacuation (unless auto-approved). */
  readonly approvals: lambda.IFunction;
}

/**
 * Waits before each evacuation check: every 60 s, 20 checks (~20 min): enough for the group
 * to launch the extra instances in the two other AZs, boot them and pass the 300 s health
 * check grace period and the target group's healthy threshold.
 */
export const EVACUATION_POLL_SECONDS: readonly number[] = Array(20).fill(60);
/**
 * Waits before each AZ recovery check: every 5 min, 66 checks (5 h 30 min). With the
 * evacuation checks (≤ 20 min) the last one comes before the shift's 6 h expiry, so an
 * escalation leaves a person time to extend the shift before traffic returns to the AZ.
 */
export const AZ_RECOVERY_POLL_SECONDS: readonly number[] = Array(66).fill(300);
/**
 * A bound on the whole run: approval (30 min) + evacuation (20 min) + AZ recovery (5 h 30 min)
 * + Lambda, API and retry time, with margin.
 */
export const RUN_TIMEOUT = Duration.minutes(450);

/** ARC's throttling, as the SDK integration names it. */
const ARC_THROTTLING = 'ArcZonalShift.ThrottlingException';

/**
 * Runbook `az-evacuation`: after approval, moves the load balancer's traffic away from one
 * impaired AZ with an ARC zonal shift (6 h expiry), raises the web group so the two other AZs
 * carry the load, verifies they do, waits until the AZ recovers (the incident's AWS Health
 * part closes), ends the shift and restores the group's maximum. See runbooks/README.md.
 */
export class AzEvacuation extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  public readonly functions: {
    readonly step: ReboundFunction;
    readonly report: ReboundFunction;
  };

  constructor(scope: Construct, id: string, props: AzEvacuationProps) {
    super(scope, id);
    if (props.availabilityZones.length === 0) {
      throw new Error('AzEvacuation: availabilityZones must name the shop AZs (none given)');
    }
    const loadBalancerArn = props.loadBalancer.loadBalancerArn;
    const skeleton = new RunbookSkeleton(this, 'Runbook', { ...props, runbook: 'az-evacuation' });
    const step = this.stepFunction(skeleton, props);
    this.functions = { step, report: skeleton.reportFunction };

    // 2. The load balancer's active shifts (no ARC client in the Lambda bundle), then the check.
    const listShifts = skeleton.escalateOnError(
      this.listShifts(skeleton, 'ListShifts', loadBalancerArn),
    );
    const check = skeleton.checkTask('Check', step, { step: 'check' });

    // 3. Act: shift, then grow the two other AZs (static stability).
    const startShift = skeleton.escalateOnError(
      skeleton.callAws(
        'StartZonalShift',
        {
          service: 'arczonalshift',
          action: 'startZonalShift',
          parameters: {
            ResourceIdentifier: sfn.JsonPath.stringAt(PLAN('resourceIdentifier')),
            AwayFrom: sfn.JsonPath.stringAt(PLAN('awayFrom')),
            ExpiresIn: sfn.JsonPath.stringAt(PLAN('expiresIn')),
            Comment: sfn.JsonPath.format(
              'Rebound az-evacuation for {}: {} impaired',
              sfn.JsonPath.stringAt(guardrailAt('incidentId')),
              sfn.JsonPath.stringAt(INPUT('availabilityZone')),
            ),
          },
          iamAction: 'arc-zonal-shift:StartZonalShift',
          iamResources: [loadBalancerArn],
          resultSelector: { ZonalShiftId: sfn.JsonPath.stringAt('$.ZonalShiftId') },
          resultPath: SHIFT,
        },
        // Only throttling: a start that timed out may have worked, and ARC refuses a second one.
        [jitteredRetry([ARC_THROTTLING], 6)],
      ),
    );
    const raiseCapacity = skeleton.updateGroup('RaiseCapacity', props.autoScalingGroup, {
      MaxSize: sfn.JsonPath.numberAt(PLAN('newMax')),
      DesiredCapacity: sfn.JsonPath.numberAt(PLAN('newDesired')),
    });

    // 5. Once the AZ recovered (or the shift was already over): end the shift, restore the maximum.
    const endShift = skeleton.callAws(
      'EndZonalShift',
      {
        service: 'arczonalshift',
        action: 'cancelZonalShift',
        parameters: { ZonalShiftId: sfn.JsonPath.stringAt(`${SHIFT}.ZonalShiftId`) },
        iamAction: 'arc-zonal-shift:CancelZonalShift',
        iamResources: [loadBalancerArn],
        resultPath: sfn.JsonPath.DISCARD,
      },
      [jitteredRetry([ARC_THROTTLING], 6)],
    );
    // The maximum only: Auto Scaling lowers desired capacity to it if above; target tracking
    // and AZ rebalancing take the group back to its normal size.
    const restoreMaximum = skeleton.updateGroup('RestoreMaximum', props.autoScalingGroup, {
      MaxSize: sfn.JsonPath.numberAt(PLAN('previousMax')),
    });
    endShift.addCatch(
      sfn.Pass.jsonPath(this, 'ShiftAlreadyEnded', {
        stateName: 'ShiftAlreadyEnded',
        comment: 'Someone cancelled the shift or it expired: nothing to cancel.',
      }).next(restoreMaximum),
      {
        errors: ['ArcZonalShift.ResourceNotFoundException', 'ArcZonalShift.ConflictException'],
        resultPath: '$.shiftEnded',
      },
    );
    skeleton.escalateOnError(endShift);
    const done = sfn.Succeed.jsonPath(this, 'Done', { stateName: 'Done' });
    const reportSucceeded = skeleton.reportSucceeded(
      sfn.JsonPath.format(
        "{} The zonal shift is over and the group's maximum is back to {}.",
        sfn.JsonPath.stringAt(verifyAt('detail')),
        sfn.JsonPath.stringAt(PLAN('previousMax')),
      ),
      done,
    );

    // 4. Verify the evacuation, then wait for the AZ to recover (and go on to 5).
    const waitForAz = skeleton.verifyLoop({
      prefix: 'AzRecovery',
      fn: step,
      step: 'az-recovered',
      scheduleSeconds: AZ_RECOVERY_POLL_SECONDS,
      onRecovered: endShift.next(restoreMaximum).next(reportSucceeded),
    });
    const act = startShift.next(raiseCapacity).next(
      skeleton.verifyLoop({
        prefix: 'Evacuation',
        fn: step,
        step: 'verify',
        scheduleSeconds: EVACUATION_POLL_SECONDS,
        onRecovered: waitForAz,
      }),
    );

    const zones = props.availabilityZones;
    const definition = skeleton
      .validateInput({ 'availability-zone': zones })
      .otherwise(listShifts)
      .afterwards();
    // After approval, the shifts and the AZ are read again (a shift may exist by now).
    const recheck = {
      fn: step,
      read: this.listShifts(skeleton, 'RecheckShifts', loadBalancerArn),
    };
    listShifts.next(check).next(skeleton.verdictChoice({ act, recheck }, done));

    this.stateMachine = skeleton.stateMachine(definition, RUN_TIMEOUT);
    const role = this.stateMachine.role;
    acknowledgeFinding(
      role,
      'AwsSolutions-IAM5[Resource::*]',
      "ARC's ListZonalShifts (a List action) supports no resource-level permissions; StartZonalShift and CancelZonalShift are limited to the shop's load balancer and UpdateAutoScalingGroup to the web group.",
    );
  }

  /** ListZonalShifts of the load balancer's ACTIVE shifts, at `$.shifts.active`. */
  private listShifts(
    skeleton: RunbookSkeleton,
    id: string,
    loadBalancerArn: string,
  ): sfn.TaskStateBase {
    return skeleton.callAws(
      id,
      {
        service: 'arczonalshift',
        action: 'listZonalShifts',
        parameters: { ResourceIdentifier: loadBalancerArn, Status: 'ACTIVE' },
        iamAction: 'arc-zonal-shift:ListZonalShifts',
        iamResources: ['*'],
        resultSelector: { active: sfn.JsonPath.listAt('$.Items') },
        resultPath: SHIFTS,
      },
      [
        jitteredRetry([ARC_THROTTLING], 6),
        jitteredRetry([sfn.Errors.TASKS_FAILED], 2, Duration.seconds(5)),
      ],
    );
  }

  /** The task Lambda: reads guardrails, AZ IDs, fleet, incidents and the ledger; mutates no AWS resource. */
  private stepFunction(skeleton: RunbookSkeleton, props: AzEvacuationProps): ReboundFunction {
    const fn = skeleton.checkFunction('Step', {
      name: 'step',
      description:
        'az-evacuation: guardrail check and plan, evacuation and AZ recovery checks (read-only)',
      entry: fileURLToPath(new URL('./handler.ts', import.meta.url)),
      environment: ENVIRONMENT,
      values: {
        AUTO_SCALING_GROUP_NAME: props.autoScalingGroup.autoScalingGroupName,
        TARGET_GROUP_ARN: props.targetGroup.targetGroupArn,
        LOAD_BALANCER_ARN: props.loadBalancer.loadBalancerArn,
        AVAILABILITY_ZONES: props.availabilityZones.join(','),
        AVAILABILITY_ZONE_IDS: props.availabilityZoneIds,
      },
    });
    // Describe APIs without resource-level permissions: covered by the role's Resource::*
    // acknowledgement in ReboundFunction.
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
