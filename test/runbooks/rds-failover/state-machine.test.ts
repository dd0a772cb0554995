import { Match } from 'aws-cdk-lib/assertions';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { APPROVAL_TIMEOUT } from '../../../runbooks/kit/approval-gate.js';
import {
  type RdsFailover,
  RECOVERY_POLL_SECONDS,
  RUN_TIMEOUT,
} from '../../../runbooks/rds-failover/state-machine.js';
import type { DbInstanceSnapshot } from '../../../runbooks/rds-failover/steps.js';
import {
  APPROVALS_FUNCTION_ARN,
  definitionOf,
  expectOnlyStateMachineReadsGuardrails,
  expectRecoveryWaitPutsOnly,
  runLocally,
  type SynthesizedRunbook,
} from '../support.js';
import { callsOf, NOW, reportsOf, type World } from '../world.js';
import {
  DB,
  MUTATING,
  PRIMARY_IN_A,
  PRIMARY_IN_B,
  PRIMARY_REBOOTING,
  REPLICA_1,
  REPLICA_2,
  replica,
  synth,
  world,
} from './harness.js';

/**
 * What only rds-failover does; the contract every runbook keeps (dry-run, guardrails,
 * throttling, escalation, approvals, bad input…) is checked by ../contract.test.ts.
 */

const PROMOTED: DbInstanceSnapshot = {
  id: REPLICA_1,
  status: 'available',
  multiAz: false,
  availabilityZone: 'us-east-1c',
  endpointAddress: `${REPLICA_1}.abc.us-east-1.rds.amazonaws.com`,
};

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

    it('checks at least every 60 s for ~15 min, within a run timeout that also covers the approval wait', () => {
      // Act
      const polling = RECOVERY_POLL_SECONDS.reduce((sum, seconds) => sum + seconds, 0);

      // Assess: RDS-EVENT-0049 ends a round early; 60 s bounds a lost event's delay.
      expect(new Set(RECOVERY_POLL_SECONDS)).toEqual(new Set([60]));
      // Multi-AZ failover 60–120 s, DNS and the replicas' reconnection a few minutes more.
      expect(polling).toBe(15 * 60);
      // Approval, polling, 30 Lambda calls, the mutating call's retries and the reports.
      expect(RUN_TIMEOUT.toSeconds()).toBeGreaterThanOrEqual(
        APPROVAL_TIMEOUT.toSeconds() + polling + 10 * 60,
      );
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
        // ssm: the guardrails, read before the check and the recheck (runbooks/kit/guardrail-read.ts).
      ).toEqual(new Set(['dynamodb:PutItem', 'lambda:InvokeFunction', 'ssm:GetParameters']));
      expectRecoveryWaitPutsOnly(statements);
      const invoked = JSON.stringify(
        resolved.filter(({ Action }) => [Action].flat().includes('lambda:InvokeFunction')),
      );
      expect(invoked).toContain(APPROVALS_FUNCTION_ARN);
    });

    it('lets the step function describe the three databases, read the replica lag and use the incidents table, nothing else (the state machine reads the guardrails)', () => {
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
        // sqs:*: the dead-letter queue's own grant (grantSendMessages) for failed asynchronous
        // invocations.
      ).toEqual(
        new Set([
          'rds:DescribeDBInstances',
          'cloudwatch:GetMetricData',
          'sqs:SendMessage',
          'sqs:GetQueueAttributes',
          'sqs:GetQueueUrl',
        ]),
      );
      expect(actions.filter((action) => /rds:(Reboot|Promote)/.test(action))).toEqual([]);
      expectOnlyStateMachineReadsGuardrails(synthesized);
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
      // (What it asks and records: the approval case of ../contract.test.ts.)
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

    it('skips the forced failover when RDS failed over by itself while waiting for approval (issue 10 #6)', async () => {
      // Prepare: the check sees the primary in us-east-1a; 30 min later it runs in us-east-1b.
      w = world({ atRecheck: { [DB]: PRIMARY_IN_B } });

      // Act
      const run = await runLocally(definition, { dbInstanceId: DB, mode: 'force' }, w.overrides);

      // Assess
      expect(run.status).toBe('succeeded');
      expect(w.trace).toEqual([
        'ReadGuardrails',
        'Check',
        'RequestApproval',
        'RecordApproval',
        'RereadGuardrails',
        'Recheck',
        'ReportNoLongerNeeded',
      ]);
      expect(mutatingCalls(w)).toEqual([]);
      expect(reportsOf(w)).toEqual([
        expect.objectContaining({
          at: 'ReportNoLongerNeeded',
          outcome: 'skipped',
          detail: `no longer needed after approval: ${DB} failed over by itself while waiting: its primary runs in us-east-1b now, not in us-east-1a`,
        }),
      ]);
    });

    it('skips the forced failover when a reboot began while waiting for approval (issue 10 #6)', async () => {
      // Prepare
      w = world({ atRecheck: { [DB]: PRIMARY_REBOOTING } });

      // Act
      const run = await runLocally(definition, { dbInstanceId: DB, mode: 'force' }, w.overrides);

      // Assess
      expect(run.status).toBe('succeeded');
      expect(mutatingCalls(w)).toEqual([]);
      expect(reportsOf(w)).toEqual([
        expect.objectContaining({
          at: 'ReportNoLongerNeeded',
          detail: `no longer needed after approval: ${DB} is rebooting: a failover or reboot is already under way`,
        }),
      ]);
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
