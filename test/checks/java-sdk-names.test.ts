import { beforeAll, describe, expect, it } from 'vitest';
import {
  BOTOCORE_INSTALL_HINT,
  BotocoreMissingError,
  BotocoreModels,
  botocoreDataDir,
} from '../../sandbox/checks/botocore-models.js';
import {
  javaExceptionName,
  javaServiceName,
  stepFunctionsActionName,
  stepFunctionsFieldName,
} from '../../sandbox/checks/java-sdk-names.js';

// Step Functions' own examples: https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html
// (PascalCase parameters, camelCase actions, `EqualsValue`, `AcmPca.ResourceNotFoundException`,
// `S3.BucketAlreadyExistsException`, the "Exception prefix" column of the services table).

describe('Step Functions field names (the AWS SDK for Java 2.x member names)', () => {
  it.each([
    ['DBInstanceIdentifier', 'DbInstanceIdentifier'], // RDS, AWS-FACTS.md
    ['DBInstanceStatus', 'DbInstanceStatus'],
    ['StateMachineArn', 'StateMachineArn'], // the guide's startSyncExecution example
    ['resourceIdentifier', 'ResourceIdentifier'], // ARC's camelCase members
    ['VPCZoneIdentifier', 'VpcZoneIdentifier'],
    ['ServiceLinkedRoleARN', 'ServiceLinkedRoleARN'], // only a leading acronym is folded
    ['ARN', 'Arn'],
    ['Equals', 'EqualsValue'], // the guide: "the API field Equals will be called EqualsValue"
    ['NULL', 'NullValue'], // a Java keyword
    ['BOOL', 'Bool'],
    ['Filters', 'Filters'], // EC2's Filter.N: the member name, not its locationName
  ])('%s → %s', (member, field) => {
    // Act
    const name = stepFunctionsFieldName(member);
    // Assess
    expect(name).toBe(field);
  });
});

describe('Step Functions error names (<Service>.<Java exception class>)', () => {
  it.each([
    ['DBInstanceNotFoundFault', 'DbInstanceNotFoundException'], // AWS-FACTS.md
    ['APICallRateForCustomerExceededFault', 'ApiCallRateForCustomerExceededException'],
    ['ResourceNotFoundException', 'ResourceNotFoundException'], // the guide's AcmPca example
    ['BucketAlreadyExists', 'BucketAlreadyExistsException'], // the guide's S3 example
    ['ScalingActivityInProgressFault', 'ScalingActivityInProgressException'],
  ])('%s → %s', (shape, error) => {
    // Act
    const name = javaExceptionName(shape);
    // Assess
    expect(name).toBe(error);
  });

  it('names actions in camelCase as the Task resource does', () => {
    // Act
    const actions = ['RebootDBInstance', 'DescribeDBInstances', 'StartSyncExecution'].map(
      stepFunctionsActionName,
    );
    // Assess
    expect(actions).toEqual(['rebootDBInstance', 'describeDBInstances', 'startSyncExecution']);
  });
});

describe('service names and error prefixes, from botocore serviceIds', () => {
  let models: BotocoreModels;
  beforeAll(() => {
    models = new BotocoreModels(botocoreDataDir());
  });

  // The Task resource's service and the documented exception prefix, as the guide's table lists
  // them; arczonalshift and scheduler are newer than that table and follow the same rule.
  it.each([
    ['rds', 'Rds'],
    ['elasticache', 'ElastiCache'],
    ['cloudwatch', 'CloudWatch'],
    ['elasticloadbalancingv2', 'ElasticLoadBalancingV2'],
    ['dynamodb', 'DynamoDb'],
    ['acmpca', 'AcmPca'],
    ['sfn', 'Sfn'],
    ['cloudwatchlogs', 'CloudWatchLogs'],
    ['databasemigration', 'DatabaseMigration'],
    ['costandusagereport', 'CostAndUsageReport'],
    ['autoscaling', 'AutoScaling'],
    ['arczonalshift', 'ArcZonalShift'],
    ['scheduler', 'Scheduler'],
  ])('aws-sdk:%s raises %s.* errors', (service, prefix) => {
    // Act
    const model = models.model(service);
    // Assess
    expect(model, `no botocore model for ${service}`).toBeDefined();
    expect(javaServiceName(model?.metadata.serviceId ?? '')).toBe(prefix);
  });

  it('knows no service Step Functions does not name', () => {
    // Act
    const model = models.model('relationaldatabase');
    // Assess
    expect(model).toBeUndefined();
  });
});

describe('botocore on the machine', () => {
  it('says in one line how to install botocore when python3 cannot import it', () => {
    // Act
    const find = () => botocoreDataDir('python3-that-is-not-installed');
    // Assess
    expect(find).toThrow(BotocoreMissingError);
    expect(find).toThrow(BOTOCORE_INSTALL_HINT);
    expect(BOTOCORE_INSTALL_HINT).toContain('pip install botocore');
    expect(BOTOCORE_INSTALL_HINT).not.toContain('\n');
  });
});
