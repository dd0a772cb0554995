import type { ModelOperation, ServiceModel } from './botocore-models.js';
import {
  javaExceptionName,
  javaServiceName,
  stepFunctionsActionName,
  stepFunctionsFieldName,
} from './java-sdk-names.js';

/**
 * The SDK-integration contract check: every `arn:aws:states:::aws-sdk:<service>:<action>` Task
 * of a state machine against AWS's service model. The local ASL executor and the mocks accept
 * any field name; Step Functions rejects an unknown one ("The field X is not supported by Step
 * Functions") and an `ErrorEquals` naming an error the service never raises simply never
 * matches. Checked, for each such Task:
 * - the service and the action exist;
 * - every Parameters key (recursively through structures, lists and maps) is a member of the
 *   operation's input under Step Functions' naming, and every required member is present;
 * - every `ErrorEquals` entry but `States.*` is `<Service>.<Error>` for an error the operation
 *   declares, or `<Service>.<Service>Exception` (what undeclared errors, throttling included,
 *   arrive as);
 * - the state machine's role allows the operation's IAM action (what CDK's `iamAction` wrote).
 * Naming rules: java-sdk-names.ts.
 */

export interface StateMachineUnderCheck {
  /** How findings name the state machine (e.g. `rebound-dev-rds-failover`). */
  readonly name: string;
  /** The ASL definition, parsed. */
  readonly definition: unknown;
  /** The IAM actions the state machine's role policies allow (may hold `*` wildcards). */
  readonly allowedActions: readonly string[];
}

export interface ContractFinding {
  readonly stateMachine: string;
  readonly state: string;
  readonly message: string;
}

/** Where the models come from (botocore-models.ts in production, a fixture in unit tests). */
export interface ServiceModels {
  model(service: string): ServiceModel | undefined;
}

const SDK_RESOURCE = /^arn:[^:]+:states:::aws-sdk:([^:]+):([^.:]+)(\.[A-Za-z]+)?$/;

/**
 * IAM prefixes that differ from the model's signing name / endpoint prefix. CloudWatch's
 * endpoint is `monitoring` while its actions are `cloudwatch:*` (Service Authorization
 * Reference, "Actions, resources, and condition keys for Amazon CloudWatch").
 */
const IAM_PREFIX_BY_ENDPOINT: Readonly<Record<string, string>> = { monitoring: 'cloudwatch' };

interface TaskState {
  readonly Type: 'Task';
  readonly Resource?: unknown;
  readonly Parameters?: unknown;
  readonly Retry?: readonly { readonly ErrorEquals?: readonly string[] }[];
  readonly Catch?: readonly { readonly ErrorEquals?: readonly string[] }[];
}

type Json = Readonly<Record<string, unknown>>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every state of the definition with its name, nested Parallel branches and Map processors included. */
const allStates = (definition: unknown): [name: string, state: Json][] => {
  if (!isObject(definition) || !isObject(definition.States)) return [];
  return Object.entries(definition.States).flatMap(([name, state]) => {
    if (!isObject(state)) return [];
    const nested = [
      ...(Array.isArray(state.Branches) ? state.Branches : []),
      state.ItemProcessor,
      state.Iterator,
    ].flatMap(allStates);
    return [[name, state] as [string, Json], ...nested];
  });
};

const globToRegExp = (pattern: string): RegExp =>
  new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i');

/** `a, b, c` (at most 12, then `…`). */
const listed = (names: readonly string[]): string =>
  names.length > 12 ? `${names.slice(0, 12).join(', ')}, …` : names.join(', ');

/** Checks one aws-sdk Task; returns its findings as plain messages. */
const checkTask = (
  task: TaskState,
  service: string,
  action: string,
  machine: StateMachineUnderCheck,
  models: ServiceModels,
): string[] => {
  const model = models.model(service);
  if (model === undefined) {
    return [`aws-sdk:${service}: no AWS service is named "${service}" in the service models`];
  }
  const operation = Object.values(model.operations).find(
    (candidate) => stepFunctionsActionName(candidate.name) === action,
  );
  if (operation === undefined) {
    const near = Object.values(model.operations).find(
      (candidate) => candidate.name.toLowerCase() === action.toLowerCase(),
    );
    const hint = near === undefined ? '' : ` (did you mean ${stepFunctionsActionName(near.name)}?)`;
    return [`aws-sdk:${service}:${action}: ${service} has no action ${action}${hint}`];
  }
  return [
    ...parameterFindings(task.Parameters, operation, model),
    ...errorFindings(task, operation, model),
    ...iamFindings(operation, model, machine),
  ];
};

