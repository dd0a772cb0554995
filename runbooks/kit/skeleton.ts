import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import type * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import {
  type RunbookDefinition,
  type RunbookName,
  type RunbookOutcome,
  runbookDefinition,
  runbookStateMachineName,
} from '../../functions/lib/core/runbook-registry.js';
import type { Environment } from '../../functions/lib/env.js';
import type { DeployedNames } from '../../functions/lib/runbook/run-input.js';
import { GUARDRAIL_ROOT } from '../../functions/lib/runbook/state-paths.js';
import { ReboundFunction } from '../../infra/constructs/rebound-function.js';
import type { IGuardrailParameters } from '../../infra/control-plane/guardrail-parameters.js';
import {
  awaitAnnouncedRecovery,
  denyPutsBesidesRecoveryWaits,
  type RecoveryAnnouncement,
} from './announced-recovery.js';
import { ApprovalGate } from './approval-gate.js';
import { type CheckVariable, checkFunction, reportFunction } from './functions.js';
import { guardrailReadPayload, readGuardrailsBefore } from './guardrail-read.js';
import { acknowledgeWildcardResource, GROUP_ARN_REASON } from './iam.js';
import { validateInput } from './input-rules.js';
import { Recheck, type RecheckOptions } from './recheck.js';
import { runbookStateMachine } from './state-machine.js';
import { callAwsTask, EXECUTION, invokeTask, jitteredRetry } from './tasks.js';
import { type VerdictBranches, VerdictChoice } from './verdict.js';
import { type PollStates, pollStates, VerifyLoop, type VerifyLoopOptions } from './verify-loop.js';

/**
 * What every Rebound runbook shares, in one place per runbook: its report Lambda, the single
 * catch-all route (any failed Task → Escalate → Fail), and the kit's pieces bound to this
 * runbook (tasks.ts, verdict.ts, approval-gate.ts, verify-loop.ts, state-machine.ts). It keeps
 * track of what the state machine's role is granted with a wildcard, for cdk-nag.
 *
 * State conventions the report Lambda relies on (functions/lib/runbook/events.ts):
 * `$.incidentId` and `$.reason` from the input, `$.guardrail` from the check, `$.error` from
 * the catch-all or a runbook's own failure path.
 */

/** What every runbook construct is given: its names and the control plane's shared resources. */
export interface RunbookProps {
  /** `rebound-<stage>`: names the state machine, its functions and the alarms it may read. */
  readonly namePrefix: string;
  readonly stage: string;
  /** The stage's guardrails: the check reads them, the report names their path. */
  readonly guardrails: IGuardrailParameters;
  /** Incidents and the action ledger (one table). */
  readonly incidents: dynamodb.ITable;
  readonly alertsTopic: sns.ITopic;
  /** Where failed asynchronous invocations of the task Lambdas go. */
  readonly deadLetterQueue: sqs.IQueue;
}

export interface RunbookSkeletonProps extends RunbookProps {
  /** The registry row this state machine implements (its target field and type come from it). */
  readonly runbook: RunbookName;
  /**
   * The shared approvals function (runbooks/kit/approvals.ts): sends approval requests and
   * records the answers. Required by runbooks whose verdict may be `approve`.
   */
  readonly approvals?: lambda.IFunction;
}

export class RunbookSkeleton extends Construct {
  public readonly runbook: RunbookName;
  public readonly reportFunction: ReboundFunction;
  /** Escalate (report `failed`) then fail the execution with the error that led there. */
  public readonly escalate: tasks.LambdaInvoke;
  public readonly stateMachineName: string;
  public readonly guardrailPath: string;
  readonly #props: RunbookSkeletonProps;
  /** The runbook's registry row: its input, target field and type. */
  readonly #row: RunbookDefinition;
  /** Functions the state machine invokes (their grants include `:*`). */
  readonly #invoked = new Set<lambda.IFunction>();
  /** Groups the state machine resizes (their ARNs carry a `*` for the UUID). */
  readonly #updatedGroups = new Set<autoscaling.IAutoScalingGroup>();
  #readsAlarms = false;
  /** Whether a verify loop waits for AWS's announcement (its task token on the table). */
  #awaitsAnnouncements = false;

