import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';

/**
 * Task defaults of every runbook: a timeout on each task, retries with full jitter, and the
 * execution's identity in every Lambda payload.
 */

/** Timeout of one Lambda task: above the function's own 30 s timeout. */
const LAMBDA_TASK_TIMEOUT = Duration.seconds(60);
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
export const EXECUTION = {
  id: sfn.JsonPath.stringAt('$$.Execution.Id'),
  name: sfn.JsonPath.stringAt('$$.Execution.Name'),
};

/** Invokes `lambdaFunction` with `payload`; its answer lands at `resultPath`. */
export const invokeTask = (
  scope: Construct,
  id: string,
  lambdaFunction: lambda.IFunction,
  payload: Record<string, unknown>,
  resultPath: string,
): tasks.LambdaInvoke =>
  tasks.LambdaInvoke.jsonPath(scope, id, {
    stateName: id,
    lambdaFunction,
    payload: sfn.TaskInput.fromObject(payload),
    payloadResponseOnly: true,
    resultPath,
    taskTimeout: sfn.Timeout.duration(LAMBDA_TASK_TIMEOUT),
  });

/**
 * An AWS API call from the state machine, with a timeout (30 s unless `taskTimeout` says
 * otherwise, as a call waiting for a task token must) and the given retries.
 */
export const callAwsTask = (
  scope: Construct,
  id: string,
  props: Omit<tasks.CallAwsServiceJsonPathProps, 'stateName'>,
  retries: readonly sfn.RetryProps[] = [jitteredRetry([sfn.Errors.TASKS_FAILED], 4)],
): tasks.CallAwsService => {
  const task = tasks.CallAwsService.jsonPath(scope, id, {
    taskTimeout: sfn.Timeout.duration(API_TASK_TIMEOUT),
    ...props,
    stateName: id,
  });
  for (const retry of retries) task.addRetry(retry);
  return task;
};
