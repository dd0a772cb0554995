import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { NatGateways } from '../config.js';
import { acknowledgeFinding } from '../nag.js';

export interface NetworkProps {
  /** Resource name prefix, `rebound-<stage>`. */
  readonly namePrefix: string;
  /** The three AZs, given explicitly so synth needs no AWS lookup. */
  readonly availabilityZones: readonly string[];
  /** 3 = one NAT gateway per AZ (no cross-AZ dependency); 1 = a cheap dev stage. */
  readonly natGateways: NatGateways;
  /** @default RemovalPolicy.DESTROY */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * VPC over three AZs: public subnets (ALB, NAT), private subnets with egress (web tier),
 * isolated subnets (RDS, cache). Flow logs, an S3 gateway endpoint and the SSM interface
 * endpoints so instances stay manageable through Session Manager even without NAT.
 */
export class Network extends Construct {
  public readonly vpc: ec2.Vpc;
  /** `rebound-<stage>-vpc`, the VPC's Name tag. */
  public readonly vpcName: string;
  public readonly flowLogGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);

    this.vpcName = `${props.namePrefix}-vpc`;
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      vpcName: this.vpcName,
      ipAddresses: ec2.IpAddresses.cidr('10.40.0.0/16'),
      availabilityZones: [...props.availabilityZones],
      natGateways: props.natGateways,
      restrictDefaultSecurityGroup: true,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'app', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
        { name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
      gatewayEndpoints: {
        S3: { service: ec2.GatewayVpcEndpointAwsService.S3 },
      },
    });

    this.flowLogGroup = new logs.LogGroup(this, 'FlowLogs', {
      logGroupName: `/${props.namePrefix}/vpc-flow-logs`,
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(this.flowLogGroup),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });

    // Session Manager needs these three; with them an instance is reachable with no NAT at all.
    const ssmEndpoints = {
      Ssm: ec2.InterfaceVpcEndpointAwsService.SSM,
      SsmMessages: ec2.InterfaceVpcEndpointAwsService.SSM_MESSAGES,
      Ec2Messages: ec2.InterfaceVpcEndpointAwsService.EC2_MESSAGES,
    };
    for (const [name, service] of Object.entries(ssmEndpoints)) {
      const endpoint = this.vpc.addInterfaceEndpoint(name, {
        service,
        privateDnsEnabled: true,
        subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      });
      acknowledgeFinding(
        endpoint,
        'AwsSolutions-EC23',
        'The rule cannot evaluate the ingress CIDR, a token for the VPC CIDR (10.40.0.0/16): the endpoint admits HTTPS from inside the VPC only, never 0.0.0.0/0.',
      );
    }
  }
}
