import { readFileSync } from 'node:fs';
import {
  ListStateMachinesCommand,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { executionArnOf } from '../../functions/lib/aws/step-functions-runbook-starter.js';
import { executionConsoleLink } from '../../functions/lib/core/console-links.js';
import {
  GUARDRAIL_PARAMETERS,
  guardrailParameterPath,
} from '../../functions/lib/core/guardrails.js';
import type { Clock } from '../../functions/lib/core/ports.js';
import {
  EXECUTION_NAME_MAX,
  isWantedIn,
  RUNBOOK_NAMES,
  RUNBOOKS,
  type RunbookDefinition,
  runbookDefinition,
  runbookStateMachineName,
} from '../../functions/lib/core/runbook-registry.js';
import { REGION } from '../../functions/lib/events/schema-kit.js';
import {
  type DeployedNames,
  deployedProblems,
  requirementOf,
  shapeProblems,
} from '../../functions/lib/runbook/run-input.js';
import { STAGE_PATTERN, STAGE_RULE } from '../../infra/config.js';
import { AZ_ID, stageNamesOf } from './stage-names.js';

/**
 * `npm run runbook -- <name> --input <file.json>`: starts one runbook by hand with the caller's
 * AWS credentials. Everything the operator typed is checked before any AWS call (exit 2); AWS
 * failures are one line saying what went wrong and what to do (exit 1); never a stack trace.
 * The SFN client comes from a factory (the region is known only after parsing), the output goes
 * to injected writers, time comes from a Clock: `cli.ts` wires the real ones.
 */

export const RUNBOOK_USAGE = [
  'usage: npm run runbook -- <name> --input <file.json> [--stage <stage>] [--region <region>] [--name <execution-name>] [--check]',
  '       npm run runbook -- --list [--stage <stage>]',
  '       npm run runbook -- approve|reject <approval id> --by <your name> [--reason <why>] [--stage <stage>] [--region <region>]',
  '       npm run runbook -- --help',
].join('\n');

const HELP = `${RUNBOOK_USAGE}

Starts runbook <name> (state machine rebound-<stage>-<name>) with the JSON object in <file.json>
as its input, using your own AWS credentials (profile, SSO or environment), and prints the
execution's console link. Before starting it reads the stage's mode guardrail and says whether
the run will act: a run started by hand acts unless the mode is off (the kill switch; then
nothing is started), even in mode dry-run; budgets, cooldowns and approvals still apply. To have
it only check and report what it would do, put "dryRun": "true" in the input. Your role needs
states:ListStateMachines, states:StartExecution and ssm:GetParameter on the mode parameter.

  --input <file>    JSON object with the runbook's input fields (see --list)
  --stage <stage>   default: the "stage" context in cdk.json, else dev
  --region <region> default: AWS_REGION, else AWS_DEFAULT_REGION, else the "region" context in cdk.json
  --name <name>     execution name (1-80 of A-Z a-z 0-9 - _); default manual-<target>-<UTC time>
  --check           check the input against the stage (field values, names of the stage's
                    resources, AZ names) and print what would be started; no AWS call
  --list            list the runbooks with their input fields

Exit codes: 0 started (or --check / list / help), 1 AWS error or state machine not found,
2 bad arguments or bad input.`;

/** Default stage when neither --stage nor cdk.json name one. */
const DEFAULT_STAGE = 'dev';
const EXECUTION_NAME = new RegExp(`^[A-Za-z0-9_-]{1,${EXECUTION_NAME_MAX}}$`);

/** Everything the CLI touches outside itself. */
export interface RunbookCliDeps {
  /** SFN client for a region; built only after every local check passed. */
  readonly sfnClient: (region: string) => SFNClient;
  /** SSM client for a region, to read the stage's mode guardrail before starting. */
  readonly ssmClient: (region: string) => SSMClient;
  /** Environment (AWS_REGION, AWS_DEFAULT_REGION). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** cdk.json, for the `stage` and `region` context defaults; a missing file means none. */
  readonly cdkJsonPath: string;
  readonly clock: Clock;
  /** Writes one line (or block) of normal output. */
  readonly out: (text: string) => void;
  /** Writes one line (or block) of error output. */
  readonly err: (text: string) => void;
}

export interface StartRunbookArgs {
  readonly runbook: string;
  readonly inputFile: string;
  readonly stage?: string;
  readonly region?: string;
  readonly executionName?: string;
  /** `--check`: validate and print, start nothing. */
  readonly check: boolean;
}

export type RunbookCommand =
  | { readonly kind: 'help' }
  | { readonly kind: 'list'; readonly stage?: string }
  | { readonly kind: 'start'; readonly args: StartRunbookArgs };

/** A failure to report: its exit code and its lines, printed as they are. */
export class RunbookCliError extends Error {
  override readonly name = 'RunbookCliError';
  constructor(
    readonly exitCode: 1 | 2,
    readonly lines: readonly string[],
    /** Print the usage after the lines (argument errors). */
    readonly withUsage = false,
  ) {
    super(lines.join('; '));
  }
}

const usageError = (message: string): RunbookCliError =>
  new RunbookCliError(2, [`error: ${message}`], true);

/** Any text on one line: error messages from JSON.parse or AWS may hold newlines. */
const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim();

const VALUE_OPTIONS = {
  '--input': 'inputFile',
  '--stage': 'stage',
  '--region': 'region',
  '--name': 'executionName',
} as const;
type ValueOption = keyof typeof VALUE_OPTIONS;
const isValueOption = (flag: string): flag is ValueOption => Object.hasOwn(VALUE_OPTIONS, flag);

/** Parses the command line (`--opt value` or `--opt=value`); throws a usage RunbookCliError. */
export const parseRunbookArgs = (args: readonly string[]): RunbookCommand => {
  const values: Partial<Record<(typeof VALUE_OPTIONS)[ValueOption], string>> = {};
  const positionals: string[] = [];
  let check = false;
  let list = false;
  let help = false;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? '';
    if (arg === '--help' || arg === '-h') help = true;
    else if (arg === '--list') list = true;
    else if (arg === '--check') check = true;
    else if (arg === '--dry-run') {
      // The old name of --check: said apart from the guardrail mode and the input's dryRun.
      throw usageError(
        '--dry-run is now --check (it checks the input and starts nothing); for a run that starts and changes nothing, put "dryRun": "true" in the input',
      );
    } else if (arg.startsWith('-')) {
      const equals = arg.indexOf('=');
      const flag = equals > 0 ? arg.slice(0, equals) : arg;
      if (!isValueOption(flag)) throw usageError(`unknown option ${flag}`);
      const value = equals > 0 ? arg.slice(equals + 1) : args[++index];
      if (value === undefined || value === '' || (equals < 0 && value.startsWith('--'))) {
        throw usageError(`${flag} needs a value`);
      }
      const key = VALUE_OPTIONS[flag];
      if (values[key] !== undefined) throw usageError(`${flag} given twice`);
      values[key] = value;
    } else positionals.push(arg);
  }
  if (help) return { kind: 'help' };
  if (list) {
    return values.stage === undefined ? { kind: 'list' } : { kind: 'list', stage: values.stage };
  }
  const [runbook, ...extra] = positionals;
  if (runbook === undefined) throw usageError('no runbook name given');
  if (extra.length > 0) throw usageError(`one runbook at a time (extra: ${extra.join(' ')})`);
  if (values.inputFile === undefined) throw usageError('--input <file.json> is required');
  return {
    kind: 'start',
    args: {
      runbook,
      inputFile: values.inputFile,
      check,
      ...(values.stage === undefined ? {} : { stage: values.stage }),
      ...(values.region === undefined ? {} : { region: values.region }),
      ...(values.executionName === undefined ? {} : { executionName: values.executionName }),
    },
  };
};