  constructor(scope: Construct, id: string, props: RunbookSkeletonProps) {
    super(scope, id);
    this.#props = props;
    this.runbook = props.runbook;
    const row = runbookDefinition(props.runbook);
    if (row === undefined)
      throw new Error(`RunbookSkeleton: ${props.runbook} is not in the registry`);
    this.#row = row;
    this.stateMachineName = runbookStateMachineName(props.namePrefix, props.runbook);
    this.guardrailPath = props.guardrails.path;
    this.reportFunction = reportFunction(this, { ...props, ...this });

    this.escalate = this.report('Escalate', 'failed');
    // The last word of a failing run: worth two more tries before the execution itself fails.
    this.escalate.addRetry(jitteredRetry([sfn.Errors.TASKS_FAILED], 2, Duration.seconds(5)));
    this.escalate.next(
      new sfn.Fail(this, 'RunbookFailed', {
        stateName: 'RunbookFailed',
        comment: 'Escalated: the incident is marked failed and people were paged.',
        errorPath: '$.error.Error',
        causePath: '$.error.Cause',
      }),
    );
  }

  /** Whether the run may wait for a person (the registry row needs approval). */
  get asksApproval(): boolean {
    return this.#props.approvals !== undefined;
  }

  /** The run's target as the report and approval payloads carry it. */
  targetPayload(): Record<string, unknown> {
    return {
      type: this.#row.targetType,
      id: sfn.JsonPath.stringAt(`$.${this.#row.targetField}`),
    };
  }

  /**
   * The runbook's own Lambda (steps `check`, `verify`, …): `<stateMachineName>-<name>`, with
   * its environment contract; the check's part of it is set and granted here.
   */
  checkFunction<K extends CheckVariable>(
    id: string,
    options: {
      readonly name: string;
      readonly description: string;
      readonly entry: string;
      readonly environment: Environment<K>;
      readonly values: Readonly<Record<Exclude<K, CheckVariable>, string>>;
    },
  ): ReboundFunction {
    return checkFunction(this, id, {
      ...options,
      functionName: `${this.stateMachineName}-${options.name}`,
      deadLetterQueue: this.#props.deadLetterQueue,
      incidents: this.#props.incidents,
      guardrails: this.#props.guardrails,
    });
  }

