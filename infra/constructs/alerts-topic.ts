import { RemovalPolicy } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { PAGE_ATTRIBUTE, PAGE_VALUES, SEVERITY_ATTRIBUTE } from '../../functions/lib/severity.js';
import { acknowledgeFinding } from '../nag.js';
import { allowAlarmsToPublish } from './alarm-publishing.js';
import { AlarmedDeadLetterQueue, allowServiceToUseKey } from './alarmed-dead-letter-queue.js';

export interface AlertsTopicProps {
  readonly namePrefix: string;
  readonly emails: readonly string[];
  /** E.164 numbers; they receive only `severity = critical` messages (SMS costs and wakes people). */
  readonly smsNumbers: readonly string[];
  /** The alarms (exact names or `*` patterns) that publish to this topic (they email: no page attributes). */
  readonly publishingAlarmNames: readonly string[];
  /** The ops topic: the alarm on undeliverable alerts must not depend on this topic. */
  readonly opsTopic: sns.ITopic;
}

/**
 * The SNS topic people subscribe to: KMS encrypted, an email subscription per address
 * (everything) and an SMS subscription per number (critical only, by filter policy).
 * Messages SNS cannot deliver to a subscriber land in an encrypted dead-letter queue with an
 * alarm, instead of vanishing after SNS's retries.
 */
export class AlertsTopic extends Construct {
  public readonly topic: sns.Topic;
  public readonly key: kms.Key;
  public readonly deadLetterQueue: sqs.Queue;
  public readonly deadLettersAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: AlertsTopicProps) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      alias: `alias/${props.namePrefix}-alerts`,
      description: 'Rebound alerts topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.topic = new sns.Topic(this, 'Topic', {
      topicName: `${props.namePrefix}-alerts`,
      displayName: 'Rebound alerts',
      masterKey: this.key,
      enforceSSL: true,
    });
    allowAlarmsToPublish(this.topic, this.key, props.publishingAlarmNames);

    // SNS delivers undeliverable messages to the dead-letter queue, encrypted with the topic
    // key: for this account's topics only (aws:SourceAccount, the confused-deputy guard).
    allowServiceToUseKey(this.key, 'sns.amazonaws.com', 'SnsDeadLetters');
    const deadLetters = new AlarmedDeadLetterQueue(this, 'DeadLetters', {
      queueName: `${props.namePrefix}-alerts-dlq`,
      key: this.key,
      whatIsLost: 'An alert to a subscriber (email bounced, SMS refused or over the spend limit)',
      alarmName: `${props.namePrefix}-alerts-dead-letters`,
      alarmTopic: props.opsTopic,
    });
    this.deadLetterQueue = deadLetters.queue;
    this.deadLettersAlarm = deadLetters.alarm;
    acknowledgeFinding(
      this.deadLetterQueue,
      'AwsSolutions-SQS3',
      'The rule only recognises dead-letter queues named in an SQS redrive policy; this one is the RedrivePolicy target of the SNS subscriptions.',
    );

    const deadLetterQueue = this.deadLetterQueue;
    for (const email of props.emails) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(email, { deadLetterQueue }));
    }
    // Critical alerts that carry a page: one SMS per incident, not one per update.
    const criticalPagesOnly = {
      [SEVERITY_ATTRIBUTE]: sns.SubscriptionFilter.stringFilter({ allowlist: ['critical'] }),
      [PAGE_ATTRIBUTE]: sns.SubscriptionFilter.stringFilter({ allowlist: [PAGE_VALUES.page] }),
    };
    // sns.Subscription directly: SmsSubscription drops the dead-letter queue.
    for (const number of props.smsNumbers) {
      new sns.Subscription(this, `Sms${number}`, {
        topic: this.topic,
        protocol: sns.SubscriptionProtocol.SMS,
        endpoint: number,
        filterPolicy: criticalPagesOnly,
        deadLetterQueue,
      });
    }
  }
}
