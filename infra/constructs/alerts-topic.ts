import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledgeFinding } from '../nag.js';

export type Severity = 'critical' | 'warning';

/** Message attribute every alert carries; SMS subscriptions filter on it. */
export const SEVERITY_ATTRIBUTE = 'severity';

export interface AlertsTopicProps {
  readonly namePrefix: string;
  readonly emails: readonly string[];
  /** E.164 numbers; they receive only `severity = critical` messages (SMS costs and wakes people). */
  readonly smsNumbers: readonly string[];
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
    // CloudWatch alarms that watch Rebound itself publish straight to the topic.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    this.topic = new sns.Topic(this, 'Topic', {
      topicName: `${props.namePrefix}-alerts`,
      displayName: 'Rebound alerts',
      masterKey: this.key,
      enforceSSL: true,
    });

    // SNS delivers undeliverable messages to the dead-letter queue, encrypted with the topic key.
    this.key.grantEncryptDecrypt(new iam.ServicePrincipal('sns.amazonaws.com'));
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      queueName: `${props.namePrefix}-alerts-dlq`,
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledgeFinding(
      this.deadLetterQueue,
      'Serverless-SQSRedrivePolicy',
      'This queue is the dead-letter queue of the alert subscriptions; its messages are kept 14 days and alarmed on (alerts-dead-letters), not consumed.',
    );
    acknowledgeFinding(
      this.deadLetterQueue,
      'AwsSolutions-SQS3',
      'The rule only recognises dead-letter queues named in an SQS redrive policy; this one is the RedrivePolicy target of the SNS subscriptions.',
    );
    this.deadLettersAlarm = new cloudwatch.Alarm(this, 'DeadLettersAlarm', {
      alarmName: `${props.namePrefix}-alerts-dead-letters`,
      alarmDescription:
        '[critical] SNS could not deliver an alert to a subscriber (email bounced, SMS refused or over the spend limit): read the alerts dead-letter queue.',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.deadLettersAlarm.addAlarmAction(new cloudwatchActions.SnsAction(this.topic));

    const deadLetterQueue = this.deadLetterQueue;
    for (const email of props.emails) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(email, { deadLetterQueue }));
    }
    const criticalOnly = {
      [SEVERITY_ATTRIBUTE]: sns.SubscriptionFilter.stringFilter({ allowlist: ['critical'] }),
    };
    // sns.Subscription directly: SmsSubscription drops the dead-letter queue.
    for (const number of props.smsNumbers) {
      new sns.Subscription(this, `Sms${number}`, {
        topic: this.topic,
        protocol: sns.SubscriptionProtocol.SMS,
        endpoint: number,
        filterPolicy: criticalOnly,
        deadLetterQueue,
      });
    }
  }
}
