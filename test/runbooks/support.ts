import { App, type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import {
  ExecutionError,
  type RunOptions,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { expect } from 'vitest';
import { GUARDRAIL_PARAMETER_NAMES } from '../../functions/lib/core/guardrails.js';
import {
  GuardrailParameters,
  type IGuardrailParameters,
} from '../../infra/control-plane/guardrail-parameters.js';
import { listNagAcknowledgements, type NagAcknowledgement } from '../../infra/nag.js';
import { GUARDRAIL_READ_STATES } from '../../runbooks/kit/guardrail-read.js';
import type { EventLog } from '../../sandbox/bench/transitions.js';

/**
 * A small stack holding the runbook with imported shop resources, synthesized with the
 * cdk-nag packs (a finding fails the synth), and the runbook's ASL as deployed, ready for
 * aws-local-stepfunctions. Lambda bundling is skipped: these tests read the template.
 */

export const TEST_ENV = { account: '123456789012', region: 'us-east-1' } as const;
export const NAME_PREFIX = 'rebound-test';
export const GROUP_NAME = 'rebound-test-web';
export const TARGET_GROUP_ARN =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/rebound-test-web/0123456789abcdef';

export interface SynthesizedRunbook<T> {
  readonly app: App;
  readonly stack: Stack;
  readonly runbook: T;
  readonly template: Template;
}

/** The control plane's shared resources, imported into the test stack. */
export interface SharedResources {
  readonly incidents: dynamodb.ITable;
  readonly guardrails: IGuardrailParameters;
  readonly alertsTopic: sns.ITopic;
  readonly deadLetterQueue: sqs.IQueue;
  /** The shared approvals function (RequestApproval / RecordApproval). */
  readonly approvals: lambda.IFunction;
}

export const APPROVALS_FUNCTION_ARN = `arn:aws:lambda:us-east-1:123456789012:function:${NAME_PREFIX}-approvals`;

export const sharedResources = (stack: Stack): SharedResources => ({
  incidents: dynamodb.Table.fromTableName(stack, 'Incidents', `${NAME_PREFIX}-incidents`),
  guardrails: GuardrailParameters.fromStage(stack, 'Guardrails', 'test'),
  alertsTopic: sns.Topic.fromTopicArn(
    stack,
    'Alerts',
    `arn:aws:sns:us-east-1:123456789012:${NAME_PREFIX}-alerts`,
  ),
  deadLetterQueue: sqs.Queue.fromQueueArn(
    stack,
    'DeadLetters',
    `arn:aws:sqs:us-east-1:123456789012:${NAME_PREFIX}-dead-letters`,
  ),
  approvals: lambda.Function.fromFunctionAttributes(stack, 'Approvals', {
    functionArn: APPROVALS_FUNCTION_ARN,
    sameEnvironment: true,
  }),
});

/**
 * Builds a stack holding one runbook (made by `build` over the shared resources), synthesizes
 * it with the cdk-nag packs (a finding fails the synth) and returns its template.
 */
export function synthRunbookWith<T>(
  build: (stack: Stack, shared: SharedResources) => T,
): SynthesizedRunbook<T> {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'RunbookTest', { env: TEST_ENV });
  const runbook = build(stack, sharedResources(stack));
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  app.synth();
  return { app, stack, runbook, template: Template.fromStack(stack) };
}

/** The shop's web tier imported into `stack`: its Auto Scaling group and its target group. */
export const webTier = (stack: Stack) => ({
  autoScalingGroup: autoscaling.AutoScalingGroup.fromAutoScalingGroupName(
    stack,
    'Group',
    GROUP_NAME,
  ),
  targetGroup: elbv2.ApplicationTargetGroup.fromTargetGroupAttributes(stack, 'Targets', {
    targetGroupArn: TARGET_GROUP_ARN,
  }),
});

type CfnValue = string | { readonly [key: string]: unknown };

const PSEUDO_PARAMETERS: Readonly<Record<string, string>> = {
  'AWS::Partition': 'aws',
  'AWS::Region': TEST_ENV.region,
  'AWS::AccountId': TEST_ENV.account,
  'AWS::URLSuffix': 'amazonaws.com',
};

/** A placeholder for one `Fn::Join` part: pseudo parameters resolved, resources named by id. */
const resolvePart = (part: CfnValue): string => {
  if (typeof part === 'string') return part;
  const ref = part.Ref;
  if (typeof ref === 'string') return PSEUDO_PARAMETERS[ref] ?? ref;
  const getAtt = part['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') {
    return `arn:aws:lambda:${TEST_ENV.region}:${TEST_ENV.account}:function:${getAtt[0]}`;
  }
  throw new Error(`cannot resolve ${JSON.stringify(part)} in the definition`);
};

/** The state machine's definition as deployed, with placeholder ARNs for its references. */
export function definitionOf(template: Template): StateMachineDefinition {
  const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
  const [machine] = machines;
  if (machine === undefined || machines.length !== 1) {
    throw new Error(`expected one state machine, found ${machines.length}`);
  }
  const definition = machine.Properties.DefinitionString as CfnValue;
  if (typeof definition === 'string') return JSON.parse(definition);
  const join = definition['Fn::Join'] as [string, CfnValue[]];
  return JSON.parse(join[1].map(resolvePart).join(join[0]));
}

/**
 * The state machine `name` is Standard, JSONPath, logs ALL events without execution data (a
 * task token is a credential: issue 11 §5), is traced and ends every run after `runTimeoutSeconds`.
 */
export function expectObservableStateMachine(
  template: Template,
  definition: StateMachineDefinition,
  name: string,
  runTimeoutSeconds: number,
): void {
  template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
    StateMachineName: name,
    StateMachineType: 'STANDARD',
    TracingConfiguration: { Enabled: true },
    LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: false }),
  });
  expect(definition.TimeoutSeconds).toBe(runTimeoutSeconds);
  expect((definition as { QueryLanguage?: string }).QueryLanguage).toBe('JSONPath');
}

