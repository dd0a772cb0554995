import { RDSClient } from '@aws-sdk/client-rds';
import { dbInstanceZones, describeDatabase } from '../describe-database.js';
import type { ResourceDescribers } from '../resource-enricher.js';
import type { ZoneLookups } from '../zone-locator.js';

const client = new RDSClient({});

export const databaseDescriber: Pick<ResourceDescribers, 'database'> = {
  database: (id, abortSignal) => describeDatabase(client, id, abortSignal),
};

export const databaseZones: Pick<ZoneLookups, 'dbInstance'> = {
  dbInstance: (id, abortSignal) => dbInstanceZones(client, id, abortSignal),
};
