import { Match } from 'aws-cdk-lib/assertions';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Guardrails } from '../../../functions/lib/core/guardrails.js';
import {
  CacheFailover,
  FAILOVER_POLL_SECONDS,
} from '../../../runbooks/cache-failover/state-machine.js';
import {
  type CacheGroupSnapshot,
  type CacheNode,
  checkCacheFailover,
  parseCacheFailoverEvent,
  verifyCacheFailoverStep,
} from '../../../runbooks/cache-failover/steps.js';
import { APPROVAL_TIMEOUT } from '../../../runbooks/kit/approval-gate.js';
import {
  APPROVALS_FUNCTION_ARN,
  actionsBeyond,
  actionsOf,
  definitionOf,
  expectEveryTaskBoundedAndEscalating,
  expectInvokesApprovalsStepAndReport,
  expectObservableStateMachine,
  expectReasonedNagAcknowledgements,
  fake,
  NAME_PREFIX,
  runLocally,
  type SynthesizedRunbook,
  statementsOfRole,
  synthRunbookWith,
  TASK_TOKEN,
  taskError,
  withoutLoggingAndTracing,
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
  incidentOf,
  newStores,
  REPORT_STATES_WITH_APPROVAL,
  reportsOf,
  scripted,
  type World,
  worldOf,
} from '../world.js';

const GROUP = `${NAME_PREFIX}-cache`;
const GROUP_ARN = `arn:aws:elasticache:us-east-1:123456789012:replicationgroup:${GROUP}`;

const node = (n: number, role: string, az: string): CacheNode => ({
  cacheClusterId: `${GROUP}-00${n}`,
  role,
  availabilityZone: az,
});
const group = (members: readonly CacheNode[], status = 'available'): CacheGroupSnapshot => ({
  replicationGroupId: GROUP,
  status,
  automaticFailover: 'enabled',
  nodeGroups: [{ nodeGroupId: '0001', members }],
});
/** Primary 001 in a, replicas in b and c. */
const HEALTHY = group([
  node(1, 'primary', 'us-east-1a'),
  node(2, 'replica', 'us-east-1b'),
  node(3, 'replica', 'us-east-1c'),
]);
/** Mid-failover: nobody primary yet. */
const FAILING_OVER = group(
  [
    node(1, 'unknown', 'us-east-1a'),
    node(2, 'replica', 'us-east-1b'),
    node(3, 'replica', 'us-east-1c'),
  ],
  'modifying',
);
/** 002 promoted, 001 back as a replica. */
const FAILED_OVER = group([
  node(1, 'replica', 'us-east-1a'),
  node(2, 'primary', 'us-east-1b'),
  node(3, 'replica', 'us-east-1c'),
]);
const RECOVERED_DETAIL = `${GROUP} is available: primary ${GROUP}-002 in us-east-1b, replicas in us-east-1a, us-east-1c`;

interface WorldOptions {
  readonly guardrails?: Partial<Guardrails>;
  /** The group the Check sees. */
  readonly atCheck?: CacheGroupSnapshot;
  /** The group at each verification (the last one repeats). */
  readonly polls?: readonly CacheGroupSnapshot[];
  readonly testFailover?: (input: unknown, call: number) => unknown;
  /** What the person answers; approves unless given. */
  readonly approval?: Answer | 'no answer';
}

/**
 * Every Task overridden by its state name: Check and FailoverVerify run the step Lambda's real
 * logic over in-memory stores and a scripted group, the reports run the report Lambda's logic,
 * TestFailover answers like the SDK integration, the approvals function answers for a person.
 */
