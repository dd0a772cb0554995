import { describe, expect, it } from 'vitest';
import { type Correlation, correlate } from '../../functions/lib/core/correlate.js';
import {
  ALERT_BATCH_MINUTES,
  type DecideInput,
  decide,
  type Plan,
} from '../../functions/lib/core/decide.js';
import { parseGuardrails } from '../../functions/lib/core/guardrails.js';
import { type Incident, PENDING_EXECUTION } from '../../functions/lib/core/incident.js';
import { policyFor, RECORDED_INFO_KINDS } from '../../functions/lib/core/policy.js';
import type { LedgerVerdict } from '../../functions/lib/core/ports.js';
import { runbookExecutionName } from '../../functions/lib/core/runbook-registry.js';
import type { Signal } from '../../functions/lib/core/signal.js';
import { aProblem, at, guardrailsOf, recoveryOf, sameAzNeighbour, T0 } from './support/signals.js';

/** Decides `signal` the way triage does: correlate with `candidates`, policy for problems. */
const decideFor = (
  signal: Signal,
  options: {
    candidates?: readonly Incident[];
    now?: Date;
    guardrails?: DecideInput['guardrails'];
    ledger?: LedgerVerdict;
  } = {},
): Plan & { correlation: Correlation } => {
  const now = options.now ?? T0;
  const recorded = RECORDED_INFO_KINDS.includes(signal.kind);
  const correlation = correlate(signal, options.candidates ?? [], now, {
    recordUnmatchedInfo: recorded,
  });
  const plan = decide({
    signal,
    correlation,
    ...(signal.phase === 'problem' || recorded ? { verdict: policyFor(signal) } : {}),
    guardrails: options.guardrails ?? guardrailsOf(),
    stage: 'prod',
    ...(options.ledger === undefined ? {} : { ledger: options.ledger }),
    now,
  });
  return { ...plan, correlation };
};

const incidentOf = (plan: { correlation: Correlation }): Incident => {
  if (plan.correlation.type === 'unmatched') throw new Error('no incident');
  return plan.correlation.incident;
};

const cacheDegraded = (overrides: Partial<Signal> = {}): Signal =>
  aProblem({
    kind: 'cache-degraded',
    severity: 'warning',
    resource: { type: 'cache-replication-group', id: 'rebound-prod-cache' },
    related: [],
    partKey: 'alarm:rebound-prod-cache-cpu',
    summary: 'Cache CPU above 90%',
    source: { ...aProblem().source, eventId: 'event-cache' },
    ...overrides,
  });

