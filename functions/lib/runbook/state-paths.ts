import type { RunbookName } from '../core/runbook-registry.js';
import type { CheckResult } from './check.js';
import type { RecheckResult } from './recheck.js';
import type { RunInput } from './run-input.js';

/**
 * Where a run keeps what in its execution state, as JSONPaths built from the types the steps
 * return: the state machine (runbooks/<name>/state-machine.ts, the kit) reads the same names
 * the step Lambdas write, and a renamed field fails the typecheck instead of a run on AWS.
 * Each runbook's own places are in runbooks/<name>/state.ts.
 */

/** `root.key` for a key of `T`: a path into a value of type `T` stored at `root`. */
export const statePath =
  <T>(root: string) =>
  <K extends keyof T & string>(key: K): string =>
    `${root}.${key}`;

/** What every verify step answers (`$.verify`): recovered yet, and the live state in a sentence. */
export interface VerifyResult {
  readonly recovered: boolean;
  readonly detail: string;
}

/** The check's answer (check.ts). */
export const GUARDRAIL_ROOT = '$.guardrail';
export const guardrailAt = statePath<CheckResult>(GUARDRAIL_ROOT);
/** The plan a check hands the acting states (`$.guardrail.plan`). */
export const PLAN_ROOT = `${GUARDRAIL_ROOT}.plan`;
/** The recheck after an approval (recheck.ts). */
export const RECHECK_ROOT = '$.recheck';
export const recheckAt = statePath<RecheckResult>(RECHECK_ROOT);
/** The last verify step's answer. */
export const VERIFY_ROOT = '$.verify';
export const verifyAt = statePath<VerifyResult>(VERIFY_ROOT);
/** The execution input's fields, as the registry declares them. */
export const inputAt = <N extends RunbookName>() => statePath<RunInput<N>>('$');
/** Where a CheckAlarm state puts the DescribeAlarms answer of the input's alarm, for the check. */
export const CHECKED_ALARM_KEY = 'alarm';
export const CHECKED_ALARM = `$.${CHECKED_ALARM_KEY}`;
/**
 * Where the state machine puts its GetParameters read of the guardrails before the check and
 * the recheck (runbooks/kit/guardrail-read.ts), and the payload key those steps find it under
 * (guardrail-read.ts here).
 */
export const GUARDRAIL_READ_KEY = 'guardrailRead';
export const GUARDRAIL_READ_ROOT = `$.${GUARDRAIL_READ_KEY}`;
