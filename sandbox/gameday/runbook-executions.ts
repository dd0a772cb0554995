import { ExecutionError, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { RunbookStarter, RunbookStartResult } from '../../functions/lib/core/ports.js';
import { SIMULATED_FULL_NAME_ID } from '../../infra/recovery/shop-settings.js';
import { resourcesOf, type SynthesizedTemplate } from '../../infra/synthesized-template.js';
import { javaExceptionName, stepFunctionsFieldName } from '../checks/java-sdk-names.js';
import { resolveDeployedNames } from '../deployed-names.js';
import { SimulatedApiError, type SimulatedAwsApi } from './aws-api.js';
import { ACCOUNT } from './aws-events.js';
import type { Random } from './random.js';
import type { VirtualTime } from './virtual-time.js';

/**
 * The runbooks as deployed: each state machine's definition read from the synthesized
 * control-plane template and run by aws-local-stepfunctions, on the virtual clock. Every
 * `aws-sdk:*` Task is answered by the simulated AWS API in Step Functions' own field names
 * and error names; every Lambda Task by the function's real logic (`LambdaSteps`); every Wait
 * state, and every round waiting for AWS's announcement of a recovery, sleeps on the virtual
 * clock (it becomes a Task that does, its timing untouched).
 */

/** The real logic of the control plane's task Lambdas, by function name. */
export type LambdaSteps = (functionName: string, payload: unknown) => Promise<unknown>;

/** How one execution went, for the game day's record. */
export interface ExecutionRecord {
  readonly runbook: string;
  readonly name: string;
  readonly arn: string;
  readonly input: Readonly<Record<string, unknown>>;
  readonly startedAt: number;
  /** Every Task state entered, with its time. */
  readonly steps: { readonly at: number; readonly state: string }[];
  endedAt?: number;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  error?: string;
}

/** The Java v2 service name of an `aws-sdk:<service>` resource (the error prefix; AWS-FACTS). */
const JAVA_SERVICE: Readonly<Record<string, string>> = {
  autoscaling: 'AutoScaling',
  rds: 'Rds',
  elasticloadbalancingv2: 'ElasticLoadBalancingV2',
  cloudwatch: 'CloudWatch',
  arczonalshift: 'ArcZonalShift',
  elasticache: 'ElastiCache',
};
/** Services whose models declare ThrottlingException; elsewhere it arrives as `<Svc>.<Svc>Exception`. */
const DECLARES_THROTTLING = new Set(['arczonalshift']);

/** An SDK answer in Step Functions' field names (`DBInstances` → `DbInstances`). */
const stepFunctionsFields = (value: unknown): unknown => {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(stepFunctionsFields);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      stepFunctionsFieldName(key),
      stepFunctionsFields(inner),
    ]),
  );
};

type AslState = Record<string, unknown> & { Type: string };
type AslGraph = { States: Record<string, AslState> };

/**
 * A poll round that waits for AWS's announcement of a recovery (runbooks/kit/announced-recovery.ts):
 * a `.waitForTaskToken` Task whose timeout goes on where its answer does. The game day's triage
 * does not answer it (functions/triage.ts does, after the core), so it runs as the round it
 * bounds: a wait of its TimeoutSeconds, the fallback poll's timing.
 */
const isAnnouncementRound = (state: AslState): boolean =>
  state.Type === 'Task' &&
  String(state.Resource).endsWith('.waitForTaskToken') &&
  typeof state.TimeoutSeconds === 'number' &&
  ((state.Catch ?? []) as { ErrorEquals: string[]; Next: string }[]).some(
    (rule) => rule.ErrorEquals.includes('States.Timeout') && rule.Next === state.Next,
  );

/**
 * Every Wait state and announcement round, at any depth, as a Task that sleeps the same time on
 * the virtual clock.
 */
