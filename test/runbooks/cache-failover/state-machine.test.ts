import { Match } from 'aws-cdk-lib/assertions';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type CacheFailover,
  FAILOVER_POLL_SECONDS,
} from '../../../runbooks/cache-failover/state-machine.js';
import { APPROVAL_TIMEOUT } from '../../../runbooks/kit/approval-gate.js';
import {
  actionsBeyond,
  actionsOf,
  definitionOf,
  expectInvokesApprovalsStepAndReport,
  expectOnlyStateMachineReadsGuardrails,
  runLocally,
  type SynthesizedRunbook,
  statementsOfRole,
  taskError,
  withoutLoggingAndTracing,
} from '../support.js';
import {
  callsOf,
  expectEscalatedWith,
  expectRefusedBy,
  failingFirst,
  incidentOf,
  reportsOf,
  type World,
} from '../world.js';
import {
  FAILED_OVER,
  FAILING_OVER,
  FOLLOW,
  FORCE,
  GROUP,
  HEALTHY,
  synth,
  TEST_FAILOVER_CALL,
  world,
} from './harness.js';

/**
 * What only cache-failover does; the contract every runbook keeps (dry-run, guardrails,
 * throttling, escalation, approvals, bad input…) is checked by ../contract.test.ts.
 */

const GROUP_ARN = `arn:aws:elasticache:us-east-1:123456789012:replicationgroup:${GROUP}`;
const RECOVERED_DETAIL = `${GROUP} is available: primary ${GROUP}-002 in us-east-1b, replicas in us-east-1a, us-east-1c`;

