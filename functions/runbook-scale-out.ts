import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { DynamoDbActionLedger } from './lib/aws/dynamodb-action-ledger.js';
import { createDocumentClient } from './lib/aws/dynamodb-documents.js';
import { DynamoDbIncidentStore } from './lib/aws/dynamodb-incident-store.js';
import { loadGuardrails } from './lib/aws/guardrail-parameters.js';
import { systemClock } from './lib/core/ports.js';
import { requireEnv } from './lib/env.js';
import { AwsFleetReader } from './lib/runbook/aws-fleet-reader.js';
import { AwsGroupCapacityReader } from './lib/runbook/aws-group-capacity-reader.js';
import type { CheckResult } from './lib/runbook/check.js';
import {
  checkScaleOut,
  parseScaleOutEvent,
  type ScaleOutVerifyResult,
  verifyScaleOut,
} from './lib/runbook/scale-out.js';

/**
 * Tasks `Check` and `CapacityVerify` of runbook scale-out. `check` returns the guardrail
 * verdict and the plan (new max and desired); `verify` says whether the new capacity serves.
 * Throws `InvalidInput` for input the state machine's own checks let through; anything else
 * it throws escalates.
 */

const tableName = requireEnv('INCIDENTS_TABLE');
const guardrailsPath = requireEnv('GUARDRAILS_PATH');
const groupName = requireEnv('AUTO_SCALING_GROUP_NAME');
const normalMax = Number(requireEnv('NORMAL_MAX_CAPACITY'));
if (!Number.isInteger(normalMax) || normalMax < 1) {
  throw new Error(
    `NORMAL_MAX_CAPACITY must be a positive integer, not "${process.env.NORMAL_MAX_CAPACITY}": set it to the group's configured maxCapacity`,
  );
}
const autoScaling = new AutoScalingClient({});
const documents = createDocumentClient();
const checkDeps = {
  // A runbook is about to act: read the kill switch fresh, never from a cache.
  guardrails: () => loadGuardrails(guardrailsPath, { maxAgeSeconds: 0 }),
  group: new AwsGroupCapacityReader(autoScaling, groupName),
  groupName,
  normalMax,
  incidents: new DynamoDbIncidentStore(documents, tableName),
  ledger: new DynamoDbActionLedger(documents, tableName),
  clock: systemClock,
  warn: (message: string, fields: Record<string, unknown>) =>
    console.warn(JSON.stringify({ level: 'WARN', message, ...fields })),
};
const verifyDeps = {
  fleet: new AwsFleetReader(
    autoScaling,
    new ElasticLoadBalancingV2Client({}),
    groupName,
    requireEnv('TARGET_GROUP_ARN'),
  ),
  clock: systemClock,
  namePrefix: requireEnv('NAME_PREFIX'),
};

export const handler = async (event: unknown): Promise<CheckResult | ScaleOutVerifyResult> => {
  const parsed = parseScaleOutEvent(event);
  const result =
    parsed.step === 'check'
      ? await checkScaleOut(parsed, checkDeps)
      : await verifyScaleOut(parsed, verifyDeps);
  console.info(
    JSON.stringify({
      level: 'INFO',
      message: `scale-out ${parsed.step}`,
      executionName: parsed.execution.name,
      ...result,
    }),
  );
  return result;
};
