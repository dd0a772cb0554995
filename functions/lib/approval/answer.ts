import { formatUtc } from '../core/alerts/text.js';
import type { Clock } from '../core/ports.js';
import { deliverAnswer, type NotWaiting, whyNotWaiting } from './deliver.js';
import { cleanText, MAX_BY, MAX_REASON } from './normalise.js';
import { confirmPage, messagePage, type Page } from './pages.js';
import type { ApprovalStore, LinkAnswer, SigningKey, TaskAnswerer } from './ports.js';
import { verifyApproval } from './token.js';

/**
 * The approval endpoint: GET shows what a link would decide and asks for a name (never acts);
 * POST verifies the signed link, claims the request once and answers the waiting task.
 */

export interface EndpointRequest {
  readonly method: string;
  /** Link parameters and form fields (`id`, `decision`, `expires`, `sig`, `by`, `reason`). */
  readonly params: Readonly<Record<string, string | undefined>>;
  /** Where the confirmation form posts (the endpoint). */
  readonly formAction: string;
}

export interface EndpointDeps {
  readonly approvals: ApprovalStore;
  readonly answerer: TaskAnswerer;
  readonly signingKey: SigningKey;
  readonly clock: Clock;
  readonly warn: (message: string, fields: Record<string, unknown>) => void;
}

const CHECK_STATUS = { malformed: 400, forged: 403, expired: 410 } as const;
const CHECK_TITLE = {
  malformed: 'This link is incomplete',
  forged: 'This link is not valid',
  expired: 'This request has expired',
} as const;
const CLI_HINT =
  'If the run still waits, answer with the npm run runbook -- approve|reject command from the email.';

const notWaitingPage = (notWaiting: NotWaiting | undefined): Page => {
  switch (notWaiting?.problem) {
    case 'closed':
      return messagePage(410, 'This request is no longer waiting', [
        'The run timed out, ended or was answered another way. Nothing was done through this link.',
      ]);
    case 'answered': {
      const { answer } = notWaiting;
      return messagePage(409, 'Already answered', [
        answer === undefined
          ? 'This request was already answered.'
          : `This request was already answered: ${answer.decision} by ${answer.by} at ${answer.at}.`,
        'Each request takes one answer.',
      ]);
    }
    case 'expired':
      return messagePage(410, 'This request has expired', [
        `It expired at ${formatUtc(notWaiting.expiresAt)}. Nothing was done.`,
      ]);
    default:
      return messagePage(404, 'No such request', [
        'Rebound has no approval request with this id (it may have been cleaned up).',
      ]);
  }
};

export const handleEndpointRequest = async (
  request: EndpointRequest,
  deps: EndpointDeps,
): Promise<Page> => {
  const method = request.method.toUpperCase();
  if (method !== 'GET' && method !== 'POST') {
    return messagePage(405, 'Not allowed', ['Open the link from the email.']);
  }
  const { params } = request;
  const now = deps.clock.now();
  const check = verifyApproval(await deps.signingKey(), params, now);
  if (!check.ok) {
    const hint =
      check.problem === 'expired'
        ? 'Nothing was done: the run took the safe default and escalated.'
        : 'Nothing was done. Copy the whole link from the email.';
    return messagePage(CHECK_STATUS[check.problem], CHECK_TITLE[check.problem], [
      check.reason,
      hint,
    ]);
  }
  const { token } = check;
  const record = await deps.approvals.get(token.id);
  const notWaiting = whyNotWaiting(record, now);
  if (notWaiting !== undefined || record === undefined) return notWaitingPage(notWaiting);

  const sig = params.sig ?? '';
  const by = cleanText(params.by ?? '', MAX_BY);
  const reason = cleanText(params.reason ?? '', MAX_REASON);
  if (method === 'GET') return confirmPage({ record, token, sig, formAction: request.formAction });
  if (by === '') {
    return confirmPage({
      record,
      token,
      sig,
      formAction: request.formAction,
      error: 'Your name is required: it goes on the incident timeline.',
      reason,
    });
  }

  const answer: LinkAnswer = {
    decision: token.decision,
    by,
    at: now.toISOString(),
    ...(reason === '' ? {} : { reason }),
  };
  const delivery = await deliverAnswer(record, answer, 'link', deps);
  if (delivery.outcome === 'taken') {
    return messagePage(409, 'Already answered', [
      'Someone answered this request a moment ago. Each request takes one answer.',
    ]);
  }
  if (delivery.outcome === 'failed') {
    const { error } = delivery;
    deps.warn('could not deliver the approval answer', {
      approvalId: record.id,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
    return messagePage(503, 'Your answer could not be delivered', [
      'Nothing was decided. Try again in a moment.',
      CLI_HINT,
    ]);
  }
  if (delivery.outcome === 'gone') {
    return messagePage(410, 'This request is no longer waiting', [
      'The run timed out or ended before your answer arrived: your answer was not used.',
    ]);
  }
  const done = token.decision === 'approve' ? 'Approved' : 'Rejected';
  return messagePage(200, done, [
    `${done} by ${by} at ${formatUtc(Math.floor(now.getTime() / 1000))}${reason === '' ? '' : `: ${reason}`}.`,
    token.decision === 'approve'
      ? `The runbook ${record.runbook} now goes ahead: ${record.action}. The outcome comes by email.`
      : `The runbook ${record.runbook} does not act. The outcome comes by email.`,
    `Recorded on incident ${record.incidentId}.`,
  ]);
};
