import { DynamoDbActionLedger } from '../aws/dynamodb-action-ledger.js';
import { createDocumentClient } from '../aws/dynamodb-documents.js';
import { DynamoDbIncidentStore } from '../aws/dynamodb-incident-store.js';
import { loadGuardrails } from '../aws/guardrail-parameters.js';
import { systemClock } from '../core/ports.js';
import { requireEnv } from '../env.js';
import type { CheckDeps } from './check.js';

/**
 * What every runbook check needs, wired from its Lambda environment (INCIDENTS_TABLE,
 * GUARDRAILS_PATH): the incident store and the action ledger on the incidents table, the
 * guardrails read fresh on every call (a runbook is about to act: never a cached kill switch),
 * the system clock and a JSON warning log. Call once per container, at module scope.
 */
export const checkDepsFromEnv = (): CheckDeps & { readonly incidents: DynamoDbIncidentStore } => {
  const tableName = requireEnv('INCIDENTS_TABLE');
  const guardrailsPath = requireEnv('GUARDRAILS_PATH');
  const documents = createDocumentClient();
  return {
    guardrails: () => loadGuardrails(guardrailsPath, { maxAgeSeconds: 0 }),
    incidents: new DynamoDbIncidentStore(documents, tableName),
    ledger: new DynamoDbActionLedger(documents, tableName),
    clock: systemClock,
    warn: (message, fields) => console.warn(JSON.stringify({ level: 'WARN', message, ...fields })),
  };
};
