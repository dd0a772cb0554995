import { inputAt } from '../../functions/lib/runbook/state-paths.js';

/**
 * Where a replace-unhealthy-instance run keeps what: the paths state-machine.ts reads and
 * writes that steps.ts reads too.
 */

export const INPUT = inputAt<'replace-unhealthy-instance'>();
