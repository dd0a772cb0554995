import { type Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';

/**
 * A runbook's state machine with the defaults every runbook has: Standard (exactly-once runs
 * per name), JSONPath, every event logged (without its data), X-Ray, and a bound on the whole run.
 */
export const runbookStateMachine = (
  scope: Construct,
  props: {
    readonly stateMachineName: string;
    readonly runbook: string;
    readonly definition: sfn.IChainable;
    readonly timeout: Duration;
  },
): sfn.StateMachine => {
  const logGroup = new logs.LogGroup(scope, 'Logs', {
    logGroupName: `/aws/vendedlogs/states/${props.stateMachineName}`,
    retention: logs.RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  return new sfn.StateMachine(scope, 'StateMachine', {
    stateMachineName: props.stateMachineName,
    stateMachineType: sfn.StateMachineType.STANDARD,
    queryLanguage: sfn.QueryLanguage.JSON_PATH,
    definitionBody: sfn.DefinitionBody.fromChainable(props.definition),
    comment: `Rebound runbook ${props.runbook}. Start it by hand with the input in runbooks/${props.runbook}/example.json.`,
    timeout: props.timeout,
    tracingEnabled: true,
    // Every event, without its data: a Task's input (the approval gate's holds the task token,
    // a credential to answer the run) would otherwise sit in the log group for a month. The
    // data stays in the execution history, behind states:GetExecutionHistory.
    logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
  });
};
