import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { guardrailAt } from '../../functions/lib/runbook/state-paths.js';
import type { RunbookSkeleton } from './skeleton.js';

/** What the runbook's check decided (functions/lib/runbook/check.ts). */
const VERDICT = guardrailAt('verdict');

/**
 * The verdict of a runbook's check to its branch: `act` acts, `approve` asks a person first
 * (runbooks with approvals only), `follow` only verifies AWS's own recovery; `dry-run`, `skip`
 * and `refused` (and anything unexpected) report why not and end in `done`.
 */
export class VerdictChoice extends sfn.StateMachineFragment {
  public readonly startState: sfn.State;
  public readonly endStates: sfn.INextable[] = [];

  constructor(
    skeleton: RunbookSkeleton,
    branches: { readonly act: sfn.IChainable; readonly follow?: sfn.IChainable },
    done: sfn.IChainable,
  ) {
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
      choice.when(C.stringEquals(VERDICT, 'approve'), skeleton.approvalGate(branches.act, done));
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
