import { DeleteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RecoveryWait, RecoveryWaitStore } from '../core/recovery-announcements.js';
import { INCIDENT_TABLE, recoveryWaitItemKey } from './incident-table.js';

/**
 * {@link RecoveryWaitStore} on the incident table: the item `RECOVERY-WAIT#<runbook>:<resource>`
 * that a run's verify loop puts with its task token (runbooks/kit/verify-loop.ts). Taking it is
 * one DeleteItem returning the old item, so two deliveries of one event cannot both get the token.
 */
export class DynamoDbRecoveryWaits implements RecoveryWaitStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async take(wait: RecoveryWait): Promise<string | undefined> {
    const { Attributes } = await this.client.send(
      new DeleteCommand({
        TableName: this.tableName,
        Key: { [INCIDENT_TABLE.partitionKey]: recoveryWaitItemKey(wait.runbook, wait.resourceId) },
        ReturnValues: 'ALL_OLD',
      }),
    );
    const token = Attributes?.token;
    return typeof token === 'string' && token !== '' ? token : undefined;
  }
}
