import { type MessageAttributeValue, PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Alert } from '../core/alert.js';
import type { AlertPublisher } from '../core/ports.js';
import { PAGE_ATTRIBUTE, PAGE_VALUES, SEVERITY_ATTRIBUTE } from '../severity.js';

// SMS subscriptions filter on `{ severity: ['critical'], page: ['yes'] }`: a critical update
// without an SMS text would otherwise reach phones as the whole email (SNS falls back to the
// `default` text for protocols without their own key).
export const INCIDENT_ID_ATTRIBUTE = 'incidentId';
export const KIND_ATTRIBUTE = 'kind';

const text = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value });

/** Publishes alerts to the alerts topic; a failed publish throws so that the caller retries. */
export class SnsAlertPublisher implements AlertPublisher {
  readonly #client: SNSClient;
  readonly #topicArn: string;

  constructor(client: SNSClient, topicArn: string) {
    this.#client = client;
    this.#topicArn = topicArn;
  }

  async publish(alert: Alert): Promise<string | undefined> {
    const message = {
      default: alert.email,
      email: alert.email,
      ...(alert.sms === null ? {} : { sms: alert.sms }),
    };
    const output = await this.#client.send(
      new PublishCommand({
        TopicArn: this.#topicArn,
        Subject: alert.subject,
        MessageStructure: 'json',
        Message: JSON.stringify(message),
        MessageAttributes: {
          [SEVERITY_ATTRIBUTE]: text(alert.severity),
          [PAGE_ATTRIBUTE]: text(alert.sms === null ? PAGE_VALUES.noPage : PAGE_VALUES.page),
          [INCIDENT_ID_ATTRIBUTE]: text(alert.incidentId),
          [KIND_ATTRIBUTE]: text(alert.kind),
        },
      }),
    );
    return output.MessageId;
  }
}
