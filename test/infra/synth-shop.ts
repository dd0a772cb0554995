import { Template } from 'aws-cdk-lib/assertions';
import { expect } from 'vitest';
import type { ReboundConfig } from '../../infra/config.js';
import { buildReboundApp } from '../../infra/rebound-app.js';
import type { ShopStack } from '../../infra/stacks/shop-stack.js';

/**
 * Shared synthesis for the shop stack tests. A synth takes seconds, so every test file
 * synthesizes each configuration once (in `beforeAll`) and reads the template many times.
 * The configurations below are the only ones the shop tests use; keep the list short.
 */

/** A shop with its own domain: TLS on the ALB, DNS-validated certificate, Route 53 records. */
export const DOMAIN_CONTEXT = {
  domainName: 'shop.example.com',
  hostedZoneId: 'Z0123456789ABCDEFGHIJ',
} as const;

/**
 * A protected stage outside us-east-1 with the cheap NAT layout and alert recipients: one
 * configuration for everything that differs from the dev default.
 */
export const PROD_EU_CONTEXT = {
  stage: 'prod',
  region: 'eu-west-1',
  natGateways: '1',
  alertEmails: 'ops@example.com,oncall@example.com',
  alertSmsNumbers: '+15555550100',
} as const;

export interface SynthesizedShop {
  readonly template: Template;
  readonly config: ReboundConfig;
  readonly shop: ShopStack;
}

const cache = new Map<string, SynthesizedShop>();

/**
 * Builds the Rebound app from `context` (what `-c key=value` gives) exactly as the CLI does,
 * cdk-nag included, and synthesizes the shop stack (a cdk-nag finding fails the synth).
 * Lambda bundling is skipped: these tests read the template, not the bundle.
 * Memoized per context within a test file.
 */
export function synthShop(context: Readonly<Record<string, unknown>> = {}): SynthesizedShop {
  const key = JSON.stringify(context);
  const cached = cache.get(key);
  if (cached) return cached;
  const { shop, config } = buildReboundApp({
    context: { ...context, 'aws:cdk:bundling-stacks': [] },
  });
  const synthesized = { template: Template.fromStack(shop), config, shop };
  cache.set(key, synthesized);
  return synthesized;
}

/** A resource of the synthesized template; `P` is what the test expects its Properties to be. */
export interface CfnResource<P = Record<string, unknown>> {
  readonly Type: string;
  readonly Properties: P;
  readonly DependsOn?: string[];
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
  readonly UpdatePolicy?: Record<string, unknown>;
  readonly CreationPolicy?: Record<string, unknown>;
}

type Resources<P> = Record<string, CfnResource<P>>;

export interface Found<P> {
  readonly id: string;
  readonly props: P;
  readonly resource: CfnResource<P>;
}

/** Every resource of `type`, with its logical id and Properties (typed as the test expects). */
export function resourcesOf<P = Record<string, unknown>>(
  template: Template,
  type: string,
  props?: Record<string, unknown>,
): Found<P>[] {
  // The template is untyped JSON; `P` states what the test relies on and the test checks it.
  const found = template.findResources(
    type,
    props ? { Properties: props } : undefined,
  ) as Resources<P>;
  return Object.entries(found).map(([id, resource]) => ({
    id,
    props: resource.Properties,
    resource,
  }));
}

/** The one resource of `type` (matching `props`); fails the test when there are none or several. */
export function onlyResource<P = Record<string, unknown>>(
  template: Template,
  type: string,
  props?: Record<string, unknown>,
): Found<P> {
  const found = resourcesOf<P>(template, type, props);
  expect(
    found.map(({ id }) => id),
    `exactly one ${type}`,
  ).toHaveLength(1);
  const [first] = found;
  if (first === undefined) throw new Error(`no ${type} in the template`);
  return first;
}

/** Logical id of the security group named `name` (GroupName). */
export function securityGroupId(template: Template, name: string): string {
  return onlyResource(template, 'AWS::EC2::SecurityGroup', { GroupName: name }).id;
}

export const ref = (logicalId: string) => ({ Ref: logicalId });
export const getAtt = (logicalId: string, attribute: string) => ({
  'Fn::GetAtt': [logicalId, attribute],
});

/** The logical id a `{ Ref }` points to, or undefined for anything else. */
export function refTarget(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || !('Ref' in value)) return undefined;
  return typeof value.Ref === 'string' ? value.Ref : undefined;
}

/** The logical id a `{ "Fn::GetAtt": [id, attribute] }` points to, or undefined. */
export function getAttTarget(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || !('Fn::GetAtt' in value)) return undefined;
  const [logicalId] = value['Fn::GetAtt'] as unknown[];
  return typeof logicalId === 'string' ? logicalId : undefined;
}

/**
 * The literal text inside a CloudFormation value: a string as is, an intrinsic such as
 * `Fn::Base64` / `Fn::Join` as the concatenation of its string leaves (tokens such as
 * `{ Ref }` contribute nothing).
 */
export function literalText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(literalText).join('');
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value)
      .filter(([key]) => key !== 'Ref' && key !== 'Fn::GetAtt')
      .map(([, inner]) => literalText(inner))
      .join('');
  }
  return '';
}

/**
 * Every `{ Ref }` / `{ Fn::GetAtt }` target (logical id) anywhere inside a value, without
 * pseudo parameters such as `AWS::AccountId`.
 */
export function referencedIds(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(referencedIds);
  if (typeof value !== 'object' || value === null) return [];
  const ids: string[] = [];
  for (const [key, inner] of Object.entries(value)) {
    if (key === 'Ref' && typeof inner === 'string') {
      if (!inner.startsWith('AWS::')) ids.push(inner);
    } else if (key === 'Fn::GetAtt' && Array.isArray(inner) && typeof inner[0] === 'string') {
      ids.push(inner[0]);
    } else ids.push(...referencedIds(inner));
  }
  return ids;
}

/** Subnet logical ids by the `aws-cdk:subnet-type` tag CDK puts on every subnet. */
export function subnetIdsByType(template: Template): Record<string, string[]> {
  const byType: Record<string, string[]> = {};
  for (const { id, props } of resourcesOf<{ Tags: { Key: string; Value: string }[] }>(
    template,
    'AWS::EC2::Subnet',
  )) {
    const type = props.Tags.find((tag) => tag.Key === 'aws-cdk:subnet-type')?.Value ?? 'untagged';
    byType[type] = [...(byType[type] ?? []), id];
  }
  return byType;
}

/** `{ Ref }` objects of the subnets of a kind, in template order (Subnet1, 2, 3). */
export function subnetRefs(template: Template, type: 'Public' | 'Private' | 'Isolated') {
  return (subnetIdsByType(template)[type] ?? []).map(ref);
}
