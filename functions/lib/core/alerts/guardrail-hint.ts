import { GUARDRAIL_PARAMETERS, type Guardrails } from '../guardrails.js';
import { type BlockedBy, guardrailBlocking } from '../runbook-registry.js';

/** What changing each guardrail does, for the operator reading the alert. */
const HOW: Readonly<Record<keyof Guardrails, string>> = {
  mode: 'set it to "auto" to let the runbooks triage starts act ("dry-run": they check and report only; "off" starts nothing and refuses every run, by hand too)',
  enabledRunbooks: 'add the runbook to its comma-separated list',
  maxInstanceReplacementsPerHour: 'raise it to allow more replacements per rolling hour',
  minHealthyInstances: 'lower it to allow acting with fewer healthy instances left',
  cooldownMinutes: 'lower it to act on a resource sooner',
  autoApprovedRunbooks: 'add the runbook to let it act without waiting for a person',
  maxActionsPerHour: 'raise it to allow more runs of this runbook per rolling hour',
  scaleOutStep: 'set it to the number of instances one scale-out adds',
  maxScaleOutCapacity: 'raise it to let scale-out add more instances',
};

/** Rebound reads guardrails with a short cache. */
const SETTLE = 'Rebound picks up a change within a minute.';

/**
 * The exact SSM parameter to change when guardrail `blocked` stopped `runbook` (`dry-run`: the
 * mode kept a run from acting), and what changing it does.
 */
export const guardrailHint = (
  blocked: BlockedBy | 'dry-run',
  runbook: string | null,
  path: string,
): string => {
  const key = blocked === 'dry-run' ? 'mode' : guardrailBlocking(blocked, runbook);
  return `To change it: SSM parameter ${path}${GUARDRAIL_PARAMETERS[key]}: ${HOW[key]}. ${SETTLE}`;
};