/** The runbook named `name`, or a RunbookCliError listing the runbooks. */
export const requireRunbook = (name: string): RunbookDefinition => {
  const runbook = runbookDefinition(name);
  if (runbook === undefined) {
    throw new RunbookCliError(2, [
      `error: unknown runbook "${name}"; runbooks: ${RUNBOOK_NAMES.join(', ')} (npm run runbook -- --list)`,
    ]);
  }
  return runbook;
};

/** Reads `file` as a JSON object; throws a one-line RunbookCliError naming the file. */
export const readInputFile = (file: string): Record<string, unknown> => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new RunbookCliError(2, [
      `error: cannot read input file ${file}: ${oneLine((error as Error).message)}`,
    ]);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new RunbookCliError(2, [
      `error: input file ${file} is not valid JSON: ${oneLine((error as Error).message)}`,
    ]);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
    throw new RunbookCliError(2, [
      `error: input file ${file} must hold a JSON object of input fields, got ${got}`,
    ]);
  }
  return value as Record<string, unknown>;
};

/**
 * What is wrong with `input` for `runbook`, one line per problem (none: it may be started):
 * the registry's own field rules (functions/lib/runbook/run-input.ts), then no field the
 * registry does not declare.
 */
export const inputProblems = (
  runbook: RunbookDefinition,
  input: Readonly<Record<string, unknown>>,
): string[] => {
  const declared = runbook.input.map((field) => field.name);
  const problems = shapeProblems(runbook, input).map(([name, problem]) => {
    const field = runbook.input.find((candidate) => candidate.name === name);
    // A field wanted here (required, or its condition holds in this input) is a required one.
    const wanted = field !== undefined && isWantedIn(field, input);
    return `${wanted ? 'required field' : 'field'} "${name}" ${problem}`;
  });
  for (const key of Object.keys(input)) {
    if (declared.includes(key)) continue;
    const near = declared.find((name) => name.toLowerCase() === key.toLowerCase());
    problems.push(
      `unknown field "${key}"${near === undefined ? '' : ` (did you mean "${near}"?)`}; ${runbook.name} takes ${declared.join(', ')}`,
    );
  }
  return problems;
};

