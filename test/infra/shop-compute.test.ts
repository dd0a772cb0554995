import { beforeAll, describe, expect, it } from 'vitest';
import {
  DOMAIN_CONTEXT,
  getAtt,
  literalText,
  onlyResource,
  ref,
  resourcesOf,
  type SynthesizedShop,
  securityGroupId,
  subnetRefs,
  synthShop,
} from './synth-shop.js';

interface ScalingPolicyProps {
  readonly AutoScalingGroupName: unknown;
  readonly PolicyType: string;
  readonly TargetTrackingConfiguration: {
    readonly TargetValue: number;
    readonly PredefinedMetricSpecification?: { readonly PredefinedMetricType: string };
    readonly CustomizedMetricSpecification?: {
      readonly MetricName: string;
      readonly Namespace: string;
      readonly Statistic: string;
      readonly Dimensions: readonly { Name: string; Value: unknown }[];
    };
  };
}
interface LaunchTemplateProps {
  readonly LaunchTemplateData: {
    readonly MetadataOptions: { readonly HttpTokens: string };
    readonly BlockDeviceMappings: readonly { DeviceName: string; Ebs: { Encrypted: boolean } }[];
    readonly KeyName?: unknown;
    readonly UserData: unknown;
  };
}
interface ListenerProps {
  readonly Port: number;
  readonly Protocol: string;
  readonly SslPolicy?: string;
  readonly Certificates?: readonly { CertificateArn: unknown }[];
  readonly DefaultActions: readonly Record<string, unknown>[];
}
interface ListenerRuleProps {
  readonly ListenerArn: unknown;
  readonly Actions: readonly Record<string, unknown>[];
  readonly Conditions: readonly {
    Field: string;
    HttpHeaderConfig?: { HttpHeaderName: string; Values: unknown[] };
  }[];
}

const ASG = 'AWS::AutoScaling::AutoScalingGroup';
const ALB = 'AWS::ElasticLoadBalancingV2::LoadBalancer';
const LISTENER = 'AWS::ElasticLoadBalancingV2::Listener';
const TARGET_GROUP = 'AWS::ElasticLoadBalancingV2::TargetGroup';

describe('shop web tier', () => {
  let dev: SynthesizedShop;
  beforeAll(() => {
    dev = synthShop();
  });

  it('runs the Auto Scaling group in the three private subnets', () => {
    // Prepare
    const { template } = dev;

    // Act
    const group = onlyResource<{ VPCZoneIdentifier: unknown[] }>(template, ASG);

    // Assess
    expect(subnetRefs(template, 'Private')).toHaveLength(3);
    expect(group.props.VPCZoneIdentifier).toEqual(subnetRefs(template, 'Private'));
  });

  it('replaces instances that fail the ELB health check, after a 300 s grace period', () => {
    // Prepare
    const { template } = dev;

    // Act
    const group = onlyResource(template, ASG);

    // Assess
    expect(group.props).toMatchObject({
      HealthCheckType: 'ELB',
      HealthCheckGracePeriod: 300,
      MinSize: '3',
      TargetGroupARNs: [ref(onlyResource(template, TARGET_GROUP).id)],
    });
  });

  it('keeps capacity through rebalancing, zonal shifts and rolling updates', () => {
    // Prepare
    const { template } = dev;

    // Act
    const group = onlyResource(template, ASG);

    // Assess
    expect(group.props).toMatchObject({
      CapacityRebalance: true,
      MetricsCollection: [{ Granularity: '1Minute' }],
      AvailabilityZoneImpairmentPolicy: { ZonalShiftEnabled: true },
      // Launch before terminate (issue 10 #9): a replacement never dips below desired capacity.
      InstanceMaintenancePolicy: { MinHealthyPercentage: 100, MaxHealthyPercentage: 150 },
    });
    expect(group.resource.UpdatePolicy).toMatchObject({
      AutoScalingRollingUpdate: {
        MaxBatchSize: 1,
        MinInstancesInService: 3,
        WaitOnResourceSignals: true,
      },
    });
    expect(group.resource.CreationPolicy).toMatchObject({ ResourceSignal: { Count: 3 } });
  });

  it('tracks 70% average CPU and the memory metric of the CloudWatch agent', () => {
    // Prepare
    const { template, config } = dev;
    const group = onlyResource(template, ASG);

    // Act
    const policies = resourcesOf<ScalingPolicyProps>(template, 'AWS::AutoScaling::ScalingPolicy');
    const cpu = policies.find(
      ({ props }) =>
        props.TargetTrackingConfiguration.PredefinedMetricSpecification?.PredefinedMetricType ===
        'ASGAverageCPUUtilization',
    );
    const memory = policies.find(
      ({ props }) =>
        props.TargetTrackingConfiguration.CustomizedMetricSpecification?.MetricName ===
        'mem_used_percent',
    );

    // Assess
    expect(policies).toHaveLength(2);
    for (const policy of [cpu, memory]) {
      expect(policy?.props.PolicyType).toBe('TargetTrackingScaling');
      expect(policy?.props.AutoScalingGroupName).toEqual(ref(group.id));
    }
    expect(cpu?.props.TargetTrackingConfiguration.TargetValue).toBe(70);
    expect(memory?.props.TargetTrackingConfiguration).toEqual({
      TargetValue: config.web.memoryTargetPercent,
      CustomizedMetricSpecification: {
        MetricName: 'mem_used_percent',
        Namespace: 'Rebound/WebTier',
        Statistic: 'Average',
        Dimensions: [{ Name: 'AutoScalingGroupName', Value: ref(group.id) }],
      },
    });
  });

  it('launches hardened instances: IMDSv2 only, encrypted EBS, no SSH key', () => {
    // Prepare
    const { template } = dev;

    // Act
    const { props } = onlyResource<LaunchTemplateProps>(template, 'AWS::EC2::LaunchTemplate');
    const data = props.LaunchTemplateData;

    // Assess
    expect(data.MetadataOptions.HttpTokens).toBe('required');
    expect(data.BlockDeviceMappings.length).toBeGreaterThan(0);
    for (const device of data.BlockDeviceMappings) {
      expect(device.Ebs.Encrypted, device.DeviceName).toBe(true);
    }
    expect(data).not.toHaveProperty('KeyName');
  });

  it('signals CloudFormation once the app answers /health', () => {
    // Prepare
    const { template, shop } = dev;
    const group = onlyResource(template, ASG);

    // Act
    const { props } = onlyResource<LaunchTemplateProps>(template, 'AWS::EC2::LaunchTemplate');
    const userData = props.LaunchTemplateData.UserData;
    const script = literalText(userData);

    // Assess
    expect(userData).toEqual({ 'Fn::Base64': expect.anything() });
    expect(script.startsWith('#!/bin/bash')).toBe(true);
    expect(script).toMatch(/curl -fsS http:\/\/127\.0\.0\.1:8080\/health/);
    expect(script).toContain(
      `/opt/aws/bin/cfn-signal -e "$status" --stack ${shop.stackName} --resource ${group.id}`,
    );
  });
});

