import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { incidentItemKey } from '../../functions/lib/aws/incident-table.js';
import { anIncident } from './support/signals.js';

/**
 * functions/runbook-report.ts as deployed: a run that ends and leaves its incident open
 * schedules its recovery check with EventBridge Scheduler, in the group, against triage, with
 * the role and dead-letter queue its environment names.
 */

const TABLE = 'rebound-test-incidents';
const GROUP = 'rebound-test-recovery-checks';
const TRIAGE = 'arn:aws:lambda:us-east-1:123456789012:function:rebound-test-triage';
const ROLE = 'arn:aws:iam::123456789012:role/rebound-test-recovery-checks';
const DLQ = 'arn:aws:sqs:us-east-1:123456789012:rebound-test-triage-dlq';
const incident = anIncident({ status: 'mitigating' });
const EXECUTION = {
  id: 'arn:aws:states:us-east-1:123456789012:execution:rebound-test-replace-unhealthy-instance:run-1',
  name: 'run-1',
};

const documents = mockClient(DynamoDBDocumentClient);
const sns = mockClient(SNSClient);
const scheduler = mockClient(SchedulerClient);

const load = async () => {
  vi.resetModules();
  vi.useFakeTimers({ now: new Date('2026-11-26T03:20:00Z'), toFake: ['Date'] });
  for (const [name, value] of Object.entries({
    AWS_REGION: 'us-east-1',
    INCIDENTS_TABLE: TABLE,
    ALERTS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:rebound-test-alerts',
    GUARDRAILS_PATH: '/rebound/test/guardrails',
    RECOVERY_CHECK_GROUP: GROUP,
    RECOVERY_CHECK_FUNCTION_ARN: TRIAGE,
    RECOVERY_CHECK_ROLE_ARN: ROLE,
    RECOVERY_CHECK_DLQ_ARN: DLQ,
  })) {
    vi.stubEnv(name, value);
  }
  return (await import('../../functions/runbook-report.js')).handler;
};

const report = (outcome: string) => ({
  runbook: 'replace-unhealthy-instance',
  outcome,
  target: { type: 'ec2-instance', id: 'i-0aaa' },
  detail: `run ended ${outcome}`,
  state: { guardrail: { incidentId: incident.id } },
  execution: EXECUTION,
});

describe('runbook-report handler', () => {
  beforeEach(() => {
    documents.reset();
    sns.reset();
    scheduler.reset();
    documents
      .on(GetCommand, { Key: { pk: incidentItemKey(incident.id) } })
      .resolves({ Item: { pk: incidentItemKey(incident.id), incident, version: 1, active: true } });
    documents.on(TransactWriteCommand).resolves({});
    sns.on(PublishCommand).resolves({ MessageId: 'message-1' });
    scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:schedule' });
    return () => {
      vi.unstubAllEnvs();
      vi.useRealTimers();
    };
  });

  it('schedules the check of an incident a skipped run leaves open, 30 minutes on', async () => {
    // Prepare
    const handler = await load();

    // Act
    const result = await handler(report('skipped'));

    // Assess
    expect(result.incidentStatus).toBe('mitigating');
    expect(scheduler).toHaveReceivedCommandTimes(CreateScheduleCommand, 1);
    expect(scheduler).toHaveReceivedCommandWith(CreateScheduleCommand, {
      Name: expect.stringMatching(new RegExp(`^${incident.id}-[0-9a-f]{8}$`)),
      GroupName: GROUP,
      ScheduleExpression: 'at(2026-11-26T03:50:00)',
      ActionAfterCompletion: 'DELETE',
      Target: expect.objectContaining({
        Arn: TRIAGE,
        RoleArn: ROLE,
        DeadLetterConfig: { Arn: DLQ },
      }),
    });
    const input = JSON.parse(
      scheduler.commandCalls(CreateScheduleCommand)[0]?.args[0].input.Target?.Input ?? '{}',
    );
    expect(input).toMatchObject({
      source: 'rebound.recovery-check',
      detail: {
        incidentId: incident.id,
        partKey: incident.parts[0]?.key,
        dueAt: '2026-11-26T03:50:00.000Z',
      },
    });
  });

  it('schedules nothing when the run succeeded and resolved the incident', async () => {
    // Prepare
    const handler = await load();

    // Act
    const result = await handler(report('succeeded'));

    // Assess
    expect(result.incidentStatus).toBe('resolved');
    expect(scheduler).not.toHaveReceivedCommand(CreateScheduleCommand);
  });
});
