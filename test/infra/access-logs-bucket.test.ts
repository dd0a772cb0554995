import { beforeAll, describe, expect, it } from 'vitest';
import {
  getAtt,
  onlyResource,
  resourcesOf,
  type SynthesizedShop,
  synthShop,
} from './synth-shop.js';

// S3 server access logs reach the access logs bucket through a bucket policy scoped to the
// assets bucket, not the legacy LogDeliveryWrite canned ACL (cfn-lint W3045; S3 user guide,
// "Permissions for log delivery": a bucket policy for logging.s3.amazonaws.com is recommended).

interface Bucket {
  readonly AccessControl?: string;
  readonly VersioningConfiguration?: unknown;
  readonly OwnershipControls?: { readonly Rules: readonly { readonly ObjectOwnership: string }[] };
}

interface Statement {
  readonly Effect: string;
  readonly Principal?: { readonly Service?: string };
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

describe('access logs bucket', () => {
  let shop: SynthesizedShop;
  let logsBucketId: string;
  beforeAll(() => {
    shop = synthShop();
    const buckets = resourcesOf<Bucket>(shop.template, 'AWS::S3::Bucket');
    const logs = buckets.find(({ props }) => props.VersioningConfiguration === undefined);
    logsBucketId = logs?.id ?? '';
  });

  it('uses no canned ACL, yet keeps ACLs on for CloudFront standard logging', () => {
    // Act
    const bucket = resourcesOf<Bucket>(shop.template, 'AWS::S3::Bucket').find(
      ({ id }) => id === logsBucketId,
    );
    // Assess
    expect(bucket?.props.AccessControl).toBeUndefined();
    expect(bucket?.props.OwnershipControls?.Rules).toEqual([
      { ObjectOwnership: 'BucketOwnerPreferred' },
    ]);
  });

  it('lets S3 deliver only the assets bucket’s access logs, under s3/assets/', () => {
    // Prepare
    const assets = resourcesOf<Bucket>(shop.template, 'AWS::S3::Bucket').find(
      ({ id }) => id !== logsBucketId,
    );
    const policy = onlyResource<{ PolicyDocument: { Statement: Statement[] } }>(
      shop.template,
      'AWS::S3::BucketPolicy',
      { Bucket: { Ref: logsBucketId } },
    );
    // Act
    const delivery = policy.props.PolicyDocument.Statement.filter(
      (statement) => statement.Principal?.Service === 'logging.s3.amazonaws.com',
    );
    // Assess
    expect(delivery).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'logging.s3.amazonaws.com' },
        Action: 's3:PutObject',
        Resource: { 'Fn::Join': ['', [getAtt(logsBucketId, 'Arn'), '/s3/assets/*']] },
        Condition: {
          ArnLike: { 'aws:SourceArn': getAtt(assets?.id ?? '', 'Arn') },
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
        },
      },
    ]);
  });
});
