import { beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../functions/lib/core/alert.js';
import { renderRunbookOutcomeAlert } from '../../functions/lib/core/alerts/runbook-outcome-alert.js';
import type { Incident } from '../../functions/lib/core/incident.js';
import { MemoryIncidentStore } from '../../functions/lib/memory-store.js';
import { parseReportEvent, type ReportEvent } from '../../functions/lib/runbook/events.js';
import {
  outcomeDetail,
  type ReportDeps,
  reportRunbookOutcome,
} from '../../functions/lib/runbook/report-outcome.js';
import { manualIncident } from '../../functions/lib/runbook/runbook-incident.js';
import { RecordingTimer } from './support/recording-timer.js';

const OLD = 'i-0123456789abcdef0';
const NOW = new Date('2025-01-01T12:30:00Z');
const EXECUTION = { id: 'arn:aws:states:us-east-1:123456789012:execution:sm:run-1', name: 'run-1' };

const event = (overrides: Partial<ReportEvent> = {}): ReportEvent => ({
  runbook: 'replace-unhealthy-instance',
  outcome: 'succeeded',
  target: { type: 'ec2-instance', id: OLD },
  detail: `${OLD} was replaced`,
  state: {},
  execution: EXECUTION,
  ...overrides,
});

describe('reportRunbookOutcome', () => {
  let incidents: MemoryIncidentStore;
  let alerts: Alert[];
  let incident: Incident;
  let deps: ReportDeps;

  beforeEach(async () => {
    incidents = new MemoryIncidentStore();
    alerts = [];
    incident = manualIncident(
      {
        runbook: 'replace-unhealthy-instance',
        kind: 'instance-health',
        target: { type: 'ec2-instance', id: OLD },
        execution: EXECUTION,
      },
      new Date('2025-01-01T12:00:00Z'),
    );
    await incidents.create(incident);
    deps = {
      incidents,
      alerts: { publish: async (alert) => `msg-${alerts.push(alert)}` },
      render: (input) => renderRunbookOutcomeAlert(input, 'us-east-1'),
      clock: { now: () => NOW },
      timer: new RecordingTimer(),
    };
  });
  const withIncident = (overrides: Partial<ReportEvent> = {}) =>
    event({ state: { guardrail: { incidentId: incident.id } }, ...overrides });

  it('resolves the incident on success and announces it without paging', async () => {
    // Act
    const result = await reportRunbookOutcome(withIncident(), deps);

    // Assess
    expect(result).toEqual({
      incidentId: incident.id,
      outcome: 'succeeded',
      incidentStatus: 'resolved',
      messageId: 'msg-1',
    });
    const stored = await incidents.get(incident.id);
    expect(stored?.timeline.slice(-3)).toEqual([
      expect.objectContaining({
        type: 'runbook',
        status: 'succeeded',
        executionName: 'run-1',
        detail: `${OLD} was replaced`,
      }),
      expect.objectContaining({ type: 'status', from: 'open', to: 'resolved' }),
      expect.objectContaining({ type: 'alert', severity: 'warning', sms: false }),
    ]);
    expect(alerts).toEqual([expect.objectContaining({ kind: 'runbook-succeeded', sms: null })]);
  });

  it('leaves an incident open on success while a part the runbook does not handle is still active, and says so', async () => {
    // Prepare: one AZ outage's incident: the instance part this run handles, and AWS Health's
    // AZ issue, still open.
    const outage: Incident = {
      ...incident,
      status: 'mitigating',
      parts: [
        {
          key: 'alarm:web',
          kind: 'instance-health',
          resource: { type: 'ec2-instance', id: OLD },
          state: 'active',
          since: '2025-01-01T12:00:00.000Z',
        },
        {
          key: 'health:az',
          kind: 'az-impairment',
          resource: { type: 'availability-zone', id: 'us-east-1b' },
          state: 'active',
          since: '2025-01-01T12:05:00.000Z',
        },
      ],
      version: incident.version + 1,
    };
    await incidents.update(outage);

    // Act
    const result = await reportRunbookOutcome(withIncident(), deps);

    // Assess
    expect(result.incidentStatus).toBe('mitigating');
    const stored = await incidents.get(incident.id);
    expect(stored?.timeline.some((entry) => entry.type === 'status')).toBe(false);
    expect(alerts[0]?.subject).toContain('succeeded');
    expect(alerts[0]?.email).toContain(
      `Incident ${incident.id} stays mitigating: 1 other part(s) still open.`,
    );
  });

  it('fails the incident and pages on failure, with the Lambda error message as detail', async () => {
    // Prepare
    const error = {
      Error: 'Lambda.Unknown',
      Cause: JSON.stringify({ errorType: 'Error', errorMessage: 'table unreachable', trace: [] }),
    };

    // Act
    const result = await reportRunbookOutcome(
      withIncident({
        outcome: 'failed',
        detail: undefined,
        state: { guardrail: { incidentId: incident.id }, error },
      }),
      deps,
    );

    // Assess
    expect(result.incidentStatus).toBe('failed');
    const stored = await incidents.get(incident.id);
    expect(stored?.lastPagedAt).toBe(NOW.toISOString());
    // Handed to a person, not resolved: no resolvedAt, so no MTTR anywhere.
    expect(stored?.resolvedAt).toBeUndefined();
    expect(stored?.timeline).toContainEqual(
      expect.objectContaining({ type: 'status', to: 'failed', at: NOW.toISOString() }),
    );
    expect(stored?.timeline).toContainEqual(
      expect.objectContaining({
        type: 'runbook',
        status: 'failed',
        detail: 'Lambda.Unknown: table unreachable',
      }),
    );
    expect(alerts).toEqual([
      expect.objectContaining({
        severity: 'critical',
        kind: 'escalation',
        sms: expect.any(String),
      }),
    ]);
  });

  it('records an unanswered approval on the incident before the failure it led to, and pages', async () => {
    // Prepare: the approval gate's ApprovalTimedOut Pass state put this at $.error.
    const cause =
      'Nobody approved or rejected "mark i-0123 Unhealthy" within 30 minutes: Rebound did not act (the safe default).';

    // Act
    await reportRunbookOutcome(
      withIncident({
        outcome: 'failed',
        detail: undefined,
        state: {
          guardrail: { incidentId: incident.id },
          error: { Error: 'ApprovalTimedOut', Cause: cause },
        },
      }),
      deps,
    );

    // Assess
    const stored = await incidents.get(incident.id);
    expect(stored?.timeline.slice(-4)).toEqual([
      {
        type: 'approval',
        at: NOW.toISOString(),
        runbook: 'replace-unhealthy-instance',
        executionName: 'run-1',
        decision: 'timed-out',
        reason: cause,
      },
      expect.objectContaining({ type: 'runbook', status: 'failed' }),
      expect.objectContaining({ type: 'status', to: 'failed' }),
      expect.objectContaining({ type: 'alert', sms: true }),
    ]);
  });

  it("says in the run's alert what its check decided: acting although the mode is dry-run", async () => {
    // Prepare: the check's sentence for a run started by hand in mode dry-run
    const decided = `mark ${OLD} Unhealthy in rebound-test-web: Auto Scaling replaces it (acting although the mode guardrail is dry-run: a run without dryRun "true" acts unless the mode is off)`;

    // Act
    await reportRunbookOutcome(
      event({ state: { guardrail: { incidentId: incident.id, reason: decided } } }),
      deps,
    );

    // Assess
    const [alert] = alerts;
    const lines = alert?.email.split('\n').map((line) => line.trim()) ?? [];
    expect(lines).toContain(`Decided:   ${decided}`);
  });

  it('records a refusal as a guardrail decision and keeps the incident open, saying so', async () => {
    // Act
    const result = await reportRunbookOutcome(
      withIncident({
        outcome: 'refused',
        detail: '2 instance replacements in the last hour (budget 2)',
        state: { guardrail: { incidentId: incident.id, blockedBy: 'budget' } },
      }),
      deps,
    );

    // Assess
    expect(result.incidentStatus).toBe('open');
    const stored = await incidents.get(incident.id);
    expect(stored?.timeline).toContainEqual(
      expect.objectContaining({
        type: 'decision',
        action: 'notify',
        blockedBy: 'budget',
        reason: 'refused: 2 instance replacements in the last hour (budget 2)',
      }),
    );
    expect(alerts[0]?.email).toContain(`Incident ${incident.id} stays open.`);
    expect(alerts[0]?.sms).toBeNull();
  });

  it.each([
    ['skipped', 'ignore'],
    ['dry-run', undefined],
  ] as const)('keeps the incident open on %s', async (outcome, action) => {
    // Act
    const result = await reportRunbookOutcome(
      withIncident({ outcome, detail: 'nothing to do' }),
      deps,
    );

    // Assess
    expect(result.incidentStatus).toBe('open');
    const last = (await incidents.get(incident.id))?.timeline.at(-2);
    if (action === undefined) expect(last).toMatchObject({ type: 'runbook', status: 'dry-run' });
    else expect(last).toMatchObject({ type: 'decision', action });
  });

  it('does not record or announce twice when the task is retried', async () => {
    // Act
    await reportRunbookOutcome(withIncident(), deps);
    const retried = await reportRunbookOutcome(withIncident(), deps);

    // Assess
    expect(retried.messageId).toBeNull();
    expect(alerts).toHaveLength(1);
    const runbookEntries = (await incidents.get(incident.id))?.timeline.filter(
      (entry) => entry.type === 'runbook' && entry.status === 'succeeded',
    );
    expect(runbookEntries).toHaveLength(1);
  });

  it('leaves the incident untouched when the alert cannot be published', async () => {
    // Prepare
    const failing = {
      ...deps,
      alerts: {
        publish: async () => {
          throw new Error('SNS down');
        },
      },
    };

    // Act
    const report = reportRunbookOutcome(withIncident(), failing);

    // Assess
    await expect(report).rejects.toThrow('SNS down');
    expect((await incidents.get(incident.id))?.version).toBe(1);
  });

  it('records a run that failed before it had an incident', async () => {
    // Act
    const result = await reportRunbookOutcome(
      event({
        outcome: 'failed',
        detail: undefined,
        target: { type: 'ec2-instance', id: 'i-0ffffffffffffffff' },
        execution: { id: 'arn:other', name: 'other' },
        state: { error: { Error: 'States.Timeout' } },
      }),
      deps,
    );

    // Assess
    const stored = await incidents.get(result.incidentId);
    expect(stored).toMatchObject({ status: 'failed', resources: [{ id: 'i-0ffffffffffffffff' }] });
  });
});

describe('outcomeDetail', () => {
  it('prefers the detail, else the error, plain or as a Lambda error JSON, cut to 500', () => {
    // Assess
    expect(outcomeDetail(event({ detail: 'x'.repeat(900) }))).toHaveLength(500);
    expect(
      outcomeDetail(
        event({ detail: undefined, state: { error: { Error: 'E', Cause: 'plain cause' } } }),
      ),
    ).toBe('E: plain cause');
    expect(outcomeDetail(event({ detail: undefined, state: {} }))).toMatch(/without an error/);
  });
});

describe('parseReportEvent', () => {
  it('rejects an unknown outcome, naming the field', () => {
    // Act
    const parse = () => parseReportEvent({ ...event(), outcome: 'partly' });

    // Assess
    expect(parse).toThrow(/^runbook-report got an invalid payload: outcome: /);
  });
});
