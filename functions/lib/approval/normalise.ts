import { collapseWhitespace, truncateEnd } from '../sms.js';

/**
 * The answer a person gave, as SendTaskSuccess carried it: the approval endpoint sends
 * `{"decision":"approve"|"reject","by","reason","via":"link","at"}`, but anyone with the task
 * token may answer from the CLI with whatever JSON they typed. Anything not clearly an approval
 * is a rejection (the safe default: do not act).
 */

export const MAX_BY = 100;
export const MAX_REASON = 500;
const MAX_VIA = 20;
const MAX_QUOTED = 80;

export interface ApprovalAnswer {
  readonly approved: boolean;
  readonly by: string;
  readonly reason?: string;
  readonly via: string;
  /** False when the decision was not understood (and so taken as a rejection). */
  readonly understood: boolean;
}

const APPROVE = new Set(['approve', 'approved', 'yes', 'true']);
const REJECT = new Set(['reject', 'rejected', 'no', 'false']);

/** One line of plain text, no control or format characters, at most `max` characters. */
export const cleanText = (value: string, max: number): string =>
  truncateEnd(
    collapseWhitespace(
      value
        .slice(0, max * 4)
        .toWellFormed()
        .replace(/[\p{Cc}\p{Cf}]/gu, ' '),
    ),
    max,
  );

const optionalText = (value: unknown, max: number): string | undefined => {
  if (typeof value !== 'string') return undefined;
  const cleaned = cleanText(value, max);
  return cleaned === '' ? undefined : cleaned;
};

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The decision word of an answer: `decision` (string or boolean), `approved` (boolean), or the bare answer. */
const decisionOf = (answer: unknown): unknown => {
  if (isRecord(answer)) return answer.decision ?? answer.approved;
  return answer;
};

const quote = (value: unknown): string => {
  let shown: string;
  try {
    shown = JSON.stringify(value) ?? String(value);
  } catch {
    shown = String(value);
  }
  return cleanText(shown, MAX_QUOTED);
};

export const normaliseAnswer = (answer: unknown): ApprovalAnswer => {
  const fields = isRecord(answer) ? answer : {};
  const by = optionalText(fields.by, MAX_BY) ?? 'unknown';
  const via = optionalText(fields.via, MAX_VIA) ?? 'cli';
  const reason = optionalText(fields.reason, MAX_REASON);
  const raw = decisionOf(answer);
  const word =
    typeof raw === 'string' || typeof raw === 'boolean' ? String(raw).trim().toLowerCase() : '';
  if (APPROVE.has(word) || REJECT.has(word)) {
    return {
      approved: APPROVE.has(word),
      by,
      via,
      understood: true,
      ...(reason === undefined ? {} : { reason }),
    };
  }
  return {
    approved: false,
    by,
    via,
    understood: false,
    reason: cleanText(
      `the answer was not understood (expected "decision": "approve" or "reject", got ${quote(raw ?? answer)}): not acting`,
      MAX_REASON,
    ),
  };
};

/** `approved by Ana via link: primary is hung`. */
export const answerSummary = (answer: ApprovalAnswer): string =>
  `${answer.approved ? 'approved' : 'rejected'} by ${answer.by} via ${answer.via}${
    answer.reason === undefined ? '' : `: ${answer.reason}`
  }`;
