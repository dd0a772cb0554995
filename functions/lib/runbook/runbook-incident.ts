import { createHash } from 'node:crypto';
import { appendTimeline, type Incident, isActive, type TimelineEntry } from '../core/incident.js';
import { type Clock, IncidentConflictError, type IncidentStore } from '../core/ports.js';
import type { ResourceRef, SignalKind } from '../core/signal.js';
import { InvalidInputError } from './invalid-input.js';

/** The Step Functions execution a task runs in (`$$.Execution.Id` / `.Name`). */
export interface RunbookExecution {
  readonly id: string;
  readonly name: string;
}

/** What a run knows about itself when it looks for its incident. */
export interface RunbookRun {
  readonly runbook: string;
  /** Kind recorded on an incident the run has to open itself. */
  readonly kind: SignalKind;
  readonly target: ResourceRef;
  readonly execution: RunbookExecution;
  /** Set when triage (or the operator) named the incident. */
  readonly incidentId?: string;
  /** Operator's free text for a manual run. */
  readonly reason?: string;
  /** The input asked for a dry run (`dryRun: "true"`): check and report, change nothing. */
  readonly dryRun?: boolean;
}

const scopeKey = (target: ResourceRef): string => `resource:${target.type}:${target.id}`;

/** `inc-<yyyymmddThhmm>-<8 hex>`; the hex comes from the execution, so a retry finds the same id. */
export const manualIncidentId = (execution: RunbookExecution, now: Date): string => {
  const minute = now.toISOString().replace(/[-:]/g, '').slice(0, 13);
  const hex = createHash('sha256').update(execution.id).digest('hex').slice(0, 8);
  return `inc-${minute}-${hex}`;
};

const startedByHand = (run: RunbookRun, at: string): TimelineEntry => ({
  type: 'runbook',
  at,
  runbook: run.runbook,
  executionName: run.execution.name,
  executionArn: run.execution.id,
  status: 'started',
  detail: `started by hand${run.reason === undefined ? '' : `: ${run.reason}`}`,
});

/** A new incident recording a run nobody triaged: manual runs are recorded like automatic ones. */
export const manualIncident = (run: RunbookRun, now: Date): Incident => {
  const at = now.toISOString();
  const partKey = `manual:${run.runbook}:${run.target.id}`;
  return {
    id: manualIncidentId(run.execution, now),
    status: 'open',
    severity: 'warning',
    title: `${run.runbook} on ${run.target.id} started by hand${run.reason === undefined ? '' : `: ${run.reason}`}`,
    kind: run.kind,
    resources: [run.target],
    parts: [{ key: partKey, kind: run.kind, resource: run.target, state: 'active', since: at }],
    scopeKeys: [scopeKey(run.target), `part:${partKey}`],
    timeline: [
      {
        type: 'decision',
        at,
        action: 'runbook',
        runbook: run.runbook,
        reason: 'an operator started the runbook by hand',
      },
      startedByHand(run, at),
    ],
    openedAt: at,
    updatedAt: at,
    runbookExecutions: { [run.execution.name]: run.execution.id },
    version: 1,
  };
};

/** Conditional writes lose races with triage; a few reloads settle it. */
const UPDATE_ATTEMPTS = 4;

/**
 * Applies `change` to the stored incident and writes it with optimistic concurrency, reloading
 * and re-applying on a conflict. `change` returns the incident unchanged to skip the write.
 */
export const updateIncident = async (
  store: IncidentStore,
  id: string,
  change: (incident: Incident) => Incident,
): Promise<Incident> => {
  for (let attempt = 1; ; attempt += 1) {
    const current = await store.get(id);
    if (current === undefined) throw new Error(`incident ${id} not found`);
    const changed = change(current);
    if (changed === current) return current;
    try {
      const next = { ...changed, version: current.version + 1 };
      await store.update(next);
      return next;
    } catch (error) {
      if (!(error instanceof IncidentConflictError) || attempt >= UPDATE_ATTEMPTS) throw error;
    }
  }
};

/**
 * The incident a run reports to: the one it was given (which must exist), else the active
 * incident already holding the target (joined, with a timeline line), else a new manual one.
 */
export const ensureRunbookIncident = async (
  store: IncidentStore,
  run: RunbookRun,
  clock: Clock,
  joinAttempted = false,
): Promise<Incident> => {
  if (run.incidentId !== undefined) {
    const given = await store.get(run.incidentId);
    if (given === undefined) {
      throw new InvalidInputError(
        `input.incidentId ${run.incidentId} names no incident: leave it out to record a new one`,
      );
    }
    return given;
  }

  const now = clock.now();
  const fresh = manualIncident(run, now);
  // A retry of this very task finds the incident it created the first time.
  const mine = await store.get(fresh.id);
  if (mine !== undefined) return mine;

  const [active] = await store.findActive([scopeKey(run.target)]);
  if (active !== undefined && isActive(active.status)) {
    return updateIncident(store, active.id, (incident) =>
      incident.runbookExecutions[run.execution.name] === run.execution.id
        ? incident
        : {
            ...appendTimeline(incident, [startedByHand(run, now.toISOString())], now),
            runbookExecutions: {
              ...incident.runbookExecutions,
              [run.execution.name]: run.execution.id,
            },
          },
    );
  }

  try {
    await store.create(fresh);
    return fresh;
  } catch (error) {
    if (!(error instanceof IncidentConflictError) || joinAttempted) throw error;
    // Triage opened one for this target meanwhile: join it instead (once).
    return ensureRunbookIncident(store, run, clock, true);
  }
};