const virtualWaits = (graph: AslGraph, waits: Set<string>): AslGraph => ({
  ...graph,
  States: Object.fromEntries(
    Object.entries(graph.States).map(([name, state]) => {
      if (state.Type === 'Parallel') {
        const branches = (state.Branches as AslGraph[]).map((branch) =>
          virtualWaits(branch, waits),
        );
        return [name, { ...state, Branches: branches }];
      }
      if (isAnnouncementRound(state)) {
        waits.add(name);
        const { TimeoutSeconds, Parameters: _put, Resource: _resource, ...rest } = state;
        return [
          name,
          {
            ...rest,
            Resource: 'arn:aws:states:::gameday:wait',
            Parameters: { seconds: TimeoutSeconds },
          },
        ];
      }
      if (state.Type !== 'Wait') return [name, state];
      waits.add(name);
      const { Seconds, SecondsPath, Timestamp, TimestampPath, Type: _wait, ...rest } = state;
      const parameters =
        SecondsPath !== undefined
          ? { 'seconds.$': SecondsPath }
          : TimestampPath !== undefined
            ? { 'timestamp.$': TimestampPath }
            : Timestamp !== undefined
              ? { timestamp: Timestamp }
              : { seconds: Seconds };
      return [
        name,
        {
          ...rest,
          Type: 'Task',
          Resource: 'arn:aws:states:::gameday:wait',
          Parameters: parameters,
          ResultPath: null,
        },
      ];
    }),
  ),
});

/** Where the game day puts the execution's start on the virtual clock (see `virtualStartTime`). */
const VIRTUAL_START_TIME = 'VirtualStartTime';

/**
 * The definition with its `$$.Execution.StartTime` paths reading `$$.Execution.VirtualStartTime`:
 * aws-local-stepfunctions 3.0.0 sets `$$.Execution.StartTime` to the wall clock after merging
 * the `context` option (build/main.node.esm.js, StateMachine.execute), so it cannot be given;
 * every other part of the path and the definition stays as synthesized.
 */
export const virtualStartTime = (definitionText: string): string =>
  definitionText.replace(/\$\$\.Execution\.StartTime\b/g, `$$$$.Execution.${VIRTUAL_START_TIME}`);

/** One `Retry` rule of a Task state, as the ASL gives it. */
interface Retrier {
  readonly ErrorEquals: readonly string[];
  readonly IntervalSeconds?: number;
  readonly MaxAttempts?: number;
  readonly BackoffRate?: number;
  readonly MaxDelaySeconds?: number;
  readonly JitterStrategy?: 'FULL' | 'NONE';
}

/** Whether a retrier's ErrorEquals catches `error` (States.TaskFailed: any but a timeout). */
const catches = (retrier: Retrier, error: string): boolean =>
  retrier.ErrorEquals.some(
    (name) =>
      name === error ||
      name === 'States.ALL' ||
      (name === 'States.TaskFailed' && error !== 'States.Timeout'),
  );

/**
 * How long Step Functions waits before retrying a Task that failed with `error`, or undefined
 * when no retrier catches it or the one that does has used its attempts (the Task fails then).
 * The first retrier that catches the error decides (ASL "Retrying after an error"): its
 * IntervalSeconds × BackoffRate^(attempt − 1), at most MaxDelaySeconds, a random part of it
 * with FULL jitter. Defaults as the ASL's: 1 s, 3 attempts, rate 2.0. `attempts` counts per
 * retrier and is reset by the caller when the state is entered afresh.
 */