const parameterFindings = (
  parameters: unknown,
  operation: ModelOperation,
  model: ServiceModel,
): string[] => {
  const findings: string[] = [];
  const visit = (value: unknown, shapeName: string, where: string): void => {
    const shape = model.shapes[shapeName];
    if (shape === undefined) return;
    if (shape.type === 'list' && Array.isArray(value) && shape.member !== undefined) {
      const element = shape.member.shape;
      value.forEach((item, index) => {
        visit(item, element, `${where}[${index}]`);
      });
    } else if (shape.type === 'map' && isObject(value) && shape.value !== undefined) {
      const valueShape = shape.value.shape;
      for (const [key, item] of Object.entries(value)) {
        if (!key.endsWith('.$')) visit(item, valueShape, `${where}.${key}`);
      }
    } else if (shape.type === 'structure' && isObject(value)) {
      const byField = new Map(
        Object.entries(shape.members ?? {}).map(([member, ref]) => [
          stepFunctionsFieldName(member),
          { member, shape: ref.shape },
        ]),
      );
      const label = where === '' ? `${operation.name} input` : `${operation.name} input ${where}`;
      for (const [key, item] of Object.entries(value)) {
        const field = key.endsWith('.$') ? key.slice(0, -2) : key;
        const member = byField.get(field);
        if (member === undefined) {
          const near = Object.keys(shape.members ?? {}).find((name) =>
            [name, stepFunctionsFieldName(name)].some(
              (spelling) => spelling.toLowerCase() === field.toLowerCase(),
            ),
          );
          const hint =
            near === undefined
              ? ''
              : ` (did you mean "${stepFunctionsFieldName(near)}", Step Functions' name for ${near}?)`;
          findings.push(
            `field "${field}" is not a member of ${label}${hint}; members: ${listed([...byField.keys()])}`,
          );
        } else if (!key.endsWith('.$')) {
          visit(item, member.shape, where === '' ? field : `${where}.${field}`);
        }
      }
      for (const required of shape.required ?? []) {
        const field = stepFunctionsFieldName(required);
        if (!(field in value) && !(`${field}.$` in value)) {
          findings.push(`required field "${field}" of ${label} is missing`);
        }
      }
    }
  };
  if (operation.input !== undefined) visit(parameters ?? {}, operation.input.shape, '');
  else if (isObject(parameters) && Object.keys(parameters).length > 0) {
    findings.push(`${operation.name} takes no input, yet Parameters has fields`);
  }
  return findings;
};

const errorFindings = (
  task: TaskState,
  operation: ModelOperation,
  model: ServiceModel,
): string[] => {
  const prefix = javaServiceName(model.metadata.serviceId);
  const declared = new Set([
    ...(operation.errors ?? []).map((error) => javaExceptionName(error.shape)),
    `${prefix}Exception`,
  ]);
  const entries = [...(task.Retry ?? []), ...(task.Catch ?? [])].flatMap(
    (rule) => rule.ErrorEquals ?? [],
  );
  const findings: string[] = [];
  for (const error of new Set(entries)) {
    if (error.startsWith('States.')) continue;
    const dot = error.indexOf('.');
    if (dot < 0 || error.slice(0, dot) !== prefix) {
      findings.push(
        `ErrorEquals "${error}" can never match: ${operation.name} raises only States.* and ${prefix}.<Error> errors`,
      );
    } else if (!declared.has(error.slice(dot + 1))) {
      findings.push(
        `ErrorEquals "${error}" can never match: ${operation.name} declares ${listed([...declared].map((name) => `${prefix}.${name}`))} (errors it does not declare, throttling included, arrive as ${prefix}.${prefix}Exception)`,
      );
    }
  }
  return findings;
};

const iamFindings = (
  operation: ModelOperation,
  model: ServiceModel,
  machine: StateMachineUnderCheck,
): string[] => {
  const endpoint = model.metadata.signingName ?? model.metadata.endpointPrefix;
  const expected = `${IAM_PREFIX_BY_ENDPOINT[endpoint] ?? endpoint}:${operation.name}`;
  // IAM action names are case-insensitive.
  if (machine.allowedActions.some((allowed) => globToRegExp(allowed).test(expected))) return [];
  return [
    `the state machine's role does not allow ${expected} (the Task's iamAction); it allows ${listed([...new Set(machine.allowedActions)])}`,
  ];
};

/** Every contract finding of `machine`'s aws-sdk Tasks; none means it passes. */
export const checkSdkIntegrations = (
  machine: StateMachineUnderCheck,
  models: ServiceModels,
): ContractFinding[] =>
  allStates(machine.definition).flatMap(([name, state]) => {
    if (state.Type !== 'Task' || typeof state.Resource !== 'string') return [];
    const match = SDK_RESOURCE.exec(state.Resource);
    if (match === null) return [];
    const [, service = '', action = ''] = match;
    return checkTask(state as unknown as TaskState, service, action, machine, models).map(
      (message) => ({ stateMachine: machine.name, state: name, message }),
    );
  });

/** One line per finding: `<state machine> <state>: <message>`. */
export const formatContractFinding = (finding: ContractFinding): string =>
  `${finding.stateMachine} ${finding.state}: ${finding.message}`;
