import { beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../functions/lib/core/alert.js';
import { NORMAL_CPU_PERCENT } from '../../infra/recovery/physics.js';
import { DEFAULT_RTO_OPTIONS, recoveryBudgets, surgeBudget } from '../../infra/recovery/rto.js';
import { readShopSettings } from '../../infra/recovery/shop-settings.js';
import { APPROVAL_TIMEOUT } from '../../runbooks/kit/approval-gate.js';
import { describeEvent } from '../../sandbox/gameday/aws-events.js';
import { type GameDayResult, runGameDay } from '../../sandbox/gameday/game-day.js';
import { parseMetricMath } from '../../sandbox/gameday/metric-math.js';
import { judge } from '../../sandbox/gameday/objectives.js';
import { formatReport, formatSummary, timelineOf } from '../../sandbox/gameday/report.js';
import {
  gameDayAzIds,
  MEMORY_LEAK_HURTS_PERCENT,
  SCENARIOS,
  scenarioNamed,
} from '../../sandbox/gameday/scenarios.js';
import { NORMAL_MEMORY_PERCENT } from '../../sandbox/gameday/shop.js';
import { timelineSvg } from '../../sandbox/gameday/svg.js';
import { type SynthesizedIntake, synthesizeIntake } from '../../sandbox/synthesized-intake.js';
import { MEMORY_OUTLIER_ALARM } from '../support/gameday-settings.js';

/**
 * Every game-day scenario in both modes, seeded, against the app as cdk.json synthesizes it:
 * the real intake rules, triage core and runbook ASL over the simulated shop. `auto` recovers
 * within the objective with one incident, at most one page and no change beyond the
 * guardrails; `dry-run` changes nothing in the shop.
 */

const SEED = 7;
let intake: SynthesizedIntake;
beforeAll(() => {
  const probe = synthesizeIntake({ assumeOwned: false });
  intake = {
    ...probe,
    inventory: { ...probe.inventory, azIdToName: gameDayAzIds(probe.config.availabilityZones) },
  };
});

const pages = (alerts: readonly { readonly at: number; readonly alert: Alert }[]) =>
  alerts.filter(({ alert }) => alert.sms !== null);
const seconds = (result: GameDayResult, at: number | undefined) =>
  at === undefined ? undefined : (at - result.measures.faultAt) / 1000;

describe.each(SCENARIOS.map((scenario) => [scenario.name, scenario] as const))(
  'game day %s',
  (_name, scenario) => {
    // A scenario that shows a known, unfixed defect must fail its objectives (Scenario.knownDefect).
    const showsDefectIn = (mode: 'auto' | 'dry-run') =>
      scenario.knownDefect !== undefined &&
      (scenario.knownDefectModes ?? ['auto', 'dry-run']).includes(mode);
    const objectives = showsDefectIn('auto') ? it.fails : it;
    // What the real definitions do about it: recover, or hand over to a person (Scenario.expectedOutcome).
    if (scenario.expectedOutcome === 'absorb')
      objectives(
        'auto: AWS alone serves the shop again within the objective; no incident, no page, no change',
        async () => {
          // Act
          const result = await runGameDay(intake, scenario, { mode: 'auto', seed: SEED });

          // Assess
          expect(result.incidents).toEqual([]);
          expect(pages(result.alerts)).toEqual([]);
          expect(result.changes).toEqual([]);
          expect(seconds(result, result.measures.recoveredAt)).toBeLessThanOrEqual(
            scenario.objectiveMinutes * 60,
          );
          expect(judge(result)).toMatchObject({ pass: true });
        },
      );
    else if (scenario.expectedOutcome === 'escalate')
      objectives(
        'auto: escalates to a person with one page and one failed incident, having changed nothing',
        async () => {
          // Act
          const result = await runGameDay(intake, scenario, { mode: 'auto', seed: SEED });

          // Assess
          expect(result.incidents).toHaveLength(1);
          expect(result.incidents[0]?.status).toBe('failed');
          expect(pages(result.alerts)).toHaveLength(1);
          expect(result.changes).toEqual([]);
          expect(result.measures.escalatedAt).toBeGreaterThan(result.measures.faultAt);
          expect(result.measures.resolvedAt).toBeUndefined();
          expect(judge(result)).toMatchObject({ pass: true });
        },
      );
    else
      objectives(
        'auto: recovers within its objective, one incident, at most one page, nothing beyond the guardrails',
        async () => {
          // Act
          const result = await runGameDay(intake, scenario, { mode: 'auto', seed: SEED });

          // Assess
          expect(result.incidents).toHaveLength(1);
          expect(result.incidents[0]?.status).toBe('resolved');
          expect(pages(result.alerts).length).toBeLessThanOrEqual(1);
          expect(result.changes.length).toBeLessThanOrEqual(scenario.maxChanges ?? 0);
          expect(seconds(result, result.measures.recoveredAt)).toBeGreaterThan(0);
          expect(seconds(result, result.measures.resolvedAt)).toBeLessThanOrEqual(
            scenario.objectiveMinutes * 60,
          );
          expect(judge(result)).toMatchObject({ pass: true });
        },
      );

    (showsDefectIn('dry-run') ? it.fails : it)(
      'dry-run: nothing in the shop changes, and the incident is still recorded and told',
      async () => {
        // Act
        const result = await runGameDay(intake, scenario, { mode: 'dry-run', seed: SEED });

        // Assess: recorded and told, unless AWS absorbs it before any alarm fires.
        const absorbed = scenario.expectedOutcome === 'absorb';
        expect(result.changes).toEqual([]);
        expect(result.incidents).toHaveLength(absorbed ? 0 : 1);
        expect(result.alerts.length > 0).toBe(!absorbed);
        // One page, besides the escalation the dry run's report announced for a fault that
        // outlasts its recovery check (objectives.ts).
        const [first, ...later] = pages(result.alerts);
        expect(later.length).toBeLessThanOrEqual(1);
        expect(later.map(({ alert }) => alert.kind)).toEqual(later.map(() => 'escalation'));
        expect(first === undefined || later.every(({ at }) => at > first.at)).toBe(true);
        expect(
          judge(result).checks.find((check) => check.what === 'nothing in the shop changed')?.ok,
        ).toBe(true);
      },
    );
  },
);

describe('game day inside the computed worst case (npm run rto)', () => {
  it.each(
    SCENARIOS.filter((s) => s.knownDefect === undefined && s.expectedOutcome === undefined).map(
      (s) => [s.name, s] as const,
    ),
  )(
    '%s: recovered and resolved no later than rto.ts computes from the settings',
    async (_name, scenario) => {
      for (const seed of [1, 2]) {
        // Act
        const result = await runGameDay(intake, scenario, { mode: 'auto', seed });
        const budget = recoveryBudgets(result.settings, {
          eventLatenessSeconds:
            scenario.eventLatenessSeconds ?? DEFAULT_RTO_OPTIONS.eventLatenessSeconds,
        }).find((b) => b.failureClass === scenario.failureClass);

        // Assess
        expect(seconds(result, result.measures.recoveredAt)).toBeLessThanOrEqual(
          budget?.worstRecoveredSeconds ?? 0,
        );
        if (scenario.resolutionUnbounded === undefined) {
          expect(seconds(result, result.measures.resolvedAt)).toBeLessThanOrEqual(
            budget?.worstResolvedSeconds ?? 0,
          );
        }
        expect(seconds(result, result.measures.recoveredAt)).toBeGreaterThanOrEqual(
          budget?.floorSeconds ?? Infinity,
        );
      }
    },
  );
});

describe('game day az-power-loss', () => {
  const scenario = scenarioNamed('az-power-loss');

  it.each([1, 2, 7])(
    'seed %i: the shop serves again (web tier, database, cache) within the worst case of instance-failure, its slowest part (npm run rto)',
    async (seed) => {
      if (scenario === undefined) throw new Error('scenario missing');

      // Act
      const result = await runGameDay(intake, scenario, { mode: 'auto', seed });
      const [budget] = recoveryBudgets(result.settings).filter(
        (b) => b.failureClass === scenario.failureClass,
      );

      // Assess: recovered is bounded by the settings; resolution waits for AWS Health to close
      // its issue, which no setting bounds (the power comes back when it does).
      expect(seconds(result, result.measures.recoveredAt)).toBeGreaterThan(0);
      expect(seconds(result, result.measures.recoveredAt)).toBeLessThanOrEqual(
        budget?.worstRecoveredSeconds ?? 0,
      );
      expect(seconds(result, result.measures.resolvedAt)).toBeLessThanOrEqual(
        scenario.objectiveMinutes * 60,
      );
    },
  );

  it('seed 7: the AZ loses its instances and the primaries there; AWS Health, RDS, ElastiCache and the ELB react; the on-call rejects the evacuation', async () => {
    if (scenario === undefined) throw new Error('scenario missing');

    // Act
    const result = await runGameDay(intake, scenario, { mode: 'auto', seed: 7 });

    // Assess: AWS fails both primaries over by itself, Rebound follows with its runbooks.
    const events = result.deliveries.map((d) => describeEvent(d.event));
    expect(events).toEqual(
      expect.arrayContaining([
        'RDS DB Instance Event RDS-EVENT-0013',
        'RDS DB Instance Event RDS-EVENT-0049',
        'ElastiCache:FailoverComplete : rebound-dev-cache',
        'AWS Health Event',
        'EC2 Instance Launch Successful',
      ]),
    );
    expect(result.executions.map((e) => [e.runbook, e.status])).toEqual(
      expect.arrayContaining([
        ['rds-failover', 'SUCCEEDED'],
        ['cache-failover', 'SUCCEEDED'],
        ['az-evacuation', 'SUCCEEDED'],
      ]),
    );
    // az-evacuation asked, the scripted on-call rejected: no zonal shift, nothing changed.
    const azRun = result.executions.find((e) => e.runbook === 'az-evacuation');
    expect(azRun?.steps.map((step) => step.state)).toEqual(
      expect.arrayContaining(['RequestApproval', 'RecordApproval', 'ReportRejected']),
    );
    expect(result.changes).toEqual([]);
    // The replacements launch in the AZs that have power.
    // The AZ AWS Health names (the az-impairment part's resource).
    const lostAz = result.incidents
      .flatMap((i) => i.parts)
      .find((part) => part.kind === 'az-impairment')?.resource.id;
    const launched = result.deliveries.flatMap((d) =>
      'detail' in d.event && d.event['detail-type'] === 'EC2 Instance Launch Successful'
        ? [(d.event.detail.Details as Record<string, string>)['Availability Zone']]
        : [],
    );
    expect(lostAz).toBeDefined();
    expect(launched.length).toBeGreaterThan(0);
    expect(launched).not.toContain(lostAz);
    // One incident for the outage: the failovers of the primaries there, the web tier's unhealthy
    // hosts and AWS Health's AZ issue, each a part (the cache's AWS-completed failover a line).
    expect(result.incidents).toHaveLength(1);
    const [incident] = result.incidents;
    expect(incident?.availabilityZone).toBe(lostAz);
    expect(incident?.status).toBe('resolved');
    expect(incident?.parts.map((part) => [part.kind, part.state]).sort()).toEqual([
      ['az-impairment', 'resolved'],
      ['database-failover', 'resolved'],
      ['instance-health', 'resolved'],
    ]);
    expect(
      incident?.timeline.flatMap((entry) => (entry.type === 'signal' ? [entry.kind] : [])),
    ).toContain('cache-failover');
    // One page, the first critical part's (the approval request is an email: it has paged).
    expect(pages(result.alerts).map(({ alert }) => alert.subject)).toEqual([
      expect.stringContaining('RDS-EVENT-0013'),
    ]);
  });
});

describe('game day surge inside the computed worst case (npm run rto)', () => {
  it.each(SCENARIOS.filter((s) => s.capacitySurge !== undefined).map((s) => [s.name, s] as const))(
    '%s: serves again no earlier than the floor and no later than surgeBudget computes',
    async (_name, scenario) => {
      for (const seed of [1, 2]) {
        // Act
        const result = await runGameDay(intake, scenario, { mode: 'auto', seed });
        const budget = surgeBudget(result.settings, scenario.capacitySurge ?? 0);

        // Assess
        expect(budget.capacities.length).toBeGreaterThan(0);
        expect(seconds(result, result.measures.recoveredAt)).toBeLessThanOrEqual(
          budget.worstRecoveredSeconds,
        );
        expect(seconds(result, result.measures.recoveredAt)).toBeGreaterThanOrEqual(
          budget.floorSeconds,
        );
      }
    },
  );
});

describe('game day', () => {
  it('is reproducible: the same seed gives the same day, another seed another one', async () => {
    // Prepare
    const scenario = scenarioNamed('rds-primary-failure');
    if (scenario === undefined) throw new Error('scenario missing');

    // Act
    const first = await runGameDay(intake, scenario, { mode: 'auto', seed: 3 });
    const again = await runGameDay(intake, scenario, { mode: 'auto', seed: 3 });
    const other = await runGameDay(intake, scenario, { mode: 'auto', seed: 4 });

    // Assess
    expect(again.measures).toEqual(first.measures);
    expect(again.alerts.map(({ at, alert }) => [at, alert.subject])).toEqual(
      first.alerts.map(({ at, alert }) => [at, alert.subject]),
    );
    expect(other.measures.recoveredAt).not.toBe(first.measures.recoveredAt);
  });

  it('an RDS failover takes 60–120 s as AWS documents, and rds-failover follows it from the synthesized ASL', async () => {
    // Prepare
    const scenario = scenarioNamed('rds-primary-failure');
    if (scenario === undefined) throw new Error('scenario missing');

    // Act
    const result = await runGameDay(intake, scenario, { mode: 'auto', seed: SEED });

    // Assess
    const recovered = seconds(result, result.measures.recoveredAt) ?? 0;
    expect(recovered).toBeGreaterThanOrEqual(60);
    expect(recovered).toBeLessThanOrEqual(120 + 5);
    const [execution] = result.executions;
    expect(execution).toMatchObject({ runbook: 'rds-failover', status: 'SUCCEEDED' });
    expect(execution?.steps.map((step) => step.state)).toEqual(
      expect.arrayContaining(['Check', 'DatabaseVerify', 'ReportSucceeded']),
    );
  });

  it('an instance crash is seen by the target group only after interval × unhealthy threshold', async () => {
    // Prepare
    const scenario = scenarioNamed('instance-crash');
    if (scenario === undefined) throw new Error('scenario missing');

    // Act
    const result = await runGameDay(intake, scenario, { mode: 'auto', seed: SEED });

    // Assess: no new instance before the target failed its checks (floor), and the alarm that
    // opened the incident is the one the template deploys.
    const { intervalSeconds, unhealthyThreshold } = result.settings.targetGroup;
    const launch = result.deliveries.find(
      (d) => describeEvent(d.event) === 'EC2 Instance Launch Successful',
    );
    expect(seconds(result, launch?.at)).toBeGreaterThanOrEqual(
      intervalSeconds * (unhealthyThreshold - 1),
    );
    expect(result.incidents[0]?.title).toContain('rebound-dev-alb-unhealthy-hosts');
  });

  it('names the first incidents of a storm and counts the rest, on one line', async () => {
    // Prepare: the rds run's one incident, as if a storm had opened it 300 times.
    const scenario = scenarioNamed('rds-primary-failure');
    if (scenario === undefined) throw new Error('scenario missing');
    const result = await runGameDay(intake, scenario, { mode: 'auto', seed: SEED });
    const [incident] = result.incidents;
    if (incident === undefined) throw new Error('no incident');

    // Act
    const check = judge({ ...result, incidents: Array(300).fill(incident) }).checks.find(
      ({ what }) => what === 'one incident',
    );

    // Assess
    expect(check?.ok).toBe(false);
    expect(check?.detail).toBe(
      `300 incident(s): ${Array(3).fill(`${incident.id} ${incident.status}`).join(', ')}, … 297 more`,
    );
  });

  it('reports a timeline, the alerts as delivered, a summary table and an SVG picture', async () => {
    // Prepare
    const scenario = scenarioNamed('rds-primary-failure');
    if (scenario === undefined) throw new Error('scenario missing');
    const result = await runGameDay(intake, scenario, { mode: 'auto', seed: SEED });
    const verdict = judge(result);

    // Act
    const report = formatReport(result, verdict);
    const summary = formatSummary([{ result, verdict }]);
    const svg = timelineSvg(result);

    // Assess
    for (const heading of [
      'TIMELINE',
      'ALERTS AS DELIVERED',
      'INCIDENT RECORD',
      'MEASURES',
      'RESULT  PASS',
    ]) {
      expect(report).toContain(heading);
    }
    const sms = pages(result.alerts)[0]?.alert.sms;
    expect(report).toContain(`SMS: ${sms}`);
    expect(summary.split('\n')[2]?.split(/\s{2,}/)).toEqual(
      expect.arrayContaining(['rds-primary-failure', 'auto', 'PASS']),
    );
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.match(/<rect [^>]*fill="#337ab7"/g)).toHaveLength(result.executions.length);
  });
});

