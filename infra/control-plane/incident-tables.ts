import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
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
