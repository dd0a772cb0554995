import type { SignalKind } from '../functions/lib/core/signal.js';

/**
 * The runbook catalog as data: one row per runbook. Triage picks runbooks from it, CDK builds
 * a state machine per row, the README documents each. Pure data: Lambda bundles import it.
 */
export interface RunbookDefinition {
  /** State machine `rebound-<stage>-<name>`. */
  readonly name: string;
  readonly description: string;
  /** Signal kinds (in phase `problem`) this runbook recovers. */
  readonly handles: readonly SignalKind[];
  /** Waits for a person before its destructive step. */
  readonly needsApproval: boolean;
  /** Ledger budget a run consumes, if it mutates capacity. */
  readonly budget?: string;
}

export const RUNBOOKS = [
  {
    name: 'replace-unhealthy-instance',
    description:
      'Marks one unhealthy web instance Unhealthy in its Auto Scaling group and waits until the replacement is InService and healthy in the target group.',
    handles: ['instance-health'],
    needsApproval: false,
    budget: 'instance-replacement',
  },
] as const satisfies readonly RunbookDefinition[];

export type RunbookName = (typeof RUNBOOKS)[number]['name'];

export const runbookStateMachineName = (namePrefix: string, runbook: string): string =>
  `${namePrefix}-${runbook}`;

/** Step Functions execution names: 1–80 characters of `[A-Za-z0-9-_]`. */
const EXECUTION_NAME_MAX = 80;

/**
 * Execution name derived from the incident and the target, so starting the same runbook for
 * the same incident and target twice is a no-op (Standard workflows run once per name).
 */
export const runbookExecutionName = (incidentId: string, targetId: string): string =>
  `${incidentId}--${targetId}`.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, EXECUTION_NAME_MAX);
