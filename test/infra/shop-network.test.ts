import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  PROD_EU_CONTEXT,
  ref,
  resourcesOf,
  type SynthesizedShop,
  subnetIdsByType,
  subnetRefs,
  synthShop,
} from './synth-shop.js';

interface SubnetProps {
  readonly AvailabilityZone: string;
  readonly MapPublicIpOnLaunch?: boolean;
}
interface RouteProps {
  readonly RouteTableId: { Ref: string };
  readonly DestinationCidrBlock?: string;
  readonly GatewayId?: unknown;
  readonly NatGatewayId?: unknown;
}
interface AssociationProps {
  readonly RouteTableId: { Ref: string };
  readonly SubnetId: { Ref: string };
}

/** The default route (0.0.0.0/0) of every subnet, by subnet logical id: `igw`, `nat` or none. */
function defaultRouteBySubnet({ template }: SynthesizedShop): Record<string, string | undefined> {
  const routeTableOf = new Map(
    resourcesOf<AssociationProps>(template, 'AWS::EC2::SubnetRouteTableAssociation').map(
      ({ props }) => [props.SubnetId.Ref, props.RouteTableId.Ref],
    ),
  );
  const defaultRoutes = resourcesOf<RouteProps>(template, 'AWS::EC2::Route').filter(
    ({ props }) => props.DestinationCidrBlock === '0.0.0.0/0',
  );
  const kindOf = (routeTable: string | undefined) => {
    const route = defaultRoutes.find(({ props }) => props.RouteTableId.Ref === routeTable);
    if (route === undefined) return undefined;
    return route.props.NatGatewayId !== undefined ? 'nat' : 'igw';
  };
  return Object.fromEntries(
    resourcesOf(template, 'AWS::EC2::Subnet').map(({ id }) => [id, kindOf(routeTableOf.get(id))]),
  );
}

