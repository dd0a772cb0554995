import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SnsAlertPublisher } from '../../functions/lib/aws/sns-alert-publisher.js';
import type { Alert } from '../../functions/lib/core/alert.js';
import { PAGE_ATTRIBUTE, SEVERITY_ATTRIBUTE } from '../../functions/lib/severity.js';

const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:rebound-prod-alerts';

const snsMock = mockClient(SNSClient);

const alert = (overrides: Partial<Alert> = {}): Alert => ({
  severity: 'critical',
  kind: 'incident-opened',
  incidentId: 'inc-20261126T0304-ab12cd34',
  subject: '[CRITICAL] rebound-prod-db: Multi-AZ failover started (inc-20261126T0304-ab12cd34)',
  email: 'CRITICAL - NEW INCIDENT\n\nWHAT HAPPENED\n  Multi-AZ failover started\n',
  sms: 'CRIT rebound-prod-db Multi-AZ failover started. inc-20261126T0304-ab12cd34',
  ...overrides,
});

/** The one PublishCommand input the mock received, with its JSON message parsed. */
const published = () => {
  const calls = snsMock.commandCalls(PublishCommand);
  expect(calls).toHaveLength(1);
  const input = calls[0]?.args[0].input;
  return { input, message: JSON.parse(input?.Message ?? 'null') as Record<string, string> };
};

beforeEach(() => {
  snsMock.reset();
});

describe('SnsAlertPublisher', () => {
  it('publishes email and SMS texts with severity, page, incident and kind attributes', async () => {
    // Prepare
    snsMock.on(PublishCommand).resolves({ MessageId: 'message-1' });
    const publisher = new SnsAlertPublisher(new SNSClient({}), TOPIC_ARN);

    // Act
    const messageId = await publisher.publish(alert());

    // Assess
    expect(messageId).toBe('message-1');
    const { input, message } = published();
    expect(input).toMatchObject({
      TopicArn: TOPIC_ARN,
      Subject: alert().subject,
      MessageStructure: 'json',
      MessageAttributes: {
        [SEVERITY_ATTRIBUTE]: { DataType: 'String', StringValue: 'critical' },
        [PAGE_ATTRIBUTE]: { DataType: 'String', StringValue: 'yes' },
        incidentId: { DataType: 'String', StringValue: 'inc-20261126T0304-ab12cd34' },
        kind: { DataType: 'String', StringValue: 'incident-opened' },
      },
    });
    expect(message).toEqual({ default: alert().email, email: alert().email, sms: alert().sms });
  });

  it('keeps a critical alert without SMS text off phones: no sms key and page=no', async () => {
    // Prepare
    snsMock.on(PublishCommand).resolves({ MessageId: 'message-2' });
    const publisher = new SnsAlertPublisher(new SNSClient({}), TOPIC_ARN);

    // Act
    await publisher.publish(alert({ sms: null, kind: 'incident-update' }));

    // Assess
    const { input, message } = published();
    expect(Object.keys(message).sort()).toEqual(['default', 'email']);
    expect(input?.MessageAttributes?.[PAGE_ATTRIBUTE]?.StringValue).toBe('no');
    expect(input?.MessageAttributes?.[SEVERITY_ATTRIBUTE]?.StringValue).toBe('critical');
  });

  it('throws when SNS fails, so the caller retries', async () => {
    // Prepare
    snsMock.on(PublishCommand).rejects(new Error('Throttling: Rate exceeded'));
    const publisher = new SnsAlertPublisher(new SNSClient({}), TOPIC_ARN);

    // Act
    const publishing = publisher.publish(alert());

    // Assess
    await expect(publishing).rejects.toThrow('Rate exceeded');
  });
});
