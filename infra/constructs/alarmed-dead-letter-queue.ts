import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledgeFinding } from '../nag.js';

export interface AlarmedDeadLetterQueueProps {
  readonly queueName: string;
  /** Customer managed key the queue is encrypted with. */
  readonly key: kms.IKey;
  /** Who loses the messages that land here, for the alarm text ("alarm notifications"). */
  readonly whatIsLost: string;
  readonly alarmName: string;
  /** The alarm publishes straight to this topic, bypassing whatever failed. */
  readonly alarmTopic: sns.ITopic;
}

/**
 * An encrypted SQS dead-letter queue that keeps what could not be delivered for 14 days and
 * raises a critical alarm as soon as anything lands in it: nothing is lost, nothing is silent.
 */
export class AlarmedDeadLetterQueue extends Construct {
  public readonly queue: sqs.Queue;
  public readonly alarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: AlarmedDeadLetterQueueProps) {
    super(scope, id);
    this.queue = new sqs.Queue(this, 'Queue', {
      queueName: props.queueName,
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledgeFinding(
      this.queue,
      'Serverless-SQSRedrivePolicy',
      `${props.queueName} is itself a dead-letter queue: nobody consumes it, its messages are kept 14 days and alarmed on (${props.alarmName}).`,
    );

    this.alarm = new cloudwatch.Alarm(this, 'Alarm', {
      alarmName: props.alarmName,
      alarmDescription: `[critical] ${props.whatIsLost} could not be delivered: read the dead-letter queue ${props.queueName}.`,
      metric: this.queue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.alarm.addAlarmAction(new cloudwatchActions.SnsAction(props.alarmTopic));
  }
}

/** Lets an AWS service (same account only) encrypt with a key, e.g. to write to a queue or topic. */
export function allowServiceToUseKey(key: kms.IKey, service: string, sid: string): void {
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid,
      principals: [new iam.ServicePrincipal(service)],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(key).account } },
    }),
  );
}
