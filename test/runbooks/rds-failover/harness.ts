import type { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import type { Guardrails } from '../../../functions/lib/core/guardrails.js';
import {
  RdsFailover,
  RECOVERY_POLL_SECONDS,
  RUN_TIMEOUT,
} from '../../../runbooks/rds-failover/state-machine.js';
import {
  checkRdsFailover,
  type DbInstanceSnapshot,
  parseRdsFailoverEvent,
  type RdsShop,
  recheckRdsFailover,
  verifyRdsFailover,
} from '../../../runbooks/rds-failover/steps.js';
import type { RunbookHarness } from '../harness.js';
import { fake, NAME_PREFIX, type SynthesizedRunbook, synthRunbookWith } from '../support.js';
import {
  type Answer,
  announcementFake,
  answer,
  approvalFakes,
  checkDepsOf,
  newStores,
  REPORT_STATES_WITH_APPROVAL,
  type Round,
  scripted,
  type World,
  worldOf,
} from '../world.js';

/** rds-failover in a test stack, and the world its local runs see. */

export const DB = 'rebound-test-db';
export const REPLICA_1 = 'rebound-test-db-replica-1';
export const REPLICA_2 = 'rebound-test-db-replica-2';

const SHOP: RdsShop = {
  primaryId: DB,
  replicaIds: [REPLICA_1, REPLICA_2],
  replicaLagThresholdSeconds: 30,
  primaryEndpointParameter: '/rebound/test/db/primary-endpoint',
};

export const PRIMARY_IN_A: DbInstanceSnapshot = {
  id: DB,
  status: 'available',
  multiAz: true,
  availabilityZone: 'us-east-1a',
  secondaryAvailabilityZone: 'us-east-1b',
  endpointAddress: `${DB}.abc.us-east-1.rds.amazonaws.com`,
};
export const PRIMARY_REBOOTING: DbInstanceSnapshot = { ...PRIMARY_IN_A, status: 'rebooting' };
export const PRIMARY_IN_B: DbInstanceSnapshot = {
  ...PRIMARY_IN_A,
  availabilityZone: 'us-east-1b',
  secondaryAvailabilityZone: 'us-east-1a',
};
export const replica = (id: string, replication = 'replicating'): DbInstanceSnapshot => ({
  id,
  status: 'available',
  multiAz: false,
  availabilityZone: 'us-east-1c',
  replicaSourceId: DB,
  replication: { status: replication, normal: replication === 'replicating' },
  endpointAddress: `${id}.abc.us-east-1.rds.amazonaws.com`,
});

const APPROVED = answer('approve', 'primary is stuck');

export const synth = (): SynthesizedRunbook<RdsFailover> =>
  synthRunbookWith((stack: Stack, shared) => {
    const database = (id: string) =>
      rds.DatabaseInstance.fromDatabaseInstanceAttributes(stack, id, {
        instanceIdentifier: id,
        instanceEndpointAddress: `${id}.abc.us-east-1.rds.amazonaws.com`,
        port: 5432,
        securityGroups: [ec2.SecurityGroup.fromSecurityGroupId(stack, `${id}-sg`, 'sg-0123456')],
      });
    return new RdsFailover(stack, 'RdsFailover', {
      namePrefix: NAME_PREFIX,
      stage: 'test',
      databases: [database(DB), database(REPLICA_1), database(REPLICA_2)],
      ...shared,
    });
  });

interface WorldOptions {
  readonly guardrails?: Partial<Guardrails>;
  /** What each describe of an instance returns, call after call (the last one repeats). */
  readonly databases?: Readonly<Record<string, readonly (DbInstanceSnapshot | undefined)[]>>;
  /**
   * What each read of the replicas' ReplicaLag returns, read after read (the last one repeats);
   * a replica left out has no datapoint.
   */
  readonly replicaLag?: readonly Readonly<Record<string, number>>[];
  /** What the person answers; APPROVED unless given. */
  readonly approval?: Answer | 'no answer';
  /** What the recheck after approval sees of each instance; what the check saw unless given. */
  readonly atRecheck?: Readonly<Record<string, DbInstanceSnapshot | undefined>>;
  /** Whether RDS-EVENT-0049 answers each recovery round; lost (no answer) unless given. */
  readonly rounds?: readonly Round[];
}

/**
 * Every Task overridden by its state name: Check and DatabaseVerify run the runbook's real
 * logic over in-memory stores, scripted DescribeDBInstances answers and ReplicaLag readings; the RDS integrations
 * and the approvals function are fakes that answer like they would.
 */
export const world = (options: WorldOptions = {}): World => {
  const stores = newStores(options.guardrails);
  const scripts: Record<string, readonly (DbInstanceSnapshot | undefined)[]> = {
    [DB]: [PRIMARY_IN_A],
    [REPLICA_1]: [replica(REPLICA_1)],
    [REPLICA_2]: [replica(REPLICA_2)],
    ...options.databases,
  };
  const described = new Map<string, number>();
  const db = {
    describe: async (id: string) => {
      const call = (described.get(id) ?? 0) + 1;
      described.set(id, call);
      return scripted(scripts[id] ?? [], call);
    },
  };
  const recheckDb = {
    describe: async (id: string) =>
      options.atRecheck !== undefined && id in options.atRecheck
        ? options.atRecheck[id]
        : scripts[id]?.[0],
  };
  const lagScript = options.replicaLag ?? [{ [REPLICA_1]: 0, [REPLICA_2]: 2 }];
  let lagReads = 0;
  const replicaLag = {
    maxLagSeconds: async (ids: readonly string[]) => {
      const lags = scripted(lagScript, ++lagReads) ?? {};
      return new Map(ids.flatMap((id) => (id in lags ? [[id, lags[id] ?? 0] as const] : [])));
    },
  };
  return worldOf(stores, {
    tasks: {
      Check: fake((input) =>
        checkRdsFailover(parseRdsFailoverEvent(input), SHOP, {
          ...checkDepsOf(stores),
          db,
        }),
      ),
      ...approvalFakes(options.approval ?? APPROVED),
      Recheck: fake((input) =>
        recheckRdsFailover(parseRdsFailoverEvent(input), SHOP, {
          ...checkDepsOf(stores),
          db: recheckDb,
        }),
      ),
      ForceFailover: fake(() => ({
        DbInstance: { DbInstanceIdentifier: DB, DbInstanceStatus: 'rebooting' },
      })),
      PromoteReplica: fake(() => ({
        DbInstance: { DbInstanceIdentifier: REPLICA_1, DbInstanceStatus: 'modifying' },
      })),
      DatabaseAwaitRecovery: announcementFake(options.rounds),
      DatabaseVerify: fake((input) =>
        verifyRdsFailover(parseRdsFailoverEvent(input), SHOP, { db, replicaLag }),
      ),
    },
    reportStates: REPORT_STATES_WITH_APPROVAL,
    waits: [],
  });
};

export const MUTATING = ['ForceFailover', 'PromoteReplica'];

export const harness: RunbookHarness = {
  synth,
  deployed: { 'primary-db': [DB], 'db-replica': [REPLICA_1, REPLICA_2] },
  runTimeoutSeconds: RUN_TIMEOUT.toSeconds(),
  tasks: [
    'ReadGuardrails',
    'RereadGuardrails',
    'Check',
    'DatabaseAwaitRecovery',
    'DatabaseVerify',
    'ForceFailover',
    'PromoteReplica',
    'RecordApproval',
    'RequestApproval',
    'Recheck',
    ...REPORT_STATES_WITH_APPROVAL,
  ],
  validInput: { dbInstanceId: DB, mode: 'force' },
  checks: ['ReadGuardrails', 'Check'],
  action: `force a Multi-AZ failover of ${DB} from us-east-1a to its standby in us-east-1b (RebootDBInstance with ForceFailover)`,
  mutating: MUTATING,
  act: {
    state: 'ForceFailover',
    call: { DbInstanceIdentifier: DB, ForceFailover: true },
    // RDS throttling is not in its model: the integration raises it as Rds.RdsException.
    throttledBy: 'Rds.RdsException',
  },
  // The check sees us-east-1a, the verify a reboot, then the primary in us-east-1b.
  world: (options = {}) =>
    world({ ...options, databases: { [DB]: [PRIMARY_IN_A, PRIMARY_REBOOTING, PRIMARY_IN_B] } }),
  // RDS-EVENT-0049 comes in the round after which the primary serves from us-east-1b.
  announced: {
    world: () =>
      world({
        databases: { [DB]: [PRIMARY_IN_A, PRIMARY_REBOOTING, PRIMARY_IN_B] },
        rounds: ['lost', 'event'],
      }),
  },
  neverRecovers: {
    // Following a failover RDS made: the primary is back, a replica never replicates again.
    world: () =>
      world({ databases: { [DB]: [PRIMARY_IN_B], [REPLICA_2]: [replica(REPLICA_2, 'error')] } }),
    input: { dbInstanceId: DB, mode: 'follow' },
    verify: 'DatabaseVerify',
    checks: RECOVERY_POLL_SECONDS.length,
    error: 'DatabaseNotRecovered',
    cause: `replica ${REPLICA_2} replication is error`,
  },
};
