import { RUNBOOKS } from '../../functions/lib/core/runbook-registry.js';
import type { RunbookHarness } from '../../test/runbooks/harness.js';
import { HARNESSES } from '../../test/runbooks/harnesses.js';
import { definitionOf, runLocallyWithEvents } from '../../test/runbooks/support.js';
import {
  billedTransitions,
  entriesOf,
  pollRoundStates,
  pollRoundsOf,
  type RunFigures,
  slackOf,
  type TransitionRow,
} from './transitions.js';

/**
 * Every runbook of the registry synthesized and executed locally from its ASL
 * (aws-local-stepfunctions) in the worlds of the contract suite (test/runbooks/<name>/harness.ts):
 * the typical run acts and sees the recovery (AWS announcing it, where the runbook waits for
 * that), the worst run never sees it, hears no announcement and escalates. The figures come from
 * the executor's events.
 */

type Run = Awaited<ReturnType<typeof runLocallyWithEvents>>;

const figuresOf = (
  { events }: Run,
  harness: RunbookHarness,
  roundStates: ReadonlySet<string>,
  which: 'last' | 'max',
): RunFigures => {
  const rounds = pollRoundsOf(events, roundStates);
  return {
    transitions: billedTransitions(events),
    checks: entriesOf(events, harness.neverRecovers.verify),
    slackSeconds: slackOf(rounds, which),
    announced: which === 'last' && rounds.at(-1)?.announced === true,
  };
};

export const measureRunbookTransitions = async (): Promise<TransitionRow[]> => {
  const rows: TransitionRow[] = [];
  for (const { name } of RUNBOOKS) {
    const harness = HARNESSES[name];
    const definition = definitionOf(harness.synth().template);
    const roundStates = pollRoundStates(definition);
    const typicalWorld = await (harness.announced?.world ?? harness.world)();
    const typical = await runLocallyWithEvents(
      definition,
      { ...harness.validInput },
      typicalWorld.overrides ?? {},
    );
    if (typical.outcome.status !== 'succeeded') {
      throw new Error(
        `${name}: the typical run did not succeed: ${JSON.stringify(typical.outcome)}`,
      );
    }
    const { neverRecovers } = harness;
    const worst = await runLocallyWithEvents(
      definition,
      { ...(neverRecovers.input ?? harness.validInput) },
      (await neverRecovers.world()).overrides ?? {},
    );
    if (worst.outcome.status !== 'failed' || worst.outcome.error !== neverRecovers.error) {
      throw new Error(
        `${name}: the worst run did not escalate with ${neverRecovers.error}: ${JSON.stringify(worst.outcome)}`,
      );
    }
    rows.push({
      runbook: name,
      typical: figuresOf(typical, harness, roundStates, 'last'),
      worst: figuresOf(worst, harness, roundStates, 'max'),
    });
  }
  return rows;
};
