import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { expect } from 'vitest';
import type { Alert } from '../../functions/lib/core/alert.js';
import { renderRunbookOutcomeAlert } from '../../functions/lib/core/alerts/runbook-outcome-alert.js';
import {
  DEFAULT_GUARDRAILS,
  type Guardrails,
  guardrailParameterValues,
} from '../../functions/lib/core/guardrails.js';
import type { Incident } from '../../functions/lib/core/incident.js';
import type { Clock } from '../../functions/lib/core/ports.js';
import { MemoryActionLedger, MemoryIncidentStore } from '../../functions/lib/memory-store.js';
import type { CheckDeps } from '../../functions/lib/runbook/check.js';
import { parseReportEvent } from '../../functions/lib/runbook/events.js';
import { guardrailsFromRead } from '../../functions/lib/runbook/guardrail-read.js';
import { reportRunbookOutcome } from '../../functions/lib/runbook/report-outcome.js';
import { RecordingTimer } from '../functions/support/recording-timer.js';
import { type Fake, fake, type RunOutcome, type runLocally, taskError } from './support.js';

/**
 * The world of a local run: every Task a fake by its state name, the runbook's Lambdas running
 * their real logic over in-memory stores and a fixed clock.
 */

/** The clock of every local run: the execution's start time. */
export const NOW = new Date('2025-01-01T12:00:00Z');

/** The in-memory stores and the clock the runbook's Lambdas run over. */
export interface Stores {
  readonly incidents: MemoryIncidentStore;
  readonly ledger: MemoryActionLedger;
  /** Every alert published, in order. */
  readonly alerts: Alert[];
  readonly clock: Clock;
  /**
   * The world's Parameter Store (full name → value), which the runbook's ReadGuardrails and
   * RereadGuardrails states read (GetParameters); a test may change it mid-run.
   */
  readonly ssm: Map<string, string>;
  /** `error`, when set: every GetParameters of the guardrails fails with it. */
  readonly ssmFailure: { error?: Error };
  /** The payload of the Task call in progress: a step Lambda finds its guardrail read there. */
  readonly current: { payload?: unknown };
  /** The paths of the guardrail reads a step found failed (its GuardrailReadFailures metric). */
  readonly guardrailReadFailures: string[];
}

/** The guardrails path of every test stack (support.ts: `GuardrailParameters.fromStage(…, 'test')`). */
export const GUARDRAILS_PATH = '/rebound/test/guardrails/';

/** Writes `guardrails` into the world's Parameter Store. */
export const putGuardrails = (stores: Stores, guardrails: Guardrails): void => {
  for (const [name, value] of Object.entries(guardrailParameterValues(guardrails))) {
    stores.ssm.set(`${GUARDRAILS_PATH}${name}`, value);
  }
};

/**
 * SSM GetParameters as the ReadGuardrails states call it (runbooks/kit/guardrail-read.ts): the
 * known names in `Parameters`, the others in `InvalidParameters` (botocore ssm
 * GetParametersResult), or the world's `ssmFailure`.
 */
const getParametersFake = (stores: Stores): Fake =>
  fake((input) => {
    if (stores.ssmFailure.error !== undefined) throw stores.ssmFailure.error;
    const names = (input as { Names: string[] }).Names;
    return {
      Parameters: names
        .filter((name) => stores.ssm.has(name))
        .map((name) => ({ Name: name, Type: 'String', Value: stores.ssm.get(name), Version: 1 })),
      InvalidParameters: names.filter((name) => !stores.ssm.has(name)),
    };
  });

/** Empty stores over a Parameter Store holding the guardrails (mode auto, then `guardrails`). */
export const newStores = (guardrails?: Partial<Guardrails>): Stores => {
  const stores: Stores = {
    incidents: new MemoryIncidentStore(),
    ledger: new MemoryActionLedger(),
    alerts: [],
    clock: { now: () => NOW },
    ssm: new Map(),
    ssmFailure: {},
    current: {},
    guardrailReadFailures: [],
  };
  putGuardrails(stores, { ...DEFAULT_GUARDRAILS, mode: 'auto', ...guardrails });
  return stores;
};

/**
 * What every runbook's check reads: the stores, and the guardrails its state machine read from
 * the world's Parameter Store and passed in the step's payload,
 * parsed as the step Lambdas parse it (functions/lib/runbook/guardrail-read.ts).
 */