/** The skeleton's single catch-all: any error goes to Escalate, the error at `$.error`. */
export const CATCH_ALL_TO_ESCALATE = {
  ErrorEquals: ['States.ALL'],
  ResultPath: '$.error',
  Next: 'Escalate',
} as const;

type AslState = StateMachineDefinition['States'][string];

/** The states of `states` and of the Parallel branches and Map processors below them. */
const allStates = (states: Readonly<Record<string, AslState>>): [string, AslState][] =>
  Object.entries(states).flatMap(([name, state]) => {
    const nested = state as {
      Branches?: { States: Record<string, AslState> }[];
      ItemProcessor?: { States: Record<string, AslState> };
      Iterator?: { States: Record<string, AslState> };
    };
    const inner = [
      ...(nested.Branches ?? []),
      ...[nested.ItemProcessor, nested.Iterator].filter((graph) => graph !== undefined),
    ];
    return [[name, state], ...inner.flatMap((graph) => allStates(graph.States))];
  });

/** Every Task state of the definition, those inside a Parallel or a Map included. */
export const taskStatesOf = (definition: StateMachineDefinition): [string, AslState][] =>
  allStates(definition.States).filter(([, state]) => state.Type === 'Task');

/**
 * The Task states (at any depth) are exactly `taskNames`, each with a TimeoutSeconds; every
 * top-level Task but Escalate, and every top-level Parallel or Map (which covers the Tasks
 * inside it), ends its Catch list with {@link CATCH_ALL_TO_ESCALATE}.
 */