/** `20250101T120000`: the UTC time to the second, as execution names carry it. */
const compactUtc = (date: Date): string => date.toISOString().slice(0, 19).replace(/[-:]/g, '');

/**
 * Default execution name of a manual run: `manual-<target>-<UTC yyyymmddThhmmss>`, only
 * `[A-Za-z0-9-_]`, at most 80 characters (a long target is shortened, the time is kept).
 */
export const manualExecutionName = (target: string, now: Date): string => {
  const suffix = `-${compactUtc(now)}`;
  const room = EXECUTION_NAME_MAX - 'manual-'.length - suffix.length;
  const safeTarget = target.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, room);
  return `manual-${safeTarget}${suffix}`;
};

/** ARN of the state machine called `name`, looked up page by page; undefined when absent. */
export const findStateMachineArn = async (
  client: SFNClient,
  name: string,
): Promise<string | undefined> => {
  let nextToken: string | undefined;
  do {
    const page = await client.send(new ListStateMachinesCommand({ maxResults: 1000, nextToken }));
    const found = page.stateMachines?.find((machine) => machine.name === name);
    if (found?.stateMachineArn !== undefined) return found.stateMachineArn;
    nextToken = page.nextToken === nextToken ? undefined : page.nextToken;
  } while (nextToken);
  return undefined;
};

const CREDENTIALS_MISSING = new Set(['CredentialsProviderError']);
const CREDENTIALS_BAD = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'TokenRefreshRequired',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'InvalidSignatureException',
]);
const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException']);

interface AwsErrorContext {
  readonly stateMachineName: string;
  readonly region: string;
  readonly executionName: string;
  /** Known once the state machine is found. */
  readonly stateMachineArn?: string;
}