export const checkDepsOf = (stores: Stores): CheckDeps => {
  return {
    guardrails: async () =>
      guardrailsFromRead(stores.current.payload, GUARDRAILS_PATH, (path) =>
        stores.guardrailReadFailures.push(path),
      ),
    incidents: stores.incidents,
    ledger: stores.ledger,
    clock: stores.clock,
    warn: () => undefined,
  };
};

/** The answer to the `call`-th call (1-based) of a script; its last answer repeats. */
export const scripted = <T>(script: readonly T[], call: number): T | undefined =>
  script[Math.min(call, script.length) - 1];

/** A person's answer to an approval request, as the approvals function hands it back. */
export interface Answer {
  readonly decision: 'approve' | 'reject';
  readonly by: string;
  readonly reason: string;
  readonly via: string;
}

/** Ana's answer from the CLI. */
export const answer = (decision: Answer['decision'], reason: string): Answer => ({
  decision,
  by: 'ana',
  reason,
  via: 'cli',
});

/**
 * RequestApproval and RecordApproval as the shared approvals function answers them: the
 * person's `given` answer, then its record with a one-line summary. `'no answer'`: nobody
 * answers and the `.waitForTaskToken` task times out.
 */
export const approvalFakes = (given: Answer | 'no answer'): Record<string, Fake> => ({
  RequestApproval: fake(() => {
    if (given === 'no answer') throw taskError('States.Timeout', 'Task timed out');
    return given;
  }),
  RecordApproval: fake(() => {
    if (given === 'no answer') throw new Error('RecordApproval without an answer');
    const approved = given.decision === 'approve';
    return {
      approved,
      by: given.by,
      via: given.via,
      summary: `${approved ? 'approved' : 'rejected'} by ${given.by} via ${given.via}: ${given.reason}`,
    };
  }),
});

/**
 * What happens in each round of a verify loop that waits for AWS's announcement
 * (`<prefix>AwaitRecovery`, runbooks/kit/announced-recovery.ts): `'event'`, triage answers the
 * round's task token (SendTaskSuccess) and the round ends at once; `'lost'`, no answer comes
 * and the round times out (`States.Timeout`) into its check, as the Wait it replaces. Round
 * after round; the last entry repeats.
 */
export type Round = 'event' | 'lost';

export const announcementFake = (rounds: readonly Round[] = ['lost']): Fake =>
  fake((_input, call) => {
    if (scripted(rounds, call) === 'lost') throw taskError('States.Timeout', 'Task timed out');
    // What triage sends (recovery-announcements.ts); the run discards it and checks.
    return { announcedBy: 'event-1', summary: 'recovery announced' };
  });

/** The report states of a runbook that never asks a person. */
export const REPORT_STATES = [
  'ReportSucceeded',
  'ReportDryRun',
  'ReportSkipped',
  'ReportRefused',
  'Escalate',
] as const;

/**
 * The report states of a runbook with approvals: a rejection has its own, and so has an action
 * the recheck after approval found no longer needed.
 */
export const REPORT_STATES_WITH_APPROVAL = [
  'ReportSucceeded',
  'ReportDryRun',
  'ReportSkipped',
  'ReportRefused',
  'ReportRejected',
  'ReportNoLongerNeeded',
  'Escalate',
] as const;

export interface World extends Stores {
  /** Every Task's fake, by state name. */
  readonly fakes: Readonly<Record<string, Fake>>;
  /** The state name of every Task call, in the order the run made them. */
  readonly trace: readonly string[];
  readonly reportStates: readonly string[];
  readonly overrides: Parameters<typeof runLocally>[2];
}

/**
 * A world whose Tasks are `tasks` plus `reportStates`, each report running the report Lambda's
 * real logic over the stores. The `waits` and the retries of every Task and of `retrying`
 * (states such as a Parallel) take no time.
 */
