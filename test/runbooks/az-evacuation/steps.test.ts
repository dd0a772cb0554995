import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_GUARDRAILS } from '../../../functions/lib/core/guardrails.js';
import type { Incident, IncidentPart } from '../../../functions/lib/core/incident.js';
import { MemoryActionLedger, MemoryIncidentStore } from '../../../functions/lib/memory-store.js';
import { azStillImpaired } from '../../../functions/lib/runbook/az-impairment.js';
import type {
  ZonalFleetInstance,
  ZonalFleetSnapshot,
} from '../../../functions/lib/runbook/fleet.js';
import { InvalidInputError } from '../../../functions/lib/runbook/invalid-input.js';
import {
  type AzEvacuationCheckDeps,
  type AzEvacuationCheckEvent,
  assessAzEvacuation,
  checkAzEvacuation,
  checkAzRecovered,
  type EvacuationFacts,
  parseAzEvacuationEvent,
  verifyEvacuation,
} from '../../../runbooks/az-evacuation/steps.js';

const ALB_ARN =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/rebound-test-web/50dc6c495c0c9188';
const NOW = new Date('2025-01-01T12:00:00Z');
const EXECUTION = {
  id: 'arn:aws:states:us-east-1:123456789012:execution:rebound-test-az-evacuation:manual-1',
  name: 'manual-1',
};
const AZS = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
const GROUP_ARN =
  'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:0e1d2c3b-4a59-6877-8695-a4b3c2d1e0f9:autoScalingGroupName/rebound-test-web';

const instance = (
  instanceId: string,
  availabilityZone: string,
  lifecycleState = 'InService',
): ZonalFleetInstance => ({
  instanceId,
  availabilityZone,
  lifecycleState,
  healthStatus: 'Healthy',
});
const fleet = (
  desiredCapacity: number,
  maxSize: number,
  instances: readonly ZonalFleetInstance[] = [],
  healthyTargetIds = instances.map((i) => i.instanceId),
): ZonalFleetSnapshot => ({
  groupName: 'rebound-test-web',
  groupArn: GROUP_ARN,
  desiredCapacity,
  maxSize,
  instances,
  healthyTargetIds,
});
const facts = (overrides: Partial<EvacuationFacts> = {}): EvacuationFacts => ({
  availabilityZone: 'us-east-1a',
  zoneId: 'use1-az1',
  loadBalancerArn: ALB_ARN,
  activeShifts: [],
  fleet: fleet(4, 4),
  ...overrides,
});

