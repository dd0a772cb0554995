import type { RunbookName } from '../../functions/lib/core/runbook-registry.js';
import { harness as azEvacuation } from './az-evacuation/harness.js';
import { harness as cacheFailover } from './cache-failover/harness.js';
import type { RunbookHarness } from './harness.js';
import { harness as rdsFailover } from './rds-failover/harness.js';
import { harness as replaceUnhealthyInstance } from './replace-unhealthy-instance/harness.js';
import { harness as scaleOut } from './scale-out/harness.js';

/**
 * Every runbook of the registry and how to build and run it: the contract suite holds each to
 * the contract, `npm run bench` counts the transitions of its runs. A new registry row needs a
 * line here (the typecheck asks for it).
 */
export const HARNESSES: Readonly<Record<RunbookName, RunbookHarness>> = {
  'replace-unhealthy-instance': replaceUnhealthyInstance,
  'scale-out': scaleOut,
  'rds-failover': rdsFailover,
  'cache-failover': cacheFailover,
  'az-evacuation': azEvacuation,
};
