import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import {
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_GUARDRAILS,
  type Guardrails,
  guardrailParameterValues,
  parseGuardrails,
} from '../../../functions/lib/core/guardrails.js';
import type { Incident } from '../../../functions/lib/core/incident.js';
import { RUNBOOKS } from '../../../functions/lib/core/runbook-registry.js';
import { MemoryActionLedger, MemoryIncidentStore } from '../../../functions/lib/memory-store.js';
import { AwsFleetReader } from '../../../functions/lib/runbook/aws-fleet-reader.js';
import type { ZonalFleetSnapshot } from '../../../functions/lib/runbook/fleet.js';
import { InvalidInputError } from '../../../functions/lib/runbook/invalid-input.js';
import { manualIncident } from '../../../functions/lib/runbook/runbook-incident.js';
import {
  checkInstanceReplacement,
  type GuardrailCheckDeps,
  type GuardrailEvent,
  INSTANCE_REPLACEMENT_BUDGET,
  parseGuardrailEvent,
  REPLACE_INSTANCE_RUNBOOK,
} from '../../../runbooks/replace-unhealthy-instance/steps.js';

const OLD = 'i-0123456789abcdef0';
const PEER_A = 'i-0aaaaaaaaaaaaaaa1';
const PEER_B = 'i-0bbbbbbbbbbbbbbb2';
const NOW = new Date('2025-01-01T12:00:00Z');
const GROUP_ARN =
  'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:0e1d2c3b-4a59-6877-8695-a4b3c2d1e0f9:autoScalingGroupName/rebound-test-web';
const EXECUTION = {
  id: 'arn:aws:states:us-east-1:123456789012:execution:sm:manual-1',
  name: 'manual-1',
};

const serving = (instanceId: string, availabilityZone = 'us-east-1a') => ({
  instanceId,
  lifecycleState: 'InService',
  healthStatus: 'Healthy',
  availabilityZone,
});
const FLEET: ZonalFleetSnapshot = {
  groupName: 'rebound-test-web',
  desiredCapacity: 3,
  maxSize: 12,
  instances: [serving(OLD), serving(PEER_A), serving(PEER_B)],
  healthyTargetIds: [OLD, PEER_A, PEER_B],
};

const event = (input: Partial<GuardrailEvent['input']> = {}): GuardrailEvent => ({
  input: { instanceId: OLD, shifts: { active: [] }, ...input },
  execution: EXECUTION,
});