describe('assessAzEvacuation', () => {
  it('plans the shift and desired × 3/2 (rounded up), raising the maximum to fit', () => {
    // Act
    const assessment = assessAzEvacuation(facts(), { maxScaleOutCapacity: 24 });

    // Assess
    expect(assessment).toEqual({
      type: 'mutate',
      action:
        "shift the load balancer's traffic and the web group away from us-east-1a (use1-az1) for up to 6 h and raise desired capacity 4→6 (maximum 4→6) so two AZs carry the load",
      plan: {
        resourceIdentifier: ALB_ARN,
        // The group is shifted too (issue 10 #3): its ARN from DescribeAutoScalingGroups.
        groupArn: GROUP_ARN,
        awayFrom: 'use1-az1',
        availabilityZone: 'us-east-1a',
        expiresIn: '6h',
        previousDesired: 4,
        previousMax: 4,
        newDesired: 6,
        newMax: 6,
      },
      needsApproval: true,
    });
  });

  it('escalates rather than shift only the load balancer when the group ARN is unknown (issue 10 #3)', () => {
    // Act
    const { groupArn: _unknown, ...withoutArn } = fleet(4, 4);
    const assess = () =>
      assessAzEvacuation(facts({ fleet: withoutArn }), { maxScaleOutCapacity: 24 });

    // Assess
    expect(assess).toThrow(
      "DescribeAutoScalingGroups gave no AutoScalingGroupARN for rebound-test-web: the group's zonal shift needs it",
    );
  });

  it('rounds an odd size up and keeps a maximum that already fits', () => {
    // Act
    const assessment = assessAzEvacuation(facts({ fleet: fleet(3, 9) }), {
      maxScaleOutCapacity: 24,
    });

    // Assess
    expect(assessment).toMatchObject({
      type: 'mutate',
      action: expect.stringMatching(/raise desired capacity 3→5 so two AZs carry the load$/),
      plan: { previousDesired: 3, newDesired: 5, previousMax: 9, newMax: 9 },
    });
  });

  it('refuses a size above the max-scale-out-capacity guardrail', () => {
    // Act
    const assessment = assessAzEvacuation(facts({ fleet: fleet(4, 4) }), {
      maxScaleOutCapacity: 5,
    });

    // Assess
    expect(assessment).toEqual({
      type: 'stop',
      verdict: 'refused',
      blockedBy: 'ceiling',
      reason:
        'two AZs need 6 instances to carry what three did (4), above the max-scale-out-capacity guardrail (5): nothing is done',
    });
  });

  it('skips when the load balancer is already shifted away from the AZ', () => {
    // Act
    const assessment = assessAzEvacuation(
      facts({ activeShifts: [{ ZonalShiftId: 'zs-1', AwayFrom: 'use1-az1', Status: 'ACTIVE' }] }),
      { maxScaleOutCapacity: 24 },
    );

    // Assess
    expect(assessment).toMatchObject({ type: 'stop', verdict: 'skip' });
  });

  it.each([
    ['the same AZ', 'use1-az1'],
    ['another AZ', 'use1-az2'],
  ])('evacuates through a practice run away from %s: a zonal shift cancels it', (_, awayFrom) => {
    // Act
    const assessment = assessAzEvacuation(
      facts({
        activeShifts: [
          { ZonalShiftId: 'zs-3', AwayFrom: awayFrom, Status: 'ACTIVE', ShiftType: 'PRACTICE_RUN' },
        ],
      }),
      { maxScaleOutCapacity: 24 },
    );

    // Assess
    expect(assessment).toMatchObject({ type: 'mutate' });
  });

  it('refuses a second AZ while the load balancer is shifted away from another', () => {
    // Act
    const assessment = assessAzEvacuation(
      facts({ activeShifts: [{ ZonalShiftId: 'zs-2', AwayFrom: 'use1-az2' }] }),
      { maxScaleOutCapacity: 24 },
    );

    // Assess
    expect(assessment).toEqual({
      type: 'stop',
      verdict: 'refused',
      reason:
        'the load balancer is already shifted away from use1-az2 (zonal shift zs-2): shifting away from us-east-1a (use1-az1) as well would leave one AZ; a person must decide',
    });
  });
});

