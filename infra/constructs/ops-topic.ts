import { RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { allowAlarmsToPublish } from './alarm-publishing.js';

export interface OpsTopicProps {
  readonly namePrefix: string;
}

export interface OpsRecipients {
  readonly emails: readonly string[];
  /** E.164 numbers: every message pages (no filter policy). */
  readonly smsNumbers: readonly string[];
  /** Where SNS puts what it could not deliver to a recipient. */
  readonly deadLetterQueue: sqs.IQueue;
}

/**
 * The path of Rebound's own health: `<namePrefix>-ops`, where the alarms on the control plane
 * and on the alerting path publish. CloudWatch alarm notifications carry no message attributes,
 * so the alerts topic's SMS filter (`severity=critical`, `page=yes`) would drop every one of
 * them; here email and SMS are unfiltered, and a broken alerts topic is itself paged.
 */
export class OpsTopic extends Construct {
  public readonly topic: sns.Topic;
  public readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: OpsTopicProps) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      alias: `alias/${props.namePrefix}-ops`,
      description: 'Rebound ops topic (health of Rebound itself)',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.topic = new sns.Topic(this, 'Topic', {
      topicName: `${props.namePrefix}-ops`,
      displayName: 'Rebound ops',
      masterKey: this.key,
      enforceSSL: true,
    });
    // Only Rebound's own alarms (both stacks name theirs `<namePrefix>-…`).
    allowAlarmsToPublish(this.topic, this.key, [`${props.namePrefix}-*`]);
  }

  /** Every recipient gets every message: health alarms are rare and each one needs a person. */
  addRecipients({ emails, smsNumbers, deadLetterQueue }: OpsRecipients): void {
    for (const email of emails) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(email, { deadLetterQueue }));
    }
    // sns.Subscription directly: SmsSubscription drops the dead-letter queue.
    for (const number of smsNumbers) {
      new sns.Subscription(this, `Sms${number}`, {
        topic: this.topic,
        protocol: sns.SubscriptionProtocol.SMS,
        endpoint: number,
        deadLetterQueue,
      });
    }
  }
}
