import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledgeFinding } from '../nag.js';

/** Header CloudFront adds to every origin request; the ALB forwards only requests that carry it. */
export const ORIGIN_VERIFY_HEADER = 'X-Rebound-Origin-Verify';

export interface LoadBalancerProps {
  readonly namePrefix: string;
  readonly vpc: ec2.IVpc;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly autoScalingGroup: autoscaling.AutoScalingGroup;
  readonly appPort: number;
  readonly accessLogs: s3.IBucket;
  readonly protectData: boolean;
  /**
   * With a certificate the ALB terminates TLS (HTTPS listener, HTTP redirected).
   * @default - no domain: CloudFront terminates TLS and the ALB only serves CloudFront
   */
  readonly certificate?: acm.ICertificate;
}

/**
 * Internet-facing ALB over the public subnets of the three AZs, health checking `/health`,
 * with ARC zonal shift enabled so traffic can be moved away from an impaired AZ.
 */
export class LoadBalancer extends Construct {
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  public readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** Present without a domain: the secret header value CloudFront must send. */
  public readonly originVerifySecret?: secretsmanager.Secret;
  /** Protocol CloudFront uses to reach this ALB. */
  public readonly originProtocol: 'http' | 'https';

  constructor(scope: Construct, id: string, props: LoadBalancerProps) {
    super(scope, id);

    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'Alb', {
      loadBalancerName: `${props.namePrefix}-alb`,
      vpc: props.vpc,
      internetFacing: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      securityGroup: props.securityGroup,
      dropInvalidHeaderFields: true,
      deletionProtection: props.protectData,
      http2Enabled: true,
    });
    this.loadBalancer.setAttribute('zonal_shift.config.enabled', 'true');
    this.loadBalancer.logAccessLogs(props.accessLogs, 'alb');

    this.targetGroup = new elbv2.ApplicationTargetGroup(this, 'Web', {
      targetGroupName: `${props.namePrefix}-web`,
      vpc: props.vpc,
      port: props.appPort,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.INSTANCE,
      deregistrationDelay: Duration.seconds(30),
      healthCheck: {
        path: '/health',
        healthyHttpCodes: '200',
        interval: Duration.seconds(10),
        timeout: Duration.seconds(5),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
      },
    });
    props.autoScalingGroup.attachToApplicationTargetGroup(this.targetGroup);

    if (props.certificate) {
      this.originProtocol = 'https';
      this.loadBalancer.addListener('Https', {
        port: 443,
        protocol: elbv2.ApplicationProtocol.HTTPS,
        certificates: [props.certificate],
        sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
        open: false,
        defaultTargetGroups: [this.targetGroup],
      });
      this.loadBalancer.addListener('HttpRedirect', {
        port: 80,
        protocol: elbv2.ApplicationProtocol.HTTP,
        open: false,
        defaultAction: elbv2.ListenerAction.redirect({
          protocol: 'HTTPS',
          port: '443',
          permanent: true,
        }),
      });
    } else {
      this.originProtocol = 'http';
      this.originVerifySecret = new secretsmanager.Secret(this, 'OriginVerify', {
        secretName: `${props.namePrefix}-origin-verify`,
        description: 'Header value CloudFront sends so the ALB can tell it from direct traffic',
        generateSecretString: { excludePunctuation: true, passwordLength: 48 },
        removalPolicy: RemovalPolicy.DESTROY,
      });
      acknowledgeFinding(
        this.originVerifySecret,
        'AwsSolutions-SMG4',
        'The origin-verify header must change in CloudFront and the ALB listener rule together; a rotation Lambda would break traffic between the two updates. Rotate by redeploying after changing the secret.',
      );
      const listener = this.loadBalancer.addListener('Http', {
        port: 80,
        protocol: elbv2.ApplicationProtocol.HTTP,
        open: false,
        defaultAction: elbv2.ListenerAction.fixedResponse(403, {
          contentType: 'text/plain',
          messageBody: 'Forbidden',
        }),
      });
      listener.addAction('FromCloudFront', {
        priority: 1,
        conditions: [
          // A CloudFormation dynamic reference, resolved at deploy time: no secret in the template.
          elbv2.ListenerCondition.httpHeader(ORIGIN_VERIFY_HEADER, [
            this.originVerifySecret.secretValue.unsafeUnwrap(),
          ]),
        ],
        action: elbv2.ListenerAction.forward([this.targetGroup]),
      });
    }
  }
}