export function worldOf(
  stores: Stores,
  options: {
    readonly tasks: Readonly<Record<string, Fake>>;
    readonly reportStates: readonly string[];
    readonly waits: readonly string[];
    readonly retrying?: readonly string[];
  },
): World {
  const report = () =>
    fake(async (input) =>
      reportRunbookOutcome(parseReportEvent(input), {
        incidents: stores.incidents,
        alerts: { publish: async (alert) => `msg-${stores.alerts.push(alert)}` },
        render: (alertInput) => renderRunbookOutcomeAlert(alertInput, 'us-east-1'),
        clock: stores.clock,
        timer: new RecordingTimer(),
      }),
    );
  const fakes: Record<string, Fake> = {
    ReadGuardrails: getParametersFake(stores),
    RereadGuardrails: getParametersFake(stores),
    ...options.tasks,
    ...Object.fromEntries(options.reportStates.map((state) => [state, report()])),
  };
  const noPause = (states: readonly string[]) =>
    Object.fromEntries(states.map((state) => [state, 0]));
  const trace: string[] = [];
  return {
    ...stores,
    fakes,
    trace,
    reportStates: options.reportStates,
    overrides: {
      taskResourceLocalHandlers: Object.fromEntries(
        Object.entries(fakes).map(([state, { handler }]) => [
          state,
          (input: unknown) => {
            trace.push(state);
            stores.current.payload = input;
            return handler(input);
          },
        ]),
      ),
      waitTimeOverrides: noPause(options.waits),
      retryIntervalOverrides: noPause([...Object.keys(fakes), ...(options.retrying ?? [])]),
    },
  };
}

/** The inputs `state` was called with, in order. */
export const callsOf = (w: World, state: string): unknown[] => w.fakes[state]?.calls ?? [];

/** Every report sent, with the state that sent it (`at`), in the order of `w.reportStates`. */
export const reportsOf = (w: World) =>
  w.reportStates.flatMap((at) => callsOf(w, at).map((call) => ({ at, ...parseReportEvent(call) })));

/** The stored incident `id`. */
export const storedIncident = async (w: World, id: string): Promise<Incident> => {
  const incident = await w.incidents.get(id);
  if (incident === undefined) throw new Error(`incident ${id} not stored`);
  return incident;
};

/** The incident of the check's result that reached the (first) report. */
export const incidentOf = async (w: World): Promise<Incident> => {
  const id = reportsOf(w)[0]?.state.guardrail?.incidentId;
  if (id === undefined) throw new Error('no incident reached the report');
  return storedIncident(w, id);
};

/** The run failed in ValidateInput's Fail state `failState`, before any Task ran. */
export function expectInvalidInputCallingNothing(
  w: World,
  definition: StateMachineDefinition,
  run: RunOutcome,
  failState: string,
): void {
  const fail = definition.States[failState];
  expect(fail, failState).toBeDefined();
  expect(run).toEqual({
    status: 'failed',
    error: 'InvalidInput',
    cause: fail !== undefined && 'Cause' in fail ? fail.Cause : 'no cause',
  });
  expect(Object.values(w.fakes).flatMap(({ calls }) => calls)).toEqual([]);
}

/** The one report is Escalate's, `failed`, with `error` as the error that led there. */
export function expectEscalatedWith(w: World, error: string): void {
  const reports = reportsOf(w);
  expect(reports).toEqual([expect.objectContaining({ at: 'Escalate', outcome: 'failed' })]);
  expect(reports[0]?.state.error?.Error).toBe(error);
}

/** The (first) report is ReportRefused's, refused by the guardrail `blockedBy`; returns it. */
export function expectRefusedBy(w: World, blockedBy: string | undefined) {
  const [report] = reportsOf(w);
  expect(report).toMatchObject({ at: 'ReportRefused', outcome: 'refused' });
  expect(report?.state.guardrail?.blockedBy).toBe(blockedBy);
  return report;
}

/**
 * `w` where the first `times` calls of Task `state` fail with the error `name` (as a throttled
 * SDK integration raises it), each recorded like any call; later calls are answered as before.
 */
export function failingFirst(w: World, state: string, name: string, times: number): World {
  const handlers = w.overrides?.taskResourceLocalHandlers ?? {};
  const answer = handlers[state];
  if (answer === undefined) throw new Error(`${state} is not a Task of this world`);
  let calls = 0;
  const failing = async (input: unknown) => {
    const answered = await answer(input as never);
    calls += 1;
    if (calls <= times) throw taskError(name, 'Rate exceeded');
    return answered;
  };
  return {
    ...w,
    overrides: { ...w.overrides, taskResourceLocalHandlers: { ...handlers, [state]: failing } },
  };
}
