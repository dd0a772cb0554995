import type { ApprovalRecord, ApprovalStore, LinkAnswer, TaskAnswerer } from './ports.js';

/**
 * Answering one approval request, whoever answers (the link endpoint, `npm run runbook --
 * approve|reject`): is it still waiting, then claim it once and send the answer to the waiting
 * run. The task token never leaves the store: callers hand over the request id only.
 */

/** Why a request cannot take an answer, or `undefined` when it can. */
export type NotWaiting =
  | { readonly problem: 'missing' }
  | { readonly problem: 'closed' }
  | { readonly problem: 'answered'; readonly answer?: LinkAnswer }
  | { readonly problem: 'expired'; readonly expiresAt: number };

export const whyNotWaiting = (
  record: ApprovalRecord | undefined,
  now: Date,
): NotWaiting | undefined => {
  if (record === undefined) return { problem: 'missing' };
  if (record.status === 'closed') return { problem: 'closed' };
  if (record.status === 'answered') {
    return record.answer === undefined
      ? { problem: 'answered' }
      : { problem: 'answered', answer: record.answer };
  }
  if (now.getTime() >= record.expiresAt * 1000) {
    return { problem: 'expired', expiresAt: record.expiresAt };
  }
  return undefined;
};

/**
 * `delivered`: the run has the answer. `taken`: someone else claimed the request first.
 * `gone`: the run no longer waits (the request is closed). `failed`: the answer could not be
 * sent, for `error` (the request is released, so a retry can answer).
 */
export type Delivery =
  | { readonly outcome: 'delivered' | 'taken' | 'gone' }
  | { readonly outcome: 'failed'; readonly error: unknown };

export interface DeliverDeps {
  readonly approvals: ApprovalStore;
  readonly answerer: TaskAnswerer;
}

/** Claims `record` with `answer` and sends it (with `via`, how it was given) to the run. */
export const deliverAnswer = async (
  record: ApprovalRecord,
  answer: LinkAnswer,
  via: string,
  deps: DeliverDeps,
): Promise<Delivery> => {
  const claimed = await deps.approvals.claim(record.id, answer);
  if (claimed === undefined) return { outcome: 'taken' };
  let sent: 'sent' | 'gone';
  try {
    sent = await deps.answerer.succeed(claimed.taskToken, { ...answer, via });
  } catch (error) {
    await deps.approvals.release(record.id);
    return { outcome: 'failed', error };
  }
  if (sent === 'gone') {
    await deps.approvals.close(record.id);
    return { outcome: 'gone' };
  }
  return { outcome: 'delivered' };
};
