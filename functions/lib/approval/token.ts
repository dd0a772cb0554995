import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Signed approval links. A link carries `id`, `decision`, `expires` (epoch seconds) and `sig`,
 * the hex HMAC-SHA256 of `id.decision.expires` under the signing key: whoever holds a valid link
 * may answer that one request with that one decision until it expires, and nothing else. The
 * approval record (claimed once) makes it single-use.
 */

export const LINK_DECISIONS = ['approve', 'reject'] as const;
export type LinkDecision = (typeof LINK_DECISIONS)[number];

export interface ApprovalToken {
  readonly id: string;
  readonly decision: LinkDecision;
  /** Epoch seconds. */
  readonly expires: number;
}

/** 16 random bytes, base64url: unguessable, URL-safe. */
export const newApprovalId = (): string => randomBytes(16).toString('base64url');

const ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
const EXPIRES_PATTERN = /^[0-9]{1,12}$/;
const SIG_PATTERN = /^[0-9a-f]{64}$/;

/** Hex HMAC-SHA256 of `id.decision.expires`. */
export const signApproval = (key: string, token: ApprovalToken): string =>
  createHmac('sha256', key).update(`${token.id}.${token.decision}.${token.expires}`).digest('hex');

export type TokenCheck =
  | { readonly ok: true; readonly token: ApprovalToken }
  /** `malformed`: missing or odd parameters (400); `forged`: wrong signature (403); `expired` (410). */
  | {
      readonly ok: false;
      readonly problem: 'malformed' | 'forged' | 'expired';
      readonly reason: string;
    };

/** Link parameters as they arrive (query string or form fields); anything may be missing. */
export interface TokenParams {
  readonly id?: string | undefined;
  readonly decision?: string | undefined;
  readonly expires?: string | undefined;
  readonly sig?: string | undefined;
}

const isDecision = (value: string | undefined): value is LinkDecision =>
  LINK_DECISIONS.some((decision) => decision === value);

/**
 * Checks a link: well-formed, signed with `key` (timing-safe comparison), not expired at `now`.
 * The signature is checked before the expiry so an expired forgery is reported as forged.
 */
export const verifyApproval = (key: string, params: TokenParams, now: Date): TokenCheck => {
  const { id, decision, expires, sig } = params;
  if (id === undefined || !ID_PATTERN.test(id)) {
    return { ok: false, problem: 'malformed', reason: 'The link has no valid request id.' };
  }
  if (!isDecision(decision)) {
    return { ok: false, problem: 'malformed', reason: 'The link says neither approve nor reject.' };
  }
  if (expires === undefined || !EXPIRES_PATTERN.test(expires)) {
    return { ok: false, problem: 'malformed', reason: 'The link has no valid expiry.' };
  }
  if (sig === undefined || !SIG_PATTERN.test(sig)) {
    return { ok: false, problem: 'malformed', reason: 'The link has no valid signature.' };
  }
  const token: ApprovalToken = { id, decision, expires: Number(expires) };
  const expected = Buffer.from(signApproval(key, token), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(sig, 'hex'))) {
    return {
      ok: false,
      problem: 'forged',
      reason: 'The link signature does not match: the link was changed or is not from Rebound.',
    };
  }
  if (now.getTime() >= token.expires * 1000) {
    return {
      ok: false,
      problem: 'expired',
      reason: `The request expired at ${new Date(token.expires * 1000).toISOString()}.`,
    };
  }
  return { ok: true, token };
};

/** The approve and reject links of one request. */
export const approvalLinks = (
  endpointUrl: string,
  key: string,
  id: string,
  expires: number,
): Readonly<Record<LinkDecision, string>> => {
  const link = (decision: LinkDecision): string => {
    const url = new URL(endpointUrl);
    const sig = signApproval(key, { id, decision, expires });
    url.search = new URLSearchParams({ id, decision, expires: String(expires), sig }).toString();
    return url.toString();
  };
  return { approve: link('approve'), reject: link('reject') };
};
