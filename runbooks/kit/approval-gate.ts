import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { APPROVAL_TIMED_OUT } from '../../functions/lib/runbook/approval-timeout.js';
import { guardrailAt } from '../../functions/lib/runbook/state-paths.js';
import type { RunbookSkeleton } from './skeleton.js';
import { EXECUTION } from './tasks.js';

/** How long an approval request waits for a person before taking the safe default (do not act). */
export const APPROVAL_TIMEOUT = Duration.minutes(30);

/**
 * Waits for a person before `then`: RequestApproval sends the request with the task token
 * (`.waitForTaskToken`, at most {@link APPROVAL_TIMEOUT}), RecordApproval writes the answer
 * on the incident's timeline and normalises it to `$.approval.approved`. A rejection reports
 * `refused` and ends in `done`; no answer in time escalates without acting (the safe default).
 */
export class ApprovalGate extends sfn.StateMachineFragment {
  public readonly startState: sfn.State;
  public readonly endStates: sfn.INextable[] = [];

  constructor(
    skeleton: RunbookSkeleton,
    approvals: lambda.IFunction,
    then: sfn.IChainable,
    done: sfn.IChainable,
  ) {
    super(skeleton, 'ApprovalGate');
    const context = {
      runbook: skeleton.runbook,
      incidentId: sfn.JsonPath.stringAt(guardrailAt('incidentId')),
      target: skeleton.targetPayload(),
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
        action: sfn.JsonPath.stringAt(guardrailAt('reason')),
        timeoutSeconds: APPROVAL_TIMEOUT.toSeconds(),
      }),
      resultPath: '$.approval',
      taskTimeout: sfn.Timeout.duration(APPROVAL_TIMEOUT),
    });
    const timedOut = sfn.Pass.jsonPath(this, 'ApprovalTimedOut', {
      stateName: 'ApprovalTimedOut',
      parameters: {
        Error: APPROVAL_TIMED_OUT,
        Cause: sfn.JsonPath.format(
          `Nobody approved or rejected "{}" within ${APPROVAL_TIMEOUT.toMinutes()} minutes: Rebound did not act (the safe default).`,
          sfn.JsonPath.stringAt(guardrailAt('reason')),
        ),
      },
      resultPath: '$.error',
    });
    request.addCatch(timedOut.next(skeleton.escalate), {
      errors: [sfn.Errors.TIMEOUT],
      resultPath: sfn.JsonPath.DISCARD,
    });
    skeleton.escalateOnError(request);
    const record = skeleton.escalateOnError(
      skeleton.invoke(
        'RecordApproval',
        approvals,
        { type: 'record', ...context, answer: sfn.JsonPath.objectAt('$.approval') },
        '$.approval',
      ),
    );
    const rejected = skeleton
      .escalateOnError(skeleton.report('ReportRejected', 'refused', '$.approval.summary'))
      .next(done);
    request
      .next(record)
      .next(
        sfn.Choice.jsonPath(this, 'Approved', { stateName: 'Approved' })
          .when(sfn.Condition.booleanEquals('$.approval.approved', true), then)
          .otherwise(rejected),
      );
    this.startState = request;
  }
}
