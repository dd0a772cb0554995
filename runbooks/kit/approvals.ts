import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ApprovalMode } from '../../functions/lib/approval/ports.js';
import { APPROVAL_KEY_PREFIX } from '../../functions/lib/aws/dynamodb-approval-store.js';
import {
  APPROVAL_ENDPOINT_ENVIRONMENT,
  APPROVAL_LINKS_ENVIRONMENT,
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

/**
 * The public approval endpoint's cap: a person answers a request in a few clicks, so 5 at once
 * is plenty, and a flood of the URL is throttled (HTTP 429) before it can take concurrency
 * from triage or the runbooks.
 */
export const APPROVAL_ENDPOINT_CONCURRENCY = 5;

export interface ApprovalsProps {
  /** `rebound-<stage>`. */
  readonly namePrefix: string;
  readonly stage: string;
  /** The incident table: approval requests live there too (`APPROVAL#<id>` items). */
  readonly incidents: dynamodb.ITable;
  /** Approval requests go out as alerts on this topic (paging only as request.ts decides). */
  readonly alertsTopic: sns.ITopic;
  /** Failed asynchronous invocations of both functions. */
  readonly deadLetterQueue: sqs.IQueue;
  /**
   * `links`: signed links to a public endpoint, and the CLI. `iam`: the CLI only, authorised by
   * the caller's IAM (no endpoint, no signing key, no links in the email).
   * @default 'links'
   */
  readonly mode?: ApprovalMode;
}

/** The signed-links path: the endpoint behind its Function URL and the key signing the links. */
export interface ApprovalLinks {
  /** The approval endpoint function (behind {@link functionUrl}). */
  readonly endpointFunction: lambda.IFunction;
  readonly functionUrl: lambda.FunctionUrl;
  /** The endpoint's URL (`https://<id>.lambda-url.<region>.on.aws/`), a token until deploy. */
  readonly endpointUrl: string;
  /** The link-signing key. */
  readonly signingKey: secretsmanager.Secret;
}

/**
 * Human approval for runbooks: the approvals function the runbooks' approval gates invoke
 * (`<namePrefix>-approvals`: sends the request, records the answer) and, in `links` mode, the
 * approval endpoint (`<namePrefix>-approval-endpoint`) behind a Function URL that the email's
 * signed links open, with the secret that signs those links. Either way a person can answer
 * with `npm run runbook -- approve|reject <approval id>` and their own IAM permissions.
 */
export class Approvals extends Construct {
  /** The approvals function: pass it to runbooks as `approvals`. */
  public readonly function: lambda.IFunction;
  /** The signed-links path; absent in `iam` mode. */
  public readonly links?: ApprovalLinks;

  constructor(scope: Construct, id: string, props: ApprovalsProps) {
    super(scope, id);
    const { namePrefix } = props;
    this.links = (props.mode ?? 'links') === 'links' ? this.createLinks(props) : undefined;

    const approvals = new ReboundFunction(this, 'Function', {
      functionName: `${namePrefix}-approvals`,
      description: 'Runbook approvals: sends approval requests and records the answers',
      entry: handlerEntry('approvals.ts'),
      timeout: Duration.seconds(30),
      deadLetterQueue: props.deadLetterQueue,
      environment: {
        ...APPROVALS_ENVIRONMENT.values({
          INCIDENTS_TABLE: props.incidents.tableName,
          ALERTS_TOPIC_ARN: props.alertsTopic.topicArn,
          STAGE: props.stage,
          APPROVAL_MODE: this.links === undefined ? 'iam' : 'links',
        }),
        ...(this.links === undefined
          ? {}
          : APPROVAL_LINKS_ENVIRONMENT.values({
              SIGNING_KEY_SECRET_ARN: this.links.signingKey.secretArn,
              APPROVAL_ENDPOINT_URL: this.links.endpointUrl,
            })),
      },
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
    this.links?.signingKey.grantRead(approvals.function);
    acknowledgeFinding(
      approvals,
      'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      'Generated by grantPublish on the KMS-encrypted alerts topic and scoped to that topic key alone: the approval request alert cannot be published without it.',
    );
  }

  /** The public endpoint, its Function URL and the key signing its links. */
  private createLinks(props: ApprovalsProps): ApprovalLinks {
    const { namePrefix } = props;
    const signingKey = new secretsmanager.Secret(this, 'SigningKey', {
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
      signingKey,
      'AwsSolutions-SMG4',
      `Not rotated automatically: rotating the key invalidates the links of every pending approval request, and a request lives at most ${APPROVAL_TIMEOUT.toMinutes()} minutes, so the key protects nothing long-lived. To rotate by hand, put a new random value when no approval is pending (or accept that pending requests must be answered with the CLI).`,
    );

    const endpoint = new ReboundFunction(this, 'Endpoint', {
      functionName: `${namePrefix}-approval-endpoint`,
      description: 'Approval endpoint: the signed approve/reject links of approval requests',
      entry: handlerEntry('approval-endpoint.ts'),
      timeout: Duration.seconds(15),
      reservedConcurrentExecutions: APPROVAL_ENDPOINT_CONCURRENCY,
      deadLetterQueue: props.deadLetterQueue,
      environment: APPROVAL_ENDPOINT_ENVIRONMENT.values({
        INCIDENTS_TABLE: props.incidents.tableName,
        SIGNING_KEY_SECRET_ARN: signingKey.secretArn,
      }),
    });
    const functionUrl = endpoint.function.addFunctionUrl({
      authType: lambda.FunctionUrlAuthType.NONE,
    });

    // The endpoint: read and claim approval items only (never an incident), the key, and
    // answering the runbooks' waiting tasks.
    endpoint.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        resources: [props.incidents.tableArn],
        conditions: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${APPROVAL_KEY_PREFIX}*`] },
        },
      }),
    );
    props.incidents.encryptionKey?.grantEncryptDecrypt(endpoint.function);
    signingKey.grantRead(endpoint.function);
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
    return {
      endpointFunction: endpoint.function,
      functionUrl,
      endpointUrl: functionUrl.url,
      signingKey,
    };
  }
}
