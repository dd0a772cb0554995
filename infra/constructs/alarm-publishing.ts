import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';

/**
 * Lets this account's CloudWatch alarms named `alarmNames` (exact names or `*` patterns) publish
 * to an encrypted topic. A topic policy (`enforceSSL` writes one) replaces SNS's default policy,
 * so without an Allow for `cloudwatch.amazonaws.com` the alarm actions fail; and CloudWatch must
 * be able to use the topic's key. Both statements are conditioned on `aws:SourceAccount` and the
 * alarms' ARNs (`aws:SourceArn`), against the confused deputy:
 * https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html
 */
export function allowAlarmsToPublish(
  topic: sns.Topic,
  key: kms.IKey,
  alarmNames: readonly string[],
): void {
  const stack = Stack.of(topic);
  const principal = new iam.ServicePrincipal('cloudwatch.amazonaws.com');
  const conditions = {
    StringEquals: { 'aws:SourceAccount': stack.account },
    ArnLike: { 'aws:SourceArn': alarmNames.map((name) => alarmArn(stack, name)) },
  };
  topic.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'CloudWatchAlarmsPublish',
      principals: [principal],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions,
    }),
  );
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'CloudWatchAlarmsUseKey',
      principals: [principal],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions,
    }),
  );
}

/** `arn:<partition>:cloudwatch:<region>:<account>:alarm:<name>` of an alarm of this stack's env. */
export const alarmArn = (stack: Stack, name: string): string =>
  stack.formatArn({
    service: 'cloudwatch',
    resource: 'alarm',
    resourceName: name,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