export function expectEveryTaskBoundedAndEscalating(
  definition: StateMachineDefinition,
  taskNames: readonly string[],
): void {
  const taskStates = taskStatesOf(definition);
  expect(taskStates.map(([name]) => name).sort()).toEqual([...taskNames].sort());
  for (const [name, state] of taskStates) expect(state, name).toHaveProperty('TimeoutSeconds');
  for (const [name, state] of Object.entries(definition.States)) {
    if (!['Task', 'Parallel', 'Map'].includes(state.Type) || name === 'Escalate') continue;
    if ((GUARDRAIL_READ_STATES as readonly string[]).includes(name)) {
      // A failed guardrail read goes on to its step, which takes the safe side (guardrail-read.ts).
      const next = (state as { Next?: string }).Next;
      expect('Catch' in state ? state.Catch : undefined, name).toEqual([
        { ErrorEquals: ['States.ALL'], ResultPath: '$.guardrailRead', Next: next },
      ]);
      continue;
    }
    const catchers = 'Catch' in state ? (state.Catch ?? []) : [];
    expect(catchers.at(-1), name).toEqual(CATCH_ALL_TO_ESCALATE);
  }
}

/** The app acknowledges some cdk-nag findings, each with a reason of at least 60 characters. */
export function expectReasonedNagAcknowledgements(app: App): NagAcknowledgement[] {
  const acknowledgements = listNagAcknowledgements(app);
  expect(acknowledgements.length).toBeGreaterThan(0);
  for (const { finding, reason } of acknowledgements) {
    expect(reason.length, finding).toBeGreaterThanOrEqual(60);
  }
  return acknowledgements;
}

/** No reason is reused for another finding: each says why that finding is acceptable. */
export function expectOneFindingPerReason(acknowledgements: readonly NagAcknowledgement[]): void {
  const reasons = new Map<string, string>();
  for (const { finding, reason } of acknowledgements) {
    const previous = reasons.get(reason);
    if (previous !== undefined) expect(previous, reason).toBe(finding);
    reasons.set(reason, finding);
  }
}

/** An IAM policy statement of the template, its values flattened by {@link flattenCfn}. */
export interface Statement {
  readonly Action: string | string[];
  readonly Resource: unknown;
}

/** A CloudFormation value with the partition resolved and resources named `<logicalId>.<attribute>`. */
export const flattenCfn = (value: unknown): unknown => {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(flattenCfn);
  const object = value as Record<string, unknown>;
  if (object.Ref === 'AWS::Partition') return 'aws';
  if (Array.isArray(object['Fn::GetAtt'])) return `${object['Fn::GetAtt'].join('.')}`;
  const join = object['Fn::Join'] as [string, unknown[]] | undefined;
  if (join !== undefined) return join[1].map(flattenCfn).join(join[0]);
  return Object.fromEntries(Object.entries(object).map(([key, inner]) => [key, flattenCfn(inner)]));
};

/** The flattened statements of the policies attached to `role`. */
export function statementsOfRole(
  { stack, template }: SynthesizedRunbook<unknown>,
  role: iam.IRole,
): Statement[] {
  const roleId = stack.getLogicalId(role.node.defaultChild as CfnElement);
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) =>
      (policy.Properties.Roles as { Ref: string }[]).some(({ Ref }) => Ref === roleId),
    )
    .flatMap((policy) => flattenCfn(policy.Properties.PolicyDocument.Statement) as Statement[]);
}

/** The distinct actions of `statements`, sorted. */
export const actionsOf = (statements: readonly Statement[]): string[] =>
  [...new Set(statements.flatMap((statement) => [statement.Action].flat()))].sort();

/** The resources of the statements that allow `action`. */
export const resourcesOf = (statements: readonly Statement[], action: string): unknown[] =>
  statements
    .filter((statement) => [statement.Action].flat().includes(action))
    .flatMap((statement) => [statement.Resource].flat());

/** The statements but those CDK adds for logging and tracing (only `xray:` or `logs:` actions). */
export const withoutLoggingAndTracing = (statements: readonly Statement[]): Statement[] =>
  statements.filter(
    (statement) =>
      ![statement.Action]
        .flat()
        .every((action) => action.startsWith('xray:') || action.startsWith('logs:')),
  );

