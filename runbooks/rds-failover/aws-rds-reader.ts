import {
  type DBInstance,
  DBInstanceNotFoundFault,
  DescribeDBInstancesCommand,
  type RDSClient,
} from '@aws-sdk/client-rds';
import type { DbInstanceReader, DbInstanceSnapshot } from './steps.js';

/** The `StatusInfos` entry RDS keeps on a read replica. */
const READ_REPLICATION = 'read replication';

/** The part of a DescribeDBInstances answer the runbook reads. */
export const dbInstanceSnapshot = (instance: DBInstance): DbInstanceSnapshot => {
  const replication = instance.StatusInfos?.find((info) => info.StatusType === READ_REPLICATION);
  const optional = <K extends string, V>(key: K, value: V | undefined) =>
    (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;
  return {
    id: instance.DBInstanceIdentifier ?? '',
    status: instance.DBInstanceStatus ?? 'unknown',
    multiAz: instance.MultiAZ === true,
    ...optional('availabilityZone', instance.AvailabilityZone),
    ...optional('secondaryAvailabilityZone', instance.SecondaryAvailabilityZone),
    ...optional('replicaSourceId', instance.ReadReplicaSourceDBInstanceIdentifier),
    ...optional('endpointAddress', instance.Endpoint?.Address),
    ...(replication === undefined
      ? {}
      : {
          replication: {
            status: replication.Status ?? 'unknown',
            normal: replication.Normal === true,
            ...optional('message', replication.Message || undefined),
          },
        }),
  };
};

/** {@link DbInstanceReader} over DescribeDBInstances, one instance per call (IAM is per DB ARN). */
export class AwsRdsReader implements DbInstanceReader {
  constructor(private readonly rds: RDSClient) {}

  async describe(dbInstanceId: string): Promise<DbInstanceSnapshot | undefined> {
    try {
      const answer = await this.rds.send(
        new DescribeDBInstancesCommand({ DBInstanceIdentifier: dbInstanceId }),
      );
      const [instance] = answer.DBInstances ?? [];
      return instance === undefined ? undefined : dbInstanceSnapshot(instance);
    } catch (error) {
      if (error instanceof DBInstanceNotFoundFault) return undefined;
      throw error;
    }
  }
}
