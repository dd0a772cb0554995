import { RUNBOOKS } from '../../functions/lib/core/runbook-registry.js';
import type { RunbookHarness } from '../../test/runbooks/harness.js';
import { HARNESSES } from '../../test/runbooks/harnesses.js';
import { definitionOf, runLocallyWithEvents } from '../../test/runbooks/support.js';
import {
  billedTransitions,
  entriesOf,
  type RunFigures,
  type TransitionRow,
  worstWaitSlackSeconds,
} from './transitions.js';

/**
 * Every runbook of the registry synthesized and executed locally from its ASL
 * (aws-local-stepfunctions) in the worlds of the contract suite (test/runbooks/<name>/harness.ts):
 * the typical run acts and sees the recovery, the worst run never sees it and escalates. The
 * figures come from the executor's events.
 */

type Run = Awaited<ReturnType<typeof runLocallyWithEvents>>;

const figuresOf = ({ events }: Run, harness: RunbookHarness): RunFigures => ({
  transitions: billedTransitions(events),
  checks: entriesOf(events, harness.neverRecovers.verify),
  slackSeconds: worstWaitSlackSeconds(events),
});

export const measureRunbookTransitions = async (): Promise<TransitionRow[]> => {
  const rows: TransitionRow[] = [];
  for (const { name } of RUNBOOKS) {
    const harness = HARNESSES[name];
    const definition = definitionOf(harness.synth().template);
    const typical = await runLocallyWithEvents(
      definition,
      { ...harness.validInput },
      (await harness.world()).overrides ?? {},
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
      typical: figuresOf(typical, harness),
      worst: figuresOf(worst, harness),
    });
  }
  return rows;
};
