import { fileURLToPath } from 'node:url';
import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
// cdk-nag's own flattening, so the finding id below is exactly the one cdk-nag reports.
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import { Construct, type IConstruct } from 'constructs';
import { guardrailParameterPath } from '../../functions/lib/core/guardrails.js';
import {
  type RunbookDefinition,
  type RunbookName,
  type RunbookOutcome,
  runbookDefinition,
  runbookStateMachineName,
} from '../../functions/lib/core/runbook-registry.js';

import { ReboundFunction } from '../../infra/constructs/rebound-function.js';
import { grantReadGuardrails } from '../../infra/control-plane/guardrail-parameters.js';
import { acknowledgeFinding } from '../../infra/nag.js';
import { INCIDENT_ID_RULE, type InputRule, REASON_RULE } from './input-rules.js';

/**
 * What every Rebound runbook shares: the report Lambda (timeline, incident status, alert),
 * the single catch-all route (any failed Task → Escalate → Fail), task defaults (timeouts,
 * retries with full jitter) and the state machine defaults (Standard, JSONPath, logs ALL,
 * X-Ray, a timeout on the whole run).
 *
 * State conventions the report Lambda relies on (functions/lib/runbook/events.ts):
 * `$.incidentId` and `$.reason` from the input, `$.guardrail` from the guardrail check,
 * `$.error` from the catch-all or a runbook's own failure path.
 */

/** What every runbook construct is given: its names and the control plane's shared resources. */
export interface RunbookProps {
  /** `rebound-<stage>`: names the state machine, its functions and the alarms it may read. */
  readonly namePrefix: string;
  readonly stage: string;
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
   * The shared approvals function (infra/control-plane/approvals.ts): sends approval requests
   * and records the answers. Required by runbooks that call {@link RunbookSkeleton.approvalGate}.
   */
  readonly approvals?: lambda.IFunction;
}

/** How long an approval request waits for a person before taking the safe default (do not act). */
export const APPROVAL_TIMEOUT = Duration.minutes(30);

/** Timeout of one Lambda task: above the function's own 30 s timeout. */
const LAMBDA_TASK_TIMEOUT = Duration.seconds(60);
const LAMBDA_TIMEOUT = Duration.seconds(30);
/** Timeout of one AWS API call from the state machine. */
const API_TASK_TIMEOUT = Duration.seconds(30);

/** Why an Auto Scaling group's ARN in a policy has a wildcard (cdk-nag IAM5). */
export const GROUP_ARN_REASON =
  "A group's ARN carries its UUID, which CloudFormation does not expose: the ARN names the group by name with * for the UUID, so the grant reaches only the web group.";

/** Backoff with full jitter, so parallel runs do not retry in lock step. */
export const jitteredRetry = (
  errors: readonly string[],
  maxAttempts: number,
  interval = Duration.seconds(2),
): sfn.RetryProps => ({
  errors: [...errors],
  interval,
  backoffRate: 2,
  maxAttempts,
  maxDelay: Duration.seconds(30),
  jitterStrategy: sfn.JitterType.FULL,
});

/** The execution's identity, passed to every Lambda so it can name the run it reports. */
const EXECUTION = {
  id: sfn.JsonPath.stringAt('$$.Execution.Id'),
  name: sfn.JsonPath.stringAt('$$.Execution.Name'),
};

/** Path of a task Lambda's handler file. */
export const handlerEntry = (file: string): string =>
  fileURLToPath(new URL(`../../functions/${file}`, import.meta.url));

/**
 * Acknowledges cdk-nag's IAM5 finding for one resource ARN with a wildcard in it (a group
 * ARN's `*` UUID, a function's `:*` versions). The finding id embeds the ARN as synthesized,
 * and an ARN from another stack only becomes its `Fn::ImportValue` once cross-stack references
 * are resolved: the acknowledgement is recorded then, from a construct validation, which runs
 * after that and before cdk-nag.
 */
export function acknowledgeWildcardResource(scope: IConstruct, arn: string, reason: string): void {
  scope.node.addValidation({
    validate: () => {
      const resource = flattenCfnReference(Stack.of(scope).resolve(arn));
      acknowledgeFinding(scope, `AwsSolutions-IAM5[Resource::${resource}]`, reason);
      return [];
    },
  });
}

