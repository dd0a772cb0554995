import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { DynamoDbActionLedger } from './lib/aws/dynamodb-action-ledger.js';
import { createDocumentClient } from './lib/aws/dynamodb-documents.js';
import { DynamoDbIncidentStore } from './lib/aws/dynamodb-incident-store.js';
import { loadGuardrails } from './lib/aws/guardrail-parameters.js';
import { systemClock } from './lib/core/ports.js';
import { requireEnv } from './lib/env.js';
import { AwsFleetReader } from './lib/runbook/aws-fleet-reader.js';
import { parseGuardrailEvent } from './lib/runbook/events.js';
import { checkInstanceReplacement } from './lib/runbook/guardrail-check.js';
import type { GuardrailResult } from './lib/runbook/outcome.js';

/**
 * Task `GuardrailCheck` of runbook replace-unhealthy-instance: may it mark the instance
 * Unhealthy now? Returns the verdict for the state machine's Choice. Throws `InvalidInput`
 * for input the state machine's own checks let through; anything else it throws escalates.
 */

const tableName = requireEnv('INCIDENTS_TABLE');
const guardrailsPath = requireEnv('GUARDRAILS_PATH');
const documents = createDocumentClient();
const deps = {
  // A runbook is about to act: read the kill switch fresh, never from a cache.
  guardrails: () => loadGuardrails(guardrailsPath, { maxAgeSeconds: 0 }),
  fleet: new AwsFleetReader(
    new AutoScalingClient({}),
    new ElasticLoadBalancingV2Client({}),
    requireEnv('AUTO_SCALING_GROUP_NAME'),
    requireEnv('TARGET_GROUP_ARN'),
  ),
  incidents: new DynamoDbIncidentStore(documents, tableName),
  ledger: new DynamoDbActionLedger(documents, tableName),
  clock: systemClock,
  warn: (message: string, fields: Record<string, unknown>) =>
    console.warn(JSON.stringify({ level: 'WARN', message, ...fields })),
};

export const handler = async (event: unknown): Promise<GuardrailResult> => {
  const parsed = parseGuardrailEvent(event);
  const result = await checkInstanceReplacement(parsed, deps);
  console.info(
    JSON.stringify({
      level: 'INFO',
      message: 'guardrail verdict',
      instanceId: parsed.input.instanceId,
      executionName: parsed.execution.name,
      ...result,
    }),
  );
  return result;
};
