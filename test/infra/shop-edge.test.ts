import { beforeAll, describe, expect, it } from 'vitest';
import {
  getAtt,
  onlyResource,
  PROD_EU_CONTEXT,
  ref,
  resourcesOf,
  type SynthesizedShop,
  synthShop,
} from './synth-shop.js';

/** AWS managed cache policy `Managed-CachingDisabled`. */
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';

interface Behavior {
  readonly PathPattern?: string;
  readonly TargetOriginId: string;
  readonly ViewerProtocolPolicy: string;
  readonly CachePolicyId?: string;
  readonly ResponseHeadersPolicyId?: string;
}
interface Origin {
  readonly Id: string;
  readonly DomainName: unknown;
  readonly OriginAccessControlId?: unknown;
  readonly CustomOriginConfig?: Record<string, unknown>;
}
interface DistributionProps {
  readonly DistributionConfig: {
    readonly DefaultCacheBehavior: Behavior;
    readonly CacheBehaviors: readonly Behavior[];
    readonly Origins: readonly Origin[];
    readonly Logging?: { readonly Bucket: unknown; readonly Prefix?: string };
    readonly WebACLId?: unknown;
  };
}
interface WebAclRule {
  readonly Name: string;
  readonly Statement: {
    readonly ManagedRuleGroupStatement?: { readonly VendorName: string; readonly Name: string };
    readonly RateBasedStatement?: { readonly Limit: number; readonly AggregateKeyType: string };
  };
  readonly Action?: Record<string, unknown>;
}

const DISTRIBUTION = 'AWS::CloudFront::Distribution';

const distributionOf = ({ template }: SynthesizedShop) =>
  onlyResource<DistributionProps>(template, DISTRIBUTION);
const bucketId = ({ template }: SynthesizedShop, withVersioning: boolean) =>
  resourcesOf<{ VersioningConfiguration?: unknown }>(template, 'AWS::S3::Bucket').find(
    ({ props }) => (props.VersioningConfiguration !== undefined) === withVersioning,
  )?.id ?? 'no such bucket';
/** The assets bucket is the versioned one; the access logs bucket is not. */
const assetsBucketId = (shop: SynthesizedShop) => bucketId(shop, true);
const accessLogsBucketId = (shop: SynthesizedShop) => bucketId(shop, false);

