import { Template } from 'aws-cdk-lib/assertions';
import type { ReboundConfig } from '../../infra/config.js';
import { buildReboundApp } from '../../infra/rebound-app.js';

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

/** The property that holds a resource's physical name, by type. */
const NAME_PROPERTY: Readonly<Record<string, string>> = {
  'AWS::AutoScaling::AutoScalingGroup': 'AutoScalingGroupName',
  'AWS::RDS::DBInstance': 'DBInstanceIdentifier',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::StepFunctions::StateMachine': 'StateMachineName',
  'AWS::ElasticLoadBalancingV2::LoadBalancer': 'Name',
  'AWS::ElasticLoadBalancingV2::TargetGroup': 'Name',
};

interface RawTemplate {
  readonly Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  readonly Outputs?: Record<string, { Value: unknown; Export?: { Name: string } }>;
}

/**
 * A synthesized value with its intrinsics replaced by what they become once deployed with the
 * physical names the templates set (`rebound-dev-web`, `rebound-dev-db`…): `Fn::ImportValue`
 * through the shop's exports, `Ref` to a name (an ARN for topics, state machines and target groups), the ALB and
 * target-group full names, `Fn::Join` and the pseudo parameters. Throws on anything else, so a
 * test never compares against a half-resolved value.
 */
export function resolveDeployed(value: unknown, synthesized: SynthesizedControlPlane): unknown {
  const { config } = synthesized;
  const controlPlane = synthesized.template.toJSON() as RawTemplate;
  const shop = synthesized.shopTemplate.toJSON() as RawTemplate;
  const arn = (service: string, resource: string) =>
    `arn:aws:${service}:${config.region}:${TEST_ACCOUNT}:${resource}`;

  const nameOf = (template: RawTemplate, logicalId: string): [type: string, name: string] => {
    const resource = template.Resources[logicalId];
    const name = resource?.Properties?.[NAME_PROPERTY[resource.Type] ?? ''];
    if (resource === undefined || typeof name !== 'string') {
      throw new Error(`no physical name for ${logicalId}`);
    }
    return [resource.Type, name];
  };

  const resolve = (item: unknown, template: RawTemplate): unknown => {
    if (Array.isArray(item)) return item.map((inner) => resolve(inner, template));
    if (typeof item !== 'object' || item === null) return item;
    const entries = Object.entries(item);
    const [[key, arg] = ['', undefined]] = entries;
    if (entries.length === 1 && key === 'Fn::ImportValue') {
      const output = Object.values(shop.Outputs ?? {}).find((out) => out.Export?.Name === arg);
      if (output === undefined) throw new Error(`the shop exports no ${String(arg)}`);
      return resolve(output.Value, shop);
    }
    if (entries.length === 1 && key === 'Ref' && typeof arg === 'string') {
      const pseudo: Record<string, string> = {
        'AWS::Partition': 'aws',
        'AWS::AccountId': TEST_ACCOUNT,
        'AWS::Region': config.region,
      };
      if (pseudo[arg] !== undefined) return pseudo[arg];
      const [type, name] = nameOf(template, arg);
      if (type === 'AWS::SNS::Topic') return arn('sns', name);
      if (type === 'AWS::StepFunctions::StateMachine') return arn('states', `stateMachine:${name}`);
      if (type === 'AWS::ElasticLoadBalancingV2::TargetGroup') {
        return arn('elasticloadbalancing', `targetgroup/${name}/${FULL_NAME_ID}`);
      }
      return name;
    }
    if (entries.length === 1 && key === 'Fn::GetAtt' && Array.isArray(arg)) {
      const [logicalId, attribute] = arg as [string, string];
      const [, name] = nameOf(template, logicalId);
      if (attribute === 'LoadBalancerFullName') return `app/${name}/${FULL_NAME_ID}`;
      if (attribute === 'TargetGroupFullName') return `targetgroup/${name}/${FULL_NAME_ID}`;
    }
    if (entries.length === 1 && key === 'Fn::Join' && Array.isArray(arg)) {
      const [separator, parts] = arg as [string, unknown[]];
      return parts.map((part) => resolve(part, template)).join(separator);
    }
    if (entries.length === 1 && (key === 'Ref' || key.startsWith('Fn::'))) {
      throw new Error(`cannot resolve ${JSON.stringify(item)}`);
    }
    return Object.fromEntries(entries.map(([name, inner]) => [name, resolve(inner, template)]));
  };
  return resolve(value, controlPlane);
}