describe('decide: policy rows for a new incident', () => {
  it('notifies with the expected minutes when AWS heals it by itself', () => {
    // Prepare
    const signal = aProblem({ selfHealing: { by: 'auto-scaling', expectedWithinSeconds: 600 } });

    // Act
    const plan = decideFor(signal);

    // Assess
    expect(plan.decision).toEqual({
      action: 'notify',
      runbook: null,
      reason:
        'EC2 Auto Scaling replaces instances that fail their health checks by itself; Rebound observes and escalates if it has not recovered within 10 min.',
    });
    expect(plan.runbook).toBeUndefined();
    expect(plan.alert).toEqual({ kind: 'incident-opened', page: true });
  });

  it('starts replace-unhealthy-instance for a gray failure of one instance', () => {
    // Prepare
    const signal = aProblem();

    // Act
    const plan = decideFor(signal);

    // Assess
    const incident = incidentOf(plan);
    expect(plan.decision).toMatchObject({
      action: 'runbook',
      runbook: 'replace-unhealthy-instance',
    });
    expect(plan.decision.blockedBy).toBeUndefined();
    expect(plan.runbook).toEqual({
      runbook: 'replace-unhealthy-instance',
      executionName: `${incident.id}--i-0aaa`,
      input: {
        instanceId: 'i-0aaa',
        alarmName: 'rebound-prod-mem-i-0aaa',
        reason: signal.summary,
        incidentId: incident.id,
      },
    });
    expect(plan.alert).toEqual({ kind: 'incident-opened', page: true });
  });

  it('leaves alarmName out of the runbook input when no alarm raised the signal', () => {
    // Prepare
    const signal = aProblem({ partKey: 'health:AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED:i-0aaa' });

    // Act
    const plan = decideFor(signal);

    // Assess
    expect(plan.runbook?.input).toEqual({
      instanceId: 'i-0aaa',
      reason: signal.summary,
      incidentId: incidentOf(plan).id,
    });
  });

  it.each([
    [
      'a database failover AWS did not do',
      aProblem({
        kind: 'database-failover',
        resource: { type: 'db-instance', id: 'rebound-prod-db' },
        partKey: 'db-failover:rebound-prod-db',
      }),
      'RDS did not fail over (one happened recently)',
    ],
    [
      'an AZ impairment named by an AZ ID Rebound could not map',
      aProblem({
        kind: 'az-impairment',
        resource: { type: 'availability-zone', id: 'use1-az2' },
        availabilityZone: 'use1-az2',
        partKey: 'health:az:use1-az2',
      }),
      'AWS reports an impairment in use1-az2',
    ],
    [
      'a failed runbook',
      aProblem({
        kind: 'runbook-failure',
        resource: { type: 'state-machine', id: 'rebound-prod-replace-unhealthy-instance' },
        partKey: 'execution:x',
      }),
      'A Rebound runbook did not finish',
    ],
    ['anything else (catch-all)', cacheDegraded(), 'No runbook recovers cache-degraded'],
  ])('notifies a person for %s', (_name, signal, reasonStart) => {
    // Act
    const plan = decideFor(signal);

    // Assess
    expect(plan.decision.action).toBe('notify');
    expect(plan.decision.runbook).toBeNull();
    expect(plan.decision.reason.startsWith(reasonStart)).toBe(true);
    expect(plan.runbook).toBeUndefined();
    expect(plan.alert?.kind).toBe('incident-opened');
  });

  it.each([
    [
      'pressure on the web group',
      aProblem({
        kind: 'capacity-pressure',
        resource: { type: 'auto-scaling-group', id: 'rebound-prod-web' },
        partKey: 'alarm:rebound-prod-web-cpu-high',
        selfHealing: { by: 'target-tracking', expectedWithinSeconds: 900 },
      }),
      'scale-out',
      'rebound-prod-web',
      { autoScalingGroupName: 'rebound-prod-web', alarmName: 'rebound-prod-web-cpu-high' },
    ],
    [
      'a Multi-AZ failover RDS started',
      aProblem({
        kind: 'database-failover',
        resource: { type: 'db-instance', id: 'rebound-prod-db' },
        partKey: 'db-failover:rebound-prod-db',
        selfHealing: { by: 'rds', expectedWithinSeconds: 300 },
        dbRole: 'primary',
      }),
      'rds-failover',
      'rebound-prod-db',
      { dbInstanceId: 'rebound-prod-db', mode: 'follow' },
    ],
    [
      'a primary DB that failed (RDS-EVENT-0031)',
      aProblem({
        kind: 'database-degraded',
        resource: { type: 'db-instance', id: 'rebound-prod-db' },
        partKey: 'db-primary-failure:rebound-prod-db',
        dbRole: 'primary',
      }),
      'rds-failover',
      'rebound-prod-db-force',
      { dbInstanceId: 'rebound-prod-db', mode: 'force' },
    ],
    [
      'a failover ElastiCache completed',
      aProblem({
        kind: 'cache-failover',
        phase: 'info',
        severity: 'warning',
        resource: { type: 'cache-replication-group', id: 'rebound-prod-cache' },
        partKey: 'cache-failover:rebound-prod-cache',
      }),
      'cache-failover',
      'rebound-prod-cache',
      { replicationGroupId: 'rebound-prod-cache', mode: 'follow' },
    ],
    [
      'an AWS Health issue on the cache',
      cacheDegraded({ partKey: 'health:arn:aws:health:us-east-1::event/ELASTICACHE/x' }),
      'cache-failover',
      'rebound-prod-cache-force',
      { replicationGroupId: 'rebound-prod-cache', mode: 'force' },
    ],
    [
      'an AWS Health issue naming a cache node (issue 10 #7)',
      cacheDegraded({
        partKey: 'health:arn:aws:health:us-east-1::event/ELASTICACHE/x',
        related: [{ type: 'cache-node', id: 'rebound-prod-cache-002' }],
      }),
      'cache-failover',
      'rebound-prod-cache-force',
      { replicationGroupId: 'rebound-prod-cache', mode: 'force', nodeId: 'rebound-prod-cache-002' },
    ],
    [
      'an AZ impairment',
      aProblem({
        kind: 'az-impairment',
        resource: { type: 'availability-zone', id: 'us-east-1a' },
        availabilityZone: 'us-east-1a',
        partKey: 'health:az:us-east-1a',
      }),
      'az-evacuation',
      'us-east-1a',
      { availabilityZone: 'us-east-1a' },
    ],
  ])('starts the runbook for %s', (_name, signal, runbook, targetId, input) => {
    // Act
    const plan = decideFor(signal, { guardrails: guardrailsOf({ mode: 'dry-run' }) });

    // Assess
    const incident = incidentOf(plan);
    expect(plan.decision).toMatchObject({ action: 'runbook', runbook });
    expect(plan.runbook).toEqual({
      runbook,
      executionName: runbookExecutionName(incident.id, targetId),
      input: { ...input, reason: signal.summary, incidentId: incident.id, dryRun: 'true' },
    });
  });

  it('does not page for a recovery AWS already completed, even when a runbook verifies it', () => {
    // Prepare
    const completed = aProblem({
      kind: 'cache-failover',
      phase: 'info',
      severity: 'critical',
      resource: { type: 'cache-replication-group', id: 'rebound-prod-cache' },
      partKey: 'cache-failover:rebound-prod-cache',
    });

    // Act
    const plan = decideFor(completed);

    // Assess
    expect(plan.runbook?.runbook).toBe('cache-failover');
    expect(plan.alert).toEqual({ kind: 'incident-opened', page: false });
  });

  it('names the policy row that decided', () => {
    // Act
    const rules = [
      aProblem({ selfHealing: { by: 'rds', expectedWithinSeconds: 120 } }),
      aProblem(),
      cacheDegraded(),
    ].map((signal) => policyFor(signal).rule);

    // Assess
    expect(rules).toEqual(['aws-heals-it', 'gray-failure-of-one-instance', 'no-runbook']);
  });
});