describe('game day: the further scenarios of issue 14', () => {
  it('memory-leak: web-memory-outlier fires, replace-unhealthy-instance finds the leaking instance by its metrics and replaces it, and only it', async () => {
    // Prepare
    const scenario = scenarioNamed('memory-leak');
    if (scenario === undefined) throw new Error('scenario missing');

    // Act
    const result = await runGameDay(intake, scenario, { mode: 'auto', seed: SEED });

    // Assess: the leaking instance, and nothing else, was marked unhealthy and terminated.
    const leaking = result.instances.filter((instance) => instance.leakingSince !== undefined);
    expect(leaking).toHaveLength(1);
    expect(result.changes.map((change) => [change.call, change.target])).toEqual([
      ['autoscaling:SetInstanceHealth', leaking[0]?.id],
    ]);
    expect(leaking[0]?.lifecycle).toBe('Terminated');
    const outlier = result.settings.mathAlarms.find((a) => a.name.endsWith('web-memory-outlier'));
    expect(result.alarmTransitions.filter((t) => t.alarm === outlier?.name)).toMatchObject([
      { from: 'OK', to: 'ALARM' },
    ]);
    expect(result.executions).toMatchObject([
      { runbook: 'replace-unhealthy-instance', status: 'SUCCEEDED' },
    ]);
    expect(result.executions[0]?.steps.map((step) => step.state)).toEqual(
      expect.arrayContaining(['SampleMemory', 'FindWorstInstance', 'MarkUnhealthy']),
    );
  });

  it("memory-leak: the fault is the moment the leaking instance crosses the level of web-memory-outlier's rule, the leak building up before it", async () => {
    // Prepare
    const scenario = scenarioNamed('memory-leak');
    if (scenario === undefined) throw new Error('scenario missing');

    // Act
    const result = await runGameDay(intake, scenario, { mode: 'auto', seed: SEED });

    // Assess: the synthesized rule fires for a worst instance at MEMORY_LEAK_HURTS_PERCENT
    // over healthy peers, and not a hair below it.
    const outlier = result.settings.mathAlarms.find((a) => a.name.endsWith('web-memory-outlier'));
    const rule = parseMetricMath(outlier?.expression ?? '');
    const mean = (worst: number) => (worst + 2 * NORMAL_MEMORY_PERCENT) / 3;
    const hurts = MEMORY_LEAK_HURTS_PERCENT;
    expect(rule.evaluate({ worst: hurts, mean: mean(hurts) })).toBe(1);
    expect(rule.evaluate({ worst: hurts - 0.01, mean: mean(hurts - 0.01) })).toBe(0);
    // The leak starts buildsUpMinutes before the fault, and the victim reaches the level then.
    const [victim] = result.instances.filter((instance) => instance.leakingSince !== undefined);
    const buildsUp = (scenario.buildsUpMinutes ?? 0) * 60_000;
    expect(buildsUp).toBeGreaterThan(0);
    expect(victim?.leakingSince).toBe(result.measures.faultAt - buildsUp);
    expect(timelineOf(result)[0]?.text).toContain('it hurts from here, after 25 min of build-up');
    // Nothing is detected before the fault: the rule needs its datapoints after the crossing.
    expect(result.measures.detectedAt).toBeGreaterThan(
      result.measures.faultAt + (outlier?.datapointsToAlarm ?? 0) * 60_000,
    );
  });
});

