import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DOMAIN_CONTEXT,
  getAtt,
  onlyResource,
  resourcesOf,
  type SynthesizedShop,
  securityGroupId,
  synthShop,
} from './synth-shop.js';

interface IngressRule {
  readonly CidrIp?: unknown;
  readonly CidrIpv6?: unknown;
  readonly SourcePrefixListId?: unknown;
  readonly SourceSecurityGroupId?: unknown;
  readonly IpProtocol: string;
  readonly FromPort?: unknown;
  readonly ToPort?: unknown;
}

/** An ingress rule with the logical id of the group it opens. */
interface Ingress extends IngressRule {
  readonly group: string;
}

/**
 * Every ingress rule of the template, whether inline in AWS::EC2::SecurityGroup or a separate
 * AWS::EC2::SecurityGroupIngress (CDK uses those between groups and for prefix lists).
 */
function allIngress(template: Template): Ingress[] {
  const inline = resourcesOf<{ SecurityGroupIngress?: IngressRule[] }>(
    template,
    'AWS::EC2::SecurityGroup',
  ).flatMap(({ id, props }) =>
    (props.SecurityGroupIngress ?? []).map((rule) => ({ ...rule, group: id })),
  );
  const separate = resourcesOf<IngressRule & { GroupId: unknown }>(
    template,
    'AWS::EC2::SecurityGroupIngress',
  ).map(({ props }) => {
    const { GroupId, ...rule } = props;
    const group = groupOf(GroupId);
    if (group === undefined)
      throw new Error(`ingress on an unknown group ${JSON.stringify(GroupId)}`);
    return { ...rule, group };
  });
  return [...inline, ...separate];
}

/** The logical id of a `{ Fn::GetAtt: [id, 'GroupId'] }`. */
function groupOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || !('Fn::GetAtt' in value)) return undefined;
  const getAttValue = value['Fn::GetAtt'];
  return Array.isArray(getAttValue) &&
    getAttValue[1] === 'GroupId' &&
    typeof getAttValue[0] === 'string'
    ? getAttValue[0]
    : undefined;
}

/** A rule reduced to who may come in on which ports, for exact comparisons. */
function shape(rule: Ingress) {
  const source =
    rule.CidrIp ?? rule.CidrIpv6 ?? rule.SourcePrefixListId ?? groupOf(rule.SourceSecurityGroupId);
  return { source, protocol: rule.IpProtocol, from: rule.FromPort, to: rule.ToPort };
}

const ingressOf = (template: Template, groupName: string) => {
  const group = securityGroupId(template, groupName);
  return allIngress(template)
    .filter((rule) => rule.group === group)
    .map(shape);
};

describe('shop security groups', () => {
  let dev: SynthesizedShop;
  let withDomain: SynthesizedShop;
  beforeAll(() => {
    dev = synthShop();
    withDomain = synthShop(DOMAIN_CONTEXT);
  });

  it('without a domain, admits only the CloudFront origin-facing prefix list to the ALB, on 80', () => {
    // Prepare
    const { template, config } = dev;

    // Act
    const ingress = ingressOf(template, 'rebound-dev-alb');

    // Assess
    expect(config.cloudFrontPrefixListId).toBe('pl-3b927c52');
    expect(ingress).toEqual([{ source: 'pl-3b927c52', protocol: 'tcp', from: 80, to: 80 }]);
  });

  it('with a domain, opens the ALB to everyone on 443 and 80 only', () => {
    // Prepare
    const { template } = withDomain;

    // Act
    const ingress = ingressOf(template, 'rebound-dev-alb');

    // Assess
    expect(ingress).toHaveLength(2);
    expect(ingress).toEqual(
      expect.arrayContaining([
        { source: '0.0.0.0/0', protocol: 'tcp', from: 443, to: 443 },
        { source: '0.0.0.0/0', protocol: 'tcp', from: 80, to: 80 },
      ]),
    );
  });

  it.each([
    ['without a domain', () => dev],
    ['with a domain', () => withDomain],
  ] as const)('admits only the ALB to the app instances, on 8080, %s', (_name, shop) => {
    // Prepare
    const { template } = shop();
    const alb = securityGroupId(template, 'rebound-dev-alb');

    // Act
    const ingress = ingressOf(template, 'rebound-dev-app');

    // Assess
    expect(ingress).toEqual([{ source: alb, protocol: 'tcp', from: 8080, to: 8080 }]);
  });

  it('admits only the app instances (and the rotation function) to the database, on 5432', () => {
    // Prepare
    const { template } = dev;
    const app = securityGroupId(template, 'rebound-dev-app');
    const rotation = onlyResource<{ Parameters: { vpcSecurityGroupIds: unknown } }>(
      template,
      'AWS::Serverless::Application',
    );
    const rotationGroup = groupOf(rotation.props.Parameters.vpcSecurityGroupIds);
    const primary = onlyResource<{ Port: string }>(template, 'AWS::RDS::DBInstance', {
      MultiAZ: true,
    });

    // Act
    const ingress = ingressOf(template, 'rebound-dev-database');

    // Assess: the secret rotation Lambda connects to rotate the password, on the DB's port.
    expect(primary.props.Port).toBe('5432');
    expect(rotationGroup).toBeDefined();
    expect(ingress).toHaveLength(2);
    expect(ingress).toEqual(
      expect.arrayContaining([
        { source: app, protocol: 'tcp', from: 5432, to: 5432 },
        {
          source: rotationGroup,
          protocol: 'tcp',
          from: getAtt(primary.id, 'Endpoint.Port'),
          to: getAtt(primary.id, 'Endpoint.Port'),
        },
      ]),
    );
  });

  it('admits only the app instances to the cache, on 6380', () => {
    // Prepare
    const { template } = dev;
    const app = securityGroupId(template, 'rebound-dev-app');

    // Act
    const ingress = ingressOf(template, 'rebound-dev-cache');

    // Assess
    expect(ingress).toEqual([{ source: app, protocol: 'tcp', from: 6380, to: 6380 }]);
  });

  it.each([
    ['without a domain', () => dev, 0],
    ['with a domain', () => withDomain, 2],
  ] as const)('opens nothing but the ALB to the whole internet %s', (_name, shop, openRules) => {
    // Prepare
    const { template } = shop();
    const alb = securityGroupId(template, 'rebound-dev-alb');

    // Act
    const rules = allIngress(template);
    const openToAll = rules.filter(
      (rule) => rule.CidrIp === '0.0.0.0/0' || rule.CidrIpv6 === '::/0' || rule.IpProtocol === '-1',
    );

    // Assess
    expect(rules.length).toBeGreaterThan(0);
    expect(openToAll).toHaveLength(openRules);
    for (const rule of openToAll) {
      expect(rule.group, JSON.stringify(shape(rule))).toBe(alb);
      expect(rule.IpProtocol).toBe('tcp');
    }
  });
});
