import { fileURLToPath } from 'node:url';
import { Duration } from 'aws-cdk-lib';
import type * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import {
  guardrailAt,
  statePath,
  VERIFY_ROOT,
  verifyAt,
} from '../../functions/lib/runbook/state-paths.js';
import type { ReboundFunction } from '../../infra/constructs/rebound-function.js';
import { acknowledgeFinding } from '../../infra/nag.js';
import { type RunbookProps, RunbookSkeleton } from '../kit/skeleton.js';
import { jitteredRetry } from '../kit/tasks.js';
import { ENVIRONMENT } from './environment.js';
import { CONFIRM, GROUP_SHIFT, INPUT, PLAN, SHIFT, SHIFTS } from './state.js';
import { type AzRecoveryVerification, SHIFT_EXPIRES_IN } from './steps.js';

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
 * Rounds before each AZ recovery check: at most 5 min each (a round ends early when AWS Health
 * closes the AZ's event), 66 checks (5 h 30 min). With the
 * evacuation checks (≤ 20 min) the last one comes before the shift's 6 h expiry, so an
 * escalation leaves a person time to extend the shift before traffic returns to the AZ.
 */
export const AZ_RECOVERY_POLL_SECONDS: readonly number[] = Array(66).fill(300);
/**
 * A bound on the whole run: approval (30 min) + evacuation (20 min) + AZ recovery (5 h 30 min)
 * + Lambda, API and retry time, with margin.
 */
export const RUN_TIMEOUT = Duration.minutes(450);

/** Waits before each check that the load balancer applies the shift: ~2 min in all. */
export const CONFIRM_POLL_SECONDS: readonly number[] = [5, 10, 15, 30, 60];

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
    const startShift = this.startShift(
      skeleton,
      'StartZonalShift',
      'resourceIdentifier',
      SHIFT,
      loadBalancerArn,
    );
    // The group is a zonal-shift resource of its own: its AZ impairment policy (no launches
    // into the AZ, no scale-in of the headroom) reacts only to a shift started on the group.
    // It is no ARC resource type: its grant is the conditioned `*` below.
    const startGroupShift = this.startShift(
      skeleton,
      'StartGroupShift',
      'groupArn',
      GROUP_SHIFT,
      loadBalancerArn,
    );
    const confirmShift = this.confirmShiftApplied(skeleton, step, loadBalancerArn);
    const raiseCapacity = skeleton.updateGroup('RaiseCapacity', props.autoScalingGroup, {
      MaxSize: sfn.JsonPath.numberAt(PLAN('newMax')),
      DesiredCapacity: sfn.JsonPath.numberAt(PLAN('newDesired')),
    });

    // 5. Once the AZ recovered (or the shifts were already over): end the group's shift (Auto
    // Scaling may launch into the AZ again), then the load balancer's, restore the maximum.
    const endGroupShift = skeleton.callAws(
      'EndGroupShift',
      {
        service: 'arczonalshift',
        action: 'cancelZonalShift',
        parameters: { ZonalShiftId: sfn.JsonPath.stringAt(`${GROUP_SHIFT}.ZonalShiftId`) },
        iamAction: 'arc-zonal-shift:CancelZonalShift',
        iamResources: [loadBalancerArn],
        resultPath: sfn.JsonPath.DISCARD,
      },
      [jitteredRetry([ARC_THROTTLING], 6)],
    );
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
    // and AZ rebalancing take the group back to its normal size. Only the maximum this run set:
    // one changed since (scale-out raised it under load, a person) is theirs and stays.
    const restoreMaximum = this.restoreOwnMaximum(skeleton, props.autoScalingGroup);
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
    endGroupShift.addCatch(
      sfn.Pass.jsonPath(this, 'GroupShiftAlreadyEnded', {
        stateName: 'GroupShiftAlreadyEnded',
        comment: "Someone cancelled the group's shift or it expired: nothing to cancel.",
      }).next(endShift),
      {
        errors: ['ArcZonalShift.ResourceNotFoundException', 'ArcZonalShift.ConflictException'],
        resultPath: '$.groupShiftEnded',
      },
    );
    skeleton.escalateOnError(endGroupShift);
    const done = sfn.Succeed.jsonPath(this, 'Done', { stateName: 'Done' });
    const reportSucceeded = skeleton.reportSucceeded(
      sfn.JsonPath.format(
        '{} The zonal shifts of the load balancer and the group are over; {}.',
        sfn.JsonPath.stringAt(verifyAt('detail')),
        sfn.JsonPath.stringAt('$.maximum.detail'),
      ),
      done,
    );

    // 4. Verify the evacuation, then wait for the AZ to recover (and go on to 5).
    const waitForAz = skeleton.verifyLoop({
      prefix: 'AzRecovery',
      fn: step,
      step: 'az-recovered',
      scheduleSeconds: AZ_RECOVERY_POLL_SECONDS,
      // AWS Health closes the AZ's event (statusCode closed): triage resolves the incident, then
      // answers the round's task token, so the check runs within seconds, not up to 5 min later.
      announcedBy: { runbook: 'az-evacuation', resourceIdPath: INPUT('availabilityZone') },
      onRecovered: endGroupShift.next(endShift).next(restoreMaximum).next(reportSucceeded),
      beforeNextCheck: (nextCheck) => this.extendShifts(skeleton, loadBalancerArn, nextCheck),
    });
    const act = startShift
      .next(startGroupShift)
      .next(raiseCapacity)
      .next(confirmShift)
      .next(
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
    // ARC authorizes StartZonalShift, CancelZonalShift and GetManagedResource on the managed
    // resource through the condition key arc-zonal-shift:ResourceIdentifier ("Filters access by
    // the resource identifier of the managed resource", Service Authorization Reference); ALB and
    // NLB are its only resource types, so the group's shift is allowed on `*` under the key.
    this.stateMachine.addToRolePolicy(
      new iam.PolicyStatement({
        actions: [
          'arc-zonal-shift:StartZonalShift',
          'arc-zonal-shift:UpdateZonalShift',
          'arc-zonal-shift:CancelZonalShift',
          'arc-zonal-shift:GetManagedResource',
        ],
        resources: ['*'],
        conditions: {
          StringLike: {
            'arc-zonal-shift:ResourceIdentifier': [
              loadBalancerArn,
              props.autoScalingGroup.autoScalingGroupArn,
            ],
          },
        },
      }),
    );
    const role = this.stateMachine.role;
    acknowledgeFinding(
      role,
      'AwsSolutions-IAM5[Resource::*]',
      "ARC's ListZonalShifts (a List action) and Auto Scaling's DescribeAutoScalingGroups (read-only) support no resource-level permissions; ARC's StartZonalShift, CancelZonalShift and GetManagedResource on `*` are limited by the arc-zonal-shift:ResourceIdentifier condition to the shop's load balancer and web group (the group is no ARC resource type); UpdateAutoScalingGroup is limited to the web group.",
    );
  }

  /**
   * While AWS Health keeps the AZ impaired, the az-recovered step asks hourly to extend both
   * shifts (UpdateZonalShift: ExpiresIn counts from now), so they never expire mid-incident. A
   * shift someone ended meanwhile (ConflictException, ResourceNotFoundException) is left ended.
   */
  private extendShifts(
    skeleton: RunbookSkeleton,
    loadBalancerArn: string,
    nextCheck: sfn.IChainable,
  ): sfn.IChainable {
    const extend = (id: string, shiftPath: string) => {
      const task = skeleton.callAws(
        id,
        {
          service: 'arczonalshift',
          action: 'updateZonalShift',
          parameters: {
            ZonalShiftId: sfn.JsonPath.stringAt(`${shiftPath}.ZonalShiftId`),
            ExpiresIn: SHIFT_EXPIRES_IN,
          },
          // The grant is the conditioned `*` of the constructor (the group's shift).
          iamAction: 'arc-zonal-shift:UpdateZonalShift',
          iamResources: [loadBalancerArn],
          resultPath: sfn.JsonPath.DISCARD,
        },
        [jitteredRetry([ARC_THROTTLING], 6)],
      );
      return task;
    };
    const extendGroup = extend('ExtendGroupShift', GROUP_SHIFT);
    const extendLoadBalancer = extend('ExtendZonalShift', SHIFT);
    const ended = ['ArcZonalShift.ResourceNotFoundException', 'ArcZonalShift.ConflictException'];
    extendGroup.addCatch(extendLoadBalancer, { errors: ended, resultPath: sfn.JsonPath.DISCARD });
    extendLoadBalancer.addCatch(nextCheck, { errors: ended, resultPath: sfn.JsonPath.DISCARD });
    skeleton.escalateOnError(extendGroup);
    skeleton.escalateOnError(extendLoadBalancer);
    extendGroup.next(extendLoadBalancer).next(nextCheck);
    return sfn.Choice.jsonPath(this, 'ExtendNow', { stateName: 'ExtendNow' })
      .when(
        sfn.Condition.booleanEquals(
          statePath<AzRecoveryVerification>(VERIFY_ROOT)('extendShifts'),
          true,
        ),
        extendGroup,
      )
      .otherwise(nextCheck);
  }

  /**
   * StartZonalShift of the plan's resource at `resourceField` away from the impaired AZ. Only
   * throttling is retried: a start that timed out may have worked, and ARC refuses a second one.
   */
  private startShift(
    skeleton: RunbookSkeleton,
    id: string,
    resourceField: 'resourceIdentifier' | 'groupArn',
    resultPath: string,
    loadBalancerArn: string,
  ): tasks.CallAwsService {
    return skeleton.escalateOnError(
      skeleton.callAws(
        id,
        {
          service: 'arczonalshift',
          action: 'startZonalShift',
          parameters: {
            ResourceIdentifier: sfn.JsonPath.stringAt(PLAN(resourceField)),
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
          resultPath,
        },
        [jitteredRetry([ARC_THROTTLING], 6)],
      ),
    );
  }

  /**
   * Confirms the load balancer applies its shift (GetManagedResource: the shift `APPLIED`): a
   * fail-open load balancer (no healthy targets in the other AZs) ignores a shift. Checked for
   * ~2 min, then the run escalates with the shift left in place for a person.
   */
  private confirmShiftApplied(
    skeleton: RunbookSkeleton,
    fn: ReboundFunction,
    loadBalancerArn: string,
  ): sfn.IChainable {
    const { start, wait, next } = skeleton.pollStates(
      { start: 'ConfirmStart', wait: 'ConfirmWait', next: 'ConfirmNext' },
      CONFIRM_POLL_SECONDS,
    );
    const read = skeleton.escalateOnError(
      skeleton.callAws(
        'ConfirmShift',
        {
          service: 'arczonalshift',
          action: 'getManagedResource',
          parameters: { ResourceIdentifier: loadBalancerArn },
          // The grant is the conditioned `*` of the constructor.
          iamAction: 'arc-zonal-shift:GetManagedResource',
          iamResources: [loadBalancerArn],
          // ZonalShifts is a required member of the answer (botocore model).
          resultSelector: { zonalShifts: sfn.JsonPath.listAt('$.ZonalShifts') },
          resultPath: CONFIRM,
        },
        [
          jitteredRetry([ARC_THROTTLING], 6),
          jitteredRetry([sfn.Errors.TASKS_FAILED], 2, Duration.seconds(5)),
        ],
      ),
    );
    const applied = skeleton.escalateOnError(
      skeleton.invoke(
        'ShiftApplied',
        fn,
        { step: 'shift-applied', ...skeleton.guardrailPayload() },
        CONFIRM,
      ),
    );
    const notApplied = sfn.Pass.jsonPath(this, 'ShiftNotApplied', {
      stateName: 'ShiftNotApplied',
      parameters: {
        Error: 'ShiftNotApplied',
        Cause: sfn.JsonPath.format(
          'The load balancer does not apply zonal shift {} away from {} (GetManagedResource: not APPLIED after ~2 min): a fail-open load balancer, with no healthy targets in the other AZs, ignores a shift. Traffic still reaches the AZ; both shifts stay in place until a person cancels them or they expire.',
          sfn.JsonPath.stringAt(`${SHIFT}.ZonalShiftId`),
          sfn.JsonPath.stringAt(PLAN('awayFrom')),
        ),
      },
      resultPath: '$.error',
    });
    const end = sfn.Pass.jsonPath(this, 'ShiftConfirmed', { stateName: 'ShiftConfirmed' });
    start
      .next(wait)
      .next(read)
      .next(applied)
      .next(
        sfn.Choice.jsonPath(this, 'IsShiftApplied', { stateName: 'IsShiftApplied' })
          .when(sfn.Condition.booleanEquals(`${CONFIRM}.applied`, true), end)
          .when(
            sfn.Condition.numberGreaterThanEquals(
              '$.poll.attempt',
              CONFIRM_POLL_SECONDS.length - 1,
            ),
            notApplied.next(skeleton.escalate),
          )
          .otherwise(next.next(wait)),
      );
    return sfn.Chain.custom(start, [end], end);
  }

  /**
   * Restores the group's maximum to what it was before the evacuation, only while it is still
   * the one this run set (`newMax`): scale-out may have raised it under load meanwhile, and
   * undoing that would cut capacity. Says which at `$.maximum.detail`.
   */
  private restoreOwnMaximum(
    skeleton: RunbookSkeleton,
    group: autoscaling.IAutoScalingGroup,
  ): sfn.IChainable {
    const readMaximum = skeleton.escalateOnError(
      skeleton.callAws('ReadMaximum', {
        service: 'autoscaling',
        action: 'describeAutoScalingGroups',
        parameters: { AutoScalingGroupNames: [group.autoScalingGroupName] },
        iamAction: 'autoscaling:DescribeAutoScalingGroups',
        iamResources: ['*'],
        resultSelector: { maxSize: sfn.JsonPath.numberAt('$.AutoScalingGroups[0].MaxSize') },
        resultPath: '$.group',
      }),
    );
    const restore = skeleton.updateGroup('RestoreMaximum', group, {
      MaxSize: sfn.JsonPath.numberAt(PLAN('previousMax')),
    });
    const restored = sfn.Pass.jsonPath(this, 'MaximumRestored', {
      stateName: 'MaximumRestored',
      parameters: {
        detail: sfn.JsonPath.format(
          "the group's maximum is back to {}",
          sfn.JsonPath.stringAt(PLAN('previousMax')),
        ),
      },
      resultPath: '$.maximum',
    });
    const changed = sfn.Pass.jsonPath(this, 'MaximumChanged', {
      stateName: 'MaximumChanged',
      parameters: {
        detail: sfn.JsonPath.format(
          "the group's maximum is {}, not the {} this run set: someone else (scale-out, a person) changed it, so it stays",
          sfn.JsonPath.stringAt('$.group.maxSize'),
          sfn.JsonPath.stringAt(PLAN('newMax')),
        ),
      },
      resultPath: '$.maximum',
    });
    const end = sfn.Pass.jsonPath(this, 'MaximumSettled', { stateName: 'MaximumSettled' });
    readMaximum.next(
      sfn.Choice.jsonPath(this, 'OwnMaximum', { stateName: 'OwnMaximum' })
        .when(
          sfn.Condition.numberEqualsJsonPath('$.group.maxSize', PLAN('newMax')),
          restore.next(restored).next(end),
        )
        .otherwise(changed.next(end)),
    );
    return sfn.Chain.custom(readMaximum, [end], end);
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
