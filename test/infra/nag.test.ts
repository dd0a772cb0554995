import { Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { listNagAcknowledgements } from '../../infra/nag.js';
import { buildReboundApp } from '../../infra/rebound-app.js';

const configurations = {
  default: {},
  'domain, prod, alert recipients': {
    stage: 'prod',
    domainName: 'shop.example.com',
    hostedZoneId: 'Z0123456789ABCDEFGHIJ',
    alertEmails: 'ops@example.com',
    alertSmsNumbers: '+15555550100',
  },
  'eu-west-1, one NAT gateway': { region: 'eu-west-1', natGateways: '1' },
};

describe('cdk-nag AwsSolutions and Serverless packs', () => {
  it.each(Object.entries(configurations))(
    'synthesizes the %s configuration with no unacknowledged finding',
    (_name, context) => {
      // Prepare
      const { app } = buildReboundApp({ context });

      // Act
      const synth = () => app.synth();

      // Assess: cdk-nag and CloudFormation validation throw on any unacknowledged finding.
      expect(synth).not.toThrow();
    },
  );

  it('fails synthesis on a finding nobody acknowledged', () => {
    // Prepare: a bucket with neither server access logs nor TLS enforcement.
    const { app, shop } = buildReboundApp({});
    new s3.Bucket(Stack.of(shop), 'CarelessBucket');

    // Act
    const synth = () => app.synth();

    // Assess
    expect(synth).toThrow(/AwsSolutions-S1/);
  });

  it('gives every acknowledgement a specific reason', () => {
    // Prepare
    const { app } = buildReboundApp({ context: configurations.default });

    // Act: ours only; aws-cdk-lib acknowledges a few CloudFormation-Validate rules itself.
    const acknowledgements = listNagAcknowledgements(app);

    // Assess
    expect(acknowledgements.map(({ finding }) => finding)).toContain('AwsSolutions-RDS11');
    for (const { finding, reason } of acknowledgements) {
      expect(finding).toMatch(/^(AwsSolutions|Serverless)-/);
      expect(reason.length, `${finding}: "${reason}"`).toBeGreaterThanOrEqual(60);
    }
    const findingsByReason = new Map<string, Set<string>>();
    for (const { finding, reason } of acknowledgements) {
      findingsByReason.set(reason, (findingsByReason.get(reason) ?? new Set()).add(finding));
    }
    // One reason is never recycled for different findings.
    for (const [reason, findings] of findingsByReason) {
      expect([...findings], reason).toHaveLength(1);
    }
  });
});
