import type { Alert, ResourceState } from './alert.js';
import type { Incident } from './incident.js';
import type { ResourceRef } from './signal.js';
import type { ZoneQuestion } from './zone-questions.js';

/**
 * The triage core's view of the outside world. Lambda wires AWS adapters (DynamoDB, SNS, Step
 * Functions); the offline replay and the tests wire in-memory ones. Same core either way.
 */

/** Time, injectable so tests and replays control it. */
export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

/** Thrown by an {@link IncidentStore} when a conditional write lost a race; reload and retry. */
export class IncidentConflictError extends Error {
  override readonly name = 'IncidentConflictError';
}

export interface IncidentStore {
  /**
   * Active incidents (see `isActive`) holding any of `scopeKeys`, newest first.
   */
  findActive(scopeKeys: readonly string[]): Promise<Incident[]>;
  get(id: string): Promise<Incident | undefined>;
  /**
   * Stores a new incident (version 1) and claims its scope keys. Throws
   * {@link IncidentConflictError} if the id exists or an active incident holds any scope key.
   */
  create(incident: Incident): Promise<void>;
  /**
   * Replaces the stored incident if its stored version is `incident.version - 1`, else throws
   * {@link IncidentConflictError}. Scope keys follow the incident: claimed while active,
   * released when it resolves or fails.
   */
  update(incident: Incident): Promise<void>;
}

/** Result of asking whether an action on a resource is within the budgets. */
export type LedgerVerdict =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly blockedBy: 'budget' | 'cooldown'; readonly reason: string };

export interface ActionRequest {
  /** Budget bucket, e.g. `instance-replacement`. */
  readonly budget: string;
  readonly maxPerHour: number;
  /** Cooldown key, e.g. the instance id or group name. */
  readonly resourceId: string;
  readonly cooldownMinutes: number;
}

/**
 * Blast-radius bookkeeping shared by triage (peek, to explain its decision) and runbooks
 * (claim, atomically, right before a mutating call).
 */
export interface ActionLedger {
  peek(request: ActionRequest, now: Date): Promise<LedgerVerdict>;
  /** Atomically records the action if allowed: one budget slot and the resource's cooldown. */
  claim(request: ActionRequest, now: Date): Promise<LedgerVerdict>;
}

/** Publishes one alert (SNS with `severity`, `incidentId`, `kind` attributes); returns the message id. */
export interface AlertPublisher {
  publish(alert: Alert): Promise<string | undefined>;
}

export type RunbookStartResult =
  | { readonly status: 'started'; readonly executionArn: string }
  | { readonly status: 'already-running'; readonly executionArn: string };

/** Starts a runbook execution; a second start with the same name is harmless. */
export interface RunbookStarter {
  start(
    runbook: string,
    executionName: string,
    input: Readonly<Record<string, unknown>>,
  ): Promise<RunbookStartResult>;
}

/** Live state of a resource for an alert, bounded in time; never throws. */
export interface ResourceEnricher {
  describe(resource: ResourceRef): Promise<ResourceState>;
}

/**
 * Answers a {@link ZoneQuestion} from AWS's live state: the AZ name, or undefined when AWS does
 * not tell, the lookup fails or its time budget runs out. Never throws.
 */
export interface ZoneLocator {
  locate(question: ZoneQuestion): Promise<string | undefined>;
}

/** A one-shot check of an incident, due at a time: did the recovery that was promised come? */
export interface RecoveryCheck {
  /** Unique per incident and part: the schedule's name and the check's event id. */
  readonly name: string;
  readonly incidentId: string;
  /** The part whose recovery is due. */
  readonly partKey: string;
  /** When the check is due: the part's `expectRecoveryBy`. */
  readonly dueAt: string;
}

/**
 * Keeps the promise in every "Rebound escalates if it has not recovered by HH:MM": schedules a
 * check that comes back to triage at its time, and cancels it when the recovery came first.
 * Both are idempotent (scheduling twice or cancelling a check that is gone is not an error).
 */
export interface RecoveryTimer {
  schedule(check: RecoveryCheck): Promise<void>;
  cancel(name: string): Promise<void>;
}
