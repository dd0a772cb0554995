import { RDSClient } from '@aws-sdk/client-rds';
import { describeDatabase } from '../describe-database.js';
import type { ResourceDescribers } from '../resource-enricher.js';

const client = new RDSClient({});

export const databaseDescriber: Pick<ResourceDescribers, 'database'> = {
  database: (id, abortSignal) => describeDatabase(client, id, abortSignal),
};