/**
 * The actions of a task function's `statements` beyond `expected` and those every task function
 * has: the incidents table, X-Ray, logs and its dead-letter queue.
 */
export const actionsBeyond = (
  statements: readonly Statement[],
  expected: readonly string[],
): string[] =>
  actionsOf(statements).filter(
    (action) => !/^(dynamodb|xray|logs|sqs):/.test(action) && !expected.includes(action),
  );

/** A runbook with its own step and report functions. */
interface WithTaskFunctions {
  readonly functions: {
    readonly step: { readonly function: lambda.IFunction };
    readonly report: { readonly function: lambda.IFunction };
  };
}

/**
 * The state machine's `statements` invoke exactly the shared approvals function and the
 * runbook's step and report functions, each also by version or alias (`:*`).
 */
export function expectInvokesApprovalsStepAndReport(
  { stack, runbook }: SynthesizedRunbook<WithTaskFunctions>,
  statements: readonly Statement[],
): void {
  const invoked = resourcesOf(statements, 'lambda:InvokeFunction');
  expect(invoked).toHaveLength(6);
  expect(invoked).toEqual(
    expect.arrayContaining([APPROVALS_FUNCTION_ARN, `${APPROVALS_FUNCTION_ARN}:*`]),
  );
  for (const fn of [runbook.functions.step, runbook.functions.report]) {
    const id = stack.getLogicalId(fn.function.node.defaultChild as CfnElement);
    expect(invoked).toEqual(expect.arrayContaining([`${id}.Arn`, `${id}.Arn:*`]));
  }
}

/** A Task fake that records every input it was given. */
export interface Fake {
  readonly calls: unknown[];
  readonly handler: (input: unknown) => Promise<never>;
}

/** Records the input of every call, then answers with `answer(input, callNumber)` (1-based). */
export function fake(answer: (input: unknown, call: number) => unknown = () => ({})): Fake {
  const calls: unknown[] = [];
  return {
    calls,
    handler: async (input: unknown) => {
      calls.push(structuredClone(input));
      return answer(input, calls.length) as never;
    },
  };
}

/** An error as an SDK integration or a Lambda raises it: `name` is the ASL error name. */
export const taskError = (name: string, message: string): Error =>
  Object.assign(new Error(message), { name });

export type RunOutcome =
  | { readonly status: 'succeeded'; readonly output: unknown }
  | { readonly status: 'failed'; readonly error: string; readonly cause: string };

/** The execution's identity in the Context Object (`$$.Execution`). */
export const EXECUTION = {
  Id: 'arn:aws:states:us-east-1:123456789012:execution:rebound-test-replace-unhealthy-instance:manual-1',
  Name: 'manual-1',
} as const;

/** The task token a local run hands to `.waitForTaskToken` states. */
export const TASK_TOKEN = 'AQB8AAAAKgAAAAMAAAAAAAAAAT0kLocalTaskToken';

const localMachines = new WeakMap<StateMachineDefinition, StateMachine>();

/**
 * The local executor of `definition`, built once per definition: building one validates the
 * definition against the ASL schema, which costs far more than a run.
 */
function localMachineOf(definition: StateMachineDefinition): StateMachine {
  const known = localMachines.get(definition);
  if (known) return known;
  // asl-validator's path check rejects JSONPath filters (`[?(@.x == 'y')]`), which Step
  // Functions accepts in Parameters and ResultSelector; the executor evaluates them fine.
  const machine = new StateMachine(definition, { validationOptions: { checkPaths: false } });
  localMachines.set(definition, machine);
  return machine;
}

/** Runs the definition locally with every Task overridden and no real waiting. */
export async function runLocally(
  definition: StateMachineDefinition,
  input: Record<string, unknown>,
  overrides: NonNullable<RunOptions['overrides']>,
  identity: { readonly Id: string; readonly Name: string } = EXECUTION,
): Promise<RunOutcome> {
  return (await runLocallyWithEvents(definition, input, overrides, identity)).outcome;
}

