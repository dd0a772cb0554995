import { describe, expect, it } from 'vitest';
import { buildReboundApp } from '../../infra/rebound-app.js';

/**
 * With the account of your credentials known (the CDK CLI passes CDK_DEFAULT_ACCOUNT), unset
 * availabilityZones come from CDK's own `availability-zones` context provider: the first
 * synthesis reports the lookup as missing context, the CLI fetches it, caches it in
 * cdk.context.json and synthesizes again with the account's real AZ names.
 */

const ACCOUNT = '123456789012';
const LOOKUP_KEY = `availability-zones:account=${ACCOUNT}:region=ap-northeast-1`;
const context = { region: 'ap-northeast-1', 'aws:cdk:bundling-stacks': [] };

describe('availabilityZones looked up through the CDK CLI', () => {
  it('asks the CLI to look up the AZs of the account and region', () => {
    // Prepare
    const { app } = buildReboundApp({ context, cliAccount: ACCOUNT });

    // Act
    const missing = app.synth().manifest.missing ?? [];

    // Assess
    expect(missing.map(({ key, provider }) => ({ key, provider }))).toEqual([
      { key: LOOKUP_KEY, provider: 'availability-zones' },
    ]);
  });

  it('builds the shop in the AZs the CLI cached, and asks for nothing more', () => {
    // Prepare
    const zones = ['ap-northeast-1a', 'ap-northeast-1c', 'ap-northeast-1d'];
    const { app, shop } = buildReboundApp({
      context: { ...context, [LOOKUP_KEY]: zones },
      cliAccount: ACCOUNT,
    });

    // Act
    const assembly = app.synth();
    const template = assembly.getStackByName(shop.stackName).template as {
      Resources: Record<string, { Type: string; Properties?: { AvailabilityZone?: string } }>;
    };
    const subnetAzs = new Set(
      Object.values(template.Resources)
        .filter((resource) => resource.Type === 'AWS::EC2::Subnet')
        .map((resource) => resource.Properties?.AvailabilityZone),
    );

    // Assess
    expect(assembly.manifest.missing ?? []).toEqual([]);
    expect(subnetAzs).toEqual(new Set(zones));
  });
});
