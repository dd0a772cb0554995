import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbActionLedger } from '../../../functions/lib/aws/dynamodb-action-ledger.js';
import { DynamoDbIncidentStore } from '../../../functions/lib/aws/dynamodb-incident-store.js';
import type { ActionLedger, IncidentStore } from '../../../functions/lib/core/ports.js';
import { MemoryActionLedger, MemoryIncidentStore } from '../../../functions/lib/memory-store.js';
import { createIncidentTable, useDynalite } from '../../support/dynalite.js';

export type Stores = () => Promise<{ store: IncidentStore; ledger: ActionLedger }>;

/**
 * The incident store and action ledger twice: in memory, and the DynamoDB adapters on dynalite
 * (a fresh `<tablePrefix>-<n>` table per call). Call it at a test file's top level: it starts
 * dynalite for the file.
 */
export const storeImplementations = (tablePrefix: string): [string, Stores][] => {
  const dynamo = useDynalite();
  let tables = 0;
  return [
    [
      'in-memory',
      async () => ({ store: new MemoryIncidentStore(), ledger: new MemoryActionLedger() }),
    ],
    [
      'DynamoDB (dynalite)',
      async () => {
        tables += 1;
        const tableName = `${tablePrefix}-${tables}`;
        await createIncidentTable(dynamo.client, tableName);
        const documents = DynamoDBDocumentClient.from(dynamo.client);
        return {
          store: new DynamoDbIncidentStore(documents, tableName),
          ledger: new DynamoDbActionLedger(documents, tableName),
        };
      },
    ],
  ];
};