describe("game day: the shop's metric-math alarms, read from the synthesized template", () => {
  it('reads web-memory-outlier with its expression, its metric queries (references resolved) and its datapoints, and can evaluate every expression the shop uses', () => {
    // Act
    const settings = readShopSettings(intake.templates.shop, {
      region: intake.config.region,
      availabilityZones: intake.config.availabilityZones,
    });

    // Assess
    // The shared test fixture, named and dimensioned as the synthesized shop is.
    const dimensions = { AutoScalingGroupName: settings.group.name };
    expect(settings.mathAlarms.find((a) => a.name.endsWith('-web-memory-outlier'))).toEqual({
      ...MEMORY_OUTLIER_ALARM,
      name: `${intake.inventory.namePrefix}-web-memory-outlier`,
      description: expect.stringContaining('25 points above the group'),
      metrics: MEMORY_OUTLIER_ALARM.metrics.map((metric) => ({ ...metric, dimensions })),
    });
    expect(settings.alarms.map((a) => a.name)).not.toContain(
      `${intake.inventory.namePrefix}-web-memory-outlier`,
    );
    for (const alarm of settings.mathAlarms) {
      const { ids } = parseMetricMath(alarm.expression);
      expect([...ids].sort()).toEqual(alarm.metrics.map((m) => m.id).sort());
    }
  });
});