describe('checkInstanceReplacement', () => {
  let incidents: MemoryIncidentStore;
  let ledger: MemoryActionLedger;
  const deps = (guardrails: Partial<Guardrails> = {}, fleet = FLEET): GuardrailCheckDeps => ({
    guardrails: async () => ({
      guardrails: { ...DEFAULT_GUARDRAILS, mode: 'auto', ...guardrails },
      problems: [],
    }),
    fleet: { snapshot: async () => fleet },
    zoneNames: async () => ({ 'use1-az1': 'us-east-1a', 'use1-az2': 'us-east-1b' }),
    incidents,
    ledger,
    clock: { now: () => NOW },
    warn: () => undefined,
  });
  const request = { budget: INSTANCE_REPLACEMENT_BUDGET, maxPerHour: 2, cooldownMinutes: 15 };

  beforeEach(() => {
    incidents = new MemoryIncidentStore();
    ledger = new MemoryActionLedger();
  });

  it('acts within the guardrails: claims the ledger and moves the incident to mitigating', async () => {
    // Act
    const result = await checkInstanceReplacement(event({ reason: 'leak' }), deps());

    // Assess
    expect(result).toEqual({
      verdict: 'act',
      reason: `mark ${OLD} Unhealthy in rebound-test-web: Auto Scaling replaces it`,
      incidentId: expect.stringMatching(/^inc-20250101T1200-[0-9a-f]{8}$/),
      plan: {},
    });
    const incident = await incidents.get(result.incidentId);
    expect(incident).toMatchObject({
      status: 'mitigating',
      severity: 'warning',
      resources: [{ type: 'ec2-instance', id: OLD }],
      runbookExecutions: { [EXECUTION.name]: EXECUTION.id },
    });
    await expect(ledger.peek({ ...request, resourceId: OLD }, NOW)).resolves.toMatchObject({
      allowed: false,
      blockedBy: 'cooldown',
    });
  });

  it.each([
    ['the mode is off', { mode: 'off' as const }, 'mode-off'],
    ['the runbook is not enabled', { enabledRunbooks: ['other'] }, 'runbook-disabled'],
    ['too few healthy instances would remain', { minHealthyInstances: 3 }, 'floor'],
    ['the hourly budget is 0', { maxInstanceReplacementsPerHour: 0 }, 'budget'],
  ])('refuses when %s, claiming nothing', async (_case, guardrails, blockedBy) => {
    // Act
    const result = await checkInstanceReplacement(event(), deps(guardrails));

    // Assess
    expect(result).toMatchObject({ verdict: 'refused', blockedBy });
    await expect(ledger.peek({ ...request, resourceId: OLD }, NOW)).resolves.toEqual({
      allowed: true,
    });
    expect((await incidents.get(result.incidentId))?.status).toBe('open');
  });

  it('skips an instance whose AZ a zonal shift avoids, so no replacement launches there (issue 10 #9)', async () => {
    // Prepare: zonal autoshift moved the load balancer away from us-east-1a (use1-az1).
    const shifts = {
      active: [
        {
          ZonalShiftId: 'shift-other',
          AwayFrom: 'use1-az2',
          ResourceIdentifier:
            'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/x/1',
        },
        {
          ZonalShiftId: 'shift-1',
          AwayFrom: 'use1-az1',
          ResourceIdentifier:
            'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/rebound-test/1',
        },
      ],
    };

    // Act
    const result = await checkInstanceReplacement(event({ shifts }), deps());

    // Assess
    expect(result).toMatchObject({
      verdict: 'skip',
      reason: `${OLD} runs in an AZ event: zonal shift shift-1 moves arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/rebound-test/1 away from us-east-1a (use1-az1); a replacement could launch into that AZ, so ${OLD} stays until the AZ recovers`,
    });
    await expect(ledger.peek({ ...request, resourceId: OLD }, NOW)).resolves.toEqual({
      allowed: true,
    });
  });

  it('acts when the only active shift avoids another AZ', async () => {
    // Prepare
    const shifts = { active: [{ ZonalShiftId: 'shift-other', AwayFrom: 'use1-az2' }] };

    // Act
    const result = await checkInstanceReplacement(event({ shifts }), deps());

    // Assess
    expect(result.verdict).toBe('act');
  });

  it('skips an instance whose AZ an open AWS Health impairment holds (issue 10 #9)', async () => {
    // Prepare: triage's incident for us-east-1a, its AWS Health part active.
    const impairment: Incident = {
      id: 'inc-20250101T1150-0a1b2c3d',
      status: 'open',
      severity: 'critical',
      kind: 'az-impairment',
      title: 'us-east-1a impaired',
      availabilityZone: 'us-east-1a',
      resources: [{ type: 'availability-zone', id: 'us-east-1a' }],
      parts: [
        {
          key: 'health:az:us-east-1a',
          kind: 'az-impairment',
          resource: { type: 'availability-zone', id: 'us-east-1a' },
          state: 'active',
          since: '2025-01-01T11:50:00.000Z',
        },
      ],
      scopeKeys: ['resource:availability-zone:us-east-1a', 'az:us-east-1a'],
      timeline: [],
      openedAt: '2025-01-01T11:50:00.000Z',
      updatedAt: '2025-01-01T11:50:00.000Z',
      runbookExecutions: {},
      version: 1,
    };
    await incidents.create(impairment);

    // Act
    const result = await checkInstanceReplacement(event(), deps());

    // Assess
    expect(result).toMatchObject({
      verdict: 'skip',
      reason: `${OLD} runs in an AZ event: incident ${impairment.id} holds us-east-1a impaired (AWS Health); a replacement could launch into that AZ, so ${OLD} stays until the AZ recovers`,
    });
  });

  it('counts only instances healthy for Auto Scaling AND the target group toward the floor', async () => {
    // Prepare: PEER_B is InService but its target is unhealthy.
    const fleet = { ...FLEET, healthyTargetIds: [OLD, PEER_A] };

    // Act
    const result = await checkInstanceReplacement(event(), deps({ minHealthyInstances: 2 }, fleet));

    // Assess
    expect(result).toMatchObject({ verdict: 'refused', blockedBy: 'floor' });
    expect(result.reason).toMatch(/would leave 1 healthy in-service instance/);
  });

  it('refuses an instance in cooldown', async () => {
    // Prepare
    await ledger.claim({ ...request, resourceId: OLD }, new Date(NOW.getTime() - 60_000));

    // Act
    const result = await checkInstanceReplacement(event(), deps());

    // Assess
    expect(result).toMatchObject({ verdict: 'refused', blockedBy: 'cooldown' });
  });

  it.each([
    [
      'not in the group',
      { ...FLEET, instances: [serving(PEER_A), serving(PEER_B)] },
      /is gone: it is not in/,
    ],
    [
      'terminating',
      { ...FLEET, instances: [{ ...serving(OLD), lifecycleState: 'Terminating:Wait' }] },
      /already leaving rebound-test-web \(Terminating:Wait\)/,
    ],
  ])('skips an instance %s', async (_case, fleet, reason) => {
    // Act
    const result = await checkInstanceReplacement(event(), deps({}, fleet));

    // Assess
    expect(result.verdict).toBe('skip');
    expect(result.reason).toMatch(reason);
  });

  it('skips when the named alarm is OK again, and acts while it is still firing', async () => {
    // Act
    const ok = await checkInstanceReplacement(
      event({ alarmName: 'rebound-test-x', alarm: { MetricAlarms: [{ StateValue: 'OK' }] } }),
      deps(),
    );
    const firing = await checkInstanceReplacement(
      event({ alarmName: 'rebound-test-x', alarm: { CompositeAlarms: [{ StateValue: 'ALARM' }] } }),
      deps(),
    );

    // Assess
    expect(ok).toMatchObject({
      verdict: 'skip',
      reason: `${OLD} is already healthy: alarm rebound-test-x is OK again`,
    });
    expect(firing.verdict).toBe('act');
  });

  it('in a dry run peeks at the ledger and says what it would do, claiming nothing', async () => {
    // Prepare
    await ledger.claim({ ...request, resourceId: PEER_A }, NOW);
    await ledger.claim({ ...request, resourceId: PEER_B }, NOW);

    // Act
    const result = await checkInstanceReplacement(event({ dryRun: 'true' }), deps());

    // Assess
    expect(result).toMatchObject({
      verdict: 'dry-run',
      reason:
        'dry-run (the input asked for one): would be refused: 2 instance replacements in the last hour (budget 2)',
    });
  });

  it('acts when started by hand in mode dry-run, saying so in the incident', async () => {
    // Act: no dryRun in the input: a person's run
    const result = await checkInstanceReplacement(event(), deps({ mode: 'dry-run' }));

    // Assess
    expect(result.verdict).toBe('act');
    expect(result.reason).toContain('acting although the mode guardrail is dry-run');
    const incident = await incidents.get(result.incidentId);
    expect(incident?.status).toBe('mitigating');
  });

  it('only reports when the mode guardrail cannot be read, even for a run started by hand', async () => {
    // Prepare: every guardrail readable but the mode
    const { mode: _mode, ...values } = guardrailParameterValues({
      ...DEFAULT_GUARDRAILS,
      mode: 'auto',
    });
    const unreadableMode = { ...deps(), guardrails: async () => parseGuardrails(values) };

    // Act
    const result = await checkInstanceReplacement(event(), unreadableMode);

    // Assess
    expect(result).toMatchObject({
      verdict: 'dry-run',
      reason: expect.stringMatching(/^dry-run \(the mode guardrail is unreadable\): would mark /),
    });
  });

  it('reports to the incident it was given, and joins the open one holding the instance', async () => {
    // Prepare
    const open = manualIncident(
      {
        runbook: 'x',
        kind: 'instance-health',
        target: { type: 'ec2-instance', id: OLD },
        execution: { id: 'a', name: 'a' },
      },
      new Date(NOW.getTime() - 3_600_000),
    );
    await incidents.create(open);

    // Act
    const given = await checkInstanceReplacement(
      event({ incidentId: open.id }),
      deps({ mode: 'off' }),
    );
    const joined = await checkInstanceReplacement(event(), deps({ mode: 'off' }));

    // Assess
    expect(given.incidentId).toBe(open.id);
    expect(joined.incidentId).toBe(open.id);
    const stored = await incidents.get(open.id);
    expect(stored?.runbookExecutions).toEqual({ a: 'a', [EXECUTION.name]: EXECUTION.id });
    expect(stored?.timeline.at(-1)).toMatchObject({
      type: 'runbook',
      status: 'started',
      detail: 'started by hand',
    });
  });

  it('records one manual incident per execution, even when retried', async () => {
    // Act
    const first = await checkInstanceReplacement(event(), deps({ mode: 'off' }));
    const retried = await checkInstanceReplacement(event(), deps({ mode: 'off' }));

    // Assess
    expect(retried.incidentId).toBe(first.incidentId);
    expect(first.incidentId).toMatch(/^inc-20250101T1200-[0-9a-f]{8}$/);
  });

  it('rejects an incident id that names no incident', async () => {
    // Act
    const check = checkInstanceReplacement(event({ incidentId: 'inc-nope' }), deps());

    // Assess
    await expect(check).rejects.toThrow(InvalidInputError);
  });

  it('uses the budget the registry declares for this runbook', () => {
    // Assess
    const row = RUNBOOKS.find(({ name }) => name === REPLACE_INSTANCE_RUNBOOK);
    expect(row?.budget.bucket).toBe(INSTANCE_REPLACEMENT_BUDGET);
  });
});

