import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_GUARDRAILS,
  GUARDRAIL_PARAMETER_NAMES,
  type Guardrails,
} from '../../functions/lib/core/guardrails.js';
import type { ActionRequest } from '../../functions/lib/core/ports.js';
import {
  type BlockedBy,
  isWantedIn,
  RUNBOOK_NAMES,
  RUNBOOKS,
  type RunbookDefinition,
  type RunbookInputField,
} from '../../functions/lib/core/runbook-registry.js';
import { type DeployedNames, fieldRule } from '../../functions/lib/runbook/run-input.js';
import { APPROVAL_TIMEOUT } from '../../runbooks/kit/approval-gate.js';
import type { RunbookHarness } from './harness.js';
import { HARNESSES } from './harnesses.js';
import {
  APPROVALS_FUNCTION_ARN,
  definitionOf,
  EXECUTION,
  expectEveryTaskBoundedAndEscalating,
  expectObservableStateMachine,
  expectOneFindingPerReason,
  expectReasonedNagAcknowledgements,
  expectRecoveryWaitPutsOnly,
  NAME_PREFIX,
  runLocally,
  runLocallyWithEvents,
  type SynthesizedRunbook,
  statementsOfRole,
  TASK_TOKEN,
  taskError,
  taskStatesOf,
} from './support.js';
import {
  answer,
  callsOf,
  expectEscalatedWith,
  expectRefusedBy,
  failingFirst,
  GUARDRAILS_PATH,
  incidentOf,
  NOW,
  reportsOf,
  type World,
} from './world.js';

/**
 * The contract every runbook of the registry keeps, whatever it recovers: an observable,
 * bounded state machine that escalates any failure; input checked against its registry row
 * before anything runs; the guardrails (dry-run, budget, cooldown) stopping it before it
 * changes anything; throttling retried; a recovery that never comes escalated; and, for the
 * runbooks that ask, a person's answer obeyed. Each runbook's harness (`<name>/harness.ts`)
 * says how to build and run it; everything else comes from its registry row.
 */

/** The guardrails of every local run (world.ts `checkDepsOf`): the defaults in mode auto. */
const GUARDRAILS: Guardrails = { ...DEFAULT_GUARDRAILS, mode: 'auto' };

/** A string `field` never allows, by the kind of its value (text allows any string). */
const WRONG_STRING: Readonly<Record<RunbookInputField['value']['kind'], string | undefined>> = {
  'instance-id': 'web-1',
  deployed: 'someone-else',
  choice: 'someone-else',
  'shop-alarm': 'someone-else',
  'incident-id': 'INC-1',
  text: undefined,
};

interface BadInput {
  readonly why: string;
  readonly input: Readonly<Record<string, unknown>>;
  /** The field ValidateInput must reject it for. */
  readonly field: RunbookInputField;
}

/** A name the deploy gave the resource `field` names (conditional fields are all of that kind). */
const deployedName = (field: RunbookInputField, deployed: RunbookHarness['deployed']): string => {
  const name = field.value.kind === 'deployed' ? deployed[field.value.resource]?.[0] : undefined;
  if (name === undefined) throw new Error(`the harness names no valid ${field.name}`);
  return name;
};

/**
 * For each input field of `row`, inputs that are valid but for that field: missing (when it is
 * required), not a string, a string of the wrong form, given when its condition does not hold.
 */
const badInputsOf = (row: RunbookDefinition, harness: RunbookHarness): BadInput[] =>
  row.input.flatMap((field) => {
    const { name, required } = field;
    const conditional = typeof required === 'object';
    if (conditional && isWantedIn(field, harness.validInput) !== name in harness.validInput) {
      throw new Error(
        `${row.name}: the harness's valid input must give ${name} only when it is wanted`,
      );
    }
    // `{ when, equals }`: the valid input with the condition made true; `{ unless }`: as it is.
    const wanted = conditional && 'when' in required ? { [required.when]: required.equals } : {};
    const valid = { ...harness.validInput, ...wanted };
    const { [name]: _, ...missing } = valid;
    const wrong = WRONG_STRING[field.value.kind];
    /** Given while its condition does not hold. */
    const unwanted = (): Omit<BadInput, 'field'> => {
      if (typeof required !== 'object') throw new Error('not a conditional field');
      if ('when' in required) {
        return {
          why: `${name} without ${required.when} ${required.equals}`,
          input: { ...harness.validInput, [name]: deployedName(field, harness.deployed) },
        };
      }
      const other = row.input.find((candidate) => candidate.name === required.unless);
      if (other === undefined) throw new Error(`${row.name}: no field ${required.unless}`);
      return {
        why: `${name} with ${required.unless}`,
        input: { ...valid, [required.unless]: deployedName(other, harness.deployed) },
      };
    };
    const cases: Omit<BadInput, 'field'>[] = [
      ...(required === false ? [] : [{ why: `no ${name}`, input: missing }]),
      { why: `${name} 42`, input: { ...valid, [name]: 42 } },
      ...(wrong === undefined
        ? []
        : [{ why: `${name} ${wrong}`, input: { ...valid, [name]: wrong } }]),
      ...(conditional ? [unwanted()] : []),
    ];
    return cases.map((bad) => ({ ...bad, field }));
  });