/** {@link runLocally}, with every event the executor logged (states entered, retries…). */
export async function runLocallyWithEvents(
  definition: StateMachineDefinition,
  input: Record<string, unknown>,
  overrides: NonNullable<RunOptions['overrides']>,
  identity: { readonly Id: string; readonly Name: string } = EXECUTION,
): Promise<{ readonly outcome: RunOutcome; readonly events: readonly EventLog[] }> {
  const machine = localMachineOf(definition);
  const execution = machine.run(input as never, {
    overrides,
    context: {
      Execution: { ...identity, Input: input as never, StartTime: '2025-01-01T12:00:00Z' },
      // Fixed: the executor does not stamp it per state (replace-unhealthy-instance reads it).
      State: { EnteredTime: '2025-01-01T12:02:00Z' },
      // Read by `.waitForTaskToken` states (RequestApproval); the test answers for the person.
      Task: { Token: TASK_TOKEN },
    },
  });
  const events: EventLog[] = [];
  const logged = (async () => {
    for await (const event of execution.eventLogs) events.push(event);
  })();
  const outcome = await outcomeOf(execution.result);
  await logged;
  return { outcome, events };
}

const outcomeOf = async (result: Promise<unknown>): Promise<RunOutcome> => {
  try {
    return { status: 'succeeded', output: await result };
  } catch (error) {
    if (!(error instanceof ExecutionError) || !(error.cause instanceof Error)) throw error;
    return { status: 'failed', error: error.cause.name, cause: error.cause.message };
  }
};

/**
 * `statements` (a state machine role's, flattened) let it put items on the incident table only
 * under `RECOVERY-WAIT#` (its poll rounds' task tokens, runbooks/kit/announced-recovery.ts): one
 * Allow of PutItem on the table, and a Deny of PutItem on any other partition key.
 */
export function expectRecoveryWaitPutsOnly(statements: readonly Statement[]): void {
  const puts = statements
    .filter((statement) => [statement.Action].flat().includes('dynamodb:PutItem'))
    .map(flattenCfn);
  expect(puts).toEqual([
    expect.objectContaining({
      Effect: 'Allow',
      Resource: 'arn:aws:dynamodb:us-east-1:123456789012:table/rebound-test-incidents',
    }),
    expect.objectContaining({
      Effect: 'Deny',
      Condition: {
        'ForAnyValue:StringNotLike': { 'dynamodb:LeadingKeys': ['RECOVERY-WAIT#*'] },
      },
    }),
  ]);
}

/**
 * The only SSM permission of the runbook's stack: its state machine's GetParameters on the
 * nine guardrail parameters by name (runbooks/kit/guardrail-read.ts); its step Lambdas read no
 * SSM at all (issue 13: no SSM client in their bundles).
 */
export function expectOnlyStateMachineReadsGuardrails({
  template,
}: SynthesizedRunbook<unknown>): void {
  const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
  const machineRole = machines.map(
    (machine) => (machine.Properties.RoleArn as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0],
  );
  const ssmGrants = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) =>
    (flattenCfn(policy.Properties.PolicyDocument.Statement) as Statement[])
      .filter((statement) => [statement.Action].flat().some((action) => action.startsWith('ssm:')))
      .map((statement) => ({
        roles: (policy.Properties.Roles as { Ref: string }[]).map(({ Ref }) => Ref),
        statement,
      })),
  );
  expect(ssmGrants).toEqual([
    {
      roles: machineRole,
      statement: expect.objectContaining({
        Effect: 'Allow',
        Action: 'ssm:GetParameters',
        Resource: GUARDRAIL_PARAMETER_NAMES.map(
          (name) => `arn:aws:ssm:us-east-1:123456789012:parameter/rebound/test/guardrails/${name}`,
        ),
      }),
    },
  ]);
}
