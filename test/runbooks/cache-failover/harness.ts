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
  recheckCacheFailover,
  verifyCacheFailoverStep,
} from '../../../runbooks/cache-failover/steps.js';
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

/** cache-failover in a test stack, and the world its local runs see. */

export const GROUP = `${NAME_PREFIX}-cache`;

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
export const HEALTHY = group([
  node(1, 'primary', 'us-east-1a'),
  node(2, 'replica', 'us-east-1b'),
  node(3, 'replica', 'us-east-1c'),
]);
/** Mid-failover: nobody primary yet. */
export const FAILING_OVER = group(
  [
    node(1, 'unknown', 'us-east-1a'),
    node(2, 'replica', 'us-east-1b'),
    node(3, 'replica', 'us-east-1c'),
  ],
  'modifying',
);
/** 002 promoted, 001 back as a replica. */
export const FAILED_OVER = group([
  node(1, 'replica', 'us-east-1a'),
  node(2, 'primary', 'us-east-1b'),
  node(3, 'replica', 'us-east-1c'),
]);

export const FORCE = { replicationGroupId: GROUP, mode: 'force', reason: 'primary hung' };
export const FOLLOW = { replicationGroupId: GROUP, mode: 'follow' };
export const TEST_FAILOVER_CALL = { ReplicationGroupId: GROUP, NodeGroupId: '0001' };

export const synth = (): SynthesizedRunbook<CacheFailover> =>
  synthRunbookWith(
    (stack, shared) =>
      new CacheFailover(stack, 'CacheFailover', {
        namePrefix: NAME_PREFIX,
        stage: 'test',
        replicationGroupId: GROUP,
        replicas: 2,
        ...shared,
      }),
  );

interface WorldOptions {
  readonly guardrails?: Partial<Guardrails>;
  /** The group the Check sees. */
  readonly atCheck?: CacheGroupSnapshot;
  /** The group at each verification (the last one repeats). */
  readonly polls?: readonly CacheGroupSnapshot[];
  readonly testFailover?: (input: unknown, call: number) => unknown;
  /** What the person answers; approves unless given. */
  readonly approval?: Answer | 'no answer';
  /** The group the recheck after approval sees; what the check saw unless given. */
  readonly atRecheck?: CacheGroupSnapshot;
  /** Whether FailoverComplete answers each recovery round; lost (no answer) unless given. */
  readonly rounds?: readonly Round[];
}

/**
 * Every Task overridden by its state name: Check and FailoverVerify run the step Lambda's real
 * logic over in-memory stores and a scripted group, the reports run the report Lambda's logic,
 * TestFailover answers like the SDK integration, the approvals function answers for a person.
 */
export const world = (options: WorldOptions = {}): World => {
  const stores = newStores(options.guardrails);
  const polls = options.polls ?? [FAILING_OVER, FAILED_OVER];
  const config = { replicationGroupId: GROUP, replicas: 2 };
  const deps = (snapshot: CacheGroupSnapshot) => ({
    ...checkDepsOf(stores),
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
      Recheck: fake(async (input) => {
        const event = parseCacheFailoverEvent(input);
        if (event.step !== 'recheck') throw new Error(`Recheck sent step ${event.step}`);
        return recheckCacheFailover(event, deps(options.atRecheck ?? options.atCheck ?? HEALTHY));
      }),
      FailoverAwaitRecovery: announcementFake(options.rounds),
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
    waits: [],
  });
};

export const harness: RunbookHarness = {
  synth,
  deployed: { 'cache-group': [GROUP] },
  runTimeoutSeconds: 3600,
  tasks: [
    'ReadGuardrails',
    'RereadGuardrails',
    'Check',
    'TestFailover',
    'FailoverAwaitRecovery',
    'FailoverVerify',
    'RequestApproval',
    'RecordApproval',
    'Recheck',
    ...REPORT_STATES_WITH_APPROVAL,
  ],
  validInput: FORCE,
  checks: ['ReadGuardrails', 'Check'],
  action: `fail over ${GROUP} away from primary ${GROUP}-001 in us-east-1a (ElastiCache TestFailover)`,
  mutating: ['TestFailover'],
  act: {
    state: 'TestFailover',
    call: TEST_FAILOVER_CALL,
    throttledBy: 'ElastiCache.ElastiCacheException',
  },
  world,
  // FailoverComplete comes in the round after which the group has failed over.
  announced: { world: () => world({ rounds: ['lost', 'event'] }) },
  neverRecovers: {
    // Following ElastiCache's failover, which never ends.
    world: () => world({ polls: [FAILING_OVER] }),
    input: FOLLOW,
    verify: 'FailoverVerify',
    checks: FAILOVER_POLL_SECONDS.length,
    error: 'FailoverNotRecovered',
    cause: `${GROUP} is not recovered yet: status is modifying; no node is primary`,
  },
};