/** One line for an error thrown while talking to AWS: what went wrong and what to do. */
export const describeAwsError = (error: unknown, context: AwsErrorContext): string => {
  const name = error instanceof Error ? error.name : 'Error';
  const message = oneLine(error instanceof Error ? error.message : String(error));
  if (CREDENTIALS_MISSING.has(name)) {
    return `error: no AWS credentials (${name}: ${message}); log in (aws sso login, aws configure or AWS_PROFILE) and retry`;
  }
  if (CREDENTIALS_BAD.has(name)) {
    return `error: AWS credentials expired or invalid (${name}: ${message}); refresh them (e.g. aws sso login) and retry`;
  }
  if (ACCESS_DENIED.has(name)) {
    return `error: access denied (${name}: ${message}); your role needs states:ListStateMachines and states:StartExecution on ${context.stateMachineName} in ${context.region}`;
  }
  if (name === 'ExecutionAlreadyExists') {
    const existing =
      context.stateMachineArn === undefined
        ? ''
        : ` (${executionConsoleLink(executionArnOf(context.stateMachineArn, context.executionName), context.region)})`;
    return `error: ${context.stateMachineName} already has an execution named ${context.executionName}${existing}; execution names are used once, pass another --name`;
  }
  if (name === 'StateMachineDoesNotExist' || name === 'StateMachineDeleting') {
    return `error: state machine ${context.stateMachineName} is gone from ${context.region} (${name}); deploy the control plane stack and retry`;
  }
  if (name === 'InvalidExecutionInput' || name === 'InvalidName') {
    return `error: Step Functions refused the execution (${name}: ${message}); fix the input or --name and retry`;
  }
  return `error: AWS call failed (${name}: ${message}); check your credentials, region and network and retry`;
};

interface CdkContext {
  readonly stage?: string;
  readonly region?: string;
  /** Every setting, for the stage's resource names. */
  readonly all: Readonly<Record<string, unknown>>;
}

/** `stage` and `region` from cdk.json's context; no file means no defaults. */
const readCdkContext = (file: string): CdkContext => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { all: {} };
    throw new RunbookCliError(2, [
      `error: cannot read ${file}: ${oneLine((error as Error).message)}`,
    ]);
  }
  let context: unknown;
  try {
    context = (JSON.parse(text) as { context?: unknown } | null)?.context;
  } catch (error) {
    throw new RunbookCliError(2, [
      `error: ${file} is not valid JSON: ${oneLine((error as Error).message)}`,
    ]);
  }
  const read = (key: string): string | undefined => {
    if (typeof context !== 'object' || context === null) return undefined;
    const value = (context as Record<string, unknown>)[key];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const stage = read('stage');
  const region = read('region');
  return {
    ...(stage === undefined ? {} : { stage }),
    ...(region === undefined ? {} : { region }),
    all:
      typeof context === 'object' && context !== null ? (context as Record<string, unknown>) : {},
  };
};

/** cdk.json's context, read at most once per run and only when a flag leaves a default open. */
const cdkContextOnce = (file: string): (() => CdkContext) => {
  let context: CdkContext | undefined;
  return () => {
    context ??= readCdkContext(file);
    return context;
  };
};

const resolveStage = (flag: string | undefined, cdkContext: () => CdkContext): string => {
  const stage = flag ?? cdkContext().stage ?? DEFAULT_STAGE;
  if (!STAGE_PATTERN.test(stage)) {
    throw usageError(`stage "${stage}" is not valid: ${STAGE_RULE}`);
  }
  return stage;
};

const resolveRegion = (
  flag: string | undefined,
  deps: RunbookCliDeps,
  cdkContext: () => CdkContext,
): string => {
  const fromEnv = (key: string) => (deps.env[key] === '' ? undefined : deps.env[key]);
  const region =
    flag ?? fromEnv('AWS_REGION') ?? fromEnv('AWS_DEFAULT_REGION') ?? cdkContext().region;
  if (region === undefined) {
    throw usageError(
      'no region: pass --region, set AWS_REGION or set the "region" context in cdk.json',
    );
  }
  if (!REGION.test(region)) {
    throw usageError(`region "${region}" is not an AWS region such as us-east-1`);
  }
  return region;
};

/**
 * What is wrong with the input's values for this stage: a resource of another stage (or none),
 * an AZ ID where an AZ name is needed, an alarm that is not the stage's. One line each.
 */