export class RunbookSkeleton extends Construct {
  public readonly reportFunction: ReboundFunction;
  /** Escalate (report `failed`) then fail the execution with the error that led there. */
  public readonly escalate: tasks.LambdaInvoke;
  public readonly stateMachineName: string;
  public readonly guardrailPath: string;
  readonly #props: RunbookSkeletonProps;
  /** The input field naming the run's target, and its resource type (from the registry). */
  readonly #target: Pick<RunbookDefinition, 'targetField' | 'targetType'>;
  /** Functions the state machine invokes (their grants include `:*`). */
  readonly #invoked = new Set<lambda.IFunction>();
  /** Groups the state machine resizes (their ARNs carry a `*` for the UUID). */
  readonly #updatedGroups = new Set<autoscaling.IAutoScalingGroup>();
  #readsAlarms = false;

  constructor(scope: Construct, id: string, props: RunbookSkeletonProps) {
    super(scope, id);
    this.#props = props;
    const row = runbookDefinition(props.runbook);
    if (row === undefined)
      throw new Error(`RunbookSkeleton: ${props.runbook} is not in the registry`);
    this.#target = row;
    this.stateMachineName = runbookStateMachineName(props.namePrefix, props.runbook);
    this.guardrailPath = guardrailParameterPath(props.stage);

    this.reportFunction = this.taskFunction('Report', {
      name: 'report',
      description: `Records and announces how a ${props.runbook} run ended`,
      entry: handlerEntry('runbook-report.ts'),
      environment: {
        INCIDENTS_TABLE: props.incidents.tableName,
        ALERTS_TOPIC_ARN: props.alertsTopic.topicArn,
        GUARDRAILS_PATH: this.guardrailPath,
      },
    });
    props.incidents.grantReadWriteData(this.reportFunction.function);
    props.alertsTopic.grantPublish(this.reportFunction.function);
    acknowledgeFinding(
      this.reportFunction,
      'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      'Generated by grantPublish on the KMS-encrypted alerts topic and scoped to that topic key alone: the report function cannot publish an outcome alert without it.',
    );

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

  /** A task Lambda of this runbook: `<namePrefix>-<runbook>-<name>`, with the project defaults. */
  taskFunction(
    id: string,
    options: {
      readonly name: string;
      readonly description: string;
      readonly entry: string;
      readonly environment: Record<string, string>;
    },
  ): ReboundFunction {
    return new ReboundFunction(this, id, {
      functionName: `${this.stateMachineName}-${options.name}`,
      description: options.description,
      entry: options.entry,
      environment: options.environment,
      deadLetterQueue: this.#props.deadLetterQueue,
      timeout: LAMBDA_TIMEOUT,
    });
  }

  /**
   * The runbook's own Lambda (steps `check`, `verify`, …): a task function that reads the
   * incidents table and the guardrails (INCIDENTS_TABLE, GUARDRAILS_PATH) besides `environment`.
   */
  checkFunction(
    id: string,
    options: {
      readonly name: string;
      readonly description: string;
      readonly entry: string;
      readonly environment?: Record<string, string>;
    },
  ): ReboundFunction {
    const fn = this.taskFunction(id, {
      ...options,
      environment: {
        INCIDENTS_TABLE: this.#props.incidents.tableName,
        GUARDRAILS_PATH: this.guardrailPath,
        ...options.environment,
      },
    });
    this.#props.incidents.grantReadWriteData(fn.function);
    grantReadGuardrails(fn.function, this.guardrailPath);
    return fn;
  }

  /**
   * The ValidateInput Choice: `rules` for the runbook's own fields, then incidentId, `optional`
   * (e.g. alarmName) and reason. Each failing rule ends in its Fail state (`InvalidInput`);
   * the caller adds where valid input goes (`.otherwise(...)`).
   */
  validateInput(rules: readonly InputRule[], optional: readonly InputRule[] = []): sfn.Choice {
    const choice = sfn.Choice.jsonPath(this, 'ValidateInput', { stateName: 'ValidateInput' });
    for (const rule of [...rules, INCIDENT_ID_RULE, ...optional, REASON_RULE]) {
      choice.when(
        rule.invalidWhen,
        sfn.Fail.jsonPath(this, rule.stateName, {
          stateName: rule.stateName,
          error: 'InvalidInput',
          cause: rule.cause,
        }),
      );
    }
    return choice;
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
    return tasks.LambdaInvoke.jsonPath(this, id, {
      stateName: id,
      lambdaFunction,
      payload: sfn.TaskInput.fromObject(payload),
      payloadResponseOnly: true,
      resultPath,
      taskTimeout: sfn.Timeout.duration(LAMBDA_TASK_TIMEOUT),
    });
  }

  /**
   * A report state for `outcome`. `detail` (a JSONPath or intrinsic) says what happened; the
   * Escalate state leaves it out and the report reads `$.error` instead.
   */
  report(id: string, outcome: RunbookOutcome, detail?: string): tasks.LambdaInvoke {
    return this.invoke(
      id,
      this.reportFunction,
      {
        runbook: this.#props.runbook,
        outcome,
        target: {
          type: this.#target.targetType,
          id: sfn.JsonPath.stringAt(`$.${this.#target.targetField}`),
        },
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
   * The runbook's check task (`$.guardrail`): `fn` with the guardrail payload plus `extra`.
   * `InvalidInput` from it (input the Choice states let through) fails the run as
   * `InputRejected`; any other error escalates.
   */
  checkTask(
    id: string,
    fn: ReboundFunction,
    extra: Record<string, unknown> = {},
  ): tasks.LambdaInvoke {
    const check = this.invoke(id, fn, { ...extra, ...this.guardrailPayload() }, '$.guardrail');
    check.addCatch(
      sfn.Fail.jsonPath(this, 'InputRejected', {
        stateName: 'InputRejected',
        error: 'InvalidInput',
        causePath: '$.error.Cause',
      }),
      { errors: ['InvalidInput'], resultPath: '$.error' },
    );
    return this.escalateOnError(check);
  }

  /** The payload every guardrail Lambda gets: the whole state as `input`, plus the execution. */
  guardrailPayload(): Record<string, unknown> {
    return { input: sfn.JsonPath.entirePayload, execution: EXECUTION };
  }

  /** An AWS API call from the state machine, with a timeout and the given retries. */
  callAws(
    id: string,
    props: Omit<tasks.CallAwsServiceJsonPathProps, 'stateName' | 'taskTimeout'>,
    retries: readonly sfn.RetryProps[] = [jitteredRetry([sfn.Errors.TASKS_FAILED], 4)],
  ): tasks.CallAwsService {
    const task = tasks.CallAwsService.jsonPath(this, id, {
      ...props,
      stateName: id,
      taskTimeout: sfn.Timeout.duration(API_TASK_TIMEOUT),
    });
    for (const retry of retries) task.addRetry(retry);
    return task;
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

  /** The single catch-all: any error of `task` goes to Escalate with the error at `$.error`. */
  escalateOnError<T extends sfn.TaskStateBase>(task: T): T {
    task.addCatch(this.escalate, { errors: [sfn.Errors.ALL], resultPath: '$.error' });
    return task;
  }

  /**
   * The verdict of a runbook's check (`$.guardrail.verdict`, see functions/lib/runbook/check.ts)
   * to its branch: `act` acts, `approve` asks a person first (runbooks with approvals only), `follow` only verifies AWS's own
   * recovery; `dry-run`, `skip` and `refused` (and anything unexpected) report why not and end.
   */
  verdictChoice(
    branches: { readonly act: sfn.IChainable; readonly follow?: sfn.IChainable },
    done: sfn.IChainable,
  ): sfn.Choice {
    const C = sfn.Condition;
    const reportVerdict = (stateName: string, outcome: 'dry-run' | 'skipped' | 'refused') =>
      this.escalateOnError(this.report(stateName, outcome, '$.guardrail.reason')).next(done);
    const choice = sfn.Choice.jsonPath(this, 'Verdict', { stateName: 'Verdict' }).when(
      C.stringEquals('$.guardrail.verdict', 'act'),
      branches.act,
    );
    // A runbook that never asks (no approvals function) refuses an unexpected `approve`.
    if (this.#props.approvals !== undefined) {
      choice.when(
        C.stringEquals('$.guardrail.verdict', 'approve'),
        this.approvalGate(branches.act, done),
      );
    }
    if (branches.follow !== undefined) {
      choice.when(C.stringEquals('$.guardrail.verdict', 'follow'), branches.follow);
    }
    return choice
      .when(
        C.stringEquals('$.guardrail.verdict', 'dry-run'),
        reportVerdict('ReportDryRun', 'dry-run'),
      )
      .when(
        C.stringEquals('$.guardrail.verdict', 'skip'),
        reportVerdict('ReportSkipped', 'skipped'),
      )
      .otherwise(reportVerdict('ReportRefused', 'refused'));
  }

  /**
   * Waits for a person before `then`: RequestApproval sends the request with the task token
   * (`.waitForTaskToken`, at most {@link APPROVAL_TIMEOUT}), RecordApproval writes the answer
   * on the incident's timeline and normalises it to `$.approval.approved`. A rejection reports
   * `refused` and ends; no answer in time escalates without acting (the safe default).
   */
  approvalGate(then: sfn.IChainable, done: sfn.IChainable): sfn.IChainable {
    const approvals = this.#props.approvals;
    if (approvals === undefined) {
      throw new Error(
        `${this.#props.runbook}: approvalGate needs the approvals function (props.approvals)`,
      );
    }
    this.#invoked.add(approvals);
    const context = {
      runbook: this.#props.runbook,
      incidentId: sfn.JsonPath.stringAt('$.guardrail.incidentId'),
      target: {
        type: this.#target.targetType,
        id: sfn.JsonPath.stringAt(`$.${this.#target.targetField}`),
      },
      execution: EXECUTION,
    };
    const request = tasks.LambdaInvoke.jsonPath(this, 'RequestApproval', {
      stateName: 'RequestApproval',
      lambdaFunction: approvals,
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: sfn.TaskInput.fromObject({
        type: 'request',
        ...context,
        taskToken: sfn.JsonPath.taskToken,
        action: sfn.JsonPath.stringAt('$.guardrail.reason'),
        timeoutSeconds: APPROVAL_TIMEOUT.toSeconds(),
      }),
      resultPath: '$.approval',
      taskTimeout: sfn.Timeout.duration(APPROVAL_TIMEOUT),
    });
    const timedOut = sfn.Pass.jsonPath(this, 'ApprovalTimedOut', {
      stateName: 'ApprovalTimedOut',
      parameters: {
        Error: 'ApprovalTimedOut',
        Cause: sfn.JsonPath.format(
          `Nobody approved or rejected "{}" within ${APPROVAL_TIMEOUT.toMinutes()} minutes: Rebound did not act (the safe default).`,
          sfn.JsonPath.stringAt('$.guardrail.reason'),
        ),
      },
      resultPath: '$.error',
    });
    request.addCatch(timedOut.next(this.escalate), {
      errors: [sfn.Errors.TIMEOUT],
      resultPath: sfn.JsonPath.DISCARD,
    });
    this.escalateOnError(request);
    const record = this.escalateOnError(
      this.invoke(
        'RecordApproval',
        approvals,
        { type: 'record', ...context, answer: sfn.JsonPath.objectAt('$.approval') },
        '$.approval',
      ),
    );
    const rejected = this.escalateOnError(
      this.report('ReportRejected', 'refused', '$.approval.summary'),
    ).next(done);
    return request
      .next(record)
      .next(
        sfn.Choice.jsonPath(this, 'Approved', { stateName: 'Approved' })
          .when(sfn.Condition.booleanEquals('$.approval.approved', true), then)
          .otherwise(rejected),
      );
  }

  /**
   * The states of a bounded poll: `start` sets `$.poll` (attempt 0, the first wait), `wait`
   * waits `$.poll.seconds`, `next` moves to the next attempt's wait from `scheduleSeconds`.
   * The caller checks `$.poll.attempt` against the schedule's length to stop.
   */
  pollStates(
    names: { readonly start: string; readonly wait: string; readonly next: string },
    scheduleSeconds: readonly number[],
  ): { readonly start: sfn.Pass; readonly wait: sfn.Wait; readonly next: sfn.Pass } {
    return {
      start: sfn.Pass.jsonPath(this, names.start, {
        stateName: names.start,
        parameters: { attempt: 0, seconds: scheduleSeconds[0], schedule: scheduleSeconds },
        resultPath: '$.poll',
      }),
      wait: sfn.Wait.jsonPath(this, names.wait, {
        stateName: names.wait,
        time: sfn.WaitTime.secondsPath('$.poll.seconds'),
      }),
      next: sfn.Pass.jsonPath(this, names.next, {
        stateName: names.next,
        parameters: {
          attempt: sfn.JsonPath.mathAdd(sfn.JsonPath.numberAt('$.poll.attempt'), 1),
          seconds: sfn.JsonPath.numberAt(
            'States.ArrayGetItem($.poll.schedule, States.MathAdd($.poll.attempt, 1))',
          ),
          schedule: sfn.JsonPath.listAt('$.poll.schedule'),
        },
        resultPath: '$.poll',
      }),
    };
  }

  /**
   * Closes the loop: waits `scheduleSeconds[i]` before check i, invokes `fn` with its `step`
   * and the guardrail payload (its answer at `$.verify`: `{ recovered, detail }`) until it answers `recovered: true`,
   * then goes on to `onRecovered`. After the last check the run escalates with error
   * `<prefix>NotRecovered` and the last `detail` as cause. State names start with `prefix`.
   */
  verifyLoop(options: {
    readonly prefix: string;
    readonly fn: ReboundFunction;
    /** The step the Lambda runs, e.g. `verify`. */
    readonly step: string;
    readonly scheduleSeconds: readonly number[];
    readonly onRecovered: sfn.IChainable;
  }): sfn.IChainable {
    const { prefix, scheduleSeconds } = options;
    const C = sfn.Condition;
    const { start, wait, next } = this.pollStates(
      { start: `${prefix}Start`, wait: `${prefix}Wait`, next: `${prefix}Next` },
      scheduleSeconds,
    );
    const verify = this.escalateOnError(
      this.invoke(
        `${prefix}Verify`,
        options.fn,
        { step: options.step, ...this.guardrailPayload() },
        '$.verify',
      ),
    );
    const notRecovered = sfn.Pass.jsonPath(this, `${prefix}NotRecovered`, {
      stateName: `${prefix}NotRecovered`,
      parameters: {
        Error: `${prefix}NotRecovered`,
        Cause: sfn.JsonPath.format(
          `Not recovered after ${scheduleSeconds.length} checks over ~${Math.round(scheduleSeconds.reduce((sum, seconds) => sum + seconds, 0) / 60)} min: {}`,
          sfn.JsonPath.stringAt('$.verify.detail'),
        ),
      },
      resultPath: '$.error',
    });
    return start
      .next(wait)
      .next(verify)
      .next(
        sfn.Choice.jsonPath(this, `${prefix}Recovered`, { stateName: `${prefix}Recovered` })
          .when(C.booleanEquals('$.verify.recovered', true), options.onRecovered)
          .when(
            C.numberGreaterThanEquals('$.poll.attempt', scheduleSeconds.length - 1),
            notRecovered.next(this.escalate),
          )
          .otherwise(next.next(wait)),
      );
  }

  /**
   * The runbook's state machine: Standard (exactly-once runs per name), JSONPath, every event
   * logged with its data, X-Ray, and a bound on the whole run.
   */
  stateMachine(definition: sfn.IChainable, timeout: Duration): sfn.StateMachine {
    const logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/vendedlogs/states/${this.stateMachineName}`,
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: this.stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      queryLanguage: sfn.QueryLanguage.JSON_PATH,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      comment: `Rebound runbook ${this.#props.runbook}. Start it by hand with the input in runbooks/examples/.`,
      timeout,
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
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
