import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeFinding } from '../nag.js';
import { WebAcl } from './web-acl.js';

export interface AlbOrigin {
  /** DNS name CloudFront connects to (the ALB's, or `origin.<domain>` when TLS reaches it). */
  readonly domainName: string;
  readonly protocol: 'http' | 'https';
  /** Header CloudFront must add so the ALB accepts the request. */
  readonly verifyHeader?: { readonly name: string; readonly value: string };
}

export interface EdgeProps {
  readonly namePrefix: string;
  readonly albOrigin: AlbOrigin;
  readonly accessLogs: s3.IBucket;
  readonly protectData: boolean;
  /** Viewer certificate and its names; without it the distribution keeps its cloudfront.net name. */
  readonly viewerCertificate?: {
    readonly certificate: acm.ICertificate;
    readonly domainNames: string[];
  };
  /**
   * An existing CLOUDFRONT-scope web ACL.
   * @default - a web ACL is created when the stack is in us-east-1, none elsewhere
   */
  readonly webAclArn?: string;
}

/** Paths served from the static assets bucket rather than the web tier. */
export const STATIC_PATHS = ['/static/*', '/assets/*'] as const;

/**
 * CloudFront in front of the shop: static assets from a private S3 bucket (origin access
 * control), everything else from the ALB uncached, HTTPS only for viewers, security headers,
 * access logs, and a WAF web ACL. Shield Standard comes with CloudFront.
 */
export class Edge extends Construct {
  public readonly distribution: cloudfront.Distribution;
  public readonly assetsBucket: s3.Bucket;
  public readonly webAclArn?: string;

  constructor(scope: Construct, id: string, props: EdgeProps) {
    super(scope, id);

    this.assetsBucket = new s3.Bucket(this, 'Assets', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 's3/assets/',
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy: props.protectData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      autoDeleteObjects: !props.protectData,
    });

    this.webAclArn =
      props.webAclArn ??
      (Stack.of(this).region === 'us-east-1'
        ? new WebAcl(this, 'WebAcl', { name: `${props.namePrefix}-edge` }).arn
        : undefined);

    const { albOrigin } = props;
    const webOrigin = new origins.HttpOrigin(albOrigin.domainName, {
      protocolPolicy:
        albOrigin.protocol === 'https'
          ? cloudfront.OriginProtocolPolicy.HTTPS_ONLY
          : cloudfront.OriginProtocolPolicy.HTTP_ONLY,
      originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
      readTimeout: Duration.seconds(30),
      customHeaders: albOrigin.verifyHeader
        ? { [albOrigin.verifyHeader.name]: albOrigin.verifyHeader.value }
        : undefined,
    });
    const assetsOrigin = origins.S3BucketOrigin.withOriginAccessControl(this.assetsBucket);
    const assetsBehavior: cloudfront.BehaviorOptions = {
      origin: assetsOrigin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
      responseHeadersPolicy: cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
      compress: true,
    };

    const distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `${props.namePrefix} shop`,
      defaultBehavior: {
        origin: webOrigin,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
        // Pages are personal (cart, session): never cache them at the edge.
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        responseHeadersPolicy: cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
        compress: true,
      },
      additionalBehaviors: Object.fromEntries(STATIC_PATHS.map((path) => [path, assetsBehavior])),
      certificate: props.viewerCertificate?.certificate,
      domainNames: props.viewerCertificate?.domainNames,
      minimumProtocolVersion: props.viewerCertificate
        ? cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021
        : undefined,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: props.accessLogs,
      logFilePrefix: 'cloudfront/',
      webAclId: this.webAclArn,
    });
    this.distribution = distribution;

    acknowledgeFinding(
      distribution,
      'AwsSolutions-CFR1',
      'An online shop sells to any country it ships to; blocking countries is a business decision made in the WAF web ACL, not a platform default.',
    );
    if (!props.viewerCertificate) {
      acknowledgeFinding(
        distribution,
        'AwsSolutions-CFR4',
        'Without a domain the distribution uses the *.cloudfront.net certificate, whose security policy CloudFront fixes; set domainName for TLS 1.2 (TLSv1.2_2021) minimum.',
      );
    }
    if (albOrigin.protocol === 'http') {
      acknowledgeFinding(
        distribution,
        'AwsSolutions-CFR5',
        'Without a domain the ALB has no certificate, so CloudFront reaches it over HTTP; the ALB admits only CloudFront origin-facing addresses carrying the secret origin header. Set domainName for end-to-end TLS.',
      );
    }
    if (!this.webAclArn) {
      acknowledgeFinding(
        distribution,
        'AwsSolutions-CFR2',
        'CloudFront web ACLs live in us-east-1; outside us-east-1 pass an existing one with webAclArn. Shield Standard still applies.',
      );
    }
  }

  /** A metric of the distribution; CloudFront publishes them in us-east-1 only. */
  public metric(metricName: string, statistic: string): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/CloudFront',
      metricName,
      dimensionsMap: { DistributionId: this.distribution.distributionId, Region: 'Global' },
      statistic,
      period: Duration.minutes(1),
      region: 'us-east-1',
    });
  }
}
