import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { APPROVAL_KEY_PREFIX } from '../../functions/lib/aws/dynamodb-approval-store.js';
import { IDEMPOTENCY_TABLE } from '../../functions/lib/aws/idempotency.js';
import { INCIDENT_TABLE } from '../../functions/lib/aws/incident-table.js';

export interface IncidentTablesProps {
  readonly namePrefix: string;
  /** Retain the incident history when the stack is deleted. */
  readonly protectData: boolean;
}

/**
 * The incident history (incidents, their scope claims and the automation ledger, one table)
 * and the idempotency records of triage. On-demand, encrypted, point-in-time recovery, TTL.
 */
export class IncidentTables extends Construct {
  public readonly incidents: dynamodb.TableV2;
  public readonly idempotency: dynamodb.TableV2;

  constructor(scope: Construct, id: string, props: IncidentTablesProps) {
    super(scope, id);
    this.incidents = new dynamodb.TableV2(this, 'Incidents', {
      tableName: `${props.namePrefix}-incidents`,
      partitionKey: { name: INCIDENT_TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: INCIDENT_TABLE.timeToLiveAttribute,
      billing: dynamodb.Billing.onDemand(),
      encryption: dynamodb.TableEncryptionV2.awsManagedKey(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: props.protectData,
      removalPolicy: props.protectData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.idempotency = new dynamodb.TableV2(this, 'Idempotency', {
      tableName: `${props.namePrefix}-triage-idempotency`,
      partitionKey: { name: IDEMPOTENCY_TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: IDEMPOTENCY_TABLE.timeToLiveAttribute,
      billing: dynamodb.Billing.onDemand(),
      encryption: dynamodb.TableEncryptionV2.awsManagedKey(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Records expire within two days; nothing to keep.
      removalPolicy: RemovalPolicy.DESTROY,
    });
  }
}

/**
 * The item-reading actions DynamoDB authorises per partition key (`dynamodb:LeadingKeys`),
 * including writes that can return the old item (`ReturnValues`):
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html
 */
const KEYED_READS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
] as const;

/**
 * Keeps `role` from reading approval items (`APPROVAL#…`: they hold the runbooks' task tokens,
 * the credential that answers an approval) whatever else it is granted on `table`: an explicit
 * Deny of the keyed reads of those partition keys, and of Scan, which no key condition can
 * bound (nothing in Rebound scans the table). Creating a request (PutItem) stays allowed.
 */
export const denyReadingApprovalItems = (role: iam.IRole, table: dynamodb.ITableV2): void => {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'NoApprovalItemReads',
      effect: iam.Effect.DENY,
      actions: [...KEYED_READS],
      resources: [table.tableArn],
      conditions: {
        'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': [`${APPROVAL_KEY_PREFIX}*`] },
      },
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'NoTableScans',
      effect: iam.Effect.DENY,
      actions: ['dynamodb:Scan'],
      resources: [table.tableArn],
    }),
  );
};