describe('game day: api-throttling', () => {
  it("rides MarkUnhealthy's Retry rule (6 jittered retries of AutoScaling.AutoScalingException) inside the throttling, then fails and pages once", async () => {
    // Prepare
    const scenario = scenarioNamed('api-throttling');
    if (scenario === undefined) throw new Error('scenario missing');

    // Act
    const result = await runGameDay(intake, scenario, { mode: 'auto', seed: SEED });

    // Assess: the first call and its 6 retries (runbooks/replace-unhealthy-instance/
    // state-machine.ts), spread by their backoff (at most 2+4+8+16+30+30 s), all throttled.
    const [execution] = result.executions;
    expect(execution).toMatchObject({
      runbook: 'replace-unhealthy-instance',
      status: 'FAILED',
      error: 'AutoScaling.AutoScalingException',
    });
    const tries = execution?.steps.filter((step) => step.state === 'MarkUnhealthy') ?? [];
    expect(tries).toHaveLength(7);
    const span = ((tries.at(-1)?.at ?? 0) - (tries[0]?.at ?? 0)) / 1000;
    expect(span).toBeGreaterThan(0);
    expect(span).toBeLessThanOrEqual(2 + 4 + 8 + 16 + 30 + 30);
    expect(execution?.steps.map((step) => step.state)).toContain('Escalate');
    expect(pages(result.alerts).map(({ alert }) => alert.subject)).toEqual([
      expect.stringContaining('Runbook replace-unhealthy-instance FAILED'),
    ]);
    // The run ends FAILED after its Escalate step: Step Functions' event reaches triage, which
    // writes it on the run's own incident (no second incident, no second page).
    const ended = result.deliveries.filter(
      (d) => describeEvent(d.event) === 'Step Functions Execution Status Change',
    );
    expect(ended).toHaveLength(1);
    expect(result.incidents).toHaveLength(1);
    expect(result.incidents[0]?.timeline).toContainEqual(
      expect.objectContaining({ type: 'signal', kind: 'runbook-failure' }),
    );
  });
});