describe('shop network', () => {
  let dev: SynthesizedShop;
  let prodEu: SynthesizedShop;
  beforeAll(() => {
    dev = synthShop();
    prodEu = synthShop(PROD_EU_CONTEXT);
  });

  it.each([
    ['us-east-1 (default)', () => dev, ['us-east-1a', 'us-east-1b', 'us-east-1c']],
    ['eu-west-1', () => prodEu, ['eu-west-1a', 'eu-west-1b', 'eu-west-1c']],
  ] as const)(
    'spreads each subnet kind over the three configured AZs in %s',
    (_name, shop, azs) => {
      // Prepare
      const { template, config } = shop();

      // Act
      const subnets = resourcesOf<SubnetProps>(template, 'AWS::EC2::Subnet');
      const idsByType = subnetIdsByType(template);
      const azsOf = (ids: readonly string[] = []) =>
        ids.map((id) => subnets.find((subnet) => subnet.id === id)?.props.AvailabilityZone).sort();

      // Assess
      expect(config.availabilityZones).toEqual(azs);
      expect(subnets).toHaveLength(9);
      expect(Object.keys(idsByType).sort()).toEqual(['Isolated', 'Private', 'Public']);
      for (const type of ['Public', 'Private', 'Isolated']) {
        expect(azsOf(idsByType[type]), `${type} subnets`).toEqual([...azs]);
      }
    },
  );

  it('routes public subnets to the internet gateway, private ones to NAT, isolated ones nowhere', () => {
    // Prepare
    const { template } = dev;

    // Act
    const routes = defaultRouteBySubnet(dev);
    const idsByType = subnetIdsByType(template);
    const publicIp = Object.fromEntries(
      resourcesOf<SubnetProps>(template, 'AWS::EC2::Subnet').map(({ id, props }) => [
        id,
        props.MapPublicIpOnLaunch ?? false,
      ]),
    );

    // Assess
    for (const id of idsByType.Public ?? []) {
      expect(routes[id], id).toBe('igw');
      expect(publicIp[id], id).toBe(true);
    }
    for (const id of idsByType.Private ?? []) {
      expect(routes[id], id).toBe('nat');
      expect(publicIp[id], id).toBe(false);
    }
    for (const id of idsByType.Isolated ?? []) {
      expect(routes[id], id).toBeUndefined();
      expect(publicIp[id], id).toBe(false);
    }
  });

  it('gives each AZ its own NAT gateway by default', () => {
    // Prepare
    const { template } = dev;

    // Act
    const natGateways = resourcesOf<{ SubnetId: { Ref: string } }>(
      template,
      'AWS::EC2::NatGateway',
    );

    // Assess: three, one in each public subnet.
    expect(natGateways).toHaveLength(3);
    expect(natGateways.map(({ props }) => props.SubnetId).sort(byRef)).toEqual(
      subnetRefs(template, 'Public').sort(byRef),
    );
  });

  it('shares one NAT gateway between the three private subnets with natGateways=1', () => {
    // Prepare
    const { template, config } = prodEu;

    // Act
    const natGateways = resourcesOf(template, 'AWS::EC2::NatGateway');
    const natRoutes = resourcesOf<RouteProps>(template, 'AWS::EC2::Route').filter(
      ({ props }) => props.NatGatewayId !== undefined,
    );

    // Assess
    expect(config.natGateways).toBe(1);
    expect(natGateways).toHaveLength(1);
    expect(natRoutes).toHaveLength(3);
    for (const { props } of natRoutes) {
      expect(props.NatGatewayId).toEqual(ref(natGateways[0]?.id ?? 'the NAT gateway'));
    }
  });

  it('logs all VPC traffic to CloudWatch Logs', () => {
    // Prepare
    const { template } = dev;
    const [vpc] = resourcesOf(template, 'AWS::EC2::VPC');

    // Act
    const flowLogs = resourcesOf(template, 'AWS::EC2::FlowLog');

    // Assess
    expect(flowLogs).toHaveLength(1);
    expect(flowLogs[0]?.props).toMatchObject({
      ResourceType: 'VPC',
      ResourceId: ref(vpc?.id ?? 'the VPC'),
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
      LogGroupName: { Ref: expect.any(String) },
    });
  });

  it('has an S3 gateway endpoint on every route table', () => {
    // Prepare
    const { template } = dev;
    const routeTables = resourcesOf(template, 'AWS::EC2::RouteTable').map(({ id }) => ref(id));

    // Act
    const gateways = resourcesOf<{ ServiceName: unknown; RouteTableIds: { Ref: string }[] }>(
      template,
      'AWS::EC2::VPCEndpoint',
      { VpcEndpointType: 'Gateway' },
    );

    // Assess
    expect(gateways).toHaveLength(1);
    expect(gateways[0]?.props.ServiceName).toEqual({
      'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.s3']],
    });
    expect([...(gateways[0]?.props.RouteTableIds ?? [])].sort(byRef)).toEqual(
      routeTables.sort(byRef),
    );
  });

  it.each([
    ['us-east-1', () => dev],
    ['eu-west-1', () => prodEu],
  ] as const)(
    'reaches SSM, SSM messages and EC2 messages through private interface endpoints in %s',
    (region, shop) => {
      // Prepare
      const { template } = shop();

      // Act
      const interfaces = resourcesOf<{ ServiceName: string; SubnetIds: unknown[] }>(
        template,
        'AWS::EC2::VPCEndpoint',
        { VpcEndpointType: 'Interface', PrivateDnsEnabled: true },
      );

      // Assess
      expect(interfaces.map(({ props }) => props.ServiceName).sort()).toEqual([
        `com.amazonaws.${region}.ec2messages`,
        `com.amazonaws.${region}.ssm`,
        `com.amazonaws.${region}.ssmmessages`,
      ]);
      for (const { props } of interfaces) {
        expect(props.SubnetIds).toEqual(subnetRefs(template, 'Private'));
      }
      template.resourceCountIs('AWS::EC2::VPCEndpoint', 4);
      template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
        VpcEndpointType: 'Interface',
        SecurityGroupIds: Match.anyValue(),
      });
    },
  );
});

function byRef(a: { Ref: string }, b: { Ref: string }): number {
  return a.Ref.localeCompare(b.Ref);
}
