import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { parseAlarmNotification } from './lib/alarm-event.js';
import { renderAlarmMessage } from './lib/alarm-message.js';
import { requireEnv } from './lib/env.js';
import { SEVERITY_ATTRIBUTE } from './lib/severity.js';

/**
 * Interim alarm notifier: turns one CloudWatch "Alarm State Change" event into one SNS message
 * on the alerts topic (email always; SMS only for `severity=critical`, by filter policy).
 *
 * Input (EventBridge input transformer): `{"severity": "critical" | "warning", "event": <event>}`.
 * Bad input is logged and dropped (it would never become valid on retry); a failed publish
 * throws, so Lambda's async retries and the DLQ keep the alert.
 */

const topicArn = requireEnv('ALERTS_TOPIC_ARN');
const sns = new SNSClient({});

export type AlarmNotifierResult =
  | { readonly status: 'published'; readonly messageId: string | undefined }
  | { readonly status: 'ignored'; readonly reason: string };

const log = (
  level: 'INFO' | 'WARN' | 'ERROR',
  message: string,
  fields: Record<string, unknown>,
) => {
  const line = JSON.stringify({ level, message, ...fields });
  if (level === 'ERROR') console.error(line);
  else if (level === 'WARN') console.warn(line);
  else console.info(line);
};

export const handler = async (input: unknown): Promise<AlarmNotifierResult> => {
  const parsed = parseAlarmNotification(input);
  if (!parsed.ok) {
    log('WARN', 'alarm-notifier ignored its input', { reason: parsed.reason });
    return { status: 'ignored', reason: parsed.reason };
  }

  const { event } = parsed.value;
  const message = renderAlarmMessage(parsed.value);
  const context = {
    eventId: event.id,
    alarmName: event.detail.alarmName,
    state: event.detail.state.value,
    previousState: event.detail.previousState?.value,
    severity: message.severity,
  };

  try {
    const output = await sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Subject: message.subject,
        MessageStructure: 'json',
        Message: JSON.stringify({ default: message.email, email: message.email, sms: message.sms }),
        MessageAttributes: {
          [SEVERITY_ATTRIBUTE]: { DataType: 'String', StringValue: message.severity },
          kind: { DataType: 'String', StringValue: 'alarm' },
        },
      }),
    );
    log('INFO', 'alarm-notifier published the alarm notification', {
      ...context,
      messageId: output.MessageId,
    });
    return { status: 'published', messageId: output.MessageId };
  } catch (error) {
    log('ERROR', 'alarm-notifier failed to publish; rethrowing so Lambda retries', {
      ...context,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
    throw error;
  }
};