describe('game day: approval-never-comes', () => {
  it('waits APPROVAL_TIMEOUT for a person who never answers, escalates saying so, and acts on nothing', async () => {
    // Prepare
    const scenario = scenarioNamed('approval-never-comes');
    if (scenario === undefined) throw new Error('scenario missing');

    // Act
    const result = await runGameDay(intake, scenario, { mode: 'auto', seed: SEED });

    // Assess
    const [execution] = result.executions;
    expect(execution).toMatchObject({ runbook: 'cache-failover', status: 'FAILED' });
    const states = execution?.steps.map((step) => step.state) ?? [];
    expect(states).toContain('RequestApproval');
    expect(states).not.toContain('TestFailover');
    const requested = execution?.steps.find((step) => step.state === 'RequestApproval')?.at ?? 0;
    expect(((execution?.endedAt ?? 0) - requested) / 1000).toBe(APPROVAL_TIMEOUT.toSeconds());
    const [incident] = result.incidents;
    expect(incident?.status).toBe('failed');
    expect(incident?.timeline).toContainEqual(
      expect.objectContaining({ type: 'approval', decision: 'requested' }),
    );
    expect(incident?.timeline).toContainEqual(
      expect.objectContaining({
        type: 'runbook',
        detail: expect.stringContaining('ApprovalTimedOut: Nobody approved or rejected'),
      }),
    );
    expect(result.changes).toEqual([]);
    expect(incident?.timeline).toContainEqual(
      expect.objectContaining({
        type: 'approval',
        decision: 'timed-out',
        at: new Date(execution?.endedAt ?? 0).toISOString(),
      }),
    );
    // A degraded primary that still serves is a warning: the request goes by email with the way
    // to answer (the game day's approvals run IAM-only: the CLI), and the escalation when nobody
    // answers is the one page.
    expect(incident?.severity).toBe('warning');
    const requests = result.alerts.filter(({ alert }) => alert.kind === 'approval-request');
    expect(requests.map(({ alert }) => alert)).toEqual([
      expect.objectContaining({ severity: 'warning', sms: null }),
    ]);
    expect(requests[0]?.alert.email).toContain('npm run runbook -- approve ');
    expect(pages(result.alerts).map(({ alert }) => alert.subject)).toEqual([
      expect.stringContaining('Runbook cache-failover FAILED'),
    ]);
  });
});

