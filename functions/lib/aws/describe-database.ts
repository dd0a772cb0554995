import { DescribeDBInstancesCommand, type RDSClient } from '@aws-sdk/client-rds';
import { type Lines, MAX_MEMBERS, NotFound } from './describe-lines.js';

/** A DB instance's live state for alerts: status, Multi-AZ placement, replicas, status infos. */
export const describeDatabase = async (
  client: RDSClient,
  id: string,
  abortSignal: AbortSignal,
): Promise<Lines> => {
  const output = await client.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }), {
    abortSignal,
  });
  const db = output.DBInstances?.[0];
  if (db === undefined) throw new NotFound(`DB instance ${id} not found`);
  const lines = [
    `${db.DBInstanceIdentifier ?? id}: ${db.DBInstanceStatus}, Multi-AZ ${db.MultiAZ ? 'yes' : 'no'}, ` +
      `in ${db.AvailabilityZone ?? 'unknown AZ'}` +
      (db.SecondaryAvailabilityZone === undefined
        ? ''
        : `, standby in ${db.SecondaryAvailabilityZone}`),
  ];
  if (db.ReadReplicaSourceDBInstanceIdentifier !== undefined) {
    lines.push(`read replica of ${db.ReadReplicaSourceDBInstanceIdentifier}`);
  }
  const replicas = db.ReadReplicaDBInstanceIdentifiers ?? [];
  if (replicas.length > 0)
    lines.push(`read replicas: ${replicas.slice(0, MAX_MEMBERS).join(', ')}`);
  for (const info of db.StatusInfos ?? []) {
    lines.push(
      `${info.StatusType ?? 'status'}: ${info.Status}${info.Normal === false ? ' (not normal)' : ''}` +
        (info.Message === undefined ? '' : ` - ${info.Message}`),
    );
  }
  return lines;
};

/**
 * The AZ a DB instance is described in (botocore rds DBInstance.AvailabilityZone, "the name of
 * the Availability Zone where the DB instance is located"; SecondaryAvailabilityZone is the
 * standby's). Asked at a Multi-AZ failover's start (RDS-EVENT-0013) only: the standby takes over
 * when the failover completes (RDS-EVENT-0015 "failover to standby complete", with the DNS
 * record flipped then), after which RDS describes the instance in the standby's AZ. AWS does not
 * document the exact moment the member changes; an answer read too late names the standby's AZ,
 * which no part of the outage shares, and the failover then stays an incident of its own.
 */
export const dbInstanceZones = async (
  client: RDSClient,
  dbInstanceId: string,
  abortSignal: AbortSignal,
): Promise<string[]> => {
  const output = await client.send(
    new DescribeDBInstancesCommand({ DBInstanceIdentifier: dbInstanceId }),
    { abortSignal },
  );
  const zone = output.DBInstances?.[0]?.AvailabilityZone;
  return zone === undefined ? [] : [zone];
};
