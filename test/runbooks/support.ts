import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
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
import { ReplaceUnhealthyInstance } from '../../runbooks/replace-unhealthy-instance.js';

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

export interface SynthesizedRunbook<T = ReplaceUnhealthyInstance> {
  readonly app: App;
  readonly stack: Stack;
  readonly runbook: T;
  readonly template: Template;
}

/** The control plane's shared resources, imported into the test stack. */
export interface SharedResources {
  readonly incidents: dynamodb.ITable;
  readonly alertsTopic: sns.ITopic;
  readonly deadLetterQueue: sqs.IQueue;
  /** The shared approvals function (RequestApproval / RecordApproval). */
  readonly approvals: lambda.IFunction;
}

export const APPROVALS_FUNCTION_ARN = `arn:aws:lambda:us-east-1:123456789012:function:${NAME_PREFIX}-approvals`;

export const sharedResources = (stack: Stack): SharedResources => ({
  incidents: dynamodb.Table.fromTableName(stack, 'Incidents', `${NAME_PREFIX}-incidents`),
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

/** Builds and synthesizes the test stack; throws on any unacknowledged cdk-nag finding. */
export function synthRunbook(): SynthesizedRunbook {
  return synthRunbookWith(
    (stack, shared) =>
      new ReplaceUnhealthyInstance(stack, 'ReplaceUnhealthyInstance', {
        namePrefix: NAME_PREFIX,
        stage: 'test',
        autoScalingGroup: autoscaling.AutoScalingGroup.fromAutoScalingGroupName(
          stack,
          'Group',
          GROUP_NAME,
        ),
        targetGroup: elbv2.ApplicationTargetGroup.fromTargetGroupAttributes(stack, 'Targets', {
          targetGroupArn: TARGET_GROUP_ARN,
        }),
        incidents: shared.incidents,
        alertsTopic: shared.alertsTopic,
        deadLetterQueue: shared.deadLetterQueue,
      }),
  );
}

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

/** Runs the definition locally with every Task overridden and no real waiting. */
export async function runLocally(
  definition: StateMachineDefinition,
  input: Record<string, unknown>,
  overrides: NonNullable<RunOptions['overrides']>,
  identity: { readonly Id: string; readonly Name: string } = EXECUTION,
): Promise<RunOutcome> {
  // asl-validator's path check rejects JSONPath filters (`[?(@.x == 'y')]`), which Step
  // Functions accepts in Parameters and ResultSelector; the executor evaluates them fine.
  const machine = new StateMachine(definition, { validationOptions: { checkPaths: false } });
  const execution = machine.run(input as never, {
    overrides,
    context: {
      Execution: { ...identity, Input: input as never, StartTime: '2025-01-01T12:00:00Z' },
      // Read by `.waitForTaskToken` states (RequestApproval); the test answers for the person.
      Task: { Token: TASK_TOKEN },
    },
  });
  try {
    return { status: 'succeeded', output: await execution.result };
  } catch (error) {
    if (!(error instanceof ExecutionError) || !(error.cause instanceof Error)) throw error;
    return { status: 'failed', error: error.cause.name, cause: error.cause.message };
  }
}