describe('checkAzEvacuation', () => {
  let incidents: MemoryIncidentStore;
  const deps = (
    zoneNames: Record<string, string> = { 'use1-az1': 'us-east-1a', 'use1-az2': 'us-east-1b' },
  ): AzEvacuationCheckDeps => ({
    guardrails: async () => ({
      guardrails: { ...DEFAULT_GUARDRAILS, mode: 'auto' },
      problems: [],
    }),
    incidents,
    ledger: new MemoryActionLedger(),
    clock: { now: () => NOW },
    warn: () => undefined,
    fleet: { snapshot: async () => fleet(4, 4) },
    zoneNames: async () => zoneNames,
    config: { loadBalancerArn: ALB_ARN, availabilityZones: AZS },
  });
  const event = (availabilityZone = 'us-east-1a'): AzEvacuationCheckEvent =>
    parseAzEvacuationEvent({
      step: 'check',
      input: { availabilityZone, shifts: { active: [] } },
      execution: EXECUTION,
    }) as AzEvacuationCheckEvent;

  beforeEach(() => {
    incidents = new MemoryIncidentStore();
  });

  it('asks for approval with the plan, on a manual incident for the AZ', async () => {
    // Act
    const result = await checkAzEvacuation(event(), deps());

    // Assess
    expect(result).toMatchObject({
      verdict: 'approve',
      plan: { awayFrom: 'use1-az1', newDesired: 6 },
    });
    const incident = await incidents.get(result.incidentId);
    expect(incident?.resources).toEqual([{ type: 'availability-zone', id: 'us-east-1a' }]);
    expect(incident?.kind).toBe('az-impairment');
  });

  it('rejects an AZ that is not one of the shop', async () => {
    // Act
    const check = checkAzEvacuation(event('us-east-1d'), deps());

    // Assess
    await expect(check).rejects.toThrow(InvalidInputError);
    await expect(check).rejects.toThrow(/us-east-1a, us-east-1b, us-east-1c/);
  });

  it('escalates when the AZ ID cannot be found (DescribeAvailabilityZones failed)', async () => {
    // Act
    const check = checkAzEvacuation(event(), deps({}));

    // Assess
    await expect(check).rejects.toThrow(/cannot find the AZ ID of us-east-1a/);
    await expect(check).rejects.not.toThrow(InvalidInputError);
  });
});

describe('parseAzEvacuationEvent', () => {
  it('rejects an unknown step and a check without the ListShifts answer', () => {
    // Assess
    expect(() => parseAzEvacuationEvent({ step: 'act', input: {}, execution: EXECUTION })).toThrow(
      InvalidInputError,
    );
    expect(() =>
      parseAzEvacuationEvent({
        step: 'check',
        input: { availabilityZone: 'us-east-1a' },
        execution: EXECUTION,
      }),
    ).toThrow(/input\.shifts/);
  });
});

describe('verifyEvacuation', () => {
  it('counts instances serving outside the AZ: InService, Healthy and a healthy target', () => {
    // Prepare
    const snapshot = fleet(
      6,
      6,
      [
        instance('i-a1', 'us-east-1a'),
        instance('i-b1', 'us-east-1b'),
        instance('i-b2', 'us-east-1b'),
        instance('i-b3', 'us-east-1b', 'Pending'),
        instance('i-c1', 'us-east-1c'),
        instance('i-c2', 'us-east-1c'),
      ],
      ['i-a1', 'i-b1', 'i-b2', 'i-c1'],
    );

    // Act
    const verification = verifyEvacuation(snapshot, 'us-east-1a', 4);

    // Assess
    expect(verification).toEqual({
      recovered: false,
      detail:
        '3 of the 4 instances needed serve outside us-east-1a (us-east-1b: 2, us-east-1c: 1; desired capacity 6).',
      servingOutside: 3,
      needed: 4,
      servingByAz: { 'us-east-1b': 2, 'us-east-1c': 1 },
      desiredCapacity: 6,
    });
  });

  it('is evacuated once the needed count serves outside the AZ', () => {
    // Act
    const verification = verifyEvacuation(
      fleet(2, 2, [instance('i-b1', 'us-east-1b'), instance('i-c1', 'us-east-1c')]),
      'us-east-1a',
      2,
    );

    // Assess
    expect(verification.recovered).toBe(true);
    expect(verification.detail).toMatch(/: the other AZs carry the load\.$/);
  });
});

const part = (key: string, state: IncidentPart['state'], az = 'us-east-1a'): IncidentPart => ({
  key,
  kind: 'az-impairment',
  resource: { type: 'availability-zone', id: az },
  state,
  since: '2025-01-01T11:50:00.000Z',
});
const incidentWith = (
  parts: readonly IncidentPart[],
  status: Incident['status'] = 'mitigating',
): Incident => ({
  id: 'inc-20250101T1150-0a1b2c3d',
  status,
  severity: 'critical',
  title: 'AZ impaired',
  kind: 'az-impairment',
  resources: [{ type: 'availability-zone', id: 'us-east-1a' }],
  parts,
  scopeKeys: ['resource:availability-zone:us-east-1a'],
  timeline: [],
  openedAt: '2025-01-01T11:50:00.000Z',
  updatedAt: '2025-01-01T11:50:00.000Z',
  runbookExecutions: {},
  version: 1,
});

