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