export const retryDelayMs = (
  retriers: readonly Retrier[],
  error: string,
  attempts: number[],
  random: Random,
): number | undefined => {
  const index = retriers.findIndex((retrier) => catches(retrier, error));
  const retrier = retriers[index];
  if (retrier === undefined) return undefined;
  const attempt = (attempts[index] ?? 0) + 1;
  if (attempt > (retrier.MaxAttempts ?? 3)) return undefined;
  attempts[index] = attempt;
  const full = Math.min(
    (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** (attempt - 1),
    retrier.MaxDelaySeconds ?? Number.POSITIVE_INFINITY,
  );
  return Math.round((retrier.JitterStrategy === 'FULL' ? random.next() * full : full) * 1000);
};

interface Machine {
  readonly definition: StateMachineDefinition;
  /** Each Task state's Retry rules. */
  readonly retries: ReadonlyMap<string, readonly Retrier[]>;
  /** Task state name → what answers it. */
  readonly tasks: ReadonlyMap<
    string,
    | { readonly kind: 'sdk'; readonly service: string; readonly action: string }
    | {
        readonly kind: 'lambda';
        readonly functionName: string;
        /** `lambda:invoke`: the function gets the Task's `Payload` parameter. */
        readonly invoke?: true;
        /** `.waitForTaskToken`: the answer (SendTaskSuccess) is awaited this long at most. */
        readonly tokenTimeoutSeconds?: number;
      }
    | { readonly kind: 'wait' }
  >;
}

const taskStates = (graph: AslGraph): [string, AslState][] =>
  Object.entries(graph.States).flatMap(([name, state]) => [
    [name, state] as [string, AslState],
    ...((state.Branches as AslGraph[] | undefined) ?? []).flatMap(taskStates),
  ]);

/** Reads every runbook's state machine from the control-plane template. */
export const readRunbookMachines = (
  templates: { readonly shop: SynthesizedTemplate; readonly controlPlane: SynthesizedTemplate },
  region: string,
  namePrefix: string,
): Map<string, Machine> => {
  const functionNames = new Map(
    resourcesOf(templates.controlPlane, 'AWS::Lambda::Function').map(([id, fn]) => [
      id,
      String(fn.Properties?.FunctionName ?? id),
    ]),
  );
  const tableNames = new Map(
    resourcesOf(templates.controlPlane, 'AWS::DynamoDB::GlobalTable').map(([id, table]) => [
      id,
      String(table.Properties?.TableName ?? id),
    ]),
  );
  const machines = new Map<string, Machine>();
  for (const [, resource] of resourcesOf(
    templates.controlPlane,
    'AWS::StepFunctions::StateMachine',
  )) {
    const name = String(resource.Properties?.StateMachineName ?? '');
    const definitionString = resource.Properties?.DefinitionString as
      | string
      | { readonly 'Fn::Join': [string, unknown[]] };
    // Each part on its own: a function's ARN (Fn::GetAtt [id, Arn]) is left for the next line.
    const resolvePart = (part: unknown): string => {
      const value = resolveDeployedNames(
        part,
        templates,
        { region, account: ACCOUNT, partition: 'aws', fullNameId: SIMULATED_FULL_NAME_ID },
        'keep',
      );
      if (typeof value === 'string') return value;
      // A table the definition names (the incident table of the announcement rounds).
      const ref = (value as { Ref?: string }).Ref;
      const table = ref === undefined ? undefined : tableNames.get(ref);
      if (table !== undefined) return table;
      const getAtt = (value as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
      if (getAtt === undefined)
        throw new Error(`cannot resolve ${JSON.stringify(value)} in ${name}`);
      return `arn:aws:lambda:${region}:${ACCOUNT}:function:${functionNames.get(getAtt[0]) ?? getAtt[0]}`;
    };
    const text =
      typeof definitionString === 'string'
        ? definitionString
        : definitionString['Fn::Join'][1].map(resolvePart).join(definitionString['Fn::Join'][0]);
    const waits = new Set<string>();
    const definition = virtualWaits(
      JSON.parse(virtualStartTime(text)) as AslGraph,
      waits,
    ) as unknown as StateMachineDefinition;
    const tasks: Machine['tasks'] extends ReadonlyMap<string, infer V> ? Map<string, V> : never =
      new Map();
    const retries = new Map<string, readonly Retrier[]>();
    for (const [state, body] of taskStates(definition as unknown as AslGraph)) {
      if (body.Type !== 'Task') continue;
      retries.set(state, (body.Retry ?? []) as Retrier[]);
      const resourceArn = String(body.Resource);
      const sdk = /:aws-sdk:([a-z0-9]+):([A-Za-z0-9]+)/.exec(resourceArn);
      const fn = /:function:([^:]+)/.exec(resourceArn);
      if (waits.has(state)) tasks.set(state, { kind: 'wait' });
      else if (sdk?.[1] !== undefined && sdk[2] !== undefined)
        tasks.set(state, { kind: 'sdk', service: sdk[1], action: sdk[2] });
      else if (fn?.[1] !== undefined) tasks.set(state, { kind: 'lambda', functionName: fn[1] });
      else if (/lambda:invoke/.test(resourceArn)) {
        const parameters = body.Parameters as Record<string, unknown>;
        tasks.set(state, {
          kind: 'lambda',
          functionName: String(parameters.FunctionName).split(':').at(-1) ?? '',
          invoke: true,
          ...(resourceArn.endsWith('.waitForTaskToken')
            ? { tokenTimeoutSeconds: Number(body.TimeoutSeconds ?? 365 * 24 * 3600) }
            : {}),
        });
      }
    }
    machines.set(name.replace(`${namePrefix}-`, ''), { definition, retries, tasks });
  }
  return machines;
};

/** A Step Functions error as an SDK integration raises it. */
const taskError = (name: string, message: string) => Object.assign(new Error(message), { name });

/** Starts runbooks as Step Functions would: one execution per name, run on the virtual clock. */
export class SimulatedRunbooks implements RunbookStarter {
  readonly executions: ExecutionRecord[] = [];

  constructor(
    readonly machines: ReadonlyMap<string, Machine>,
    readonly api: SimulatedAwsApi,
    readonly lambdas: LambdaSteps,
    readonly time: VirtualTime,
    readonly region: string,
    readonly namePrefix: string,
    /** Told when a run ends (Step Functions' "Execution Status Change" event). */
    readonly onEnd: (record: ExecutionRecord) => void,
    /** The retries' jitter. */
    readonly random: Random,
  ) {}

  /**
   * The person who answers a `.waitForTaskToken` Task (SendTaskSuccess) within its timeout, given
   * what the Task's function returned (the approval request); undefined: nobody answers.
   */
  answerToken: (
    requested: unknown,
    timeoutSeconds: number,
  ) => Promise<Readonly<Record<string, unknown>> | undefined> = async () => undefined;

  async start(
    runbook: string,
    executionName: string,
    input: Readonly<Record<string, unknown>>,
  ): Promise<RunbookStartResult> {
    const arn = `arn:aws:states:${this.region}:${ACCOUNT}:execution:${this.namePrefix}-${runbook}:${executionName}`;
    // AWS-FACTS: a Standard workflow runs once per name; a second start returns the first.
    if (this.executions.some((e) => e.arn === arn))
      return { status: 'already-running', executionArn: arn };
    const machine = this.machines.get(runbook);
    if (machine === undefined) throw new Error(`no state machine for runbook ${runbook}`);
    const record: ExecutionRecord = {
      runbook,
      name: executionName,
      arn,
      input,
      startedAt: this.time.nowMs,
      steps: [],
      status: 'RUNNING',
    };
    this.executions.push(record);
    this.time.spawn(() => this.#run(machine, record));
    return { status: 'started', executionArn: arn };
  }

  async #run(machine: Machine, record: ExecutionRecord): Promise<void> {
    // Per Task state: the retry delay its last failure earned, and each retrier's attempts.
    const retryDelay = new Map<string, number>();
    const attempts = new Map<string, number[]>();
    // When each Task state was last entered afresh (its $$.State.EnteredTime across retries).
    const enteredAt = new Map<string, number>();
    const { time } = this;
    const handlers = Object.fromEntries(
      [...machine.tasks].map(([state, task]) => [
        state,
        async (payload: unknown) => {
          // A retried call is entered once its backoff is over (below).
          if (task.kind !== 'sdk' || !retryDelay.has(state))
            record.steps.push({ at: this.time.nowMs, state });
          if (task.kind === 'wait') {
            const { seconds, timestamp } = payload as { seconds?: number; timestamp?: string };
            const ms =
              seconds !== undefined
                ? seconds * 1000
                : Date.parse(timestamp ?? '') - this.time.nowMs;
            await this.time.sleep(Math.max(0, ms));
            return {};
          }
          if (task.kind === 'lambda') {
            const answer = await this.lambdas(
              task.functionName,
              task.invoke === true ? (payload as { Payload?: unknown }).Payload : payload,
            );
            if (task.tokenTimeoutSeconds === undefined) return answer;
            const waitedFrom = this.time.nowMs;
            const given = await this.answerToken(answer, task.tokenTimeoutSeconds);
            if (given !== undefined) return given;
            // Nobody answers: the wait runs out, and Step Functions fails the Task with
            // States.Timeout.
            await this.time.sleep(
              Math.max(0, task.tokenTimeoutSeconds * 1000 - (this.time.nowMs - waitedFrom)),
            );
            throw taskError(
              'States.Timeout',
              `no answer within ${task.tokenTimeoutSeconds} s (TimeoutSeconds)`,
            );
          }
          // A retry: Step Functions waits its backoff first, on the virtual clock.
          const delay = retryDelay.get(state);
          retryDelay.delete(state);
          if (delay === undefined) {
            attempts.set(state, []);
            enteredAt.set(state, this.time.nowMs);
          } else {
            await this.time.sleep(delay);
            record.steps.push({ at: this.time.nowMs, state });
          }
          try {
            const answer = stepFunctionsFields(
              this.api.call(task.service, task.action, payload as Record<string, unknown>),
            );
            attempts.delete(state);
            return answer;
          } catch (error) {
            if (!(error instanceof SimulatedApiError)) throw error;
            const service = JAVA_SERVICE[task.service] ?? task.service;
            const shape =
              error.code === 'ThrottlingException' && !DECLARES_THROTTLING.has(task.service)
                ? `${service}Exception`
                : javaExceptionName(error.code);
            const name = `${service}.${shape}`;
            const next = retryDelayMs(
              machine.retries.get(state) ?? [],
              name,
              attempts.get(state) ?? [],
              this.random,
            );
            if (next !== undefined) retryDelay.set(state, next);
            throw taskError(name, error.message);
          }
        },
      ]),
    );
    const virtualIso = (ms: number) => new Date(ms).toISOString();
    const stateMachine = new StateMachine(machine.definition, {
      validationOptions: { checkPaths: false },
    });
    const execution = stateMachine.run(record.input as never, {
      overrides: {
        taskResourceLocalHandlers: handlers as never,
        // The executor itself does not pause between retries: the Task's handler sleeps the
        // retry's backoff on the virtual clock before the retried call (retryDelayMs).
        retryIntervalOverrides: Object.fromEntries(
          [...machine.tasks.keys()].map((state) => [state, 0]),
        ),
      },
      context: {
        Execution: {
          Id: record.arn,
          Name: record.name,
          Input: record.input as never,
          // The executor overwrites StartTime with the wall clock: the definition reads this.
          [VIRTUAL_START_TIME]: virtualIso(record.startedAt),
        },
        // $$.State.EnteredTime, which the executor does not provide, read when a path is
        // evaluated: as the state is entered (the virtual clock moves only while a Task
        // sleeps), or, for a Task whose call is retried, the time it was entered.
        State: {
          get EnteredTime() {
            const [retrying] = retryDelay.keys();
            return virtualIso(
              (retrying === undefined ? undefined : enteredAt.get(retrying)) ?? time.nowMs,
            );
          },
        },
        Task: { Token: `token-${record.name}` },
      },
    });
    try {
      await execution.result;
      record.status = 'SUCCEEDED';
    } catch (error) {
      if (!(error instanceof ExecutionError)) throw error;
      record.status = 'FAILED';
      record.error = error.cause instanceof Error ? error.cause.name : String(error.cause);
    }
    record.endedAt = this.time.nowMs;
    this.onEnd(record);
  }
}
