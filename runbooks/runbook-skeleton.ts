import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
// cdk-nag's own flattening, so the finding id below is exactly the one cdk-nag reports.
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import { Construct, type IConstruct } from 'constructs';
import { guardrailParameterPath } from '../functions/lib/core/guardrails.js';
import type { ResourceType } from '../functions/lib/core/signal.js';
import type { RunbookOutcome } from '../functions/lib/runbook/outcome.js';
import { ReboundFunction } from '../infra/constructs/rebound-function.js';
import { acknowledgeFinding } from '../infra/nag.js';
import { type RunbookName, runbookStateMachineName } from './registry.js';

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

export interface RunbookSkeletonProps {
  /** `rebound-<stage>`. */
  readonly namePrefix: string;
  readonly stage: string;
  readonly runbook: RunbookName;
  /** The execution input field naming the resource the runbook acts on, e.g. `instanceId`. */
  readonly targetField: string;
  readonly targetType: ResourceType;
  readonly incidents: dynamodb.ITable;
  readonly alertsTopic: sns.ITopic;
  /** Failed asynchronous invocations of the task Lambdas. */
  readonly deadLetterQueue: sqs.IQueue;
}

/** Timeout of one Lambda task: above the function's own 30 s timeout. */
const LAMBDA_TASK_TIMEOUT = Duration.seconds(60);
const LAMBDA_TIMEOUT = Duration.seconds(30);
/** Timeout of one AWS API call from the state machine. */
const API_TASK_TIMEOUT = Duration.seconds(30);

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
  fileURLToPath(new URL(`../functions/${file}`, import.meta.url));

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
  /** Functions the state machine invokes (their grants include `:*`). */
  readonly #invoked = new Set<ReboundFunction>();

  constructor(scope: Construct, id: string, props: RunbookSkeletonProps) {
    super(scope, id);
    this.#props = props;
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

  /** Invokes a task Lambda with `payload`; the result lands at `resultPath`. */
  invoke(
    id: string,
    fn: ReboundFunction,
    payload: Record<string, unknown>,
    resultPath: string,
  ): tasks.LambdaInvoke {
    this.#invoked.add(fn);
    return tasks.LambdaInvoke.jsonPath(this, id, {
      stateName: id,
      lambdaFunction: fn.function,
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
          type: this.#props.targetType,
          id: sfn.JsonPath.stringAt(`$.${this.#props.targetField}`),
        },
        ...(detail === undefined ? {} : { detail: sfn.JsonPath.stringAt(detail) }),
        state: sfn.JsonPath.entirePayload,
        execution: EXECUTION,
      },
      sfn.JsonPath.DISCARD,
    );
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

  /** The single catch-all: any error of `task` goes to Escalate with the error at `$.error`. */
  escalateOnError<T extends sfn.TaskStateBase>(task: T): T {
    task.addCatch(this.escalate, { errors: [sfn.Errors.ALL], resultPath: '$.error' });
    return task;
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
        `${fn.function.functionArn}:*`,
        `Step Functions' Lambda integration grants ${fn.function.node.path.split('/').at(-2)}'s versions and aliases (ARN:*) along with the function; the runbook invokes only that one function.`,
      );
    }
    return stateMachine;
  }
}
