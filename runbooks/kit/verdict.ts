import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { guardrailAt } from '../../functions/lib/runbook/state-paths.js';
import type { RecheckOptions } from './recheck.js';
import type { RunbookSkeleton } from './skeleton.js';

/** What the runbook's check decided (functions/lib/runbook/check.ts). */
const VERDICT = guardrailAt('verdict');

/** Where each verdict goes. */
export interface VerdictBranches {
  readonly act: sfn.IChainable;
  readonly follow?: sfn.IChainable;
  /** Required of a runbook that asks a person: what it reads again after the wait. */
  readonly recheck?: RecheckOptions;
}

/**
 * The verdict of a runbook's check to its branch: `act` acts, `approve` asks a person first
 * (runbooks with approvals only) and reads the live state again (`recheck`) after the answer,
 * `follow` only verifies AWS's own recovery; `dry-run`, `skip` and `refused` (and anything
 * unexpected) report why not and end in `done`.
 */
export class VerdictChoice extends sfn.StateMachineFragment {
  public readonly startState: sfn.State;
  public readonly endStates: sfn.INextable[] = [];

  constructor(skeleton: RunbookSkeleton, branches: VerdictBranches, done: sfn.IChainable) {
    super(skeleton, 'VerdictChoice');
    const C = sfn.Condition;
    const reportVerdict = (stateName: string, outcome: 'dry-run' | 'skipped' | 'refused') =>
      skeleton
        .escalateOnError(skeleton.report(stateName, outcome, guardrailAt('reason')))
        .next(done);
    const choice = sfn.Choice.jsonPath(this, 'Verdict', { stateName: 'Verdict' }).when(
      C.stringEquals(VERDICT, 'act'),
      branches.act,
    );
    // A runbook that never asks (no approvals function) refuses an unexpected `approve`.
    if (skeleton.asksApproval) {
      if (branches.recheck === undefined) {
        throw new Error(
          `${skeleton.runbook}: a runbook that waits for a person must read the live state again after the answer (branches.recheck)`,
        );
      }
      const recheck = skeleton.recheck(branches.recheck, branches.act, done);
      choice.when(C.stringEquals(VERDICT, 'approve'), skeleton.approvalGate(recheck, done));
    }
    if (branches.follow !== undefined) {
      choice.when(C.stringEquals(VERDICT, 'follow'), branches.follow);
    }
    choice
      .when(C.stringEquals(VERDICT, 'dry-run'), reportVerdict('ReportDryRun', 'dry-run'))
      .when(C.stringEquals(VERDICT, 'skip'), reportVerdict('ReportSkipped', 'skipped'))
      .otherwise(reportVerdict('ReportRefused', 'refused'));
    this.startState = choice;
  }
}
