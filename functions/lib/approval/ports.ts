import type { ResourceRef } from '../core/signal.js';
import type { LinkDecision } from './token.js';

/**
 * How people answer approval requests: `links` (signed links to the public approval endpoint,
 * and `npm run runbook -- approve|reject`) or `iam` (that command only, authorised by the
 * caller's IAM: no endpoint, no links).
 */
export const APPROVAL_MODES = ['links', 'iam'] as const;
export type ApprovalMode = (typeof APPROVAL_MODES)[number];

/** One approval request, stored until answered or expired (see dynamodb-approval-store.ts). */
export interface ApprovalRecord {
  readonly id: string;
  /** The Step Functions task token the answer goes to. */
  readonly taskToken: string;
  readonly runbook: string;
  readonly incidentId: string;
  readonly executionArn: string;
  readonly executionName: string;
  /** One sentence: what the runbook will do once approved. */
  readonly action: string;
  readonly target: ResourceRef;
  /**
   * `pending` until someone answers through a link, then `answered`; `closed` when the answer
   * could not be delivered because the run no longer waits (timed out, ended, answered from
   * the CLI).
   */
  readonly status: 'pending' | 'answered' | 'closed';
  /** ISO. */
  readonly requestedAt: string;
  /** Epoch seconds: no answer is accepted from then on (the state machine times out too). */
  readonly expiresAt: number;
  readonly answer?: LinkAnswer;
}

/** An answer given through a link. */
export interface LinkAnswer {
  readonly decision: LinkDecision;
  readonly by: string;
  readonly reason?: string;
  /** ISO. */
  readonly at: string;
}

export interface ApprovalStore {
  /** Stores a new pending request; throws if the id exists. */
  create(record: ApprovalRecord): Promise<void>;
  get(id: string): Promise<ApprovalRecord | undefined>;
  /**
   * Atomically moves a `pending` request to `answered` with `answer`. Returns the stored record
   * when this call won, `undefined` when the request is missing or no longer pending.
   */
  claim(id: string, answer: LinkAnswer): Promise<ApprovalRecord | undefined>;
  /** An `answered` request back to `pending` (the answer could not be delivered; try again). */
  release(id: string): Promise<void>;
  /** An `answered` request to `closed` (the run no longer waits for it). */
  close(id: string): Promise<void>;
}

/**
 * Delivers an answer to a waiting task. `gone` when the task no longer waits (timed out, the
 * run ended, the token is unknown); any other failure throws.
 */
export interface TaskAnswerer {
  succeed(taskToken: string, output: Readonly<Record<string, unknown>>): Promise<'sent' | 'gone'>;
}

/** Reads the link-signing key (cached by the adapter). */
export type SigningKey = () => Promise<string>;
