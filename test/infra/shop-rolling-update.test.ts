import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { afterAll, describe, expect, it } from 'vitest';
import { ShopBundle } from '../../infra/constructs/shop-bundle.js';
import { shopUserData } from '../../infra/constructs/shop-user-data.js';
import { getAtt, literalText, onlyResource, ref, synthShop } from './synth-shop.js';

const outdirs: string[] = [];
afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

/** The launch template's user data when the bundle is `server` (bundled for real, not skipped). */
function launchTemplateFor(server: string) {
  const outdir = mkdtempSync(join(tmpdir(), 'shop-rolling-'));
  outdirs.push(outdir);
  const app = new App({ outdir });
  const stack = new Stack(app, 'Shop', { env: { account: '123456789012', region: 'us-east-1' } });
  const bundle = new ShopBundle(stack, 'Shop', {
    bundle: (dir) => writeFileSync(join(dir, 'server.mjs'), server),
  });
  new ec2.LaunchTemplate(stack, 'LaunchTemplate', {
    userData: shopUserData({
      appPort: 8080,
      agentNamespace: 'Rebound/WebTier',
      bundle: bundle.asset,
      bootParameters: {
        databasePrimaryEndpoint: '/p',
        databaseReplicaEndpoints: [],
        databaseCredentialsSecret: '/s',
        databasePort: 5432,
        databaseName: 'shop',
        cachePrimaryEndpoint: '/c',
        cachePort: '/cp',
        cacheAuthTokenSecret: '/t',
      },
      region: 'us-east-1',
      autoScalingGroupName: 'rebound-dev-web',
    }),
  });
  const template = Template.fromStack(stack);
  const { props } = onlyResource<{ LaunchTemplateData: { UserData: unknown } }>(
    template,
    'AWS::EC2::LaunchTemplate',
  );
  return {
    key: bundle.asset.s3ObjectKey,
    userData: literalText(props.LaunchTemplateData.UserData),
  };
}

describe('rolling updates of the shop', () => {
  it('a changed bundle is a new S3 key in the user data, hence a new launch template version', () => {
    // Act
    const before = launchTemplateFor('console.log("v1")');
    const after = launchTemplateFor('console.log("v2")');

    // Assess
    expect(after.key).not.toBe(before.key);
    expect(before.userData).toContain(before.key);
    expect(after.userData).toContain(after.key);
    expect(after.userData).not.toBe(before.userData);
  });

  it('the same bundle keeps the same user data: no rolling update for nothing', () => {
    // Act
    const first = launchTemplateFor('console.log("same")');
    const again = launchTemplateFor('console.log("same")');

    // Assess
    expect(again.key).toBe(first.key);
    expect(again.userData).toBe(first.userData);
  });

  it('the group follows the launch template latest version under its rolling update policy', () => {
    // Prepare
    const { template } = synthShop();
    const launchTemplate = onlyResource(template, 'AWS::EC2::LaunchTemplate');

    // Act
    const group = onlyResource<{ LaunchTemplate: Record<string, unknown> }>(
      template,
      'AWS::AutoScaling::AutoScalingGroup',
    );

    // Assess: a new version is an update of the group, which CloudFormation rolls one at a time.
    expect(group.props.LaunchTemplate).toEqual({
      LaunchTemplateId: ref(launchTemplate.id),
      Version: getAtt(launchTemplate.id, 'LatestVersionNumber'),
    });
    expect(group.resource.UpdatePolicy).toMatchObject({
      AutoScalingRollingUpdate: { MaxBatchSize: 1, WaitOnResourceSignals: true },
    });
  });
});
