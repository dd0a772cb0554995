import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { acknowledgeFinding } from '../nag.js';

export type AlbExposure =
  /** A domain with its own certificate: browsers may reach the ALB on 80 (redirect) and 443. */
  | { readonly kind: 'internet' }
  /** No domain: only CloudFront's origin-facing addresses reach the ALB, on 80. */
  | { readonly kind: 'cloudfront-only'; readonly prefixListId: string };

export interface ShopSecurityGroupsProps {
  readonly namePrefix: string;
  readonly vpc: ec2.IVpc;
  readonly albExposure: AlbExposure;
  readonly appPort: number;
  readonly databasePort: number;
  readonly cachePort: number;
}

/**
 * The shop's security groups, tier by tier: ALB ← internet or CloudFront; app ← ALB on the
 * app port; database ← app on 5432; cache ← app on the cache port. Nothing but the ALB
 * accepts traffic from outside the VPC.
 */
export class ShopSecurityGroups extends Construct {
  public readonly alb: ec2.SecurityGroup;
  public readonly app: ec2.SecurityGroup;
  public readonly database: ec2.SecurityGroup;
  public readonly cache: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: ShopSecurityGroupsProps) {
    super(scope, id);
    const group = (name: string, description: string, allowAllOutbound: boolean) =>
      new ec2.SecurityGroup(this, name, {
        vpc: props.vpc,
        securityGroupName: `${props.namePrefix}-${name.toLowerCase()}`,
        description,
        allowAllOutbound,
      });

    this.alb = group('Alb', 'Rebound ALB: viewers in, app instances out', false);
    // Instances reach AWS APIs (SSM, CloudWatch, package repos) through NAT and endpoints.
    this.app = group('App', 'Rebound web tier: ALB in, AWS APIs and data tier out', true);
    this.database = group('Database', 'Rebound RDS: app instances only', false);
    this.cache = group('Cache', 'Rebound cache: app instances only', false);

    if (props.albExposure.kind === 'internet') {
      this.alb.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS from viewers');
      this.alb.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(80), 'HTTP, redirected to HTTPS');
      acknowledgeFinding(
        this.alb,
        'AwsSolutions-EC23',
        'The internet-facing ALB of a shop with its own domain must accept 443 (and 80, redirected) from anyone; it is the only group open to 0.0.0.0/0.',
      );
    } else {
      this.alb.addIngressRule(
        ec2.Peer.prefixList(props.albExposure.prefixListId),
        ec2.Port.tcp(80),
        'CloudFront origin-facing addresses only',
      );
    }
    this.alb.connections.allowTo(this.app, ec2.Port.tcp(props.appPort), 'ALB to app port');
    this.database.connections.allowFrom(
      this.app,
      ec2.Port.tcp(props.databasePort),
      'App instances to PostgreSQL',
    );
    this.cache.connections.allowFrom(
      this.app,
      ec2.Port.tcp(props.cachePort),
      'App instances to cache',
    );
  }
}
