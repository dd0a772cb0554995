import {
  GUARDRAIL_PARAMETERS,
  type Guardrails,
  type ParsedGuardrails,
} from '../core/guardrails.js';
import type { RunbookName } from '../core/runbook-registry.js';

/**
 * The recheck of a runbook that waited for a person (its `Recheck` state,
 * runbooks/kit/recheck.ts): the check read the live state before the approval wait, which may
 * have lasted 30 minutes. Before the mutating call, the guardrails and the live resource are
 * read again; anything that changed what the person approved stops the run with a reason.
 */

/** What step `recheck` answers (`$.recheck`): act as approved, or why not any more. */
export interface RecheckResult {
  readonly proceed: boolean;
  readonly reason: string;
}

export interface RecheckDeps {
  /** Current guardrails, read fresh: someone may have pulled the kill switch meanwhile. */
  readonly guardrails: () => Promise<ParsedGuardrails>;
}

/**
 * `reassess` reads the live resource and says why the approved action is no longer needed or
 * no longer safe (AWS recovered by itself, a shift exists…), or `undefined` when it still is.
 */
export const recheckAfterApproval = async (
  runbook: RunbookName,
  approvedAction: string,
  reassess: (guardrails: Guardrails) => Promise<string | undefined>,
  deps: RecheckDeps,
): Promise<RecheckResult> => {
  const { guardrails, problems } = await deps.guardrails();
  // As the check decides (check.ts): only the kill switch stops an approved run, and a mode that
  // cannot be read is no permission to act.
  if (guardrails.mode === 'off') {
    return {
      proceed: false,
      reason:
        'the automation mode guardrail was turned off while waiting for approval: nothing is done',
    };
  }
  if (problems.some((problem) => problem.startsWith(`guardrail ${GUARDRAIL_PARAMETERS.mode}:`))) {
    return {
      proceed: false,
      reason: 'the automation mode guardrail could not be read after approval: nothing is done',
    };
  }
  if (!guardrails.enabledRunbooks.includes(runbook)) {
    return {
      proceed: false,
      reason:
        'this runbook was taken out of the enabled-runbooks guardrail while waiting for approval: nothing is done',
    };
  }
  const changed = await reassess(guardrails);
  if (changed !== undefined) {
    return { proceed: false, reason: `no longer needed after approval: ${changed}` };
  }
  return { proceed: true, reason: `still needed after approval: ${approvedAction}` };
};
