import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { RECHECK_ROOT, recheckAt } from '../../functions/lib/runbook/state-paths.js';
import type { ReboundFunction } from '../../infra/constructs/rebound-function.js';
import { guardrailReadPayload, readGuardrailsBefore } from './guardrail-read.js';
import type { RunbookSkeleton } from './skeleton.js';

/**
 * What a runbook that waits for a person reads again once the person approved: its step Lambda
 * (step `recheck`, functions/lib/runbook/recheck.ts) and, for state only the state machine can
 * read (ARC's zonal shifts), a read before it.
 */
export interface RecheckOptions {
  readonly fn: ReboundFunction;
  /** A state-machine read the recheck needs first (its result where the check read it). */
  readonly read?: sfn.TaskStateBase;
}

/**
 * The live state read again after the approval wait (up to 30 minutes): AWS may have recovered
 * by itself meanwhile (RDS failed over, ElastiCache promoted, a zonal shift started) or a
 * person turned the automation off. `Recheck` answers `$.recheck` (`{ proceed, reason }`):
 * `proceed` goes on to `then`; otherwise ReportNoLongerNeeded reports `skipped` with the
 * reason and the run ends in `done` without acting.
 */
export class Recheck extends sfn.StateMachineFragment {
  public readonly startState: sfn.State;
  public readonly endStates: sfn.INextable[] = [];

  constructor(
    skeleton: RunbookSkeleton,
    options: RecheckOptions,
    then: sfn.IChainable,
    done: sfn.IChainable,
  ) {
    super(skeleton, 'RecheckAfterApproval');
    const recheck = skeleton.escalateOnError(
      skeleton.invoke(
        'Recheck',
        options.fn,
        { step: 'recheck', ...skeleton.guardrailPayload(), ...guardrailReadPayload() },
        RECHECK_ROOT,
      ),
    );
    const skipped = skeleton
      .escalateOnError(skeleton.report('ReportNoLongerNeeded', 'skipped', recheckAt('reason')))
      .next(done);
    recheck.next(
      sfn.Choice.jsonPath(this, 'StillNeeded', { stateName: 'StillNeeded' })
        .when(sfn.Condition.booleanEquals(recheckAt('proceed'), true), then)
        .otherwise(skipped),
    );
    // The guardrails read again at the recheck: someone may have pulled the kill switch.
    const reread = readGuardrailsBefore(skeleton, 'RereadGuardrails', recheck);
    const read = options.read === undefined ? undefined : skeleton.escalateOnError(options.read);
    this.startState = read === undefined ? reread : read;
    read?.next(reread);
  }
}
