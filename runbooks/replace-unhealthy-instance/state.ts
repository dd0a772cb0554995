import { inputAt } from '../../functions/lib/runbook/state-paths.js';

/**
 * Where a replace-unhealthy-instance run keeps what: the paths state-machine.ts reads and
 * writes that steps.ts reads too.
 */

export const INPUT = inputAt<'replace-unhealthy-instance'>();
/** Where ListZonalShifts puts the account's active zonal shifts, which the check reads. */
export const SHIFTS_KEY = 'shifts';
export const SHIFTS = `$.${SHIFTS_KEY}`;