describe('decide: guardrails', () => {
  it('notifies instead when automation is off, naming the SSM parameter', () => {
    // Act
    const plan = decideFor(aProblem(), { guardrails: guardrailsOf({ mode: 'off' }) });

    // Assess
    expect(plan.decision).toMatchObject({
      action: 'notify',
      runbook: 'replace-unhealthy-instance',
      blockedBy: 'mode-off',
    });
    expect(plan.decision.reason).toContain('/rebound/prod/guardrails/mode = off');
    expect(plan.runbook).toBeUndefined();
    expect(plan.alert).toEqual({ kind: 'incident-opened', page: true });
  });

  it('notifies instead when the runbook is not enabled', () => {
    // Act
    const plan = decideFor(aProblem(), { guardrails: guardrailsOf({ enabledRunbooks: [] }) });

    // Assess
    expect(plan.decision).toMatchObject({ action: 'notify', blockedBy: 'runbook-disabled' });
    expect(plan.decision.reason).toContain(
      'replace-unhealthy-instance is not in /rebound/prod/guardrails/enabled-runbooks',
    );
    expect(plan.runbook).toBeUndefined();
  });

  it.each([
    {
      allowed: false,
      blockedBy: 'budget',
      reason: '2 instance replacements in the last hour (budget 2)',
    },
    { allowed: false, blockedBy: 'cooldown', reason: 'i-0aaa in cooldown until 03:20 UTC' },
  ] as const)('notifies with the ledger reason when it says $blockedBy', (ledger) => {
    // Act
    const plan = decideFor(aProblem(), { ledger });

    // Assess
    expect(plan.decision).toMatchObject({ action: 'notify', blockedBy: ledger.blockedBy });
    expect(plan.decision.reason).toContain(`Not started: ${ledger.reason}; a person must act.`);
    expect(plan.runbook).toBeUndefined();
  });

  it('starts the runbook in dry-run mode and says so', () => {
    // Act
    const plan = decideFor(aProblem(), {
      guardrails: guardrailsOf({ mode: 'dry-run' }),
      ledger: { allowed: true },
    });

    // Assess
    expect(plan.decision.action).toBe('runbook');
    expect(plan.decision.reason).toContain(
      'Dry-run mode (/rebound/prod/guardrails/mode): the runbook checks and reports but changes nothing.',
    );
    expect(plan.runbook?.runbook).toBe('replace-unhealthy-instance');
    expect(plan.decision.startsAs).toBe('dry-run');
    expect(plan.runbook?.input.dryRun).toBe('true');
  });

  it('gives a status-check failure its own reason, not a gray failure health checks do not see', () => {
    // Act
    const statusCheck = decideFor(aProblem({ metric: 'StatusCheckFailed' }));
    const memory = decideFor(aProblem({ metric: 'mem_used_percent' }));

    // Assess
    expect(statusCheck.decision.reason).toContain('fails its EC2 status checks');
    expect(statusCheck.decision.reason).not.toContain('do not see');
    expect(memory.decision.reason).toContain('health checks do not see (memory, disk)');
  });

  it('says a started run waits for a person only when it will (the alert asks for approval)', () => {
    // Prepare
    const impairment = aProblem({
      kind: 'az-impairment',
      severity: 'critical',
      resource: { type: 'availability-zone', id: 'us-east-1a' },
      availabilityZone: 'us-east-1a',
      partKey: 'health:az:us-east-1a',
      selfHealing: undefined,
    });
    const auto = guardrailsOf({ mode: 'auto' });

    // Act
    const asks = decideFor(impairment, { guardrails: auto, ledger: { allowed: true } });
    const autoApproved = decideFor(impairment, {
      guardrails: guardrailsOf({ mode: 'auto', autoApprovedRunbooks: ['az-evacuation'] }),
      ledger: { allowed: true },
    });
    const acts = decideFor(aProblem(), { guardrails: auto, ledger: { allowed: true } });

    // Assess
    expect(asks.decision).toMatchObject({ runbook: 'az-evacuation', startsAs: 'approval' });
    expect(autoApproved.decision.startsAs).toBeUndefined();
    expect(acts.decision.startsAs).toBeUndefined();
    expect(acts.runbook?.input).not.toHaveProperty('dryRun');
  });

  it('appends guardrail parse problems to the reason, started or blocked', () => {
    // Prepare
    const partial = parseGuardrails({
      mode: 'auto',
      'enabled-runbooks': 'replace-unhealthy-instance',
      'max-instance-replacements-per-hour': '2',
      'min-healthy-instances': '2',
    });
    const broken = parseGuardrails({});

    // Act
    const started = decideFor(aProblem(), { guardrails: partial });
    const blocked = decideFor(aProblem(), { guardrails: broken });

    // Assess
    expect(started.decision.action).toBe('runbook');
    expect(started.decision.reason).toContain(
      `Guardrail problems: ${partial.problems.join('; ')}.`,
    );
    expect(partial.problems[0]).toBe('guardrail cooldown-minutes: missing, using 1440');
    expect(blocked.decision).toMatchObject({ action: 'notify', blockedBy: 'runbook-disabled' });
    expect(blocked.decision.reason).toContain(`Guardrail problems: ${broken.problems.join('; ')}.`);
  });
});