describe('shop load balancer', () => {
  let dev: SynthesizedShop;
  let withDomain: SynthesizedShop;
  beforeAll(() => {
    dev = synthShop();
    withDomain = synthShop(DOMAIN_CONTEXT);
  });

  it.each([
    ['without a domain', () => dev],
    ['with a domain', () => withDomain],
  ] as const)('is internet-facing in the three public subnets %s', (_name, shop) => {
    // Prepare
    const { template } = shop();

    // Act
    const alb = onlyResource<{ Subnets: unknown[] }>(template, ALB);

    // Assess
    expect(alb.props).toMatchObject({
      Scheme: 'internet-facing',
      Type: 'application',
      SecurityGroups: [getAtt(securityGroupId(template, 'rebound-dev-alb'), 'GroupId')],
    });
    expect(alb.props.Subnets).toEqual(subnetRefs(template, 'Public'));
  });

  it('lets ARC zonal shift move traffic away from an impaired AZ', () => {
    // Prepare
    const { template } = dev;

    // Act
    const alb = onlyResource<{ LoadBalancerAttributes: { Key: string; Value: unknown }[] }>(
      template,
      ALB,
    );
    const attributes = Object.fromEntries(
      alb.props.LoadBalancerAttributes.map(({ Key, Value }) => [Key, Value]),
    );

    // Assess
    expect(attributes['zonal_shift.config.enabled']).toBe('true');
  });

  it('health checks the app on /health', () => {
    // Prepare
    const { template } = dev;

    // Act
    const targetGroup = onlyResource(template, TARGET_GROUP);

    // Assess
    expect(targetGroup.props).toMatchObject({
      HealthCheckPath: '/health',
      Port: 8080,
      Protocol: 'HTTP',
      TargetType: 'instance',
    });
  });

  it('without a domain, answers 403 on port 80 unless the CloudFront origin header is present', () => {
    // Prepare
    const { template } = dev;
    const alb = onlyResource(template, ALB);
    const targetGroup = onlyResource(template, TARGET_GROUP);

    // Act
    const listeners = resourcesOf<ListenerProps>(template, LISTENER);
    const rules = resourcesOf<ListenerRuleProps>(
      template,
      'AWS::ElasticLoadBalancingV2::ListenerRule',
    );

    // Assess: one HTTP listener whose default is a fixed 403.
    expect(listeners).toHaveLength(1);
    const [http] = listeners;
    expect(http?.props).toMatchObject({
      Port: 80,
      Protocol: 'HTTP',
      LoadBalancerArn: ref(alb.id),
      DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '403' } }],
    });
    // Assess: one rule forwarding to the web tier when the verify header matches.
    expect(rules).toHaveLength(1);
    const [rule] = rules;
    expect(rule?.props.ListenerArn).toEqual(ref(http?.id ?? 'the listener'));
    expect(rule?.props.Actions).toEqual([{ Type: 'forward', TargetGroupArn: ref(targetGroup.id) }]);
    expect(rule?.props.Conditions).toHaveLength(1);
    const [condition] = rule?.props.Conditions ?? [];
    expect(condition?.Field).toBe('http-header');
    expect(condition?.HttpHeaderConfig?.HttpHeaderName).toBe('X-Rebound-Origin-Verify');
    expect(condition?.HttpHeaderConfig?.Values).toHaveLength(1);
  });

  it('matches the origin header against a Secrets Manager dynamic reference, not a literal', () => {
    // Prepare
    const { template } = dev;
    const secret = onlyResource(template, 'AWS::SecretsManager::Secret', {
      Name: 'rebound-dev-origin-verify',
    });

    // Act
    const rule = onlyResource<ListenerRuleProps>(
      template,
      'AWS::ElasticLoadBalancingV2::ListenerRule',
    );
    const value = rule.props.Conditions[0]?.HttpHeaderConfig?.Values[0];

    // Assess
    expect(typeof value).not.toBe('string');
    expect(value).toEqual({
      'Fn::Join': ['', ['{{resolve:secretsmanager:', ref(secret.id), ':SecretString:::}}']],
    });
    expect(secret.props).toHaveProperty('GenerateSecretString');
    expect(secret.props).not.toHaveProperty('SecretString');
  });

  it('with a domain, terminates TLS 1.2+ on 443 and redirects port 80 to HTTPS', () => {
    // Prepare
    const { template } = withDomain;
    const certificate = onlyResource(template, 'AWS::CertificateManager::Certificate');
    const targetGroup = onlyResource(template, TARGET_GROUP);

    // Act
    const listeners = resourcesOf<ListenerProps>(template, LISTENER);
    const https = listeners.find(({ props }) => props.Port === 443);
    const http = listeners.find(({ props }) => props.Port === 80);

    // Assess
    expect(listeners).toHaveLength(2);
    expect(https?.props).toMatchObject({
      Protocol: 'HTTPS',
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      Certificates: [{ CertificateArn: ref(certificate.id) }],
      DefaultActions: [{ Type: 'forward', TargetGroupArn: ref(targetGroup.id) }],
    });
    expect(http?.props).toMatchObject({
      Protocol: 'HTTP',
      DefaultActions: [
        {
          Type: 'redirect',
          RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' },
        },
      ],
    });
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 0);
  });

  it('with a domain, validates a certificate for the domain and its subdomains by DNS', () => {
    // Prepare
    const { template } = withDomain;

    // Act
    const certificate = onlyResource(template, 'AWS::CertificateManager::Certificate');

    // Assess
    expect(certificate.props).toMatchObject({
      DomainName: 'shop.example.com',
      SubjectAlternativeNames: ['*.shop.example.com'],
      ValidationMethod: 'DNS',
      DomainValidationOptions: [
        { DomainName: 'shop.example.com', HostedZoneId: 'Z0123456789ABCDEFGHIJ' },
      ],
    });
  });

  it('with a domain, points origin.<domain> at the ALB and the domain at CloudFront', () => {
    // Prepare
    const { template } = withDomain;
    const alb = onlyResource(template, ALB);
    const distribution = onlyResource(template, 'AWS::CloudFront::Distribution');

    // Act
    const records = resourcesOf<{ Name: string; AliasTarget: { DNSName: unknown } }>(
      template,
      'AWS::Route53::RecordSet',
    );
    const byName = Object.fromEntries(records.map(({ props }) => [props.Name, props]));

    // Assess
    expect(Object.keys(byName).sort()).toEqual(['origin.shop.example.com.', 'shop.example.com.']);
    for (const record of records) {
      expect(record.props).toMatchObject({ Type: 'A', HostedZoneId: 'Z0123456789ABCDEFGHIJ' });
    }
    expect(byName['origin.shop.example.com.']?.AliasTarget.DNSName).toEqual({
      'Fn::Join': ['', ['dualstack.', getAtt(alb.id, 'DNSName')]],
    });
    expect(byName['shop.example.com.']?.AliasTarget.DNSName).toEqual(
      getAtt(distribution.id, 'DomainName'),
    );
  });

  it('without a domain, has no certificate and no DNS records', () => {
    // Prepare
    const { template } = dev;

    // Act
    const certificates = resourcesOf(template, 'AWS::CertificateManager::Certificate');
    const records = resourcesOf(template, 'AWS::Route53::RecordSet');

    // Assess
    expect(certificates).toEqual([]);
    expect(records).toEqual([]);
  });
});