export const stageProblems = (
  runbook: RunbookDefinition,
  input: Readonly<Record<string, unknown>>,
  names: DeployedNames,
  stage: string,
): string[] =>
  deployedProblems(runbook, input, names).map((problem) => {
    const field = runbook.input.find((candidate) => problem.startsWith(`input.${candidate.name} `));
    const given = field === undefined ? undefined : input[field.name];
    const azId =
      field?.value.kind === 'deployed' &&
      field.value.resource === 'availability-zone' &&
      typeof given === 'string' &&
      AZ_ID.test(given);
    const hint = azId
      ? ` (${given} is an AZ ID, which differs per account: give the AZ name, aws ec2 describe-availability-zones maps one to the other)`
      : '';
    return `${problem} (stage ${stage})${hint}`;
  });

/** The stage's mode guardrail as SSM holds it, or why it could not be read. */
type ModeReading = { readonly value: string } | { readonly unreadable: string };

const readMode = async (
  stage: string,
  region: string,
  deps: RunbookCliDeps,
): Promise<ModeReading> => {
  const name = `${guardrailParameterPath(stage)}${GUARDRAIL_PARAMETERS.mode}`;
  try {
    const output = await deps.ssmClient(region).send(new GetParameterCommand({ Name: name }));
    const value = output.Parameter?.Value;
    return value === undefined ? { unreadable: `${name} has no value` } : { value: value.trim() };
  } catch (error) {
    const why = error instanceof Error ? `${error.name}: ${oneLine(error.message)}` : String(error);
    return { unreadable: `ssm:GetParameter ${name} failed (${why})` };
  }
};

const STILL_APPLY = 'budgets, cooldowns and approvals still apply';
const ASK_DRY_RUN = 'For a run that changes nothing, put "dryRun": "true" in the input';

/** The sentence said before starting: will this run change anything? */
const willItAct = (
  input: Readonly<Record<string, unknown>>,
  stage: string,
  mode?: ModeReading,
): string => {
  if (input.dryRun === 'true') {
    return 'this run is a dry run (dryRun "true" in the input): it checks and reports what it would do, and changes nothing';
  }
  if (mode === undefined) {
    return `this run will ACT: a run started by hand acts unless the mode guardrail of ${stage} is off, even in mode dry-run (npm run guardrails -- --stage ${stage} shows it); ${STILL_APPLY}. ${ASK_DRY_RUN}`;
  }
  if ('unreadable' in mode) {
    return `this run will ACT unless the mode guardrail of ${stage} is off (could not read it: ${mode.unreadable}); ${STILL_APPLY}. ${ASK_DRY_RUN}`;
  }
  return `this run will ACT: the mode guardrail of ${stage} is ${mode.value}, and a run started by hand acts unless it is off; ${STILL_APPLY}. ${ASK_DRY_RUN}`;
};

const listRunbooks = (stage: string, deps: RunbookCliDeps): void => {
  const blocks = RUNBOOKS.map((runbook: RunbookDefinition) => {
    const fields = runbook.input.map(
      (field) => `    ${field.name} (${requirementOf(field)}): ${field.meaning}`,
    );
    return [
      `${runbook.name}  (state machine ${runbookStateMachineName(`rebound-${stage}`, runbook.name)})`,
      `  ${runbook.description}`,
      `  approval: ${runbook.needsApproval ? 'asks a person before its destructive step (request by email)' : 'never asks'}`,
      '  input:',
      ...fields,
    ].join('\n');
  });
  deps.out(blocks.join('\n\n'));
};

