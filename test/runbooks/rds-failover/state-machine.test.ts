import type { Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Guardrails } from '../../../functions/lib/core/guardrails.js';
import { APPROVAL_TIMEOUT } from '../../../runbooks/kit/approval-gate.js';
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
  verifyRdsFailover,
} from '../../../runbooks/rds-failover/steps.js';
import {
  APPROVALS_FUNCTION_ARN,
  definitionOf,
  expectEveryTaskBoundedAndEscalating,
  expectObservableStateMachine,
  expectReasonedNagAcknowledgements,
  fake,
  NAME_PREFIX,
  runLocally,
  type SynthesizedRunbook,
  synthRunbookWith,
  TASK_TOKEN,
  taskError,
} from '../support.js';
import {
  type Answer,
  answer,
  approvalFakes,
  callsOf,
  checkDepsOf,
  expectEscalatedWith,
  expectInvalidInputCallingNothing,
  expectRefusedBy,
  NOW,
  newStores,
  REPORT_STATES_WITH_APPROVAL,
  reportsOf,
  scripted,
  type World,
  worldOf,
} from '../world.js';

const DB = 'rebound-test-db';
const REPLICA_1 = 'rebound-test-db-replica-1';
const REPLICA_2 = 'rebound-test-db-replica-2';

const SHOP: RdsShop = {
  primaryId: DB,
  replicaIds: [REPLICA_1, REPLICA_2],
  replicaLagThresholdSeconds: 30,
  primaryEndpointParameter: '/rebound/test/db/primary-endpoint',
};

const PRIMARY_IN_A: DbInstanceSnapshot = {
  id: DB,
  status: 'available',
  multiAz: true,
  availabilityZone: 'us-east-1a',
  secondaryAvailabilityZone: 'us-east-1b',
  endpointAddress: `${DB}.abc.us-east-1.rds.amazonaws.com`,
};
const PRIMARY_REBOOTING: DbInstanceSnapshot = { ...PRIMARY_IN_A, status: 'rebooting' };
const PRIMARY_IN_B: DbInstanceSnapshot = {
  ...PRIMARY_IN_A,
  availabilityZone: 'us-east-1b',
  secondaryAvailabilityZone: 'us-east-1a',
};
const replica = (id: string, replication = 'replicating'): DbInstanceSnapshot => ({
  id,
  status: 'available',
  multiAz: false,
  availabilityZone: 'us-east-1c',
  replicaSourceId: DB,
  replication: { status: replication, normal: replication === 'replicating' },
  endpointAddress: `${id}.abc.us-east-1.rds.amazonaws.com`,
});
const PROMOTED: DbInstanceSnapshot = {
  id: REPLICA_1,
  status: 'available',
  multiAz: false,
  availabilityZone: 'us-east-1c',
  endpointAddress: `${REPLICA_1}.abc.us-east-1.rds.amazonaws.com`,
};

const APPROVED = answer('approve', 'primary is stuck');

const synth = (): SynthesizedRunbook<RdsFailover> =>
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
  readonly forceFailover?: (input: unknown, call: number) => unknown;
  /** What the person answers; APPROVED unless given. */
  readonly approval?: Answer | 'no answer';
}

/**
 * Every Task overridden by its state name: Check and DatabaseVerify run the runbook's real
 * logic over in-memory stores, scripted DescribeDBInstances answers and ReplicaLag readings; the RDS integrations
 * and the approvals function are fakes that answer like they would.
 */
const world = (options: WorldOptions = {}): World => {
  const stores = newStores();
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
          ...checkDepsOf(stores, options.guardrails),
          db,
        }),
      ),
      ...approvalFakes(options.approval ?? APPROVED),
      ForceFailover: fake(
        options.forceFailover ??
          (() => ({ DbInstance: { DbInstanceIdentifier: DB, DbInstanceStatus: 'rebooting' } })),
      ),
      PromoteReplica: fake(() => ({
        DbInstance: { DbInstanceIdentifier: REPLICA_1, DbInstanceStatus: 'modifying' },
      })),
      DatabaseVerify: fake((input) =>
        verifyRdsFailover(parseRdsFailoverEvent(input), SHOP, { db, replicaLag }),
      ),
    },
    reportStates: REPORT_STATES_WITH_APPROVAL,
    waits: ['DatabaseWait'],
  });
};

