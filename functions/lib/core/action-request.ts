import type { Guardrails } from './guardrails.js';
import type { ActionRequest } from './ports.js';
import { runbookDefinition } from './runbook-registry.js';

/**
 * The ledger request a run of `runbook` on `resourceId` makes: its registry budget, sized by
 * the guardrail the registry names, and the resource's cooldown. Undefined for a runbook with
 * no budget. Triage peeks with it; the runbook's own check claims it.
 */
export const actionRequestFor = (
  runbook: string,
  resourceId: string,
  guardrails: Guardrails,
): ActionRequest | undefined => {
  const budget = runbookDefinition(runbook)?.budget;
  if (budget === undefined) return undefined;
  return {
    budget: budget.bucket,
    maxPerHour: guardrails[budget.perHour],
    resourceId,
    cooldownMinutes: guardrails.cooldownMinutes,
  };
};
