import { expect } from 'vitest';
import type { Alert } from '../../../functions/lib/core/alert.js';
import {
  DEFAULT_GUARDRAILS,
  type Guardrails,
  guardrailParameterValues,
  parseGuardrails,
} from '../../../functions/lib/core/guardrails.js';
import type { Incident } from '../../../functions/lib/core/incident.js';
import type {
  ActionLedger,
  AlertPublisher,
  Clock,
  IncidentStore,
  RunbookStarter,
  RunbookStartResult,
} from '../../../functions/lib/core/ports.js';
import type { Signal } from '../../../functions/lib/core/signal.js';
import type { TriageDeps } from '../../../functions/lib/core/triage.js';
import { MemoryActionLedger, MemoryIncidentStore } from '../../../functions/lib/memory-store.js';
import { isGsm7 } from '../../../functions/lib/sms.js';

/** Builders for signals and incidents, and recording fakes for the triage ports. */

export const T0 = new Date('2026-11-26T03:04:12.000Z');
export const at = (minutes: number, base: Date = T0): Date =>
  new Date(base.getTime() + minutes * 60_000);

/** A CloudWatch-alarm problem on one web instance (a gray failure: no self-healing). */
export const aProblem = (overrides: Partial<Signal> = {}): Signal => ({
  kind: 'instance-health',
  phase: 'problem',
  severity: 'critical',
  resource: { type: 'ec2-instance', id: 'i-0aaa' },
  related: [{ type: 'auto-scaling-group', id: 'rebound-prod-web' }],
  partKey: 'alarm:rebound-prod-mem-i-0aaa',
  availabilityZone: 'us-east-1a',
  summary: 'Memory of i-0aaa above 90% for 5 minutes',
  source: {
    eventId: 'event-1',
    source: 'aws.cloudwatch',
    detailType: 'CloudWatch Alarm State Change',
    time: T0.toISOString(),
    region: 'us-east-1',
    account: '123456789012',
  },
  ...overrides,
});

/** The `recovered` end of `problem`'s part (its own event). */
export const recoveryOf = (problem: Signal, overrides: Partial<Signal> = {}): Signal => ({
  ...problem,
  phase: 'recovered',
  summary: `${problem.summary} (back to OK)`,
  source: { ...problem.source, eventId: `${problem.source.eventId}-ok` },
  ...overrides,
});

/** Alarm number `n` of a storm: its own instance and alarm, same AZ. */
export const stormAlarm = (n: number, overrides: Partial<Signal> = {}): Signal => {
  const instance = `i-0${n.toString(16).padStart(16, '0')}`;
  return aProblem({
    severity: n % 3 === 0 ? 'critical' : 'warning',
    resource: { type: 'ec2-instance', id: instance },
    partKey: `alarm:rebound-prod-mem-${instance}`,
    summary: `Memory of ${instance} above 90% for 5 minutes`,
    source: { ...aProblem().source, eventId: `storm-${n}` },
    ...overrides,
  });
};

export const anIncident = (overrides: Partial<Incident> = {}): Incident => ({
  id: 'inc-20261126T0304-0123abcd',
  status: 'open',
  severity: 'critical',
  title: 'Memory of i-0aaa above 90% for 5 minutes',
  kind: 'instance-health',
  resources: [{ type: 'ec2-instance', id: 'i-0aaa' }],
  availabilityZone: 'us-east-1a',
  parts: [
    {
      key: 'alarm:rebound-prod-mem-i-0aaa',
      kind: 'instance-health',
      resource: { type: 'ec2-instance', id: 'i-0aaa' },
      state: 'active',
      since: T0.toISOString(),
    },
  ],
  scopeKeys: [
    'part:alarm:rebound-prod-mem-i-0aaa',
    'resource:ec2-instance:i-0aaa',
    'az:us-east-1a',
  ],
  timeline: [],
  openedAt: T0.toISOString(),
  updatedAt: T0.toISOString(),
  runbookExecutions: {},
  version: 1,
  ...overrides,
});

export const guardrailsOf = (overrides: Partial<Guardrails> = {}) =>
  parseGuardrails(guardrailParameterValues({ ...DEFAULT_GUARDRAILS, mode: 'auto', ...overrides }));