describe('runbook cache-failover', () => {
  let synthesized: SynthesizedRunbook<CacheFailover>;
  let definition: StateMachineDefinition;

  beforeAll(() => {
    synthesized = synth();
    definition = definitionOf(synthesized.template);
  });

  describe('state machine', () => {
    it('fits the approval wait, the whole verification and margin inside the run timeout', () => {
      // Assess
      // Rounds of 60 s: FailoverComplete ends one early; 60 s bounds a lost notification's delay.
      expect(FAILOVER_POLL_SECONDS.every((seconds) => seconds === 60)).toBe(true);
      const polling = FAILOVER_POLL_SECONDS.reduce((sum, seconds) => sum + seconds, 0);
      expect(polling).toBe(15 * 60);
      // Approval, polling, the verify Lambdas (~1 s each) and a refused TestFailover's retries
      // (30 + 60 + 120 s at most) fit, with margin.
      expect(
        APPROVAL_TIMEOUT.toSeconds() + polling + (30 + 60 + 120) + 10 * 60,
      ).toBeLessThanOrEqual(definition.TimeoutSeconds ?? 0);
    });

    it('calls TestFailover on the node group of the plan, retrying throttling and, for minutes, AWS refusing it', () => {
      // Act
      const state = definition.States.TestFailover as unknown as {
        Resource: string;
        Parameters: Record<string, unknown>;
        Retry: { ErrorEquals: string[]; MaxAttempts: number; JitterStrategy: string }[];
      };

      // Assess
      expect(state.Resource).toBe('arn:aws:states:::aws-sdk:elasticache:testFailover');
      expect(state.Parameters).toEqual({
        ReplicationGroupId: GROUP,
        'NodeGroupId.$': '$.guardrail.plan.nodeGroupId',
      });
      expect(state.Retry).toEqual([
        expect.objectContaining({
          ErrorEquals: ['ElastiCache.ElastiCacheException'],
          MaxAttempts: 6,
          JitterStrategy: 'FULL',
        }),
        // Error shapes TestFailoverNotAvailableFault and APICallRateForCustomerExceededFault of
        // botocore's elasticache model, as Step Functions names them (AWS SDK for Java).
        {
          ErrorEquals: [
            'ElastiCache.TestFailoverNotAvailableException',
            'ElastiCache.ApiCallRateForCustomerExceededException',
          ],
          IntervalSeconds: 30,
          BackoffRate: 2,
          MaxAttempts: 3,
          MaxDelaySeconds: 120,
          JitterStrategy: 'FULL',
        },
      ]);
    });

    it('lets the state machine call TestFailover on the shop group only, and invoke its functions', () => {
      // Prepare
      const own = withoutLoggingAndTracing(
        statementsOfRole(synthesized, synthesized.runbook.stateMachine.role),
      );

      // Assess
      // PutItem: its recovery rounds' task tokens (contract.test.ts: recovery-wait items only).
      expect(actionsOf(own)).toEqual([
        'dynamodb:PutItem',
        'elasticache:TestFailover',
        'lambda:InvokeFunction',
        // The guardrails, read before the check and the recheck (runbooks/kit/guardrail-read.ts).
        'ssm:GetParameters',
      ]);
      expect(own.filter((s) => [s.Action].flat().includes('elasticache:TestFailover'))).toEqual([
        expect.objectContaining({ Action: 'elasticache:TestFailover', Resource: GROUP_ARN }),
      ]);
      expectInvokesApprovalsStepAndReport(synthesized, own);
    });

    it('lets the step function describe the shop group only, read guardrails and the table', () => {
      // Prepare
      const { step } = synthesized.runbook.functions;
      const statements = statementsOfRole(synthesized, step.function.role as iam.IRole);

      // Assess
      const elastiCache = statements.filter((s) =>
        [s.Action].flat().some((action) => action.startsWith('elasticache:')),
      );
      expect(elastiCache).toEqual([
        expect.objectContaining({
          Action: 'elasticache:DescribeReplicationGroups',
          Resource: GROUP_ARN,
        }),
      ]);
      expectOnlyStateMachineReadsGuardrails(synthesized);
      const actions = actionsOf(statements);
      expect(actions.filter((action) => action.startsWith('dynamodb:'))).toContain(
        'dynamodb:PutItem',
      );
      expect(actionsBeyond(statements, ['elasticache:DescribeReplicationGroups'])).toEqual([]);
      synthesized.template.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: 'rebound-test-cache-failover-step',
        Environment: {
          Variables: Match.objectLike({
            REPLICATION_GROUP_ID: GROUP,
            CACHE_REPLICAS: '2',
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

    it('follows an automatic failover until a primary and both replicas serve, then resolves', async () => {
      // Act
      const run = await runLocally(definition, FOLLOW, w.overrides);

      // Assess
      expect(run.status).toBe('succeeded');
      expect(callsOf(w, 'TestFailover')).toEqual([]);
      expect(callsOf(w, 'RequestApproval')).toEqual([]);
      expect(callsOf(w, 'FailoverVerify')).toHaveLength(2);
      expect(reportsOf(w)).toEqual([
        expect.objectContaining({
          at: 'ReportSucceeded',
          outcome: 'succeeded',
          target: { type: 'cache-replication-group', id: GROUP },
          detail: RECOVERED_DETAIL,
        }),
      ]);
      expect((await incidentOf(w)).status).toBe('resolved');
      expect(w.alerts.map((alert) => alert.kind)).toEqual(['runbook-succeeded']);
    });

    it('forces a failover once approved, and resolves when another node is primary', async () => {
      // Prepare: the first check still sees 001 primary (TestFailover not started yet).
      w = world({ polls: [HEALTHY, FAILING_OVER, FAILED_OVER] });

      // Act
      const run = await runLocally(definition, FORCE, w.overrides);

      // Assess
      expect(run.status).toBe('succeeded');
      // (What it asks and records: the approval case of ../contract.test.ts.)
      expect(callsOf(w, 'TestFailover')).toEqual([TEST_FAILOVER_CALL]);
      expect(callsOf(w, 'FailoverVerify')).toHaveLength(3);
      expect(reportsOf(w)).toEqual([
        expect.objectContaining({ at: 'ReportSucceeded', detail: RECOVERED_DETAIL }),
      ]);
      expect((await incidentOf(w)).status).toBe('resolved');
    });

    it('refuses when automatic failover is disabled, without failing over', async () => {
      // Prepare
      w = world({ atCheck: { ...HEALTHY, automaticFailover: 'disabled' } });

      // Act
      const run = await runLocally(definition, FORCE, w.overrides);

      // Assess
      expect(run.status).toBe('succeeded');
      expect(callsOf(w, 'TestFailover')).toEqual([]);
      expect(callsOf(w, 'RequestApproval')).toEqual([]);
      const report = expectRefusedBy(w, undefined);
      expect(report?.detail).toMatch(/^TestFailover needs automatic failover/);
      expect((await incidentOf(w)).status).toBe('open');
    });

    it('skips a forced failover while the group is already modifying', async () => {
      // Prepare
      w = world({ atCheck: FAILING_OVER });

      // Act
      const run = await runLocally(definition, FORCE, w.overrides);

      // Assess
      expect(run.status).toBe('succeeded');
      expect(callsOf(w, 'TestFailover')).toEqual([]);
      expect(reportsOf(w)).toEqual([
        expect.objectContaining({
          at: 'ReportSkipped',
          detail: `${GROUP} is modifying: a modification or failover is already under way`,
        }),
      ]);
    });

    it('skips the forced failover when ElastiCache promoted a replica while waiting for approval (issue 10 #6)', async () => {
      // Prepare: the check sees 001 primary; by the time a person approves, 002 is.
      w = world({ atRecheck: FAILED_OVER });

      // Act
      const run = await runLocally(definition, FORCE, w.overrides);

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
      expect(callsOf(w, 'TestFailover')).toEqual([]);
      expect(reportsOf(w)).toEqual([
        expect.objectContaining({
          at: 'ReportNoLongerNeeded',
          outcome: 'skipped',
          detail: `no longer needed after approval: ElastiCache promoted ${GROUP}-002 by itself while waiting: ${GROUP}-001 is no longer the primary of ${GROUP}`,
        }),
      ]);
    });

    it.each([
      'ElastiCache.TestFailoverNotAvailableException',
      'ElastiCache.ApiCallRateForCustomerExceededException',
    ])(
      'retries a refused TestFailover (%s) with backoff, then reports and pages without acting (issue 10 #7)',
      async (refusal) => {
        // Prepare: AWS blocks TestFailover for the whole run.
        w = world({
          guardrails: { autoApprovedRunbooks: ['cache-failover'] },
          testFailover: () => {
            throw taskError(refusal, 'TestFailover is not available');
          },
        });

        // Act
        const run = await runLocally(definition, FORCE, w.overrides);

        // Assess
        expect(run).toMatchObject({
          status: 'failed',
          error: 'TestFailoverRefused',
          cause: expect.stringContaining(
            `ElastiCache refused TestFailover of ${GROUP} 4 times over a few minutes (${refusal}: TestFailover is not available)`,
          ),
        });
        expect(callsOf(w, 'TestFailover')).toHaveLength(4);
        expect(callsOf(w, 'FailoverVerify')).toEqual([]);
        expectEscalatedWith(w, 'TestFailoverRefused');
        expect(w.alerts).toEqual([
          expect.objectContaining({ severity: 'critical', kind: 'escalation' }),
        ]);
      },
    );

    it('fails over once TestFailover is available again within its retries (issue 10 #7)', async () => {
      // Prepare
      w = failingFirst(
        world({ guardrails: { autoApprovedRunbooks: ['cache-failover'] } }),
        'TestFailover',
        'ElastiCache.TestFailoverNotAvailableException',
        2,
      );

      // Act
      const run = await runLocally(definition, FORCE, w.overrides);

      // Assess
      expect(run.status).toBe('succeeded');
      expect(reportsOf(w).map(({ at }) => at)).toEqual(['ReportSucceeded']);
    });

    it('skips a forced failover when AWS Health named a replica, leaving it to ElastiCache (issue 10 #7)', async () => {
      // Act
      const run = await runLocally(definition, { ...FORCE, nodeId: `${GROUP}-003` }, w.overrides);

      // Assess
      expect(run.status).toBe('succeeded');
      expect(callsOf(w, 'RequestApproval')).toEqual([]);
      expect(callsOf(w, 'TestFailover')).toEqual([]);
      expect(reportsOf(w)).toEqual([
        expect.objectContaining({
          at: 'ReportSkipped',
          detail: `${GROUP}-003 is a replica in us-east-1c, not the primary: ElastiCache replaces a failed replica by itself and failing over the primary would not help; its automatic failover stays in charge`,
        }),
      ]);
    });

    it('fails with InvalidInput (InputRejected) when the check rejects what the Choice let through', async () => {
      // Act
      const run = await runLocally(
        definition,
        { ...FOLLOW, incidentId: 'inc-20250101T1100-deadbeef' },
        w.overrides,
      );

      // Assess
      expect(run).toEqual({
        status: 'failed',
        error: 'InvalidInput',
        cause:
          'input.incidentId inc-20250101T1100-deadbeef names no incident: leave it out to record a new one',
      });
      expect(reportsOf(w)).toEqual([]);
      expect(callsOf(w, 'FailoverVerify')).toEqual([]);
    });
  });
});
