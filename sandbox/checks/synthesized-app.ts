import type { ReboundConfig } from '../../infra/config.js';
import { buildReboundApp } from '../../infra/rebound-app.js';
import type { StateMachineUnderCheck } from './sdk-integration-contract.js';

/**
 * The Rebound app as synthesized for one configuration (offline, no Lambda bundling), read back
 * for the checks: every state machine with its ASL definition as deployed and the IAM actions
 * its role is allowed, and every function that reads the guardrails. References the template
 * cannot know before deploy (ARNs of other resources, imports) become `${…}` placeholders
 * inside the strings that held them; pseudo parameters are resolved, so Task resources read
 * `arn:aws:states:::aws-sdk:…`.
 */

export interface SynthesizedStateMachine extends StateMachineUnderCheck {
  readonly stackName: string;
  readonly logicalId: string;
}

/** A function whose role may call ssm:GetParametersByPath: it reads the guardrails. */
export interface GuardrailReader {
  readonly functionName: string;
  /** Its GUARDRAILS_PATH, which its code reads with loadGuardrails. */
  readonly guardrailsPath: string;
  /** The Resource of each statement granting it ssm:GetParametersByPath, as synthesized. */
  readonly grantedResources: readonly unknown[];
}

export interface SynthesizedApp {
  readonly config: ReboundConfig;
  readonly stateMachines: readonly SynthesizedStateMachine[];
  readonly guardrailReaders: readonly GuardrailReader[];
}

type Intrinsic = Readonly<Record<string, unknown>>;

interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Readonly<Record<string, unknown>>;
}
type Resources = Readonly<Record<string, TemplateResource>>;

interface Statement {
  readonly Effect?: string;
  readonly Action?: unknown;
  readonly Resource?: unknown;
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

/** The Allow statements of the role's inline and attached policies. */
const roleStatements = (resources: Resources, roleArn: unknown): Statement[] => {
  const [roleId] = ((roleArn as Intrinsic | undefined)?.['Fn::GetAtt'] ?? []) as string[];
  if (roleId === undefined) return [];
  const documents = [
    ...((resources[roleId]?.Properties?.Policies ?? []) as { PolicyDocument?: unknown }[]).map(
      (policy) => policy.PolicyDocument,
    ),
    ...Object.values(resources)
      .filter((resource) => resource.Type === 'AWS::IAM::Policy')
      .filter((policy) =>
        ((policy.Properties?.Roles ?? []) as Intrinsic[]).some((ref) => ref.Ref === roleId),
      )
      .map((policy) => policy.Properties?.PolicyDocument),
  ];
  return documents
    .flatMap((document) => (document as { Statement?: Statement[] } | undefined)?.Statement ?? [])
    .filter((statement) => statement.Effect === 'Allow');
};

const actionsOf = (statement: Statement): string[] =>
  [statement.Action ?? []].flat().filter((action): action is string => typeof action === 'string');

const stateMachinesOf = (
  stackName: string,
  resources: Resources,
  region: string,
): SynthesizedStateMachine[] =>
  Object.entries(resources)
    .filter(([, resource]) => resource.Type === 'AWS::StepFunctions::StateMachine')
    .map(([logicalId, resource]) => {
      const properties = resource.Properties ?? {};
      return {
        stackName,
        logicalId,
        name:
          typeof properties.StateMachineName === 'string' ? properties.StateMachineName : logicalId,
        definition: JSON.parse(definitionText(properties.DefinitionString, region)),
        allowedActions: roleStatements(resources, properties.RoleArn).flatMap(actionsOf),
      };
    });

const guardrailReadersOf = (resources: Resources): GuardrailReader[] =>
  Object.values(resources)
    .filter((resource) => resource.Type === 'AWS::Lambda::Function')
    .flatMap(({ Properties: properties = {} }) => {
      const env = (properties.Environment as { Variables?: Intrinsic } | undefined)?.Variables;
      const guardrailsPath = env?.GUARDRAILS_PATH;
      const grantedResources = roleStatements(resources, properties.Role)
        .filter((statement) => actionsOf(statement).includes('ssm:GetParametersByPath'))
        .map((statement) => statement.Resource);
      if (typeof guardrailsPath !== 'string' || grantedResources.length === 0) return [];
      return [{ functionName: String(properties.FunctionName), guardrailsPath, grantedResources }];
    });

/** Synthesizes the app for `context` and reads its state machines and guardrail readers. */
export const synthesizeApp = (context: Readonly<Record<string, unknown>>): SynthesizedApp => {
  const { app, config } = buildReboundApp({
    context: { ...context, 'aws:cdk:bundling-stacks': [] },
  });
  const stacks = app.synth().stacks.map((stack) => ({
    stackName: stack.stackName,
    resources: ((stack.template as { Resources?: Resources }).Resources ?? {}) as Resources,
  }));
  return {
    config,
    stateMachines: stacks.flatMap(({ stackName, resources }) =>
      stateMachinesOf(stackName, resources, config.region),
    ),
    guardrailReaders: stacks.flatMap(({ resources }) => guardrailReadersOf(resources)),
  };
};
