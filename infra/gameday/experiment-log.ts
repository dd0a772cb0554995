import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface ExperimentLogProps {
  readonly namePrefix: string;
  readonly protectData: boolean;
}

/**
 * Where every game-day experiment writes its log (actions started and ended, targets resolved,
 * stop conditions): one CloudWatch Logs group, encrypted with its own key, kept a year so one
 * game day can be compared with the next. Under `/aws/vendedlogs/`, the prefix CloudWatch Logs
 * recommends for logs AWS services deliver (their delivery resource policy stays small).
 */
export class ExperimentLog extends Construct {
  public readonly logGroup: logs.LogGroup;
  /** The group's ARN without the `:*` suffix, as FIS's LogConfiguration takes it. */
  public readonly logGroupArn: string;

  constructor(scope: Construct, id: string, props: ExperimentLogProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const logGroupName = `/aws/vendedlogs/fis/${props.namePrefix}-gameday`;
    this.logGroupArn = stack.formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: logGroupName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const key = new kms.Key(this, 'Key', {
      alias: `alias/${props.namePrefix}-gameday-logs`,
      description: 'Rebound game-day experiment logs',
      enableKeyRotation: true,
      removalPolicy: props.protectData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    // CloudWatch Logs encrypts with the key only for this group (CloudWatch Logs User Guide,
    // "Encrypt log data in CloudWatch Logs using AWS KMS": the encryption-context condition).
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: [
          'kms:Encrypt*',
          'kms:Decrypt*',
          'kms:ReEncrypt*',
          'kms:GenerateDataKey*',
          'kms:Describe*',
        ],
        resources: ['*'],
        conditions: { ArnEquals: { 'kms:EncryptionContext:aws:logs:arn': this.logGroupArn } },
      }),
    );
    this.logGroup = new logs.LogGroup(this, 'Group', {
      logGroupName,
      encryptionKey: key,
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: props.protectData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
  }
}
