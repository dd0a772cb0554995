import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  APPROVAL_ENDPOINT_ENVIRONMENT,
  APPROVALS_ENVIRONMENT,
} from '../../functions/lib/environments.js';
import { ReboundFunction } from '../../infra/constructs/rebound-function.js';
import { acknowledgeFinding } from '../../infra/nag.js';
import { APPROVAL_TIMEOUT } from './approval-gate.js';
import { handlerEntry } from './functions.js';
import { acknowledgeWildcardResource } from './iam.js';

/**
 * What the approvals function does on the incident table: GetItem (incidents, approval items),
 * PutItem (new approval item) and TransactWriteItems of the incident store (its Put, Update,
 * Delete and ConditionCheck actions are authorised one by one).
 */
const APPROVALS_TABLE_ACTIONS = [
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'ConditionCheckItem',
] as const;

export interface ApprovalsProps {
  /** `rebound-<stage>`. */
  readonly namePrefix: string;
  readonly stage: string;
  /** The incident table: approval requests live there too (`APPROVAL#<id>` items). */
  readonly incidents: dynamodb.ITable;
  /** Approval requests go out as critical alerts on this topic. */
  readonly alertsTopic: sns.ITopic;
  /** Failed asynchronous invocations of both functions. */
  readonly deadLetterQueue: sqs.IQueue;
}

/**
 * Human approval for runbooks: the approvals function the runbooks' approval gates invoke
 * (`<namePrefix>-approvals`: sends the request, records the answer), the approval endpoint
 * (`<namePrefix>-approval-endpoint`) behind a Function URL that the email's signed links open,
 * and the secret that signs those links.
 */
export class Approvals extends Construct {
  /** The approvals function: pass it to runbooks as `approvals`. */
  public readonly function: lambda.IFunction;
  /** The approval endpoint function (behind {@link functionUrl}). */
  public readonly endpointFunction: lambda.IFunction;
  public readonly functionUrl: lambda.FunctionUrl;
  /** The endpoint's URL (`https://<id>.lambda-url.<region>.on.aws/`), a token until deploy. */
  public readonly endpointUrl: string;
  /** The link-signing key. */
  public readonly signingKey: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: ApprovalsProps) {
    super(scope, id);
    const { namePrefix } = props;

    this.signingKey = new secretsmanager.Secret(this, 'SigningKey', {
      secretName: `${namePrefix}-approval-signing-key`,
      description: 'HMAC key signing the approve/reject links of Rebound approval requests',
      generateSecretString: {
        passwordLength: 64,
        excludePunctuation: true,
        includeSpace: false,
      },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    acknowledgeFinding(
      this.signingKey,
      'AwsSolutions-SMG4',
      `Not rotated automatically: rotating the key invalidates the links of every pending approval request, and a request lives at most ${APPROVAL_TIMEOUT.toMinutes()} minutes, so the key protects nothing long-lived. To rotate by hand, put a new random value when no approval is pending (or accept that pending requests must be answered with the CLI).`,
    );

    const endpoint = new ReboundFunction(this, 'Endpoint', {
      functionName: `${namePrefix}-approval-endpoint`,
      description: 'Approval endpoint: the signed approve/reject links of approval requests',
      entry: handlerEntry('approval-endpoint.ts'),
      timeout: Duration.seconds(15),
      deadLetterQueue: props.deadLetterQueue,
      environment: APPROVAL_ENDPOINT_ENVIRONMENT.values({
        INCIDENTS_TABLE: props.incidents.tableName,
        SIGNING_KEY_SECRET_ARN: this.signingKey.secretArn,
      }),
    });
    this.endpointFunction = endpoint.function;
    this.functionUrl = endpoint.function.addFunctionUrl({
      authType: lambda.FunctionUrlAuthType.NONE,
    });
    this.endpointUrl = this.functionUrl.url;

    const approvals = new ReboundFunction(this, 'Function', {
      functionName: `${namePrefix}-approvals`,
      description: 'Runbook approvals: sends approval requests and records the answers',
      entry: handlerEntry('approvals.ts'),
      timeout: Duration.seconds(30),
      deadLetterQueue: props.deadLetterQueue,
      environment: APPROVALS_ENVIRONMENT.values({
        INCIDENTS_TABLE: props.incidents.tableName,
        ALERTS_TOPIC_ARN: props.alertsTopic.topicArn,
        SIGNING_KEY_SECRET_ARN: this.signingKey.secretArn,
        APPROVAL_ENDPOINT_URL: this.endpointUrl,
      }),
    });
    this.function = approvals.function;

    // The approvals function: approval items and incidents (single-item reads and the
    // conditional writes and transactions of the incident store; no scans, queries or
    // batches), the alerts topic, the key.
    approvals.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: APPROVALS_TABLE_ACTIONS.map((action) => `dynamodb:${action}`),
        resources: [props.incidents.tableArn],
      }),
    );
    // A customer-managed table key (today the table uses the AWS-managed one) would need this.
    props.incidents.encryptionKey?.grantEncryptDecrypt(approvals.function);
    props.alertsTopic.grantPublish(approvals.function);
    this.signingKey.grantRead(approvals.function);
    acknowledgeFinding(
      approvals,
      'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      'Generated by grantPublish on the KMS-encrypted alerts topic and scoped to that topic key alone: the approval request alert cannot be published without it.',
    );

    // The endpoint: read and claim approval items only (never an incident), the key, and
    // answering the runbooks' waiting tasks.
    endpoint.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        resources: [props.incidents.tableArn],
        conditions: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['APPROVAL#*'] },
        },
      }),
    );
    props.incidents.encryptionKey?.grantEncryptDecrypt(endpoint.function);
    this.signingKey.grantRead(endpoint.function);
    const runbookStateMachines = Stack.of(this).formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: `${namePrefix}-*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    endpoint.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
        resources: [runbookStateMachines],
      }),
    );
    acknowledgeWildcardResource(
      endpoint.function.role ?? endpoint,
      runbookStateMachines,
      `The endpoint answers the approval gates of every Rebound runbook (state machines ${namePrefix}-*); naming each state machine would make them depend on the endpoint and the endpoint on them (a cycle). It can only send task answers, and only with a task token it read from an approval request.`,
    );
  }
}