const start = async (args: StartRunbookArgs, deps: RunbookCliDeps): Promise<void> => {
  const runbook = requireRunbook(args.runbook);
  if (args.executionName !== undefined && !EXECUTION_NAME.test(args.executionName)) {
    throw usageError(
      `--name "${args.executionName}" is not a valid execution name: 1-80 characters of A-Z a-z 0-9 - _`,
    );
  }
  const input = readInputFile(args.inputFile);
  const problems = inputProblems(runbook, input);
  if (problems.length > 0) {
    throw new RunbookCliError(
      2,
      problems.map((problem) => `error: ${args.inputFile}: ${problem}`),
    );
  }
  const cdkContext = cdkContextOnce(deps.cdkJsonPath);
  const stage = resolveStage(args.stage, cdkContext);
  const region = resolveRegion(args.region, deps, cdkContext);
  const valueProblems = stageProblems(
    runbook,
    input,
    stageNamesOf(stage, region, cdkContext().all),
    stage,
  );
  if (valueProblems.length > 0) {
    throw new RunbookCliError(
      2,
      valueProblems.map((problem) => `error: ${args.inputFile}: ${problem}`),
    );
  }
  const stateMachineName = runbookStateMachineName(`rebound-${stage}`, runbook.name);
  const target = input[runbook.targetField];
  const executionName =
    args.executionName ??
    manualExecutionName(typeof target === 'string' ? target : runbook.name, deps.clock.now());
  const approvalLine = runbook.needsApproval
    ? `approval: ${runbook.name} waits for a person before its destructive step; the approval request arrives by email (the alert subscribers).`
    : undefined;

  if (args.check) {
    deps.out(
      [
        `check: the input is valid for stage ${stage}; nothing started (region ${region})`,
        `state machine: ${stateMachineName}`,
        `execution name: ${executionName}`,
        `input: ${JSON.stringify(input)}`,
        `run: ${willItAct(input, stage)}`,
        ...(approvalLine === undefined ? [] : [approvalLine]),
      ].join('\n'),
    );
    return;
  }

  // Before any start: the kill switch wins over a person's run, so say it instead of starting
  // a run that can only be refused.
  const mode = await readMode(stage, region, deps);
  if ('value' in mode && mode.value === 'off') {
    throw new RunbookCliError(1, [
      `error: the mode guardrail of ${stage} is off (the kill switch): the run would be refused and do nothing, so nothing was started; to act, set it first: npm run guardrails -- set mode auto --stage ${stage}`,
    ]);
  }
  deps.out(`run: ${willItAct(input, stage, mode)}`);

  const client = deps.sfnClient(region);
  let stateMachineArn: string | undefined;
  try {
    stateMachineArn = await findStateMachineArn(client, stateMachineName);
    if (stateMachineArn === undefined) {
      throw new RunbookCliError(1, [
        `error: state machine ${stateMachineName} not found in ${region}: deploy the control plane stack or pass --stage/--region`,
      ]);
    }
    const output = await client.send(
      new StartExecutionCommand({
        stateMachineArn,
        name: executionName,
        input: JSON.stringify(input),
      }),
    );
    const executionArn = output.executionArn ?? executionArnOf(stateMachineArn, executionName);
    deps.out(
      [
        `started ${stateMachineName} execution ${executionName}`,
        `execution: ${executionArn}`,
        `console: ${executionConsoleLink(executionArn, region)}`,
        ...(approvalLine === undefined ? [] : [approvalLine]),
      ].join('\n'),
    );
  } catch (error) {
    if (error instanceof RunbookCliError) throw error;
    throw new RunbookCliError(1, [
      describeAwsError(error, {
        stateMachineName,
        region,
        executionName,
        ...(stateMachineArn === undefined ? {} : { stateMachineArn }),
      }),
    ]);
  }
};

/** Runs the CLI on `args` (argv without node and the script); resolves to the exit code. */
export const runRunbookCli = async (
  args: readonly string[],
  deps: RunbookCliDeps,
): Promise<number> => {
  try {
    const command = parseRunbookArgs(args);
    switch (command.kind) {
      case 'help':
        deps.out(HELP);
        return 0;
      case 'list':
        listRunbooks(resolveStage(command.stage, cdkContextOnce(deps.cdkJsonPath)), deps);
        return 0;
      case 'start':
        await start(command.args, deps);
        return 0;
    }
  } catch (error) {
    if (!(error instanceof RunbookCliError)) {
      // A bug here, not bad input: still one line, never a stack trace.
      deps.err(`error: unexpected failure: ${oneLine(String(error))}`);
      return 1;
    }
    for (const line of error.lines) deps.err(line);
    if (error.withUsage) deps.err(RUNBOOK_USAGE);
    return error.exitCode;
  }
};