/** A guardrail refusal: the guardrails, the actions already taken, what the report says. */
interface Refusal {
  readonly why: string;
  readonly guardrails: Partial<Guardrails>;
  readonly spent: readonly ActionRequest[];
  readonly blockedBy: BlockedBy;
  readonly detail: unknown;
}

/** ValidateInput's Fail state for `field`. */
const failStateOf = (field: RunbookInputField): string =>
  `Invalid${field.name.charAt(0).toUpperCase()}${field.name.slice(1)}`;

const CASES = RUNBOOKS.map((row) => ({
  name: row.name,
  row: row as RunbookDefinition,
  harness: HARNESSES[row.name],
}));

describe.each(CASES)('runbook $name keeps the runbook contract', ({ name, row, harness }) => {
  const deployed: DeployedNames = { ...harness.deployed, namePrefix: NAME_PREFIX };
  const target = { type: row.targetType, id: harness.validInput[row.targetField] };
  const { act, checks } = harness;
  const after = row.needsApproval ? ' after approval' : '';
  const budget = row.budget;
  if (budget === undefined) throw new Error(`${name} has no budget in the registry`);
  const label = budget.bucket.replaceAll('-', ' ');
  const perHour = GUARDRAILS[budget.perHour];
  /** The ledger request of a run on `resourceId` (the target unless given), from the registry row. */
  const ledgerRequest = (resourceId = String(target.id)): ActionRequest => ({
    budget: budget.bucket,
    maxPerHour: perHour,
    resourceId,
    cooldownMinutes: GUARDRAILS.cooldownMinutes,
  });
  const minutesAgo = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);

  let synthesized: SynthesizedRunbook<unknown>;
  let definition: StateMachineDefinition;
  const run = (w: World, input: Readonly<Record<string, unknown>> = harness.validInput) =>
    runLocally(definition, input, w.overrides);

  beforeAll(() => {
    synthesized = harness.synth();
    definition = definitionOf(synthesized.template);
  });

  describe('state machine', () => {
    it('is a Standard JSONPath state machine with logs ALL, tracing and a run timeout', () => {
      // Assess
      expectObservableStateMachine(
        synthesized.template,
        definition,
        `${NAME_PREFIX}-${name}`,
        harness.runTimeoutSeconds,
      );
    });

    it('bounds every Task with a timeout and routes every Task but Escalate to Escalate', () => {
      // Assess
      expectEveryTaskBoundedAndEscalating(definition, harness.tasks);
      // The harness names Tasks of this definition only (else its checks below prove nothing).
      const tasks = taskStatesOf(definition).map(([state]) => state);
      expect(tasks).toEqual(expect.arrayContaining([...harness.mutating, ...checks]));
      expect(harness.mutating).toContain(act.state);
      expect(tasks).toContain(harness.neverRecovers.verify);
    });

    it('passes the cdk-nag packs with a specific reason for every acknowledgement', () => {
      // Assess (the synthesis in beforeAll threw on any unacknowledged finding)
      const acknowledgements = expectReasonedNagAcknowledgements(synthesized.app);
      expectOneFindingPerReason(acknowledgements);
    });

    it("checks its input with one Fail state per registry field, saying the field's rule", () => {
      // Act
      const validate = definition.States.ValidateInput as { Choices: { Next: string }[] };
      const failing = validate.Choices.map(({ Next }) => Next).filter(
        (state) => definition.States[state]?.Type === 'Fail',
      );
      const invalidInput = Object.entries(definition.States)
        .filter(([, state]) => state.Type === 'Fail' && state.Error === 'InvalidInput')
        .map(([state]) => state);

      // Assess: in registry order; besides them only the check's own InputRejected.
      expect(failing).toEqual(row.input.map(failStateOf));
      expect(invalidInput.sort()).toEqual([...failing, 'InputRejected'].sort());
      for (const field of row.input) {
        expect(definition.States[failStateOf(field)], field.name).toEqual({
          Type: 'Fail',
          Error: 'InvalidInput',
          Cause: fieldRule(field, deployed),
        });
      }
    });
  });

  describe('guardrails read by the state machine (issue 13)', () => {
    it('reads every guardrail by name with one GetParameters and hands them to the check', async () => {
      // Prepare
      const w = await harness.world();

      // Act
      const outcome = await run(w);

      // Assess: the nine names in one call (GetParameters takes up to ten: botocore ssm
      // ParameterNameList max 10); the check got SSM's answer in its payload and acted on it.
      expect(outcome.status).toBe('succeeded');
      expect(callsOf(w, 'ReadGuardrails')).toEqual([
        { Names: GUARDRAIL_PARAMETER_NAMES.map((parameter) => `${GUARDRAILS_PATH}${parameter}`) },
      ]);
      const [checkCall] = callsOf(w, checks.at(-1) ?? '') as { guardrailRead?: unknown }[];
      expect(checkCall?.guardrailRead).toEqual({
        parameters: expect.arrayContaining([
          expect.objectContaining({ Name: `${GUARDRAILS_PATH}mode`, Value: 'auto' }),
        ]),
      });
      expect(callsOf(w, act.state)).toEqual([act.call]);
    });

    it('on an SSM error takes the safe side as the check did: refused, nothing done, the failure counted', async () => {
      // Prepare: every GetParameters fails (an error SSM models: botocore ssm GetParameters errors).
      const w = await harness.world();
      w.ssmFailure.error = taskError('Ssm.InternalServerErrorException', 'SSM is unavailable');

      // Act
      const outcome = await run(w);

      // Assess: retried (the kit's default), then the check runs on the safe guardrails: no
      // runbook enabled, the GuardrailReadFailures metric for the path its alarm watches.
      expect(outcome.status).toBe('succeeded');
      expect(callsOf(w, 'ReadGuardrails')).toHaveLength(5);
      expectRefusedBy(w, 'runbook-disabled');
      expect(w.guardrailReadFailures).toEqual(['/rebound/test/guardrails']);
      expect(callsOf(w, act.state)).toEqual([]);
    });

    if (row.needsApproval) {
      it('stops at the recheck when the kill switch is pulled while waiting for approval', async () => {
        // Prepare: a person sets mode off once the approval was asked for.
        const w = await harness.world();
        const stored = w.ssm.get.bind(w.ssm);
        w.ssm.get = (parameter: string) =>
          parameter === `${GUARDRAILS_PATH}mode` && callsOf(w, 'RequestApproval').length > 0
            ? 'off'
            : stored(parameter);

        // Act
        const outcome = await run(w);

        // Assess: read again right before the recheck, which stops the run.
        expect(outcome.status).toBe('succeeded');
        expect(callsOf(w, 'RereadGuardrails')).toHaveLength(1);
        expect(reportsOf(w)).toEqual([
          expect.objectContaining({
            at: 'ReportNoLongerNeeded',
            detail:
              'the automation mode guardrail was turned off while waiting for approval: nothing is done',
          }),
        ]);
        expect(callsOf(w, act.state)).toEqual([]);
      });
    }
  });

  describe('local execution', () => {
    it.each(badInputsOf(row, harness))(
      'fails with InvalidInput on $why, calling nothing',
      async ({ input, field }) => {
        // Prepare
        const w = await harness.world();

        // Act
        const outcome = await run(w, input);

        // Assess
        expect(outcome).toEqual({
          status: 'failed',
          error: 'InvalidInput',
          cause: fieldRule(field, deployed),
        });
        expect(w.trace).toEqual([]);
      },
    );

    it(`acts${after}, reports succeeded and holds the target's cooldown`, async () => {
      // Prepare
      const w = await harness.world();

      // Act
      const outcome = await run(w);

      // Assess
      expect(outcome.status).toBe('succeeded');
      expect(callsOf(w, act.state)).toEqual([act.call]);
      expect(reportsOf(w)).toEqual([
        expect.objectContaining({ at: 'ReportSucceeded', outcome: 'succeeded', target }),
      ]);
      expect((await incidentOf(w)).status).toBe('resolved');
      expect(w.alerts.map((alert) => alert.kind)).toEqual(['runbook-succeeded']);
      await expect(w.ledger.peek(ledgerRequest(), NOW)).resolves.toMatchObject({
        allowed: false,
        blockedBy: 'cooldown',
      });
    });

    it('with dryRun "true" in its input reports what it would do and makes no mutating call', async () => {
      // Prepare: the mode would let it act; the input asks for a dry run (as triage does in
      // mode dry-run).
      const w = await harness.world();

      // Act
      const outcome = await run(w, { ...harness.validInput, dryRun: 'true' });

      // Assess: its checks and one report; no mutating call, no approval request, no verify.
      expect(outcome.status).toBe('succeeded');
      expect(w.trace).toEqual([...checks, 'ReportDryRun']);
      expect(reportsOf(w)).toEqual([
        expect.objectContaining({
          at: 'ReportDryRun',
          outcome: 'dry-run',
          target,
          detail: `dry-run (the input asked for one): would ${harness.action}${after}`,
        }),
      ]);
      expect(w.alerts.map((alert) => alert.kind)).toEqual(['incident-update']);
      await expect(w.ledger.peek(ledgerRequest(), NOW)).resolves.toEqual({ allowed: true });
    });

    it('started by hand in mode dry-run acts, says so, and holds the cooldown', async () => {
      // Prepare: a person's run: no dryRun in the input.
      const w = await harness.world({ guardrails: { mode: 'dry-run' } });

      // Act
      const outcome = await run(w);

      // Assess
      expect(outcome.status).toBe('succeeded');
      expect(callsOf(w, act.state)).toEqual([act.call]);
      expect(reportsOf(w)).toEqual([
        expect.objectContaining({ at: 'ReportSucceeded', outcome: 'succeeded', target }),
      ]);
      // Said where the run first speaks: the approval request's action, else the incident's
      // move to mitigating.
      const incident = await incidentOf(w);
      const said = row.needsApproval
        ? callsOf(w, 'RequestApproval').map((call) =>
            String((call as { Payload?: { action?: unknown } }).Payload?.action),
          )
        : incident.timeline.flatMap((entry) => (entry.type === 'status' ? [entry.reason] : []));
      expect(
        said.some((text) => text.includes('acting although the mode guardrail is dry-run')),
      ).toBe(true);
      await expect(w.ledger.peek(ledgerRequest(), NOW)).resolves.toMatchObject({
        allowed: false,
        blockedBy: 'cooldown',
      });
    });

    it("started by hand in mode dry-run still keeps the target's cooldown", async () => {
      // Prepare: the target was acted on 10 minutes ago.
      const w = await harness.world({ guardrails: { mode: 'dry-run' } });
      await w.ledger.claim(ledgerRequest(), minutesAgo(10));

      // Act
      const outcome = await run(w);

      // Assess
      expect(outcome.status).toBe('succeeded');
      expect(w.trace).toEqual([...checks, 'ReportRefused']);
      expectRefusedBy(w, 'cooldown');
    });

    it.each<Refusal>([
      {
        why: 'the mode is off',
        guardrails: { mode: 'off' },
        spent: [],
        blockedBy: 'mode-off',
        detail: 'the automation mode guardrail is off: nothing is done',
      },
      {
        why: 'the runbook is not enabled',
        guardrails: { enabledRunbooks: RUNBOOK_NAMES.filter((other) => other !== name) },
        spent: [],
        blockedBy: 'runbook-disabled',
        detail: 'this runbook is not in the enabled-runbooks guardrail: nothing is done',
      },
      {
        why: 'its hourly budget is 0',
        guardrails: { [budget.perHour]: 0 },
        spent: [],
        blockedBy: 'budget',
        detail: `${label} budget is 0 per hour`,
      },
      {
        why: 'its hourly budget is spent',
        guardrails: {},
        spent: Array.from({ length: perHour }, (_, i) => ledgerRequest(`other-${i}`)),
        blockedBy: 'budget',
        detail: `${perHour} ${label}s in the last hour (budget ${perHour})`,
      },
      {
        why: 'the target is in its cooldown',
        guardrails: {},
        spent: [ledgerRequest()],
        blockedBy: 'cooldown',
        detail: expect.stringMatching(new RegExp(`^${String(target.id)} in cooldown until `)),
      },
    ])(
      'refuses when $why, calling only its checks',
      async ({ guardrails, spent, blockedBy, detail }) => {
        // Prepare: the actions already taken, 10 minutes ago.
        const w = await harness.world({ guardrails });
        for (const request of spent) await w.ledger.claim(request, minutesAgo(10));

        // Act
        const outcome = await run(w);

        // Assess
        expect(outcome.status).toBe('succeeded');
        expect(w.trace).toEqual([...checks, 'ReportRefused']);
        expect(expectRefusedBy(w, blockedBy)).toMatchObject({ target, detail });
        expect(w.alerts.map((alert) => alert.subject)).toEqual([
          expect.stringMatching(/^\[REFUSED\]/),
        ]);
        expect((await incidentOf(w)).status).toBe('open');
      },
    );

    it(`retries a throttled ${act.state} (${act.throttledBy}), then carries on`, async () => {
      // Prepare: the same run unthrottled, and one whose first two calls are throttled.
      const unthrottled = await harness.world();
      await run(unthrottled);
      const w = failingFirst(await harness.world(), act.state, act.throttledBy, 2);

      // Act
      const outcome = await run(w);

      // Assess: the unthrottled run's calls, the throttled one made three times.
      expect(outcome.status).toBe('succeeded');
      expect(callsOf(w, act.state)).toEqual([act.call, act.call, act.call]);
      expect(w.trace).toEqual(
        unthrottled.trace.flatMap((state) => (state === act.state ? [state, state, state] : state)),
      );
      expect(reportsOf(w).map(({ at }) => at)).toEqual(['ReportSucceeded']);
    });

    it(`escalates when ${harness.neverRecovers.verify} never sees the recovery`, async () => {
      // Prepare
      const { verify, error, cause, input } = harness.neverRecovers;
      const w = await harness.neverRecovers.world();

      // Act
      const outcome = await run(w, input);

      // Assess: every check made, nothing changed after the first, the incident failed, a page.
      expect(outcome).toMatchObject({
        status: 'failed',
        error,
        cause: expect.stringContaining(cause),
      });
      expect(callsOf(w, verify)).toHaveLength(harness.neverRecovers.checks);
      const afterVerify = w.trace.slice(w.trace.indexOf(verify));
      expect(afterVerify.filter((state) => harness.mutating.includes(state))).toEqual([]);
      expect(w.trace.at(-1)).toBe('Escalate');
      expectEscalatedWith(w, error);
      expect((await incidentOf(w)).status).toBe('failed');
      expect(w.alerts).toEqual([
        expect.objectContaining({
          severity: 'critical',
          kind: 'escalation',
          sms: expect.any(String),
        }),
      ]);
    });

    const { announced } = harness;
    if (announced !== undefined) {
      describe('waiting for AWS to announce the recovery', () => {
        const { verify } = harness.neverRecovers;
        const round = verify.replace(/Verify$/, 'AwaitRecovery');

        it('puts its task token under its target and checks as soon as triage answers it', async () => {
          // Prepare: the announcement comes in the round after which the check sees recovery.
          const w = await announced.world();

          // Act
          const { outcome, events } = await runLocallyWithEvents(
            definition,
            { ...harness.validInput },
            w.overrides,
          );

          // Assess: one check per round; the answered round goes straight to the check.
          expect(outcome.status).toBe('succeeded');
          const rounds = callsOf(w, round);
          expect(rounds.length).toBeGreaterThan(0);
          expect(callsOf(w, verify)).toHaveLength(rounds.length);
          for (const put of rounds) {
            expect(put).toEqual({
              TableName: `${NAME_PREFIX}-incidents`,
              Item: {
                pk: { S: `RECOVERY-WAIT#${name}:${target.id}` },
                token: { S: TASK_TOKEN },
                execution: { S: EXECUTION.Id },
              },
            });
          }
          const answered = events.findLastIndex(
            (event) => event.type === 'StateExited' && event.state.name === round,
          );
          expect(answered).toBeGreaterThan(-1);
          const next = events.slice(answered + 1).find((event) => event.type === 'StateEntered');
          expect(next && 'state' in next ? next.state.name : undefined).toBe(verify);
          expect(reportsOf(w)).toEqual([
            expect.objectContaining({ at: 'ReportSucceeded', outcome: 'succeeded' }),
          ]);
        });

        it('finds the recovery by its poll when no announcement comes: each round times out into a check', async () => {
          // Prepare: the contract's world, where nobody answers a round.
          const w = await harness.world();

          // Act
          const { outcome, events } = await runLocallyWithEvents(
            definition,
            { ...harness.validInput },
            w.overrides,
          );

          // Assess
          expect(outcome.status).toBe('succeeded');
          expect(callsOf(w, verify)).toHaveLength(callsOf(w, round).length);
          const timedOut = events.filter(
            (event) => event.type === 'StateCaught' && event.state.name === round,
          );
          expect(timedOut).toHaveLength(callsOf(w, round).length);
        });

        it('may put recovery-wait items on the incident table, and only those', () => {
          // Prepare
          const { stateMachine } = synthesized.runbook as { stateMachine: sfn.StateMachine };

          // Assess
          expectRecoveryWaitPutsOnly(statementsOfRole(synthesized, stateMachine.role));
        });
      });
    }

    if (row.needsApproval) {
      describe('approval', () => {
        it('asks a person with what it will do, records the answer, then acts', async () => {
          // Prepare
          const approved = answer('approve', 'go ahead');
          const w = await harness.world({ approval: approved });

          // Act
          const outcome = await run(w);

          // Assess
          expect(outcome.status).toBe('succeeded');
          const incident = await incidentOf(w);
          expect(callsOf(w, 'RequestApproval')).toEqual([
            {
              FunctionName: APPROVALS_FUNCTION_ARN,
              Payload: expect.objectContaining({
                type: 'request',
                runbook: name,
                incidentId: incident.id,
                target,
                taskToken: TASK_TOKEN,
                action: harness.action,
                timeoutSeconds: APPROVAL_TIMEOUT.toSeconds(),
              }),
            },
          ]);
          expect(callsOf(w, 'RecordApproval')).toEqual([
            expect.objectContaining({ type: 'record', runbook: name, answer: approved }),
          ]);
          // The live state is read again after the wait, right before acting (issue 10 #6).
          expect(w.trace.indexOf('RecordApproval')).toBeLessThan(w.trace.indexOf('Recheck'));
          expect(w.trace.indexOf('Recheck')).toBe(w.trace.indexOf(act.state) - 1);
          expect(callsOf(w, act.state)).toEqual([act.call]);
          expect(reportsOf(w).map(({ at }) => at)).toEqual(['ReportSucceeded']);
        });

        it('acts without asking when the auto-approved-runbooks guardrail names it', async () => {
          // Prepare
          const w = await harness.world({ guardrails: { autoApprovedRunbooks: [name] } });

          // Act
          const outcome = await run(w);

          // Assess
          expect(outcome.status).toBe('succeeded');
          expect(w.trace).not.toContain('RequestApproval');
          expect(callsOf(w, act.state)).toEqual([act.call]);
          expect(reportsOf(w).map(({ at }) => at)).toEqual(['ReportSucceeded']);
        });

        it('reports a rejection as refused, without acting', async () => {
          // Prepare
          const w = await harness.world({ approval: answer('reject', 'not now') });

          // Act
          const outcome = await run(w);

          // Assess
          expect(outcome.status).toBe('succeeded');
          expect(w.trace).toEqual([
            ...checks,
            'RequestApproval',
            'RecordApproval',
            'ReportRejected',
          ]);
          expect(reportsOf(w)).toEqual([
            expect.objectContaining({
              at: 'ReportRejected',
              outcome: 'refused',
              target,
              detail: 'rejected by ana via cli: not now',
            }),
          ]);
        });

        it('escalates without acting when nobody answers the approval in time', async () => {
          // Prepare
          const w = await harness.world({ approval: 'no answer' });

          // Act
          const outcome = await run(w);

          // Assess
          expect(outcome).toMatchObject({
            status: 'failed',
            error: 'ApprovalTimedOut',
            cause: expect.stringContaining(`"${harness.action}"`),
          });
          expect(outcome.status === 'failed' && outcome.cause).toMatch(/Rebound did not act/);
          expect(w.trace).toEqual([...checks, 'RequestApproval', 'Escalate']);
          expectEscalatedWith(w, 'ApprovalTimedOut');
          const incident = await incidentOf(w);
          expect(incident.status).toBe('failed');
          expect(incident.timeline).toContainEqual(
            expect.objectContaining({ type: 'approval', decision: 'timed-out' }),
          );
        });
      });
    }
  });
});