describe('game day: black-friday-surge', () => {
  it("target tracking scales out from the synthesized CPU target, never above the maximum, before web-cpu-high's 10 minutes", async () => {
    // Prepare
    const scenario = scenarioNamed('black-friday-surge');
    if (scenario === undefined) throw new Error('scenario missing');

    // Act
    const result = await runGameDay(intake, scenario, { mode: 'auto', seed: SEED });

    // Assess: 5× the normal load (NORMAL_CPU_PERCENT on each desired instance) needs
    // ceil(load ÷ target) instances; the group gets there by itself and stays under its maximum.
    const { group, cpuTargetPercent } = result.settings;
    const needed = Math.ceil((5 * NORMAL_CPU_PERCENT * group.desiredCapacity) / cpuTargetPercent);
    const peak = Math.max(...result.samples.map((sample) => sample.desired));
    expect(peak).toBeGreaterThanOrEqual(needed);
    expect(peak).toBeLessThanOrEqual(group.maxSize);
    const cpuAlarm = result.settings.alarms.find((alarm) => alarm.metricName === 'CPUUtilization');
    expect(seconds(result, result.measures.recoveredAt)).toBeLessThan(
      (cpuAlarm?.evaluationPeriods ?? 0) * (cpuAlarm?.periodSeconds ?? 0),
    );
    expect(result.alarmTransitions.filter((t) => t.alarm === cpuAlarm?.name)).toEqual([]);
  });
});