// --- recording fakes ----------------------------------------------------------------------

export interface StartCall {
  readonly runbook: string;
  readonly executionName: string;
  readonly input: Readonly<Record<string, unknown>>;
  readonly result: RunbookStartResult;
}

/** Step Functions semantics: one execution per name, a second start returns it. */
export class FakeRunbookStarter implements RunbookStarter {
  readonly calls: StartCall[] = [];
  /** Failures to throw before starting anything (a throttled or unreachable API). */
  failuresLeft = 0;
  /** Runs after an execution was created (what the run does at once, a crash right after it). */
  afterStart?: (call: StartCall) => Promise<void>;

  async start(runbook: string, executionName: string, input: Readonly<Record<string, unknown>>) {
    if (this.failuresLeft > 0) {
      this.failuresLeft -= 1;
      throw new Error('StartExecution failed (simulated)');
    }
    const executionArn = `arn:aws:states:us-east-1:123456789012:execution:rebound-prod-${runbook}:${executionName}`;
    const known = this.calls.some((call) => call.executionName === executionName);
    const result: RunbookStartResult = {
      status: known ? 'already-running' : 'started',
      executionArn,
    };
    const call = { runbook, executionName, input, result };
    this.calls.push(call);
    if (!known) await this.afterStart?.(call);
    return result;
  }

  /** Executions actually created (first start of each name). */
  get started(): StartCall[] {
    return this.calls.filter((call) => call.result.status === 'started');
  }
}

export class FakeAlertPublisher implements AlertPublisher {
  readonly published: Alert[] = [];
  failuresLeft = 0;

  async publish(alert: Alert) {
    if (this.failuresLeft > 0) {
      this.failuresLeft -= 1;
      throw new Error('SNS Publish failed (simulated)');
    }
    this.published.push(alert);
    everyAlert.push(alert);
    return `message-${this.published.length}`;
  }

  get pages(): Alert[] {
    return this.published.filter((alert) => alert.sms !== null);
  }
}

/** Every alert published in this test file, to check the SMS of all of them. */
const everyAlert: Alert[] = [];

/** Asserts every SMS published so far fits one GSM-7 segment (160 basic characters). */
export const expectEverySmsFitsOneSegment = (): void => {
  const texts = everyAlert.flatMap((alert) => (alert.sms === null ? [] : [alert.sms]));
  for (const sms of texts) {
    expect(isGsm7(sms), sms).toBe(true);
    expect([...sms].length, sms).toBeLessThanOrEqual(160);
  }
};

export class FixedClock implements Clock {
  constructor(public current: Date = T0) {}
  now(): Date {
    return this.current;
  }
}

export interface Harness {
  readonly deps: TriageDeps;
  readonly store: IncidentStore;
  readonly ledger: ActionLedger;
  readonly runbooks: FakeRunbookStarter;
  readonly alerts: FakeAlertPublisher;
  readonly clock: FixedClock;
}

/** Triage wired to in-memory adapters, automation in `auto` unless told otherwise. */
export const aHarness = (
  options: { guardrails?: Partial<Guardrails>; store?: IncidentStore; ledger?: ActionLedger } = {},
): Harness => {
  const store = options.store ?? new MemoryIncidentStore();
  const ledger = options.ledger ?? new MemoryActionLedger();
  const runbooks = new FakeRunbookStarter();
  const alerts = new FakeAlertPublisher();
  const clock = new FixedClock();
  const guardrails = guardrailsOf(options.guardrails);
  return {
    deps: {
      stage: 'prod',
      region: 'us-east-1',
      store,
      ledger,
      guardrails: async () => guardrails,
      runbooks,
      alerts,
      clock,
    },
    store,
    ledger,
    runbooks,
    alerts,
    clock,
  };
};

/** A second alarm on another instance of the same AZ (warning, its own event). */
export const sameAzNeighbour = (overrides: Partial<Signal> = {}): Signal =>
  aProblem({
    severity: 'warning',
    resource: { type: 'ec2-instance', id: 'i-0bbb' },
    partKey: 'alarm:rebound-prod-mem-i-0bbb',
    summary: 'Memory of i-0bbb above 90% for 5 minutes',
    source: { ...aProblem().source, eventId: 'event-2' },
    ...overrides,
  });