describe('shop edge (CloudFront)', () => {
  let dev: SynthesizedShop;
  let prodEu: SynthesizedShop;
  beforeAll(() => {
    dev = synthShop();
    prodEu = synthShop(PROD_EU_CONTEXT);
  });

  it('sends everything by default to the ALB, uncached, HTTPS only for viewers', () => {
    // Prepare
    const { template } = dev;
    const alb = onlyResource(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer');

    // Act
    const { DefaultCacheBehavior, Origins } = distributionOf(dev).props.DistributionConfig;
    const origin = Origins.find(({ Id }) => Id === DefaultCacheBehavior.TargetOriginId);

    // Assess
    expect(origin?.DomainName).toEqual(getAtt(alb.id, 'DNSName'));
    expect(DefaultCacheBehavior.CachePolicyId).toBe(CACHING_DISABLED);
    expect(DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
  });

  it('adds the origin-verify header to ALB requests from a Secrets Manager dynamic reference', () => {
    // Prepare
    const { template } = dev;
    const secret = onlyResource(template, 'AWS::SecretsManager::Secret', {
      Name: 'rebound-dev-origin-verify',
    });

    // Act
    const { DefaultCacheBehavior, Origins } = distributionOf(dev).props.DistributionConfig;
    const origin = Origins.find(({ Id }) => Id === DefaultCacheBehavior.TargetOriginId);

    // Assess
    expect(origin).toMatchObject({
      CustomOriginConfig: { OriginProtocolPolicy: 'http-only' },
      OriginCustomHeaders: [
        {
          HeaderName: 'X-Rebound-Origin-Verify',
          HeaderValue: {
            'Fn::Join': ['', ['{{resolve:secretsmanager:', ref(secret.id), ':SecretString:::}}']],
          },
        },
      ],
    });
  });

  it('serves /static/* and /assets/* from the S3 bucket through origin access control', () => {
    // Prepare
    const { template } = dev;
    const oac = onlyResource(template, 'AWS::CloudFront::OriginAccessControl');
    const assets = assetsBucketId(dev);

    // Act
    const { CacheBehaviors, Origins } = distributionOf(dev).props.DistributionConfig;
    const originOf = (behavior: Behavior) =>
      Origins.find(({ Id }) => Id === behavior.TargetOriginId);

    // Assess
    expect(CacheBehaviors.map(({ PathPattern }) => PathPattern).sort()).toEqual([
      '/assets/*',
      '/static/*',
    ]);
    for (const behavior of CacheBehaviors) {
      expect(behavior.ViewerProtocolPolicy, behavior.PathPattern).toBe('redirect-to-https');
      expect(originOf(behavior), behavior.PathPattern).toMatchObject({
        DomainName: getAtt(assets, 'RegionalDomainName'),
        OriginAccessControlId: getAtt(oac.id, 'Id'),
      });
    }
  });

  it('lets only this distribution read the private, encrypted, versioned assets bucket', () => {
    // Prepare
    const { template } = dev;
    const assets = assetsBucketId(dev);
    const distribution = distributionOf(dev);

    // Act
    const bucket = onlyResource(template, 'AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
    });
    const policy = onlyResource<{
      PolicyDocument: { Statement: { Effect: string; Principal: unknown; Condition?: unknown }[] };
    }>(template, 'AWS::S3::BucketPolicy', { Bucket: ref(assets) });
    const cloudFrontReads = policy.props.PolicyDocument.Statement.filter(
      ({ Effect, Principal }) =>
        Effect === 'Allow' &&
        typeof Principal === 'object' &&
        Principal !== null &&
        'Service' in Principal &&
        Principal.Service === 'cloudfront.amazonaws.com',
    );

    // Assess
    expect(bucket.id).toBe(assets);
    expect(bucket.props).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: expect.any(String) } },
        ],
      },
      VersioningConfiguration: { Status: 'Enabled' },
    });
    expect(cloudFrontReads).toHaveLength(1);
    expect(cloudFrontReads[0]).toMatchObject({
      Action: 's3:GetObject',
      Condition: {
        StringEquals: {
          'AWS:SourceArn': {
            'Fn::Join': ['', expect.arrayContaining([':distribution/', ref(distribution.id)])],
          },
        },
      },
    });
  });

  it('logs requests to the access logs bucket', () => {
    // Prepare
    const logs = accessLogsBucketId(dev);

    // Act
    const { Logging } = distributionOf(dev).props.DistributionConfig;

    // Assess
    expect(Logging).toEqual({
      Bucket: getAtt(logs, 'RegionalDomainName'),
      Prefix: 'cloudfront/',
    });
  });

  it('sets a response headers policy on every behavior', () => {
    // Prepare
    const { DefaultCacheBehavior, CacheBehaviors } = distributionOf(dev).props.DistributionConfig;

    // Act
    const behaviors = [DefaultCacheBehavior, ...CacheBehaviors];

    // Assess
    expect(behaviors).toHaveLength(3);
    for (const behavior of behaviors) {
      expect(behavior.ResponseHeadersPolicyId, behavior.PathPattern ?? 'default').toMatch(
        /^[0-9a-f-]{36}$/,
      );
    }
  });

  it('in us-east-1, protects the distribution with a WAF web ACL', () => {
    // Prepare
    const { template } = dev;

    // Act
    const acl = onlyResource<{ Scope: string; Rules: WebAclRule[] }>(
      template,
      'AWS::WAFv2::WebACL',
    );
    const managed = acl.props.Rules.flatMap(
      ({ Statement }) => Statement.ManagedRuleGroupStatement?.Name ?? [],
    );
    const rateBased = acl.props.Rules.filter(({ Statement }) => Statement.RateBasedStatement);

    // Assess
    expect(acl.props.Scope).toBe('CLOUDFRONT');
    expect(managed).toContain('AWSManagedRulesCommonRuleSet');
    expect(rateBased).toHaveLength(1);
    expect(rateBased[0]).toMatchObject({
      Action: { Block: {} },
      Statement: { RateBasedStatement: { AggregateKeyType: 'IP', Limit: expect.any(Number) } },
    });
    expect(distributionOf(dev).props.DistributionConfig.WebACLId).toEqual(getAtt(acl.id, 'Arn'));
  });

  it('outside us-east-1, creates no web ACL (CLOUDFRONT scope lives in us-east-1)', () => {
    // Prepare
    const { template, config } = prodEu;

    // Act
    const acls = resourcesOf(template, 'AWS::WAFv2::WebACL');

    // Assess
    expect(config.region).toBe('eu-west-1');
    expect(acls).toEqual([]);
    expect(distributionOf(prodEu).props.DistributionConfig).not.toHaveProperty('WebACLId');
  });
});