describe('azStillImpaired', () => {
  it.each([
    ['an AWS Health part is active', [part('health:e1', 'active')], 'mitigating', true],
    ['AWS Health closed its event', [part('health:e1', 'resolved')], 'mitigating', false],
    [
      'only a manual part says so',
      [part('manual:az-evacuation:us-east-1a', 'active')],
      'open',
      true,
    ],
    [
      'AWS Health closed the event of a manual run',
      [part('manual:az-evacuation:us-east-1a', 'active'), part('health:e1', 'resolved')],
      'mitigating',
      false,
    ],
    ['only another AZ recovered', [part('health:e2', 'resolved', 'us-east-1b')], 'open', true],
    [
      'the incident is resolved',
      [part('manual:az-evacuation:us-east-1a', 'active')],
      'resolved',
      false,
    ],
  ] as const)('when %s: %s', (_case, parts, status, impaired) => {
    // Act
    const result = azStillImpaired(incidentWith(parts, status), 'us-east-1a');

    // Assess
    expect(result).toBe(impaired);
  });
});

describe('checkAzRecovered', () => {
  const event = {
    step: 'az-recovered' as const,
    input: {
      availabilityZone: 'us-east-1a',
      guardrail: {
        incidentId: 'inc-20250101T1150-0a1b2c3d',
        plan: { awayFrom: 'use1-az1', previousDesired: 4, newDesired: 6 },
      },
      shift: { ZonalShiftId: 'zs-1' },
    },
    execution: EXECUTION,
  };

  it('says how to extend the shift while the AZ is impaired', async () => {
    // Prepare
    const incidents = new MemoryIncidentStore();
    await incidents.create(incidentWith([part('health:e1', 'active')], 'open'));

    // Act
    const result = await checkAzRecovered(event, incidents);

    // Assess
    expect(result).toEqual({
      recovered: false,
      detail:
        "us-east-1a (use1-az1) is still impaired according to incident inc-20250101T1150-0a1b2c3d (open): zonal shift zs-1 and the group's keep traffic and launches away from it; Rebound extends both to 6 h from then every hour while the run lasts; to extend by hand: aws arc-zonal-shift update-zonal-shift --zonal-shift-id zs-1 --expires-in 6h",
      incidentStatus: 'open',
      zonalShiftId: 'zs-1',
      extendShifts: false,
    });
  });

  it.each([
    [0, false],
    [10, false],
    [11, true],
    [23, true],
  ])(
    'extends the shifts hourly while the AZ stays impaired: check attempt %i → %s (issue 10 #3)',
    async (attempt, extend) => {
      // Prepare
      const incidents = new MemoryIncidentStore();
      await incidents.create(incidentWith([part('health:e1', 'active')], 'open'));

      // Act
      const result = await checkAzRecovered(
        { ...event, input: { ...event.input, poll: { attempt } } },
        incidents,
      );

      // Assess
      expect(result.extendShifts).toBe(extend);
    },
  );

  it('never extends once the AZ has recovered', async () => {
    // Prepare
    const incidents = new MemoryIncidentStore();
    await incidents.create(incidentWith([part('health:e1', 'resolved')], 'open'));

    // Act
    const result = await checkAzRecovered(
      { ...event, input: { ...event.input, poll: { attempt: 11 } } },
      incidents,
    );

    // Assess
    expect(result).toMatchObject({ recovered: true, extendShifts: false });
  });

  it('escalates when the incident is gone', async () => {
    // Act
    const result = checkAzRecovered(event, new MemoryIncidentStore());

    // Assess
    await expect(result).rejects.toThrow('incident inc-20250101T1150-0a1b2c3d not found');
  });
});
