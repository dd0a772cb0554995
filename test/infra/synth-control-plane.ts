import { Template } from 'aws-cdk-lib/assertions';
import type { ReboundConfig } from '../../infra/config.js';
import { buildReboundApp } from '../../infra/rebound-app.js';
import { resolveDeployedNames } from '../../sandbox/deployed-names.js';

/**
 * Shared synthesis for the control-plane tests, like `synthShop`: the whole app is built from
 * `context` exactly as the CLI does (cdk-nag included: a finding fails the synth), Lambda
 * bundling skipped, synthesized once per context within a test file.
 */

export interface SynthesizedControlPlane {
  /** The `rebound-<stage>-control-plane` stack. */
  readonly template: Template;
  /** The shop stack of the same app: what the control plane's `Fn::ImportValue`s point to. */
  readonly shopTemplate: Template;
  readonly stackName: string;
  readonly config: ReboundConfig;
}

const cache = new Map<string, SynthesizedControlPlane>();

export function synthControlPlane(
  context: Readonly<Record<string, unknown>> = {},
): SynthesizedControlPlane {
  const key = JSON.stringify(context);
  const cached = cache.get(key);
  if (cached) return cached;
  const { app, shop, controlPlane, config } = buildReboundApp({
    context: { ...context, 'aws:cdk:bundling-stacks': [] },
  });
  const assembly = app.synth();
  const synthesized: SynthesizedControlPlane = {
    template: Template.fromJSON(assembly.getStackByName(controlPlane.stackName).template),
    shopTemplate: Template.fromJSON(assembly.getStackByName(shop.stackName).template),
    stackName: controlPlane.stackName,
    config,
  };
  cache.set(key, synthesized);
  return synthesized;
}

/** The account the resolved ARNs use (the dev config deploys to the CLI's account). */
export const TEST_ACCOUNT = '123456789012';

/** A made-up id for the `<name>/<id>` suffix of ALB and target-group full names. */
const FULL_NAME_ID = '50dc6c495c0c9188';

/**
 * A synthesized value with its intrinsics replaced by what they become once deployed with the
 * physical names the templates set (`rebound-dev-web`, `rebound-dev-db`…), in TEST_ACCOUNT with
 * FULL_NAME_ID as the load balancer's id. Throws on anything else, so a test never compares
 * against a half-resolved value.
 */
export function resolveDeployed(value: unknown, synthesized: SynthesizedControlPlane): unknown {
  return resolveDeployedNames(
    value,
    { controlPlane: synthesized.template.toJSON(), shop: synthesized.shopTemplate.toJSON() },
    {
      region: synthesized.config.region,
      account: TEST_ACCOUNT,
      partition: 'aws',
      fullNameId: FULL_NAME_ID,
    },
    'throw',
  );
}