const MUTATING = ['ForceFailover', 'PromoteReplica'];
/** The approval requests sent: the payloads of the `.waitForTaskToken` invocations. */
const approvalRequests = (w: World) =>
  callsOf(w, 'RequestApproval').map((call) => (call as { Payload: unknown }).Payload);
const mutatingCalls = (w: World) => MUTATING.flatMap((state) => callsOf(w, state));
const budgetOf = (w: World) =>
  w.ledger.peek(
    { budget: 'database-failover', maxPerHour: 2, resourceId: DB, cooldownMinutes: 15 },
    NOW,
  );

interface Statement {
  readonly Action: string | string[];
  readonly Resource: unknown;
}

describe('runbook rds-failover', () => {
  let synthesized: SynthesizedRunbook<RdsFailover>;
  let definition: StateMachineDefinition;

  beforeAll(() => {
    synthesized = synth();
    definition = definitionOf(synthesized.template);
  });

  /** Statements of the IAM policy attached to `roleLogicalIdPrefix`'s role. */
  const statementsOfRole = (role: unknown): Statement[] =>
    Object.values(synthesized.template.findResources('AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([role]))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
  const roleOf = (fn: { readonly role?: { readonly roleName: string } }) =>
    synthesized.stack.resolve(fn.role?.roleName);

  describe('state machine', () => {
    it('is a Standard JSONPath state machine with logs ALL, tracing and a run timeout', () => {
      // Assess
      expectObservableStateMachine(
        synthesized.template,
        definition,
        'rebound-test-rds-failover',
        RUN_TIMEOUT.toSeconds(),
      );
    });

    it('bounds every Task with a timeout and routes every Task but Escalate to Escalate', () => {
      // Assess
      expectEveryTaskBoundedAndEscalating(definition, [
        'Check',
        'DatabaseVerify',
        'Escalate',
        'ForceFailover',
        'PromoteReplica',
        'RecordApproval',
        'ReportDryRun',
        'ReportRefused',
        'ReportRejected',
        'ReportSkipped',
        'ReportSucceeded',
        'RequestApproval',
      ]);
    });

    it('retries throttled RDS calls with jitter and anything else at most once', () => {
      // Assess
      for (const name of MUTATING) {
        const state = definition.States[name];
        const retries = state !== undefined && 'Retry' in state ? state.Retry : undefined;
        expect(retries, name).toEqual([
          expect.objectContaining({
            ErrorEquals: ['Rds.RdsException'],
            JitterStrategy: 'FULL',
          }),
          expect.objectContaining({ ErrorEquals: ['States.TaskFailed'], MaxAttempts: 1 }),
        ]);
      }
    });

    it('checks every 30 s for ~15 min, within a run timeout that also covers the approval wait', () => {
      // Act
      const polling = RECOVERY_POLL_SECONDS.reduce((sum, seconds) => sum + seconds, 0);

      // Assess
      expect(new Set(RECOVERY_POLL_SECONDS)).toEqual(new Set([30]));
      // Multi-AZ failover 60–120 s, DNS and the replicas' reconnection a few minutes more.
      expect(polling).toBe(15 * 60);
      // Approval, polling, 30 Lambda calls, the mutating call's retries and the reports.
      expect(RUN_TIMEOUT.toSeconds()).toBeGreaterThanOrEqual(
        APPROVAL_TIMEOUT.toSeconds() + polling + 10 * 60,
      );
    });

    it('passes the cdk-nag packs with a specific reason for every acknowledgement', () => {
      // Assess (the synthesis in beforeAll threw on any unacknowledged finding)
      expectReasonedNagAcknowledgements(synthesized.app);
    });

    it('lets the state machine reboot only the primary, promote only the replicas and invoke its functions', () => {
      // Act
      const statements = statementsOfRole(roleOf(synthesized.runbook.stateMachine));
      const resolved = synthesized.stack.resolve(statements) as Statement[];

      // Assess
      expect(
        resolved.map(({ Action, Resource }) => ({ Action, Resource: JSON.stringify(Resource) })),
      ).toEqual(
        expect.arrayContaining([
          { Action: 'rds:RebootDBInstance', Resource: expect.stringContaining(`:db:${DB}"`) },
        ]),
      );
      const actions = resolved.flatMap(({ Action }) => [Action].flat());
      expect(actions.filter((action) => action.startsWith('rds:')).sort()).toEqual([
        'rds:PromoteReadReplica',
        'rds:RebootDBInstance',
      ]);
      const reboot = resolved.find(({ Action }) => Action === 'rds:RebootDBInstance');
      expect(JSON.stringify(reboot?.Resource)).toMatch(
        /:rds:us-east-1:123456789012:db:rebound-test-db"\]/,
      );
      const promote = resolved.find(({ Action }) => Action === 'rds:PromoteReadReplica');
      const promoteTargets = [promote?.Resource].flat().map((arn) => JSON.stringify(arn));
      expect(promoteTargets).toHaveLength(2);
      expect(promoteTargets[0]).toContain(`:db:${REPLICA_1}"`);
      expect(promoteTargets[1]).toContain(`:db:${REPLICA_2}"`);
      expect(
        new Set(
          actions.filter(
            (action) =>
              !action.startsWith('rds:') &&
              !action.startsWith('xray:') &&
              !action.startsWith('logs:'),
          ),
        ),
      ).toEqual(new Set(['lambda:InvokeFunction']));
      const invoked = JSON.stringify(
        resolved.filter(({ Action }) => [Action].flat().includes('lambda:InvokeFunction')),
      );
      expect(invoked).toContain(APPROVALS_FUNCTION_ARN);
    });

    it('lets the step function describe the three databases, read the replica lag, read the guardrails and use the incidents table, nothing else', () => {
      // Act
      const statements = synthesized.stack.resolve(
        statementsOfRole(roleOf(synthesized.runbook.functions.step.function)),
      ) as Statement[];
      const actions = statements.flatMap(({ Action }) => [Action].flat());

      // Assess
      const describe = statements.find(({ Action }) => Action === 'rds:DescribeDBInstances');
      expect(
        [describe?.Resource].flat().map((arn) => JSON.stringify(arn).match(/:db:([\w-]+)"/)?.[1]),
      ).toEqual([DB, REPLICA_1, REPLICA_2]);
      expect(
        new Set(
          actions.filter(
            (action) =>
              !action.startsWith('dynamodb:') &&
              !action.startsWith('xray:') &&
              !action.startsWith('logs:'),
          ),
        ),
        // sqs:SendMessage: the dead-letter queue of its failed asynchronous invocations.
      ).toEqual(
        new Set([
          'rds:DescribeDBInstances',
          'cloudwatch:GetMetricData',
          'ssm:GetParametersByPath',
          'sqs:SendMessage',
        ]),
      );
      expect(actions.filter((action) => /rds:(Reboot|Promote)/.test(action))).toEqual([]);
      // GetMetricData has no resource-level permissions: `*`, in a statement of its own.
      expect(
        statements.filter(({ Action }) => [Action].flat().includes('cloudwatch:GetMetricData')),
      ).toEqual([expect.objectContaining({ Action: 'cloudwatch:GetMetricData', Resource: '*' })]);
      expect(actions.filter((action) => action.startsWith('cloudwatch:'))).toEqual([
        'cloudwatch:GetMetricData',
      ]);
    });

    it('tells the step function which databases are the shop and the lag threshold', () => {
      // Assess
      synthesized.template.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: 'rebound-test-rds-failover-step',
        Environment: {
          Variables: Match.objectLike({
            PRIMARY_DB_INSTANCE_ID: DB,
            REPLICA_DB_INSTANCE_IDS: `${REPLICA_1},${REPLICA_2}`,
            REPLICA_LAG_THRESHOLD_SECONDS: '30',
            PRIMARY_ENDPOINT_PARAMETER: '/rebound/test/db/primary-endpoint',
            GUARDRAILS_PATH: '/rebound/test/guardrails/',
          }),
        },
      });
    });
  });

  describe('local execution', () => {
    let w: World;
    beforeEach(() => {
      w = world();
    });

    it('follows a failover RDS started without asking anyone and announces where the primary runs', async () => {
      // Prepare: mid-failover (no standby yet, a replica reconnecting), then recovered in us-east-1b.
      w = world({
        databases: {
          [DB]: [
            { ...PRIMARY_IN_B, secondaryAvailabilityZone: undefined, multiAz: true },
            PRIMARY_IN_B,
          ],
          [REPLICA_1]: [{ ...replica(REPLICA_1), status: 'rebooting' }, replica(REPLICA_1)],
        },
      });

      // Act
      const run = await runLocally(definition, { dbInstanceId: DB, mode: 'follow' }, w.overrides);

      // Assess
      expect(run.status).toBe('succeeded');
      expect(callsOf(w, 'RequestApproval')).toEqual([]);
      expect(mutatingCalls(w)).toEqual([]);
      expect(callsOf(w, 'DatabaseVerify')).toHaveLength(2);
      expect(reportsOf(w)).toEqual([
        expect.objectContaining({
          at: 'ReportSucceeded',
          outcome: 'succeeded',
          target: { type: 'db-instance', id: DB },
          detail: `${DB} is available in us-east-1b (standby in us-east-1a); 2 replicas replicating, max lag 2 s`,
        }),
      ]);
      expect(w.alerts.map((alert) => alert.kind)).toEqual(['runbook-succeeded']);
      // Following consumes no budget and sets no cooldown.
      await expect(budgetOf(w)).resolves.toEqual({ allowed: true });
    });

    it('forces a failover after approval and succeeds once the primary runs in the standby AZ', async () => {
      // Prepare: check sees us-east-1a, then rebooting, then the primary in us-east-1b.
      w = world({ databases: { [DB]: [PRIMARY_IN_A, PRIMARY_REBOOTING, PRIMARY_IN_B] } });

      // Act
      const run = await runLocally(
        definition,
        { dbInstanceId: DB, mode: 'force', reason: 'primary unresponsive, no failover event' },
        w.overrides,
      );

      // Assess
      expect(run.status).toBe('succeeded');
      expect(approvalRequests(w)).toEqual([
        expect.objectContaining({
          type: 'request',
          runbook: 'rds-failover',
          taskToken: TASK_TOKEN,
          target: { type: 'db-instance', id: DB },
          action: `force a Multi-AZ failover of ${DB} from us-east-1a to its standby in us-east-1b (RebootDBInstance with ForceFailover)`,
        }),
      ]);
      expect(callsOf(w, 'RecordApproval')).toEqual([
        expect.objectContaining({ type: 'record', answer: APPROVED }),
      ]);
      expect(callsOf(w, 'ForceFailover')).toEqual([
        { DbInstanceIdentifier: DB, ForceFailover: true },
      ]);
      expect(callsOf(w, 'PromoteReplica')).toEqual([]);
      expect(callsOf(w, 'DatabaseVerify')).toHaveLength(2);
      const [report] = reportsOf(w);
      expect(report).toMatchObject({
        at: 'ReportSucceeded',
        detail: `${DB} is available in us-east-1b (standby in us-east-1a); 2 replicas replicating, max lag 2 s`,
      });
      await expect(budgetOf(w)).resolves.toMatchObject({ allowed: false, blockedBy: 'cooldown' });
    });

    it('does not count a forced failover done while the primary is still in its old AZ', async () => {
      // Prepare: RDS answers the reboot but the primary stays in us-east-1a for two checks.
      w = world({ databases: { [DB]: [PRIMARY_IN_A, PRIMARY_IN_A, PRIMARY_IN_A, PRIMARY_IN_B] } });

      // Act
      const run = await runLocally(definition, { dbInstanceId: DB, mode: 'force' }, w.overrides);

      // Assess
      expect(run.status).toBe('succeeded');
      expect(callsOf(w, 'DatabaseVerify')).toHaveLength(3);
    });

    it('in dry-run mode says what it would do and asks no one and changes nothing', async () => {
      // Prepare
      w = world({ guardrails: { mode: 'dry-run' } });

      // Act
      const run = await runLocally(definition, { dbInstanceId: DB, mode: 'force' }, w.overrides);

      // Assess
      expect(run.status).toBe('succeeded');
      expect(callsOf(w, 'RequestApproval')).toEqual([]);
      expect(mutatingCalls(w)).toEqual([]);
      expect(callsOf(w, 'DatabaseVerify')).toEqual([]);
      expect(reportsOf(w)).toEqual([
        expect.objectContaining({
          at: 'ReportDryRun',
          outcome: 'dry-run',
          detail: `dry-run: would force a Multi-AZ failover of ${DB} from us-east-1a to its standby in us-east-1b (RebootDBInstance with ForceFailover) after approval`,
        }),
      ]);
      await expect(budgetOf(w)).resolves.toEqual({ allowed: true });
    });

    it.each([
      ['the mode is off', { mode: 'off' as const }, 'mode-off'],
      ['the runbook is not enabled', { enabledRunbooks: ['scale-out'] }, 'runbook-disabled'],
      ['the hourly budget is 0', { maxActionsPerHour: 0 }, 'budget'],
    ])('refuses when %s, without asking or acting', async (_case, guardrails, blockedBy) => {
      // Prepare
      w = world({ guardrails });

      // Act
      const run = await runLocally(definition, { dbInstanceId: DB, mode: 'force' }, w.overrides);

      // Assess
      expect(run.status).toBe('succeeded');
      expect(callsOf(w, 'RequestApproval')).toEqual([]);
      expect(mutatingCalls(w)).toEqual([]);
      expectRefusedBy(w, blockedBy);
    });

    it('refuses to force a failover of a Single-AZ primary', async () => {
      // Prepare
      w = world({
        databases: {
          [DB]: [{ ...PRIMARY_IN_A, multiAz: false, secondaryAvailabilityZone: undefined }],
        },
      });

      // Act
      const run = await runLocally(definition, { dbInstanceId: DB, mode: 'force' }, w.overrides);

      // Assess
      expect(run.status).toBe('succeeded');
      expect(mutatingCalls(w)).toEqual([]);
      expect(reportsOf(w)).toEqual([
        expect.objectContaining({
          at: 'ReportRefused',
          detail: `${DB} is not Multi-AZ: a forced failover needs a standby; rebooting a Single-AZ instance only restarts it`,
        }),
      ]);
    });

    it('skips when a failover or reboot is already under way', async () => {
      // Prepare
      w = world({ databases: { [DB]: [PRIMARY_REBOOTING] } });

      // Act
      const run = await runLocally(definition, { dbInstanceId: DB, mode: 'force' }, w.overrides);

      // Assess
      expect(run.status).toBe('succeeded');
      expect(mutatingCalls(w)).toEqual([]);
      expect(reportsOf(w)).toEqual([
        expect.objectContaining({
          at: 'ReportSkipped',
          outcome: 'skipped',
          detail: `${DB} is rebooting: a failover or reboot is already under way`,
        }),
      ]);
    });

    it('retries a throttled RebootDBInstance, then carries on', async () => {
      // Prepare
      w = world({
        databases: { [DB]: [PRIMARY_IN_A, PRIMARY_IN_B] },
        forceFailover: (_input, call) => {
          // RDS throttling is not in its model: the integration raises it as Rds.RdsException.
          if (call === 1) throw taskError('Rds.RdsException', 'Rate exceeded');
          return { DbInstance: { DbInstanceIdentifier: DB } };
        },
      });

      // Act
      const run = await runLocally(definition, { dbInstanceId: DB, mode: 'force' }, w.overrides);

      // Assess
      expect(run.status).toBe('succeeded');
      expect(callsOf(w, 'ForceFailover')).toHaveLength(2);
      expect(reportsOf(w).map(({ at }) => at)).toEqual(['ReportSucceeded']);
    });

    it('does not act when the person rejects, and reports refused', async () => {
      // Prepare
      w = world({ approval: answer('reject', 'too risky') });

      // Act
      const run = await runLocally(definition, { dbInstanceId: DB, mode: 'force' }, w.overrides);

      // Assess
      expect(run.status).toBe('succeeded');
      expect(mutatingCalls(w)).toEqual([]);
      expect(reportsOf(w)).toEqual([
        expect.objectContaining({
          at: 'ReportRejected',
          outcome: 'refused',
          detail: 'rejected by ana via cli: too risky',
        }),
      ]);
    });

    it('escalates without acting when nobody answers in time', async () => {
      // Prepare
      w = world({ approval: 'no answer' });

      // Act
      const run = await runLocally(definition, { dbInstanceId: DB, mode: 'force' }, w.overrides);

      // Assess
      expect(run).toMatchObject({
        status: 'failed',
        error: 'ApprovalTimedOut',
        cause: expect.stringContaining('Rebound did not act'),
      });
      expect(callsOf(w, 'RecordApproval')).toEqual([]);
      expect(mutatingCalls(w)).toEqual([]);
      expectEscalatedWith(w, 'ApprovalTimedOut');
    });

    it('waits for a lagging replica to catch up before it announces the recovery', async () => {
      // Prepare: replica-2 lags 45 s, then 31 s, then 3 s (threshold 30 s).
      w = world({
        databases: { [DB]: [PRIMARY_IN_B] },
        replicaLag: [
          { [REPLICA_1]: 0, [REPLICA_2]: 45 },
          { [REPLICA_1]: 0, [REPLICA_2]: 31 },
          { [REPLICA_1]: 1, [REPLICA_2]: 3 },
        ],
      });

      // Act
      const run = await runLocally(definition, { dbInstanceId: DB, mode: 'follow' }, w.overrides);

      // Assess
      expect(run.status).toBe('succeeded');
      expect(callsOf(w, 'DatabaseVerify')).toHaveLength(3);
      expect(reportsOf(w)).toEqual([
        expect.objectContaining({
          at: 'ReportSucceeded',
          detail: `${DB} is available in us-east-1b (standby in us-east-1a); 2 replicas replicating, max lag 3 s`,
        }),
      ]);
    });

    it('escalates when a replica never reports its lag', async () => {
      // Prepare: replica-2 replicates (StatusInfos) but has no ReplicaLag datapoint.
      w = world({ databases: { [DB]: [PRIMARY_IN_B] }, replicaLag: [{ [REPLICA_1]: 0 }] });

      // Act
      const run = await runLocally(definition, { dbInstanceId: DB, mode: 'follow' }, w.overrides);

      // Assess
      expect(run).toMatchObject({
        status: 'failed',
        error: 'DatabaseNotRecovered',
        cause: expect.stringContaining(
          `replica ${REPLICA_2} lag unknown (no recent ReplicaLag datapoint)`,
        ),
      });
      expect(callsOf(w, 'DatabaseVerify')).toHaveLength(RECOVERY_POLL_SECONDS.length);
    });

    it('escalates when a replica never catches up', async () => {
      // Prepare
      w = world({
        databases: { [DB]: [PRIMARY_IN_B], [REPLICA_2]: [replica(REPLICA_2, 'error')] },
      });

      // Act
      const run = await runLocally(definition, { dbInstanceId: DB, mode: 'follow' }, w.overrides);

      // Assess
      expect(run).toMatchObject({
        status: 'failed',
        error: 'DatabaseNotRecovered',
        cause: expect.stringContaining(`replica ${REPLICA_2} replication is error`),
      });
      expect(callsOf(w, 'DatabaseVerify')).toHaveLength(RECOVERY_POLL_SECONDS.length);
      expectEscalatedWith(w, 'DatabaseNotRecovered');
      expect(w.alerts).toEqual([
        expect.objectContaining({ severity: 'critical', kind: 'escalation' }),
      ]);
    });

    it('promotes a replica after approval and says the app still points at the old primary', async () => {
      // Prepare: the check sees a replica; the promotion goes through modifying.
      w = world({
        databases: {
          [REPLICA_1]: [
            replica(REPLICA_1),
            { ...replica(REPLICA_1), status: 'modifying' },
            PROMOTED,
          ],
        },
      });

      // Act
      const run = await runLocally(
        definition,
        {
          dbInstanceId: DB,
          mode: 'promote-replica',
          replicaId: REPLICA_1,
          reason: 'region-wide DB loss',
        },
        w.overrides,
      );

      // Assess
      expect(run.status).toBe('succeeded');
      expect(approvalRequests(w)).toEqual([
        expect.objectContaining({
          action: `promote read replica ${REPLICA_1} to a standalone primary (disaster path: the app must be pointed at it)`,
        }),
      ]);
      expect(callsOf(w, 'PromoteReplica')).toEqual([
        { DbInstanceIdentifier: REPLICA_1, BackupRetentionPeriod: 7 },
      ]);
      expect(callsOf(w, 'ForceFailover')).toEqual([]);
      expect(reportsOf(w)).toEqual([
        expect.objectContaining({
          at: 'ReportSucceeded',
          detail: `${REPLICA_1} is a standalone primary, available at ${REPLICA_1}.abc.us-east-1.rds.amazonaws.com; the app's SSM parameter /rebound/test/db/primary-endpoint still names the old primary ${DB}: a person must switch it`,
        }),
      ]);
    });

    it('skips promoting a replica that was promoted already', async () => {
      // Prepare
      w = world({ databases: { [REPLICA_1]: [PROMOTED] } });

      // Act
      const run = await runLocally(
        definition,
        { dbInstanceId: DB, mode: 'promote-replica', replicaId: REPLICA_1 },
        w.overrides,
      );

      // Assess
      expect(run.status).toBe('succeeded');
      expect(callsOf(w, 'RequestApproval')).toEqual([]);
      expect(mutatingCalls(w)).toEqual([]);
      expect(reportsOf(w)).toEqual([expect.objectContaining({ at: 'ReportSkipped' })]);
    });

    it.each([
      ['a missing dbInstanceId', { mode: 'follow' }, 'InvalidDbInstanceId'],
      [
        'another database',
        { dbInstanceId: 'someone-else-db', mode: 'follow' },
        'InvalidDbInstanceId',
      ],
      ['a missing mode', { dbInstanceId: DB }, 'InvalidMode'],
      ['an unknown mode', { dbInstanceId: DB, mode: 'reboot' }, 'InvalidMode'],
      [
        'promote-replica without replicaId',
        { dbInstanceId: DB, mode: 'promote-replica' },
        'InvalidReplicaId',
      ],
      [
        'a foreign replica',
        { dbInstanceId: DB, mode: 'promote-replica', replicaId: 'other-replica' },
        'InvalidReplicaId',
      ],
      [
        'a replicaId with force',
        { dbInstanceId: DB, mode: 'force', replicaId: REPLICA_1 },
        'InvalidReplicaId',
      ],
      [
        'a malformed incident id',
        { dbInstanceId: DB, mode: 'follow', incidentId: 42 },
        'InvalidIncidentId',
      ],
      [
        'a reason that is not text',
        { dbInstanceId: DB, mode: 'follow', reason: 42 },
        'InvalidReason',
      ],
    ])('fails with InvalidInput on %s, calling nothing', async (_case, input, failState) => {
      // Act
      const run = await runLocally(definition, input, w.overrides);

      // Assess
      expectInvalidInputCallingNothing(w, definition, run, failState);
    });

    it('fails with InvalidInput when the check rejects an incident that does not exist', async () => {
      // Act
      const run = await runLocally(
        definition,
        { dbInstanceId: DB, mode: 'follow', incidentId: 'inc-20250101T1200-deadbeef' },
        w.overrides,
      );

      // Assess
      expect(run).toMatchObject({
        status: 'failed',
        error: 'InvalidInput',
        cause: expect.stringContaining('names no incident'),
      });
      expect(reportsOf(w)).toEqual([]);
    });
  });
});