describe('game day az-gray-failure', () => {
  const scenario = scenarioNamed('az-gray-failure');

  it.each([1, 2, 7])(
    'seed %i: the shop serves from the two other AZs within the az-impairment worst case (npm run rto), and the incident resolves within its objective',
    async (seed) => {
      if (scenario === undefined) throw new Error('scenario missing');

      // Act
      const result = await runGameDay(intake, scenario, { mode: 'auto', seed });
      const budget = recoveryBudgets(result.settings, {
        eventLatenessSeconds: scenario.eventLatenessSeconds ?? 0,
      }).find((b) => b.failureClass === 'az-impairment');

      // Assess: recovered is bounded by the settings (AWS Health's lateness, the approval
      // timeout, boot and health checks); resolution waits for AWS Health to close its issue.
      expect(seconds(result, result.measures.recoveredAt)).toBeGreaterThanOrEqual(
        budget?.floorSeconds ?? Infinity,
      );
      expect(seconds(result, result.measures.recoveredAt)).toBeLessThanOrEqual(
        budget?.worstRecoveredSeconds ?? 0,
      );
      expect(seconds(result, result.measures.resolvedAt)).toBeLessThanOrEqual(
        scenario.objectiveMinutes * 60,
      );
    },
  );

  it('seed 7: the on-call approves; az-evacuation shifts the load balancer and the group away from the AZ, grows the two others, and ends both shifts once AWS Health closes its issue', async () => {
    if (scenario === undefined) throw new Error('scenario missing');

    // Act
    const result = await runGameDay(intake, scenario, { mode: 'auto', seed: 7 });

    // Assess: the approved path of the runbook's ASL, every step answered by the simulator.
    const [run] = result.executions;
    expect(result.executions).toHaveLength(1);
    expect(run).toMatchObject({ runbook: 'az-evacuation', status: 'SUCCEEDED' });
    const states = run?.steps.map((step) => step.state) ?? [];
    const order = [
      'ListShifts',
      'RequestApproval',
      'RecheckShifts',
      'StartZonalShift',
      'StartGroupShift',
      'RaiseCapacity',
      'ConfirmShift',
      'ShiftApplied',
      'EvacuationVerify',
      'AzRecoveryVerify',
      'EndGroupShift',
      'EndZonalShift',
      'RestoreMaximum',
      'ReportSucceeded',
    ];
    expect(order.map((state) => states.indexOf(state))).toEqual(
      order.map((state) => states.indexOf(state)).sort((a, b) => a - b),
    );
    expect(order.filter((state) => !states.includes(state))).toEqual([]);
    // Exactly the evacuation's six mutating calls, in order, nothing else.
    const [incident] = result.incidents;
    const az = incident?.availabilityZone;
    expect(result.changes.map((change) => change.call)).toEqual([
      'arc-zonal-shift:StartZonalShift',
      'arc-zonal-shift:StartZonalShift',
      'autoscaling:UpdateAutoScalingGroup',
      'arc-zonal-shift:CancelZonalShift',
      'arc-zonal-shift:CancelZonalShift',
      'autoscaling:UpdateAutoScalingGroup',
    ]);
    // The group launches only into the two other AZs while its shift is active.
    const shiftedAt = result.changes[0]?.at ?? 0;
    const endedAt = result.changes[3]?.at ?? 0;
    const launchedIn = result.deliveries.flatMap((d) =>
      'detail' in d.event &&
      d.event['detail-type'] === 'EC2 Instance Launch Successful' &&
      d.at > shiftedAt &&
      d.at < endedAt
        ? [(d.event.detail.Details as Record<string, string>)['Availability Zone']]
        : [],
    );
    expect(launchedIn.length).toBeGreaterThan(0);
    expect(launchedIn).not.toContain(az);
    // One incident, resolved after AWS Health closed its issue; the shop serves before that.
    expect(result.incidents).toHaveLength(1);
    expect(incident?.status).toBe('resolved');
    expect(result.measures.recoveredAt).toBeLessThan(result.measures.resolvedAt ?? 0);
    // One page: the approval request (nothing paged before it).
    expect(pages(result.alerts).map(({ alert }) => alert.subject)).toEqual([
      expect.stringContaining('APPROVAL NEEDED'),
    ]);
  });

  it.each([1, 2])(
    'seed %i: the instances the evacuation adds join the target group only once their app answers (the launch hook): no unhealthy host, no second incident',
    async (seed) => {
      if (scenario === undefined) throw new Error('scenario missing');

      // Act
      const result = await runGameDay(intake, scenario, { mode: 'auto', seed });

      // Assess: the group grew, each added instance waited on the hook before it launched.
      const raisedAt =
        result.changes.find((c) => c.call === 'autoscaling:UpdateAutoScalingGroup')?.at ?? 0;
      const deliveredSinceRaise = (type: string) =>
        result.deliveries.filter(
          (d) => 'detail' in d.event && d.event['detail-type'] === type && d.at > raisedAt,
        ).length;
      expect(deliveredSinceRaise('EC2 Instance-launch Lifecycle Action')).toBeGreaterThanOrEqual(2);
      expect(deliveredSinceRaise('EC2 Instance Launch Successful')).toBeGreaterThanOrEqual(2);
      expect(
        result.alarmTransitions.filter((t) => t.alarm.endsWith('-alb-unhealthy-hosts')),
      ).toEqual([]);
      // One incident: AWS Health's AZ issue and the targets' 5xx alarm (in either order).
      expect(result.incidents.flatMap((i) => i.parts.map((part) => part.kind)).sort()).toEqual([
        'az-impairment',
        'informational',
      ]);
      expect(judge(result)).toMatchObject({ pass: true });
    },
  );

  it.each([
    [1, 'AWS Health posts first', ['health', 'alarm']],
    [2, 'the alarm fires first', ['alarm', 'health']],
  ])(
    "seed %i (%s): the targets' 5xx-rate alarm fires, triage learns its AZ from the per-AZ 5xx share and it joins the AZ's incident: one incident, one page",
    async (seed, _order, partOrder) => {
      if (scenario === undefined) throw new Error('scenario missing');

      // Act
      const result = await runGameDay(intake, scenario, { mode: 'auto', seed });

      // Assess: the alarm reads the ALB's RequestCount and HTTPCode_Target_5XX_Count, which the
      // simulator publishes from the shop's traffic; it fires during the gray failure.
      const fiveHundreds = result.alarmTransitions.filter((t) =>
        t.alarm.endsWith('-alb-target-5xx-rate'),
      );
      expect(fiveHundreds.map((t) => t.to)).toEqual(['ALARM', 'OK']);
      const [incident] = result.incidents;
      expect(result.incidents).toHaveLength(1);
      expect(
        incident?.parts.map((part) => (part.key.startsWith('alarm:') ? 'alarm' : 'health')),
      ).toEqual(partOrder);
      expect(
        incident?.parts.find((part) => part.key.endsWith('-alb-target-5xx-rate')),
      ).toMatchObject({
        kind: 'informational',
        state: 'resolved',
      });
      expect(pages(result.alerts)).toHaveLength(1);
      expect(judge(result)).toMatchObject({ pass: true });
    },
  );

  it("reads the launch hook from the synthesized template: without it, seed 1's added instances trip the unhealthy-hosts alarm while their app starts", async () => {
    if (scenario === undefined) throw new Error('scenario missing');
    // Prepare: the same shop, its group without LifecycleHookSpecificationList.
    const shop = structuredClone(intake.templates.shop) as {
      Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
    };
    for (const resource of Object.values(shop.Resources))
      if (resource.Type === 'AWS::AutoScaling::AutoScalingGroup')
        delete resource.Properties?.LifecycleHookSpecificationList;
    const hookless = { ...intake, templates: { ...intake.templates, shop } } as SynthesizedIntake;

    // Act
    const result = await runGameDay(hookless, scenario, { mode: 'auto', seed: 1 });

    // Assess
    expect(result.settings.group.launchHook).toBeUndefined();
    const raisedAt = result.changes.find(
      (c) => c.call === 'autoscaling:UpdateAutoScalingGroup',
    )?.at;
    const unhealthy = result.alarmTransitions.find(
      (t) => t.alarm.endsWith('-alb-unhealthy-hosts') && t.to === 'ALARM',
    );
    expect(unhealthy?.at).toBeGreaterThan(raisedAt ?? Infinity);
    // The alarm is about the target group, which the AZ's incident already names (its 5xx
    // alarm's part): it joins that incident instead of opening a second one.
    expect(result.incidents.flatMap((i) => i.parts.map((part) => part.kind)).sort()).toEqual([
      'az-impairment',
      'informational',
      'instance-health',
    ]);
  });

  it("reads the shop's zonal-shift settings from the synthesized template; without zonal_shift.config.enabled ARC refuses the load balancer and the run escalates", async () => {
    if (scenario === undefined) throw new Error('scenario missing');
    // Prepare: the same shop, its load balancer without the attribute ("Zonal shift is
    // disabled by default and must be enabled on each Application Load Balancer", ELB User
    // Guide, "Enable zonal shift for your Application Load Balancer").
    const shop = structuredClone(intake.templates.shop) as {
      Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
    };
    for (const resource of Object.values(shop.Resources)) {
      if (resource.Type !== 'AWS::ElasticLoadBalancingV2::LoadBalancer') continue;
      const attributes = resource.Properties?.LoadBalancerAttributes as { Key: string }[];
      resource.Properties = {
        ...resource.Properties,
        LoadBalancerAttributes: attributes.filter((a) => a.Key !== 'zonal_shift.config.enabled'),
      };
    }
    const disabled = { ...intake, templates: { ...intake.templates, shop } } as SynthesizedIntake;

    // Act
    const enabled = await runGameDay(intake, scenario, { mode: 'auto', seed: 7 });
    const refused = await runGameDay(disabled, scenario, { mode: 'auto', seed: 7 });

    // Assess
    expect(enabled.settings.loadBalancerZonalShiftEnabled).toBe(true);
    expect(enabled.settings.group).toMatchObject({
      zonalShiftEnabled: true,
      impairedZoneHealthCheckBehavior: 'IgnoreUnhealthy',
    });
    expect(refused.settings.loadBalancerZonalShiftEnabled).toBe(false);
    expect(refused.executions.map((e) => [e.runbook, e.status, e.error])).toEqual([
      ['az-evacuation', 'FAILED', 'ArcZonalShift.ResourceNotFoundException'],
    ]);
    expect(refused.changes).toEqual([]);
  });

  it('dry-run: the runbook only says what it would do; no shift starts and traffic keeps reaching the AZ until it heals', async () => {
    if (scenario === undefined) throw new Error('scenario missing');

    // Act
    const result = await runGameDay(intake, scenario, { mode: 'dry-run', seed: 7 });

    // Assess
    expect(result.changes).toEqual([]);
    expect(result.executions.map((e) => [e.runbook, e.status])).toEqual([
      ['az-evacuation', 'SUCCEEDED'],
    ]);
    expect(result.executions[0]?.steps.map((step) => step.state)).not.toContain('StartZonalShift');
    expect(result.incidents[0]?.timeline).toContainEqual(
      expect.objectContaining({
        type: 'runbook',
        detail: expect.stringContaining('would shift the load balancer'),
      }),
    );
  });
});
