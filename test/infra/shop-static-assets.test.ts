import { beforeAll, describe, expect, it } from 'vitest';
import { STATIC_PATHS } from '../../infra/constructs/edge.js';
import { STATIC_KEY_PREFIX } from '../../infra/constructs/shop-static-assets.js';
import { buildReboundApp } from '../../infra/rebound-app.js';
import {
  loadStaticAssets,
  STATIC_SOURCE_DIR,
  STATIC_URL_PREFIX,
} from '../../shop/http/static-assets.js';
import { onlyResource, ref, resourcesOf, type SynthesizedShop, synthShop } from './synth-shop.js';

interface BucketDeploymentProps {
  readonly DestinationBucketName: unknown;
  readonly DestinationBucketKeyPrefix: string;
  readonly Prune: boolean;
  readonly SystemMetadata: Record<string, string>;
  readonly SourceObjectKeys: readonly string[];
}

describe('the shop static files in the assets bucket', () => {
  let dev: SynthesizedShop;

  beforeAll(() => {
    dev = synthShop();
  });

  it('uploads them under static/, the prefix CloudFront routes to the assets bucket', () => {
    // Prepare
    const buckets = resourcesOf(dev.template, 'AWS::S3::Bucket').filter(({ id }) =>
      id.startsWith('EdgeAssets'),
    );
    expect(buckets).toHaveLength(1);

    // Act
    const deployment = onlyResource<BucketDeploymentProps>(
      dev.template,
      'Custom::CDKBucketDeployment',
    );

    // Assess: /static/x reaches the bucket as the key static/x (the path is forwarded as is).
    expect(deployment.props.DestinationBucketName).toEqual(ref(buckets[0]?.id ?? ''));
    expect(STATIC_KEY_PREFIX).toBe('static/');
    expect(deployment.props.DestinationBucketKeyPrefix).toBe(STATIC_KEY_PREFIX);
    expect(STATIC_PATHS).toContain(`${STATIC_URL_PREFIX}*`);
  });

  it('keeps the files of earlier releases and lets CloudFront and browsers cache them for a year', () => {
    // Act
    const deployment = onlyResource<BucketDeploymentProps>(
      dev.template,
      'Custom::CDKBucketDeployment',
    );

    // Assess: content-hashed names are never reused, so old pages (a rolling update, a browser
    // cache) keep finding theirs, and a file can be cached as immutable.
    expect(deployment.props.Prune).toBe(false);
    expect(deployment.props.SystemMetadata).toEqual({
      'cache-control': 'public, max-age=31536000, immutable',
    });
  });

  it('names each file by its content', () => {
    // Act
    const assets = [...loadStaticAssets(STATIC_SOURCE_DIR).entries()];

    // Assess
    expect(assets.map(([name]) => name)).toContain('shop.css');
    for (const [name, asset] of assets) {
      const [base, extension] = [
        name.slice(0, name.lastIndexOf('.')),
        name.slice(name.lastIndexOf('.')),
      ];
      expect(asset.hashedName).toMatch(new RegExp(`^${base}\\.[0-9a-f]{12}\\${extension}$`));
    }
  });

  it('uploads the files before the web group rolls out pages that link them', () => {
    // Act
    const group = onlyResource(dev.template, 'AWS::AutoScaling::AutoScalingGroup');
    const deployment = onlyResource(dev.template, 'Custom::CDKBucketDeployment');

    // Assess
    expect(group.resource.DependsOn).toContain(deployment.id);
  });
});

describe("the static files' deployment under another bootstrap", () => {
  it("acknowledges the staging bucket by the stack's own qualifier, account and region", () => {
    // Prepare: a team bootstrapped with its own qualifier, the account pinned by the CLI.
    const { app } = buildReboundApp({
      context: {
        region: 'eu-west-1',
        availabilityZones: 'eu-west-1a,eu-west-1b,eu-west-1c',
        '@aws-cdk/core:bootstrapQualifier': 'team42',
        'aws:cdk:bundling-stacks': [],
      },
      cliAccount: '123456789012',
    });

    // Act + Assess: cdk-nag runs in synthesis and fails it on an unacknowledged finding.
    expect(() => app.synth()).not.toThrow();
  });
});
