/**
 * What a synthesized value becomes once deployed, offline: CloudFormation intrinsics replaced
 * with the physical names the templates set (`rebound-prod-web`, `rebound-prod-db`…).
 * `Fn::ImportValue` goes through the shop's exports; `Ref` becomes a name (an ARN for topics,
 * state machines, load balancers and target groups); `Fn::GetAtt` gives the ALB and target-group full names;
 * `Fn::Join` and the pseudo parameters resolve. What only AWS knows (the account, the id AWS
 * appends to a load balancer's name) comes from `DeployedValues`: concrete values in the tests,
 * `UNKNOWN` in the replay, which turns it into a wildcard.
 */

interface RawTemplate {
  readonly Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  readonly Outputs?: Record<string, { Value: unknown; Export?: { Name: string } }>;
}

export interface DeployedTemplates {
  /** The template the value comes from (its `Ref`s point into it). */
  readonly controlPlane: unknown;
  /** The shop stack's template: what `Fn::ImportValue`s point to. */
  readonly shop: unknown;
}

/** Stands for a part of a deployed value only AWS knows; see toWildcardPattern. */
export const UNKNOWN = '\u0000';

export interface DeployedValues {
  readonly region: string;
  readonly account: string;
  readonly partition: string;
  /** The id AWS appends to ALB and target-group names (`app/<name>/<id>`). */
  readonly fullNameId: string;
}

/** The property that holds a resource's physical name, by type. */
const NAME_PROPERTY: Readonly<Record<string, string>> = {
  'AWS::AutoScaling::AutoScalingGroup': 'AutoScalingGroupName',
  'AWS::RDS::DBInstance': 'DBInstanceIdentifier',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::StepFunctions::StateMachine': 'StateMachineName',
  'AWS::ElasticLoadBalancingV2::LoadBalancer': 'Name',
  'AWS::ElasticLoadBalancingV2::TargetGroup': 'Name',
};

export class UnresolvableError extends Error {
  override readonly name = 'UnresolvableError';
}

/**
 * `value` as deployed. `unresolvable`: 'throw' (a test must never compare against a
 * half-resolved value) or 'keep' (the replay leaves the intrinsic for the matcher).
 */
export function resolveDeployedNames(
  value: unknown,
  templates: DeployedTemplates,
  deployed: DeployedValues,
  unresolvable: 'throw' | 'keep',
): unknown {
  const controlPlane = templates.controlPlane as RawTemplate;
  const shop = templates.shop as RawTemplate;
  const arn = (service: string, resource: string) =>
    `arn:${deployed.partition}:${service}:${deployed.region}:${deployed.account}:${resource}`;
  const pseudo: Readonly<Record<string, string>> = {
    'AWS::Partition': deployed.partition,
    'AWS::AccountId': deployed.account,
    'AWS::Region': deployed.region,
  };

  const nameOf = (template: RawTemplate, logicalId: unknown) => {
    const resource = typeof logicalId === 'string' ? template.Resources?.[logicalId] : undefined;
    const name = resource?.Properties?.[NAME_PROPERTY[resource.Type] ?? ''];
    return resource === undefined || typeof name !== 'string'
      ? undefined
      : { type: resource.Type, name };
  };

  /** The deployed value of one intrinsic, or undefined when the templates cannot tell. */
  const intrinsic = (key: string, arg: unknown, template: RawTemplate): unknown => {
    if (key === 'Fn::ImportValue') {
      const output = Object.values(shop.Outputs ?? {}).find((out) => out.Export?.Name === arg);
      return output === undefined ? undefined : resolve(output.Value, shop);
    }
    if (key === 'Ref') {
      if (typeof arg === 'string' && pseudo[arg] !== undefined) return pseudo[arg];
      const named = nameOf(template, arg);
      if (named?.type === 'AWS::SNS::Topic') return arn('sns', named.name);
      if (named?.type === 'AWS::StepFunctions::StateMachine') {
        return arn('states', `stateMachine:${named.name}`);
      }
      if (named?.type === 'AWS::ElasticLoadBalancingV2::TargetGroup') {
        return arn('elasticloadbalancing', `targetgroup/${named.name}/${deployed.fullNameId}`);
      }
      // "Ref returns the Amazon Resource Name (ARN) of the load balancer" (CloudFormation,
      // AWS::ElasticLoadBalancingV2::LoadBalancer, Return values).
      if (named?.type === 'AWS::ElasticLoadBalancingV2::LoadBalancer') {
        return arn('elasticloadbalancing', `loadbalancer/app/${named.name}/${deployed.fullNameId}`);
      }
      return named?.name;
    }
    if (key === 'Fn::GetAtt' && Array.isArray(arg)) {
      const [logicalId, attribute] = arg;
      const named = nameOf(template, logicalId);
      if (named === undefined) return undefined;
      if (attribute === 'LoadBalancerFullName') return `app/${named.name}/${deployed.fullNameId}`;
      if (attribute === 'TargetGroupFullName') {
        return `targetgroup/${named.name}/${deployed.fullNameId}`;
      }
      return undefined;
    }
    if (key === 'Fn::Join' && Array.isArray(arg)) {
      const [separator, parts] = arg;
      if (typeof separator !== 'string' || !Array.isArray(parts)) return undefined;
      const resolved = parts.map((part) => resolve(part, template));
      return resolved.every((part) => typeof part === 'string')
        ? resolved.join(separator)
        : undefined;
    }
    return undefined;
  };

  const resolve = (item: unknown, template: RawTemplate): unknown => {
    if (Array.isArray(item)) return item.map((inner) => resolve(inner, template));
    if (typeof item !== 'object' || item === null) return item;
    const entries = Object.entries(item);
    const [[key, arg] = ['', undefined]] = entries;
    if (entries.length === 1 && (key === 'Ref' || key.startsWith('Fn::'))) {
      const deployedValue = intrinsic(key, arg, template);
      if (deployedValue !== undefined) return deployedValue;
      if (unresolvable === 'throw') {
        throw new UnresolvableError(`cannot resolve ${JSON.stringify(item)}`);
      }
      return item;
    }
    return Object.fromEntries(entries.map(([name, inner]) => [name, resolve(inner, template)]));
  };
  return resolve(value, controlPlane);
}

/**
 * An event pattern whose match values may hold UNKNOWN parts, as the matcher takes it: a string
 * with an unknown part becomes a `wildcard` match value (`app/rebound-prod-alb/*`).
 */
export function toWildcardPattern(pattern: unknown): unknown {
  if (typeof pattern === 'string') {
    if (!pattern.includes(UNKNOWN)) return pattern;
    const literal = (text: string) => text.replace(/[\\*]/g, '\\$&');
    return { wildcard: pattern.split(UNKNOWN).map(literal).join('*') };
  }
  if (Array.isArray(pattern)) return pattern.map(toWildcardPattern);
  if (typeof pattern !== 'object' || pattern === null) return pattern;
  return Object.fromEntries(
    Object.entries(pattern).map(([key, value]) => [key, toWildcardPattern(value)]),
  );
}
