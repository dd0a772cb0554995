import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SNSClient } from '@aws-sdk/client-sns';
import { createDocumentClient } from './lib/aws/dynamodb-documents.js';
import { DynamoDbIncidentStore } from './lib/aws/dynamodb-incident-store.js';
import { recoveryTimerFromEnv } from './lib/aws/recovery-timer-from-env.js';
import { SnsAlertPublisher } from './lib/aws/sns-alert-publisher.js';
import { renderRunbookOutcomeAlert } from './lib/core/alerts/runbook-outcome-alert.js';
import { systemClock } from './lib/core/ports.js';
import { requireEnv } from './lib/env.js';
import { RECOVERY_CHECK_ENVIRONMENT, REPORT_ENVIRONMENT } from './lib/environments.js';
import { createLogger } from './lib/logger.js';
import { parseReportEvent } from './lib/runbook/events.js';
import { type ReportResult, reportRunbookOutcome } from './lib/runbook/report-outcome.js';

/**
 * Report and Escalate tasks of every runbook: records how the run ended on its incident and
 * announces it (a failure pages); an incident the run leaves open gets its recovery check. Throws when it cannot: the state machine then escalates, or
 * (from Escalate itself) fails, which triage hears as a runbook failure.
 */

const logger = createLogger('rebound-runbook-report');
const env = REPORT_ENVIRONMENT.read();
const region = requireEnv('AWS_REGION');
const documents = createDocumentClient();
const deps = {
  incidents: new DynamoDbIncidentStore(documents, env.INCIDENTS_TABLE),
  alerts: new SnsAlertPublisher(new SNSClient({}), env.ALERTS_TOPIC_ARN),
  render: (input: Parameters<typeof renderRunbookOutcomeAlert>[0]) =>
    renderRunbookOutcomeAlert(input, region, { guardrailPath: env.GUARDRAILS_PATH }),
  clock: systemClock,
  timer: recoveryTimerFromEnv(new SchedulerClient({}), RECOVERY_CHECK_ENVIRONMENT.read()),
};

export const handler = async (event: unknown): Promise<ReportResult> => {
  const result = await reportRunbookOutcome(parseReportEvent(event), deps);
  logger.info('runbook outcome reported', { ...result });
  return result;
};