  /**
   * The ValidateInput Choice (input-rules.ts) of the runbook's registry input, against the
   * names this deploy gives the resources the input may name; the caller adds where valid
   * input goes.
   */
  validateInput(deployed: Omit<DeployedNames, 'namePrefix'> = {}): sfn.Choice {
    return validateInput(this, this.#row, { ...deployed, namePrefix: this.#props.namePrefix });
  }

  /** Invokes a task Lambda with `payload`; the result lands at `resultPath`. */
  invoke(
    id: string,
    fn: ReboundFunction | lambda.IFunction,
    payload: Record<string, unknown>,
    resultPath: string,
  ): tasks.LambdaInvoke {
    const lambdaFunction = fn instanceof ReboundFunction ? fn.function : fn;
    this.#invoked.add(lambdaFunction);
    return invokeTask(this, id, lambdaFunction, payload, resultPath);
  }

  /**
   * A report state for `outcome`. `detail` (a JSONPath or intrinsic) says what happened; the
   * Escalate state leaves it out and the report reads `$.error` instead. `target` is the
   * registry row's target unless the run ends before it knows one (e.g. only a group).
   */
  report(
    id: string,
    outcome: RunbookOutcome,
    detail?: string,
    target: Record<string, unknown> = this.targetPayload(),
  ): tasks.LambdaInvoke {
    return this.invoke(
      id,
      this.reportFunction,
      {
        runbook: this.#props.runbook,
        outcome,
        target,
        ...(detail === undefined ? {} : { detail: sfn.JsonPath.stringAt(detail) }),
        state: sfn.JsonPath.entirePayload,
        execution: EXECUTION,
      },
      sfn.JsonPath.DISCARD,
    );
  }

  /** ReportSucceeded (the run's one-sentence `detail`, a JSONPath), then `done`. */
  reportSucceeded(detail: string, done: sfn.IChainable): sfn.IChainable {
    return this.escalateOnError(this.report('ReportSucceeded', 'succeeded', detail)).next(done);
  }

  /**
   * The runbook's check (`$.guardrail`): ReadGuardrails (guardrail-read.ts), then `fn` with the
   * guardrail payload, the guardrails read and `extra`. `InvalidInput` from it (input the Choice
   * states let through) fails the run as `InputRejected`; any other error escalates. The chain
   * starts at the read; its `next` follows the check.
   */
  checkTask(id: string, fn: ReboundFunction, extra: Record<string, unknown> = {}): sfn.Chain {
    const check = this.invoke(
      id,
      fn,
      { ...extra, ...this.guardrailPayload(), ...guardrailReadPayload() },
      GUARDRAIL_ROOT,
    );
    check.addCatch(
      sfn.Fail.jsonPath(this, 'InputRejected', {
        stateName: 'InputRejected',
        error: 'InvalidInput',
        causePath: '$.error.Cause',
      }),
      { errors: ['InvalidInput'], resultPath: '$.error' },
    );
    this.escalateOnError(check);
    return sfn.Chain.custom(readGuardrailsBefore(this, 'ReadGuardrails', check), [check], check);
  }

  /** The payload every guardrail Lambda gets: the whole state as `input`, plus the execution. */
  guardrailPayload(): Record<string, unknown> {
    return { input: sfn.JsonPath.entirePayload, execution: EXECUTION };
  }

  /** An AWS API call from the state machine, with a timeout and the given retries. */
  callAws(
    id: string,
    props: Parameters<typeof callAwsTask>[2],
    retries?: readonly sfn.RetryProps[],
  ): tasks.CallAwsService {
    return callAwsTask(this, id, props, retries);
  }

  /**
   * CloudWatch DescribeAlarms of the alarm the input names (`$.alarmName`, which ValidateInput
   * limits to the shop's alarms); IAM on the shop's alarms only.
   */
  readShopAlarm(
    id: string,
    resultPath: string,
    resultSelector?: Record<string, unknown>,
  ): tasks.CallAwsService {
    this.#readsAlarms = true;
    return this.callAws(id, {
      service: 'cloudwatch',
      action: 'describeAlarms',
      parameters: {
        AlarmNames: sfn.JsonPath.array(sfn.JsonPath.stringAt('$.alarmName')),
        AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
      },
      iamAction: 'cloudwatch:DescribeAlarms',
      iamResources: [this.#shopAlarms()],
      resultSelector,
      resultPath,
    });
  }

  /**
   * UpdateAutoScalingGroup on `group` alone with absolute sizes (a retry is harmless): throttling
   * (`Throttling`, unmodeled), contention and a scaling activity in progress are retried with
   * jitter, as the SDK integration names them. Any other error escalates.
   */
  updateGroup(
    id: string,
    group: autoscaling.IAutoScalingGroup,
    sizes: Record<string, unknown>,
  ): tasks.CallAwsService {
    this.#updatedGroups.add(group);
    return this.escalateOnError(
      this.callAws(
        id,
        {
          service: 'autoscaling',
          action: 'updateAutoScalingGroup',
          parameters: { AutoScalingGroupName: group.autoScalingGroupName, ...sizes },
          iamAction: 'autoscaling:UpdateAutoScalingGroup',
          iamResources: [group.autoScalingGroupArn],
          resultPath: sfn.JsonPath.DISCARD,
        },
        [
          jitteredRetry(
            [
              'AutoScaling.AutoScalingException',
              'AutoScaling.ResourceContentionException',
              'AutoScaling.ScalingActivityInProgressException',
            ],
            6,
          ),
          jitteredRetry([sfn.Errors.TASKS_FAILED], 2, Duration.seconds(5)),
        ],
      ),
    );
  }

  /**
   * Every active zonal shift of the account and Region at `resultPath` (`{ active: [...] }`):
   * ListZonalShifts without a resource, so a shift of the load balancer or of the group, a
   * person's or a practice run, all count (autoshifts are not listed: ARC API reference,
   * ListZonalShifts; triage records an autoshift of the shop as its AZ impaired). A List action without resource-level permissions (Service
   * Authorization Reference, arc-zonal-shift): Resource `*`, read-only. Any error escalates.
   */
  listActiveZonalShifts(id: string, resultPath: string): tasks.CallAwsService {
    return this.escalateOnError(
      this.callAws(
        id,
        {
          service: 'arczonalshift',
          action: 'listZonalShifts',
          parameters: { Status: 'ACTIVE' },
          iamAction: 'arc-zonal-shift:ListZonalShifts',
          iamResources: ['*'],
          resultSelector: { active: sfn.JsonPath.listAt('$.Items') },
          resultPath,
        },
        [
          jitteredRetry(['ArcZonalShift.ThrottlingException'], 6),
          jitteredRetry([sfn.Errors.TASKS_FAILED], 2, Duration.seconds(5)),
        ],
      ),
    );
  }

  /** The single catch-all: any error of `task` goes to Escalate with the error at `$.error`. */
  escalateOnError<T extends sfn.TaskStateBase>(task: T): T {
    task.addCatch(this.escalate, { errors: [sfn.Errors.ALL], resultPath: '$.error' });
    return task;
  }

  /** The check's verdict to its branch (verdict.ts). */
  verdictChoice(branches: VerdictBranches, done: sfn.IChainable): sfn.IChainable {
    return new VerdictChoice(this, branches, done);
  }

  /** Waits for a person before `then` (approval-gate.ts). */
  approvalGate(then: sfn.IChainable, done: sfn.IChainable): sfn.IChainable {
    const approvals = this.#props.approvals;
    if (approvals === undefined) {
      throw new Error(
        `${this.#props.runbook}: approvalGate needs the approvals function (props.approvals)`,
      );
    }
    this.#invoked.add(approvals);
    return new ApprovalGate(this, approvals, then, done);
  }

  /** After an approval: reads the live state again before `then` (recheck.ts). */
  recheck(options: RecheckOptions, then: sfn.IChainable, done: sfn.IChainable): sfn.IChainable {
    this.#invoked.add(options.fn.function);
    return new Recheck(this, options, then, done);
  }

  /** The states of a bounded poll (verify-loop.ts). */
  pollStates(
    names: { readonly start: string; readonly wait: string; readonly next: string },
    scheduleSeconds: readonly number[],
  ): PollStates {
    return pollStates(this, names, scheduleSeconds);
  }

  /**
   * A poll round that triage ends when AWS announces the recovery (announced-recovery.ts);
   * the state machine may then put recovery-wait items on the incident table, and only those.
   */
  awaitAnnouncedRecovery(
    id: string,
    announcement: RecoveryAnnouncement,
    roundSeconds: number,
  ): tasks.CallAwsService {
    this.#awaitsAnnouncements = true;
    return awaitAnnouncedRecovery(this, id, this.#props.incidents, announcement, roundSeconds);
  }

  /** Verify until recovered or escalate (verify-loop.ts). */
  verifyLoop(options: VerifyLoopOptions): sfn.IChainable {
    return new VerifyLoop(this, options);
  }

  /**
   * The runbook's state machine (state-machine.ts), with cdk-nag acknowledgements for the
   * wildcards its role got from the tasks above.
   */
  stateMachine(definition: sfn.IChainable, timeout: Duration): sfn.StateMachine {
    const stateMachine = runbookStateMachine(this, {
      stateMachineName: this.stateMachineName,
      runbook: this.#props.runbook,
      definition,
      timeout,
    });
    for (const fn of this.#invoked) {
      acknowledgeWildcardResource(
        stateMachine.role,
        `${fn.functionArn}:*`,
        `Step Functions' Lambda integration grants ${fn.node.path.split('/').at(-2)}'s versions and aliases (ARN:*) along with the function; the runbook invokes only that one function.`,
      );
    }
    for (const group of this.#updatedGroups) {
      acknowledgeWildcardResource(stateMachine.role, group.autoScalingGroupArn, GROUP_ARN_REASON);
    }
    if (this.#awaitsAnnouncements) {
      denyPutsBesidesRecoveryWaits(stateMachine, this.#props.incidents);
    }
    if (this.#readsAlarms) {
      acknowledgeWildcardResource(
        stateMachine.role,
        this.#shopAlarms(),
        `The runbook may read any of the shop's own alarms (${this.#props.namePrefix}-*), the alarm an operator or triage names; ValidateInput rejects any other alarm name.`,
      );
    }
    return stateMachine;
  }

  /** ARN pattern of the shop's alarms, `rebound-<stage>-*`. */
  #shopAlarms(): string {
    return Stack.of(this).formatArn({
      service: 'cloudwatch',
      resource: 'alarm',
      resourceName: `${this.#props.namePrefix}-*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }
}