describe('parseGuardrailEvent', () => {
  it.each([
    ['i-0123abcd', true],
    ['i-0123456789abcdef0', true],
    ['i-xyz', false],
    ['web-1', false],
  ])('accepts %s as an instance id: %s', (instanceId, valid) => {
    // Act
    const parse = () =>
      parseGuardrailEvent({
        input: { instanceId, shifts: { active: [] } },
        execution: EXECUTION,
      });

    // Assess
    if (valid) expect(parse().input.instanceId).toBe(instanceId);
    else
      expect(parse).toThrow(
        /^input.instanceId must be an EC2 instance id such as i-0123456789abcdef0$/,
      );
  });

  it('raises InvalidInput, the error name the state machine catches', () => {
    // Act
    const parse = () => parseGuardrailEvent({ input: {}, execution: EXECUTION });

    // Assess
    expect(parse).toThrow(expect.objectContaining({ name: 'InvalidInput' }));
  });
});

describe('AwsFleetReader', () => {
  const autoScaling = mockClient(AutoScalingClient);
  const elb = mockClient(ElasticLoadBalancingV2Client);
  const reader = new AwsFleetReader(
    new AutoScalingClient({ region: 'us-east-1' }),
    new ElasticLoadBalancingV2Client({ region: 'us-east-1' }),
    'rebound-test-web',
    'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123',
  );

  beforeEach(() => {
    autoScaling.reset();
    elb.reset();
  });

  it('reads the group, its maximum, each instance with its AZ and the healthy targets', async () => {
    // Prepare
    autoScaling.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        {
          AutoScalingGroupName: 'rebound-test-web',
          AutoScalingGroupARN: GROUP_ARN,
          DesiredCapacity: 2,
          MinSize: 2,
          MaxSize: 6,
          DefaultCooldown: 300,
          AvailabilityZones: ['us-east-1a'],
          HealthCheckType: 'ELB',
          CreatedTime: NOW,
          Instances: [
            {
              InstanceId: OLD,
              LifecycleState: 'InService',
              HealthStatus: 'Healthy',
              AvailabilityZone: 'us-east-1a',
              ProtectedFromScaleIn: false,
            },
            {
              InstanceId: PEER_A,
              LifecycleState: 'Pending',
              HealthStatus: 'Healthy',
              AvailabilityZone: 'us-east-1a',
              ProtectedFromScaleIn: false,
            },
          ],
        },
      ],
    });
    elb.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [
        { Target: { Id: OLD }, TargetHealth: { State: 'healthy' } },
        { Target: { Id: PEER_A }, TargetHealth: { State: 'initial' } },
      ],
    });

    // Act
    const fleet = await reader.snapshot();

    // Assess
    expect(fleet).toEqual({
      groupName: 'rebound-test-web',
      // az-evacuation shifts the group by this ARN (issue 10 #3).
      groupArn: GROUP_ARN,
      desiredCapacity: 2,
      maxSize: 6,
      instances: [
        {
          instanceId: OLD,
          lifecycleState: 'InService',
          healthStatus: 'Healthy',
          availabilityZone: 'us-east-1a',
        },
        {
          instanceId: PEER_A,
          lifecycleState: 'Pending',
          healthStatus: 'Healthy',
          availabilityZone: 'us-east-1a',
        },
      ],
      healthyTargetIds: [OLD],
    });
    expect(autoScaling).toHaveReceivedCommandWith(DescribeAutoScalingGroupsCommand, {
      AutoScalingGroupNames: ['rebound-test-web'],
    });
    expect(elb).toHaveReceivedCommandWith(DescribeTargetHealthCommand, {
      TargetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123',
    });
  });

  it('throws when the shop group is missing (a broken deployment escalates)', async () => {
    // Prepare
    autoScaling.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });
    elb.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [] });

    // Act
    const snapshot = reader.snapshot();

    // Assess
    await expect(snapshot).rejects.toThrow('Auto Scaling group rebound-test-web not found');
  });
});
