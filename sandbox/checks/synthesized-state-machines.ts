import { buildReboundApp } from '../../infra/rebound-app.js';
import type { StateMachineUnderCheck } from './sdk-integration-contract.js';

/**
 * Every Step Functions state machine of the Rebound app as synthesized for one configuration
 * (offline, no Lambda bundling): its name, its ASL definition as deployed and the IAM actions
 * its role is allowed. References the template cannot know before deploy (ARNs of other
 * resources, imports) become `${…}` placeholders inside the strings that held them; pseudo
 * parameters are resolved, so Task resources read `arn:aws:states:::aws-sdk:…`.
 */

export interface SynthesizedStateMachine extends StateMachineUnderCheck {
  readonly stackName: string;
  readonly logicalId: string;
}

type Intrinsic = Readonly<Record<string, unknown>>;

interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Readonly<Record<string, unknown>>;
}

interface PolicyDocument {
  readonly Statement?: readonly { readonly Effect?: string; readonly Action?: unknown }[];
}

const ACCOUNT_PLACEHOLDER = '123456789012';

/** One `Fn::Join` part as text: a pseudo parameter's value, else a JSON-safe placeholder. */
const joinPart = (part: unknown, region: string): string => {
  if (typeof part === 'string') return part;
  const pseudo: Readonly<Record<string, string>> = {
    'AWS::Partition': 'aws',
    'AWS::Region': region,
    'AWS::AccountId': ACCOUNT_PLACEHOLDER,
    'AWS::URLSuffix': 'amazonaws.com',
  };
  const ref = (part as Intrinsic).Ref;
  if (typeof ref === 'string' && pseudo[ref] !== undefined) return pseudo[ref];
  return `\${${JSON.stringify(part)
    .replace(/[^A-Za-z0-9:._-]+/g, ' ')
    .trim()}}`;
};

/** The definition string as deployed, with placeholders for unresolvable references. */
const definitionText = (definition: unknown, region: string): string => {
  if (typeof definition === 'string') return definition;
  const join = (definition as Intrinsic)['Fn::Join'];
  if (!Array.isArray(join) || typeof join[0] !== 'string' || !Array.isArray(join[1])) {
    throw new Error(`unexpected DefinitionString ${JSON.stringify(definition).slice(0, 200)}`);
  }
  return join[1].map((part: unknown) => joinPart(part, region)).join(join[0]);
};

const actionsOf = (document: PolicyDocument | undefined): string[] =>
  (document?.Statement ?? [])
    .filter((statement) => statement.Effect === 'Allow')
    .flatMap((statement) => [statement.Action ?? []].flat())
    .filter((action): action is string => typeof action === 'string');

/** The actions the role `roleId` is allowed by its inline and attached policies. */
const roleActions = (resources: Readonly<Record<string, TemplateResource>>, roleId: string) => {
  const role = resources[roleId];
  const inline = (
    (role?.Properties?.Policies ?? []) as { PolicyDocument?: PolicyDocument }[]
  ).flatMap((policy) => actionsOf(policy.PolicyDocument));
  const attached = Object.values(resources)
    .filter((resource) => resource.Type === 'AWS::IAM::Policy')
    .filter((policy) =>
      ((policy.Properties?.Roles ?? []) as Intrinsic[]).some((ref) => ref.Ref === roleId),
    )
    .flatMap((policy) => actionsOf(policy.Properties?.PolicyDocument as PolicyDocument));
  return [...inline, ...attached];
};

/** Synthesizes the app for `context` and returns each of its state machines. */
export const synthesizeStateMachines = (
  context: Readonly<Record<string, string>>,
): SynthesizedStateMachine[] => {
  const { app, config } = buildReboundApp({
    context: { ...context, 'aws:cdk:bundling-stacks': [] },
  });
  return app.synth().stacks.flatMap((stack) => {
    const resources =
      (stack.template as { Resources?: Record<string, TemplateResource> }).Resources ?? {};
    return Object.entries(resources)
      .filter(([, resource]) => resource.Type === 'AWS::StepFunctions::StateMachine')
      .map(([logicalId, resource]) => {
        const properties = resource.Properties ?? {};
        const roleArn = properties.RoleArn as Intrinsic | undefined;
        const [roleId] = (roleArn?.['Fn::GetAtt'] ?? []) as string[];
        return {
          stackName: stack.stackName,
          logicalId,
          name:
            typeof properties.StateMachineName === 'string'
              ? properties.StateMachineName
              : logicalId,
          definition: JSON.parse(definitionText(properties.DefinitionString, config.region)),
          allowedActions: roleId === undefined ? [] : roleActions(resources, roleId),
        };
      });
  });
};
