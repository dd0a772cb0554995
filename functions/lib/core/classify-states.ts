import type { ExecutionStatusChangeEvent } from '../events/states.js';
import { ownsStateMachine, ref, signalOf, stateMachineNameOf } from './classify-common.js';
import type { ShopInventory } from './inventory.js';
import type { Signal } from './signal.js';

const FAILED_STATUSES: ReadonlySet<string> = new Set(['FAILED', 'TIMED_OUT', 'ABORTED']);

/** A Rebound runbook that failed, timed out or was aborted: the automation stopped halfway. */
export const classifyExecutionStatusChange = (
  event: ExecutionStatusChangeEvent,
  inventory: ShopInventory,
): Signal | null => {
  const { executionArn, stateMachineArn, status } = event.detail;
  const name = stateMachineNameOf(stateMachineArn);
  if (!FAILED_STATUSES.has(status) || !ownsStateMachine(inventory, name)) return null;
  const execution = event.detail.name ?? executionArn.split(':').pop() ?? executionArn;
  return signalOf(event, {
    kind: 'runbook-failure',
    phase: 'problem',
    severity: 'critical',
    resource: ref('state-machine', name),
    partKey: `execution:${executionArn}`,
    summary: `Runbook ${name}: execution ${execution} ${status}`,
  });
};
