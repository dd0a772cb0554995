import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';

export interface AccessLogsBucketProps {
  readonly protectData: boolean;
}

/**
 * One bucket for the shop's access logs (ALB under `alb/`, CloudFront under `cloudfront/`,
 * S3 server access logs under `s3/`). SSE-S3 because ALB log delivery does not support
 * KMS keys; ACLs enabled (bucket owner preferred) because CloudFront standard logging
 * writes with an ACL. S3 server access logs are let in by a bucket policy scoped to the source
 * bucket (what S3 recommends over the legacy LogDeliveryWrite canned ACL, and what cfn-lint's
 * W3045 asks for).
 */
export class AccessLogsBucket extends Construct {
  public readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: AccessLogsBucketProps) {
    super(scope, id);
    // Read by allowLogDelivery when a bucket names this one as its server access logs target.
    this.node.setContext(cxapi.S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      versioned: false,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: props.protectData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      autoDeleteObjects: !props.protectData,
    });
  }
}
