import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

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
 */
export class AlertsTopic extends Construct {
  public readonly topic: sns.Topic;
  public readonly key: kms.Key;

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

    for (const email of props.emails) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    }
    const criticalOnly = {
      [SEVERITY_ATTRIBUTE]: sns.SubscriptionFilter.stringFilter({ allowlist: ['critical'] }),
    };
    for (const number of props.smsNumbers) {
      this.topic.addSubscription(
        new subscriptions.SmsSubscription(number, { filterPolicy: criticalOnly }),
      );
    }
  }
}
