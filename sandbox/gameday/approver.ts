import { deliverAnswer } from '../../functions/lib/approval/deliver.js';
import type { ApprovalStore } from '../../functions/lib/approval/ports.js';
import type { LinkDecision } from '../../functions/lib/approval/token.js';
import type { VirtualTime } from './virtual-time.js';

/**
 * The scripted person who answers a runbook's approval request in a game day: after a while,
 * through the approval link's own path (`deliverAnswer`: the request is claimed in the approval
 * store, then the answer goes to the waiting task), so the run gets what SendTaskSuccess would
 * give it.
 */

export interface ScriptedAnswer {
  readonly decision: LinkDecision;
  /** How long after the request the person answers, seconds. */
  readonly afterSeconds: number;
  readonly by: string;
  readonly reason: string;
}

/** Answers the pending request `approvalId` as `script` says; what the waiting task receives. */
export const answerApproval = async (
  approvalId: string,
  script: ScriptedAnswer,
  deps: { readonly approvals: ApprovalStore; readonly time: VirtualTime },
): Promise<Readonly<Record<string, unknown>>> => {
  await deps.time.sleep(script.afterSeconds * 1000);
  const record = await deps.approvals.get(approvalId);
  if (record === undefined) throw new Error(`approval ${approvalId} was never stored`);
  let output: Readonly<Record<string, unknown>> | undefined;
  const delivery = await deliverAnswer(
    record,
    {
      decision: script.decision,
      by: script.by,
      reason: script.reason,
      at: new Date(deps.time.nowMs).toISOString(),
    },
    'link',
    {
      approvals: deps.approvals,
      answerer: {
        succeed: async (_token, answer) => {
          output = answer;
          return 'sent';
        },
      },
    },
  );
  if (delivery.outcome !== 'delivered' || output === undefined) {
    throw new Error(`the answer to approval ${approvalId} was not delivered: ${delivery.outcome}`);
  }
  return output;
};
