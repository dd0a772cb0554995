import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import {
  INCIDENT_TABLE,
  RECOVERY_WAIT_KEY_PREFIX,
} from '../../functions/lib/aws/incident-table.js';
import type { RecoveryWait } from '../../functions/lib/core/recovery-announcements.js';
import { callAwsTask, jitteredRetry } from './tasks.js';

/**
 * A poll round that ends early when AWS announces the recovery (recovery-announcements.ts):
 * instead of a Wait state, the run puts its task token on the incident table under
 * `RECOVERY-WAIT#<runbook>:<resource>` (DynamoDB PutItem through the SDK integration with
 * `.waitForTaskToken`, which Step Functions supports for AWS SDK integrations in Standard
 * workflows) and waits at most the round's poll interval (`TimeoutSeconds`): triage's
 * SendTaskSuccess on the announcing event ends the round within seconds; without it the round
 * times out (`States.Timeout`) exactly where the Wait would have ended, and the poll goes on.
 * Heartbeats are not used: nobody works on the task, only its answer counts.
 */

/** What the run waits to hear about: its runbook, and the state path of the resource's id. */
export interface RecoveryAnnouncement {
  readonly runbook: RecoveryWait['runbook'];
  /** JSONPath of the resource's id in the run's state, e.g. `$.dbInstanceId`. */
  readonly resourceIdPath: string;
}

/**
 * The poll round's wait as a Task: answered by triage, or timed out after `roundSeconds` (a
 * fixed TimeoutSeconds: TimeoutSecondsPath reads the state input, which aws-local-stepfunctions
 * reads after Parameters instead, so the local runs could not check it).
 */
export const awaitAnnouncedRecovery = (
  scope: Construct,
  id: string,
  table: dynamodb.ITable,
  announcement: RecoveryAnnouncement,
  roundSeconds: number,
): tasks.CallAwsService =>
  callAwsTask(
    scope,
    id,
    {
      service: 'dynamodb',
      action: 'putItem',
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      // Fields as the DynamoDB model names them (TableName, Item; AttributeValue S): test/checks.
      parameters: {
        TableName: table.tableName,
        Item: {
          [INCIDENT_TABLE.partitionKey]: {
            S: sfn.JsonPath.format(
              `${RECOVERY_WAIT_KEY_PREFIX}${announcement.runbook}:{}`,
              sfn.JsonPath.stringAt(announcement.resourceIdPath),
            ),
          },
          token: { S: sfn.JsonPath.taskToken },
          execution: { S: sfn.JsonPath.executionId },
        },
      },
      iamAction: 'dynamodb:PutItem',
      iamResources: [table.tableArn],
      resultPath: sfn.JsonPath.DISCARD,
      taskTimeout: sfn.Timeout.duration(Duration.seconds(roundSeconds)),
    },
    [
      // DynamoDB's throttling errors (its model: ProvisionedThroughputExceededException,
      // ThrottlingException; anything it does not declare arrives as DynamoDb.DynamoDbException).
      jitteredRetry(
        [
          'DynamoDb.ProvisionedThroughputExceededException',
          'DynamoDb.ThrottlingException',
          'DynamoDb.DynamoDbException',
        ],
        4,
      ),
    ],
  );

/**
 * The state machine may put recovery-wait items only: an explicit Deny of PutItem on any other
 * partition key of the table, whatever else its role is granted.
 */
export const denyPutsBesidesRecoveryWaits = (
  stateMachine: sfn.StateMachine,
  table: dynamodb.ITable,
): void => {
  stateMachine.addToRolePolicy(
    new iam.PolicyStatement({
      sid: 'OnlyRecoveryWaitPuts',
      effect: iam.Effect.DENY,
      actions: ['dynamodb:PutItem'],
      resources: [table.tableArn],
      conditions: {
        'ForAnyValue:StringNotLike': {
          'dynamodb:LeadingKeys': [`${RECOVERY_WAIT_KEY_PREFIX}*`],
        },
      },
    }),
  );
};