describe('decide: joining an incident', () => {
  const first = incidentOf(decideFor(aProblem()));
  const execution = runbookExecutionName(first.id, 'i-0aaa');
  const started: Incident = {
    ...first,
    status: 'mitigating',
    runbookExecutions: { [execution]: 'arn:execution' },
    timeline: [
      ...first.timeline,
      { type: 'alert', at: T0.toISOString(), severity: 'critical', subject: 's', sms: true },
    ],
    lastPagedAt: T0.toISOString(),
  };

  it('starts the runbook for a new part whose runbook has not started yet', () => {
    // Act
    const plan = decideFor(sameAzNeighbour(), { candidates: [started], now: at(1) });

    // Assess
    expect(plan.decision.action).toBe('runbook');
    expect(plan.runbook).toMatchObject({
      executionName: `${first.id}--i-0bbb`,
      input: { instanceId: 'i-0bbb', incidentId: first.id },
    });
  });

  it('resumes a runbook recorded as decided but never started (redelivery after a crash)', () => {
    // Prepare
    const decidedOnly: Incident = { ...first, status: 'mitigating' };

    // Act
    const plan = decideFor(aProblem(), { candidates: [decidedOnly], now: at(1) });

    // Assess
    expect(plan.decision.action).toBe('runbook');
    expect(plan.runbook?.executionName).toBe(execution);
    expect(plan.alert).toEqual({ kind: 'incident-opened', page: true });
  });

  it('resumes a start recorded as pending under the same name, whatever the ledger says now', () => {
    // Prepare: the run started before the crash and holds its own cooldown by now.
    const pending: Incident = {
      ...first,
      status: 'mitigating',
      runbookExecutions: { [execution]: PENDING_EXECUTION },
    };
    const cooldown: LedgerVerdict = {
      allowed: false,
      blockedBy: 'cooldown',
      reason: 'i-0aaa in cooldown until 03:19 UTC',
    };

    // Act
    const plan = decideFor(aProblem(), { candidates: [pending], now: at(1), ledger: cooldown });

    // Assess
    expect(plan.decision.action).toBe('runbook');
    expect(plan.decision.blockedBy).toBeUndefined();
    expect(plan.decision.reason).toContain('started again under the same execution name');
    expect(plan.runbook).toMatchObject({
      executionName: execution,
      input: { instanceId: 'i-0aaa', incidentId: first.id },
    });
  });

  it('resumes a pending start in mode dry-run with the same dry-run input (Step Functions refuses the name otherwise)', () => {
    // Prepare
    const pending: Incident = { ...first, runbookExecutions: { [execution]: PENDING_EXECUTION } };
    const dryRun = guardrailsOf({ mode: 'dry-run' });

    // Act
    const firstStart = decideFor(aProblem(), { guardrails: dryRun, ledger: { allowed: true } });
    const resumed = decideFor(aProblem(), {
      candidates: [pending],
      now: at(1),
      guardrails: dryRun,
    });

    // Assess
    expect(resumed.runbook?.input).toEqual({ ...firstStart.runbook?.input, incidentId: first.id });
    expect(resumed.runbook?.input.dryRun).toBe('true');
    expect(resumed.decision.startsAs).toBe('dry-run');
  });

  it('suppresses a repeat once the runbook has started and the incident announced', () => {
    // Act
    const plan = decideFor(aProblem(), { candidates: [started], now: at(1) });

    // Assess
    expect(plan.decision).toMatchObject({ action: 'suppress', runbook: null });
    expect(plan.decision.reason).toContain('Already handled');
    expect(plan.runbook).toBeUndefined();
    expect(plan.alert).toBeUndefined();
  });

  it('announces an active incident whose first alert never went out', () => {
    // Prepare
    const unannounced: Incident = { ...started, timeline: first.timeline };
    const { lastPagedAt: _paged, ...neverPaged } = unannounced;

    // Act
    const plan = decideFor(aProblem(), { candidates: [neverPaged], now: at(1) });

    // Assess
    expect(plan.decision.action).toBe('suppress');
    expect(plan.alert).toEqual({ kind: 'incident-opened', page: true });
  });

  it('groups a reopened part whose runbook already ran, without starting it again', () => {
    // Prepare
    const two = correlate(sameAzNeighbour(), [started], at(1));
    if (two.type !== 'joined') throw new Error('expected joined');
    const recovered = correlate(recoveryOf(aProblem()), [two.incident], at(2));
    if (recovered.type !== 'joined') throw new Error('expected joined');
    const onePartLeft = recovered.incident;
    const again = aProblem({ source: { ...aProblem().source, eventId: 'event-again' } });

    // Act
    const plan = decideFor(again, { candidates: [onePartLeft], now: at(3) });

    // Assess
    expect(plan.correlation).toMatchObject({ change: 'opened' });
    expect(plan.decision.action).toBe('suppress');
    expect(plan.runbook).toBeUndefined();
  });

  it('groups other problems and batches update alerts per interval', () => {
    // Prepare
    const within = at(ALERT_BATCH_MINUTES - 1);
    const after = at(ALERT_BATCH_MINUTES);

    // Act
    const early = decideFor(cacheDegraded({ availabilityZone: 'us-east-1a' }), {
      candidates: [started],
      now: within,
    });
    const late = decideFor(cacheDegraded({ availabilityZone: 'us-east-1a' }), {
      candidates: [started],
      now: after,
    });

    // Assess
    expect(early.decision.action).toBe('suppress');
    expect(early.decision.reason).toContain(`Grouped into incident ${first.id}`);
    expect(early.alert).toBeUndefined();
    expect(late.decision.action).toBe('suppress');
    expect(late.alert).toEqual({ kind: 'incident-update', page: false });
  });

  it('batches the update alerts of runbooks started for new parts too', () => {
    // Act
    const early = decideFor(sameAzNeighbour(), { candidates: [started], now: at(1) });
    const late = decideFor(sameAzNeighbour(), {
      candidates: [started],
      now: at(ALERT_BATCH_MINUTES),
    });

    // Assess
    expect(early.decision.action).toBe('runbook');
    expect(early.alert).toBeUndefined();
    expect(late.decision.action).toBe('runbook');
    expect(late.alert).toEqual({ kind: 'incident-update', page: false });
  });

  it('suppresses a recovery while other parts are open', () => {
    // Prepare
    const two = correlate(sameAzNeighbour(), [started], at(1));
    if (two.type !== 'joined') throw new Error('expected joined');

    // Act
    const plan = decideFor(recoveryOf(sameAzNeighbour()), {
      candidates: [two.incident],
      now: at(2),
    });

    // Assess
    expect(plan.decision).toMatchObject({ action: 'suppress', runbook: null });
    expect(plan.decision.reason).toContain('still has 1 open part(s)');
    expect(plan.alert).toBeUndefined();
  });

  it('resolves the incident with its last recovery and announces it without paging', () => {
    // Act
    const plan = decideFor(recoveryOf(aProblem()), { candidates: [started], now: at(42) });

    // Assess
    expect(plan.decision).toEqual({
      action: 'resolve',
      runbook: null,
      reason: `Every part of incident ${first.id} has recovered (part alarm:rebound-prod-mem-i-0aaa last), 42 min after it opened.`,
    });
    expect(plan.alert).toEqual({ kind: 'incident-resolved', page: false });
  });

  it('ignores a recovery with no incident', () => {
    // Act
    const plan = decideFor(recoveryOf(aProblem()));

    // Assess
    expect(plan.decision).toMatchObject({ action: 'ignore', runbook: null });
    expect(plan.alert).toBeUndefined();
  });
});

describe('decide: paging', () => {
  it('pages for a critical new incident, not for a warning one', () => {
    // Act
    const critical = decideFor(aProblem());
    const warning = decideFor(aProblem({ severity: 'warning' }));

    // Assess
    expect(critical.alert?.page).toBe(true);
    expect(warning.alert).toEqual({ kind: 'incident-opened', page: false });
  });

  it('pages a warning incident once when a critical part joins, then never again', () => {
    // Prepare
    const warningFirst = incidentOf(decideFor(sameAzNeighbour()));
    const announced: Incident = {
      ...warningFirst,
      timeline: [
        ...warningFirst.timeline,
        { type: 'alert', at: T0.toISOString(), severity: 'warning', subject: 's', sms: false },
      ],
    };
    const paged: Incident = { ...announced, lastPagedAt: at(1).toISOString() };
    const critical = cacheDegraded({ severity: 'critical', availabilityZone: 'us-east-1a' });

    // Act
    const first = decideFor(critical, { candidates: [announced], now: at(1) });
    const second = decideFor(critical, { candidates: [paged], now: at(2) });

    // Assess
    expect(first.alert).toEqual({ kind: 'incident-update', page: true });
    expect(second.alert).toBeUndefined();
  });
});
