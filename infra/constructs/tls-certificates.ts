import { Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import type { DomainConfig } from '../config.js';

/**
 * The certificates for a shop with its own domain: the ALB's (regional) and CloudFront's
 * (must live in us-east-1). Given ARNs win; otherwise one DNS-validated certificate for the
 * domain and its subdomains is created, which serves CloudFront too when the stack is in
 * us-east-1.
 */
export class TlsCertificates extends Construct {
  public readonly hostedZone?: route53.IHostedZone;
  public readonly loadBalancer: acm.ICertificate;
  /** Undefined when CloudFront has no usable certificate (outside us-east-1, none given). */
  public readonly cloudFront?: acm.ICertificate;

  constructor(scope: Construct, id: string, domain: DomainConfig) {
    super(scope, id);
    if (domain.hostedZoneId) {
      this.hostedZone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', {
        hostedZoneId: domain.hostedZoneId,
        zoneName: domain.domainName,
      });
    }

    this.loadBalancer = domain.certificateArn
      ? acm.Certificate.fromCertificateArn(this, 'LoadBalancerCertificate', domain.certificateArn)
      : new acm.Certificate(this, 'Certificate', {
          domainName: domain.domainName,
          subjectAlternativeNames: [`*.${domain.domainName}`],
          validation: acm.CertificateValidation.fromDns(this.hostedZone),
        });

    if (domain.cloudFrontCertificateArn) {
      this.cloudFront = acm.Certificate.fromCertificateArn(
        this,
        'CloudFrontCertificate',
        domain.cloudFrontCertificateArn,
      );
    } else if (Stack.of(this).region === 'us-east-1') {
      this.cloudFront = this.loadBalancer;
    }
  }
}
