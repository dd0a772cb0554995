import { Fn, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledgeFinding } from '../nag.js';

export interface AvailabilityZoneIdsProps {
  /** The shop's AZ names, as configured. */
  readonly availabilityZones: readonly string[];
}

/**
 * The account's AZ IDs of the shop's AZs, looked up at deploy: one ec2:DescribeAvailabilityZones
 * (ZoneNames = the shop's AZs) through CDK's AwsCustomResource, so no Lambda loads the EC2 client
 * to ask at run time. {@link value} is `AVAILABILITY_ZONE_IDS` (functions/lib/az-ids.ts):
 * `<ZoneId>=<ZoneName>,…`, one pair per AZ. A name the account does not know fails the deploy
 * (EC2 answers InvalidParameterValue).
 */
export class AvailabilityZoneIds extends Construct {
  /** `use1-az2=us-east-1a,…` (a token resolved at deploy). */
  public readonly value: string;

  constructor(scope: Construct, id: string, props: AvailabilityZoneIdsProps) {
    super(scope, id);
    const zones = props.availabilityZones;
    // Members and output paths as the SDK for JavaScript v3 names them (botocore ec2
    // service-2.json: DescribeAvailabilityZonesRequest.ZoneNames, AvailabilityZone.ZoneId/ZoneName).
    const outputPaths = zones.flatMap((_, index) => [
      `AvailabilityZones.${index}.ZoneId`,
      `AvailabilityZones.${index}.ZoneName`,
    ]);
    const call: cr.AwsSdkCall = {
      service: 'EC2',
      action: 'describeAvailabilityZones',
      parameters: { ZoneNames: [...zones] },
      outputPaths,
      // The same zones always map to the same IDs: look up again only when the zones change.
      physicalResourceId: cr.PhysicalResourceId.of(`availability-zone-ids:${zones.join(',')}`),
    };
    const lookup = new cr.AwsCustomResource(this, 'Lookup', {
      onCreate: call,
      onUpdate: call,
      installLatestAwsSdk: false,
      memorySize: 256,
      // DescribeAvailabilityZones supports no resource-level permissions.
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({
          actions: ['ec2:DescribeAvailabilityZones'],
          resources: ['*'],
        }),
      ]),
    });
    acknowledgeFinding(
      lookup,
      'AwsSolutions-IAM5[Resource::*]',
      'ec2:DescribeAvailabilityZones supports no resource-level permissions; read-only.',
    );
    // CDK's singleton provider Lambda of every AwsCustomResource in the stack.
    const provider = Stack.of(this).node.findChild(
      `AWS${cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`,
    );
    acknowledgeFinding(
      provider,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      "CDK's AwsCustomResource provider: the managed policy lets it write its logs and nothing else; it runs only during deploys.",
    );
    acknowledgeFinding(
      provider,
      'Serverless-LambdaDLQ',
      'CloudFormation invokes the custom resource provider synchronously: a failure fails the deploy, nothing is left to dead-letter.',
    );
    acknowledgeFinding(
      provider,
      'Serverless-LambdaTracing',
      'One DescribeAvailabilityZones call per deploy: its outcome is in the CloudFormation events and the provider logs.',
    );
    this.value = Fn.join(
      ',',
      zones.map((_, index) =>
        Fn.join('=', [
          lookup.getResponseField(`AvailabilityZones.${index}.ZoneId`),
          lookup.getResponseField(`AvailabilityZones.${index}.ZoneName`),
        ]),
      ),
    );
  }
}