const world = (options: WorldOptions = {}): World => {
  const stores = newStores();
  const polls = options.polls ?? [FAILING_OVER, FAILED_OVER];
  const config = { replicationGroupId: GROUP, replicas: 2 };
  const deps = (snapshot: CacheGroupSnapshot) => ({
    ...checkDepsOf(stores, options.guardrails),
    cache: { describe: async () => snapshot },
    config,
  });
  return worldOf(stores, {
    tasks: {
      Check: fake(async (input) => {
        const event = parseCacheFailoverEvent(input);
        if (event.step !== 'check') throw new Error(`Check sent step ${event.step}`);
        return checkCacheFailover(event, deps(options.atCheck ?? HEALTHY));
      }),
      FailoverVerify: fake(async (input, call) => {
        const event = parseCacheFailoverEvent(input);
        if (event.step !== 'verify') throw new Error(`FailoverVerify sent step ${event.step}`);
        return verifyCacheFailoverStep(event, deps(scripted(polls, call) ?? FAILED_OVER));
      }),
      TestFailover: fake(
        options.testFailover ?? (() => ({ ReplicationGroup: { Status: 'modifying' } })),
      ),
      ...approvalFakes(options.approval ?? answer('approve', 'primary hung')),
    },
    reportStates: REPORT_STATES_WITH_APPROVAL,
    waits: ['FailoverWait'],
  });
};

const FORCE = { replicationGroupId: GROUP, mode: 'force', reason: 'primary hung' };
const FOLLOW = { replicationGroupId: GROUP, mode: 'follow' };
const TEST_FAILOVER_CALL = { ReplicationGroupId: GROUP, NodeGroupId: '0001' };

