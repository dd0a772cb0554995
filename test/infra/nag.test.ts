import { Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { listNagAcknowledgements } from '../../infra/nag.js';
import { buildReboundApp } from '../../infra/rebound-app.js';
import { CHECKED_CONFIGURATIONS as configurations } from '../../sandbox/checks/configurations.js';

/**
 * The app as `npm start` builds it, Lambda bundling skipped: cdk-nag reads the templates, and
 * bundling every function for each configuration cost minutes of this suite. The real bundles
 * are built by `npm start` (CI) and checked in rebound-function.test.ts.
 */
const buildForNag = (context: Readonly<Record<string, unknown>> = {}) =>
  buildReboundApp({ context: { ...context, 'aws:cdk:bundling-stacks': [] } });

describe('cdk-nag AwsSolutions and Serverless packs', () => {
  it.each(Object.entries(configurations))(
    'synthesizes the %s configuration with no unacknowledged finding',
    (_name, context) => {
      // Prepare
      const { app } = buildForNag(context);

      // Act
      const synth = () => app.synth();

      // Assess: cdk-nag and CloudFormation validation throw on any unacknowledged finding.
      expect(synth).not.toThrow();
    },
  );

  it('fails synthesis on a finding nobody acknowledged', () => {
    // Prepare: a bucket with neither server access logs nor TLS enforcement.
    const { app, shop } = buildForNag();
    new s3.Bucket(Stack.of(shop), 'CarelessBucket');

    // Act
    const synth = () => app.synth();

    // Assess
    expect(synth).toThrow(/AwsSolutions-S1/);
  });

  it('gives every acknowledgement a specific reason', () => {
    // Prepare
    const { app } = buildForNag(configurations.default);

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