describe('runbook cache-failover', () => {
  let synthesized: SynthesizedRunbook<CacheFailover>;
  let definition: StateMachineDefinition;

  beforeAll(() => {
    synthesized = synthRunbookWith(
      (stack, shared) =>
        new CacheFailover(stack, 'CacheFailover', {
          namePrefix: NAME_PREFIX,
          stage: 'test',
          replicationGroupId: GROUP,
          replicas: 2,
          ...shared,
        }),
    );
    definition = definitionOf(synthesized.template);
  });

  describe('state machine', () => {
    it('is a Standard JSONPath state machine with logs, tracing and a 60-minute run timeout', () => {
      // Assess
      expectObservableStateMachine(
        synthesized.template,
        definition,
        'rebound-test-cache-failover',
        3600,
      );
    });

    it('fits the approval wait, the whole verification and margin inside the run timeout', () => {
      // Assess
      expect(FAILOVER_POLL_SECONDS.every((seconds) => seconds === 30)).toBe(true);
      const polling = FAILOVER_POLL_SECONDS.reduce((sum, seconds) => sum + seconds, 0);
      expect(polling).toBe(15 * 60);
      // Approval, polling, 30 verify Lambdas at their 60 s task timeout would not fit; ~1 s each does.
      expect(APPROVAL_TIMEOUT.toSeconds() + polling + 10 * 60).toBeLessThanOrEqual(
        definition.TimeoutSeconds ?? 0,
      );
    });

    it('bounds every Task with a timeout and routes every Task but Escalate to Escalate', () => {
      // Assess
      expectEveryTaskBoundedAndEscalating(definition, [
        'Check',
        'TestFailover',
        'FailoverVerify',
        'RequestApproval',
        'RecordApproval',
        ...REPORT_STATES_WITH_APPROVAL,
      ]);
    });

    it('calls TestFailover on the node group of the plan, retrying only throttling', () => {
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
      ]);
    });

    it('lets the state machine call TestFailover on the shop group only, and invoke its functions', () => {
      // Prepare
      const own = withoutLoggingAndTracing(
        statementsOfRole(synthesized, synthesized.runbook.stateMachine.role),
      );

      // Assess
      expect(actionsOf(own)).toEqual(['elasticache:TestFailover', 'lambda:InvokeFunction']);
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
      expect(statements).toContainEqual(
        expect.objectContaining({
          Action: 'ssm:GetParametersByPath',
          Resource: 'arn:aws:ssm:us-east-1:123456789012:parameter/rebound/test/guardrails',
        }),
      );
      const actions = actionsOf(statements);
      expect(actions.filter((action) => action.startsWith('dynamodb:'))).toContain(
        'dynamodb:PutItem',
      );
      expect(
        actionsBeyond(statements, [
          'ssm:GetParametersByPath',
          'elasticache:DescribeReplicationGroups',
        ]),
      ).toEqual([]);
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

    it('passes the cdk-nag packs with a specific reason for every acknowledgement', () => {
      // Assess (the synthesis in beforeAll threw on any unacknowledged finding)
      expectReasonedNagAcknowledgements(synthesized.app);
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
      expect(callsOf(w, 'RequestApproval')).toEqual([
        {
          FunctionName: APPROVALS_FUNCTION_ARN,
          Payload: expect.objectContaining({
            type: 'request',
            runbook: 'cache-failover',
            taskToken: TASK_TOKEN,
            target: { type: 'cache-replication-group', id: GROUP },
            action: `fail over ${GROUP} away from primary ${GROUP}-001 in us-east-1a (ElastiCache TestFailover)`,
            timeoutSeconds: APPROVAL_TIMEOUT.toSeconds(),
          }),
        },
      ]);
      expect(callsOf(w, 'RecordApproval')).toHaveLength(1);
      expect(callsOf(w, 'TestFailover')).toEqual([TEST_FAILOVER_CALL]);
      expect(callsOf(w, 'FailoverVerify')).toHaveLength(3);
      expect(reportsOf(w)).toEqual([
        expect.objectContaining({ at: 'ReportSucceeded', detail: RECOVERED_DETAIL }),
      ]);
      expect((await incidentOf(w)).status).toBe('resolved');
    });

    it('acts without asking when the runbook is auto-approved', async () => {
      // Prepare
      w = world({ guardrails: { autoApprovedRunbooks: ['cache-failover'] } });

      // Act
      const run = await runLocally(definition, FORCE, w.overrides);

      // Assess
      expect(run.status).toBe('succeeded');
      expect(callsOf(w, 'RequestApproval')).toEqual([]);
      expect(callsOf(w, 'TestFailover')).toEqual([TEST_FAILOVER_CALL]);
    });

    it('does not fail over when the approval is rejected, and reports refused', async () => {
      // Prepare
      w = world({ approval: answer('reject', 'not now') });

      // Act
      const run = await runLocally(definition, FORCE, w.overrides);

      // Assess
      expect(run.status).toBe('succeeded');
      expect(callsOf(w, 'TestFailover')).toEqual([]);
      expect(callsOf(w, 'FailoverVerify')).toEqual([]);
      expect(reportsOf(w)).toEqual([
        expect.objectContaining({
          at: 'ReportRejected',
          outcome: 'refused',
          detail: 'rejected by ana via cli: not now',
        }),
      ]);
    });

    it('escalates without failing over when nobody answers the approval in time', async () => {
      // Prepare
      w = world({ approval: 'no answer' });

      // Act
      const run = await runLocally(definition, FORCE, w.overrides);

      // Assess
      expect(run).toMatchObject({
        status: 'failed',
        error: 'ApprovalTimedOut',
        cause: expect.stringContaining('Rebound did not act'),
      });
      expect(callsOf(w, 'RecordApproval')).toEqual([]);
      expect(callsOf(w, 'TestFailover')).toEqual([]);
      expectEscalatedWith(w, 'ApprovalTimedOut');
      expect((await incidentOf(w)).status).toBe('failed');
    });

    it('in dry-run mode says what it would do and makes no mutating call', async () => {
      // Prepare
      w = world({ guardrails: { mode: 'dry-run' } });

      // Act
      const run = await runLocally(definition, FORCE, w.overrides);

      // Assess
      expect(run.status).toBe('succeeded');
      expect(callsOf(w, 'TestFailover')).toEqual([]);
      expect(callsOf(w, 'RequestApproval')).toEqual([]);
      expect(reportsOf(w)).toEqual([
        expect.objectContaining({
          at: 'ReportDryRun',
          outcome: 'dry-run',
          detail: `dry-run: would fail over ${GROUP} away from primary ${GROUP}-001 in us-east-1a (ElastiCache TestFailover) after approval`,
        }),
      ]);
    });

    it.each([
      [
        'the mode is off',
        { guardrails: { mode: 'off' as const } },
        'mode-off',
        /mode guardrail is off/,
      ],
      [
        'the runbook is not enabled',
        { guardrails: { enabledRunbooks: ['scale-out'] } },
        'runbook-disabled',
        /not in the enabled-runbooks guardrail/,
      ],
      [
        'the hourly budget is spent',
        { guardrails: { maxActionsPerHour: 0 } },
        'budget',
        /^cache failover budget is 0 per hour/,
      ],
      [
        'automatic failover is disabled',
        { atCheck: { ...HEALTHY, automaticFailover: 'disabled' } },
        undefined,
        /^TestFailover needs automatic failover/,
      ],
    ])('refuses when %s, without failing over', async (_case, options, blockedBy, detail) => {
      // Prepare
      w = world(options);

      // Act
      const run = await runLocally(definition, FORCE, w.overrides);

      // Assess
      expect(run.status).toBe('succeeded');
      expect(callsOf(w, 'TestFailover')).toEqual([]);
      expect(callsOf(w, 'RequestApproval')).toEqual([]);
      const report = expectRefusedBy(w, blockedBy);
      expect(report?.detail).toMatch(detail);
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

    it('retries a throttled TestFailover, then carries on', async () => {
      // Prepare
      w = world({
        guardrails: { autoApprovedRunbooks: ['cache-failover'] },
        testFailover: (_input, call) => {
          if (call === 1) throw taskError('ElastiCache.ElastiCacheException', 'Rate exceeded');
          return {};
        },
      });

      // Act
      const run = await runLocally(definition, FORCE, w.overrides);

      // Assess
      expect(run.status).toBe('succeeded');
      expect(callsOf(w, 'TestFailover')).toEqual([TEST_FAILOVER_CALL, TEST_FAILOVER_CALL]);
      expect(reportsOf(w).map(({ at }) => at)).toEqual(['ReportSucceeded']);
    });

    it('escalates at once when TestFailover is not available (no retry)', async () => {
      // Prepare
      w = world({
        guardrails: { autoApprovedRunbooks: ['cache-failover'] },
        testFailover: () => {
          throw taskError(
            'ElastiCache.TestFailoverNotAvailableException',
            'TestFailover is not available',
          );
        },
      });

      // Act
      const run = await runLocally(definition, FORCE, w.overrides);

      // Assess
      expect(run).toMatchObject({
        status: 'failed',
        error: 'ElastiCache.TestFailoverNotAvailableException',
      });
      expect(callsOf(w, 'TestFailover')).toHaveLength(1);
      expect(callsOf(w, 'FailoverVerify')).toEqual([]);
      expect(reportsOf(w)).toEqual([
        expect.objectContaining({ at: 'Escalate', outcome: 'failed' }),
      ]);
    });

    it('escalates when the failover never completes, with the live state as cause', async () => {
      // Prepare
      w = world({ polls: [FAILING_OVER] });

      // Act
      const run = await runLocally(definition, FOLLOW, w.overrides);

      // Assess
      expect(run).toMatchObject({
        status: 'failed',
        error: 'FailoverNotRecovered',
        cause: expect.stringContaining(
          `${GROUP} is not recovered yet: status is modifying; no node is primary`,
        ),
      });
      expect(callsOf(w, 'FailoverVerify')).toHaveLength(FAILOVER_POLL_SECONDS.length);
      expectEscalatedWith(w, 'FailoverNotRecovered');
      expect((await incidentOf(w)).status).toBe('failed');
      expect(w.alerts).toEqual([
        expect.objectContaining({ severity: 'critical', kind: 'escalation' }),
      ]);
    });

    it.each([
      ['a missing replicationGroupId', { mode: 'follow' }, 'InvalidReplicationGroupId'],
      [
        'another replication group',
        { replicationGroupId: 'someone-elses-cache', mode: 'follow' },
        'InvalidReplicationGroupId',
      ],
      ['a missing mode', { replicationGroupId: GROUP }, 'InvalidMode'],
      ['an unknown mode', { replicationGroupId: GROUP, mode: 'promote' }, 'InvalidMode'],
      ['a numeric incident id', { ...FOLLOW, incidentId: 42 }, 'InvalidIncidentId'],
      ['a malformed incident id', { ...FOLLOW, incidentId: 'INC-1' }, 'InvalidIncidentId'],
      ['a non-string reason', { ...FOLLOW, reason: 5 }, 'InvalidReason'],
    ])('fails with InvalidInput on %s, calling nothing', async (_case, input, failState) => {
      // Act
      const run = await runLocally(definition, input, w.overrides);

      // Assess
      expectInvalidInputCallingNothing(w, definition, run, failState);
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
