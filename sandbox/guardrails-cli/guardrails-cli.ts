import {
  GetParameterCommand,
  GetParametersByPathCommand,
  type Parameter,
  PutParameterCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import {
  GUARDRAIL_MEANINGS,
  GUARDRAIL_PARAMETER_NAMES,
  type GuardrailParameter,
  guardrailParameterPath,
  guardrailsReadPath,
  guardrailValueProblem,
  parseGuardrails,
} from '../../functions/lib/core/guardrails.js';
import {
  CliError,
  describeAwsCallError,
  resolveStageAndRegion,
  runCliCommand,
  splitCliOptions,
  usageError,
} from '../cli-kit.js';

/**
 * `npm run guardrails -- [--stage s] [--region r]` prints a stage's guardrails as SSM holds
 * them now; `set <name> <value>` changes one, checked by the rules triage and the runbooks read
 * it with (functions/lib/core/guardrails.ts), and only when the stage has it (a typo in the
 * stage must not create a parameter nobody reads). The caller's AWS credentials; output to
 * injected writers. Exit codes as `npm run runbook`: 0 ok, 1 AWS error, 2 bad arguments.
 */

export const GUARDRAILS_USAGE = [
  'usage: npm run guardrails -- [--stage <stage>] [--region <region>]',
  '       npm run guardrails -- set <name> <value> [--stage <stage>] [--region <region>]',
  '       npm run guardrails -- --help',
].join('\n');

const NAME_WIDTH = Math.max(...GUARDRAIL_PARAMETER_NAMES.map((name) => name.length)) + 2;

const HELP = `${GUARDRAILS_USAGE}

Prints the guardrails of a stage (SSM parameters under /rebound/<stage>/guardrails/) as Rebound
reads them now, or sets one. Uses your own AWS credentials (profile, SSO or environment); a
change bites within 30 seconds (the functions' cache), without a deploy.

  --stage <stage>    default: the "stage" context in cdk.json, else dev
  --region <region>  default: AWS_REGION, else AWS_DEFAULT_REGION, else the "region" context in cdk.json
  -h, --help         print this help

Guardrails:
${GUARDRAIL_PARAMETER_NAMES.map((name) => `  ${name.padEnd(NAME_WIDTH)}${GUARDRAIL_MEANINGS[name]}`).join('\n')}

Examples:
  npm run guardrails -- set mode off --stage prod        the kill switch: nothing is started
  npm run guardrails -- set enabled-runbooks replace-unhealthy-instance,scale-out

Exit codes: 0 printed or set, 1 AWS error or guardrail not deployed, 2 bad arguments.
Your role needs ssm:GetParametersByPath (print), ssm:GetParameter and ssm:PutParameter (set).`;

/** Everything the CLI touches outside itself. */
export interface GuardrailsCliDeps {
  /** SSM client for a region; built only after every local check passed. */
  readonly ssmClient: (region: string) => SSMClient;
  /** Environment (AWS_REGION, AWS_DEFAULT_REGION). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** cdk.json, for the `stage` and `region` defaults; a missing file means none. */
  readonly cdkJsonPath: string;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

interface Target {
  readonly stage?: string;
  readonly region?: string;
}

export type GuardrailsCommand =
  | { readonly kind: 'help' }
  | ({ readonly kind: 'show' } & Target)
  | ({ readonly kind: 'set'; readonly name: GuardrailParameter; readonly value: string } & Target);

/** The guardrail called `name`, or a usage error listing them (with a near miss). */
const guardrailNamed = (name: string): GuardrailParameter => {
  const found = GUARDRAIL_PARAMETER_NAMES.find((known) => known === name);
  if (found !== undefined) return found;
  const near = GUARDRAIL_PARAMETER_NAMES.find(
    (known) => known.includes(name.toLowerCase()) || name.toLowerCase().includes(known),
  );
  throw new CliError(2, [
    `error: unknown guardrail "${name}"${near === undefined ? '' : ` (did you mean "${near}"?)`}; guardrails: ${GUARDRAIL_PARAMETER_NAMES.join(', ')}`,
  ]);
};

/** Parses the command line (`--opt value` or `--opt=value`); throws a usage error. */
export const parseGuardrailsArgs = (args: readonly string[]): GuardrailsCommand => {
  const split = splitCliOptions(args, { '--stage': 'stage', '--region': 'region' });
  if (split === 'help') return { kind: 'help' };
  const { values: target, positionals } = split;
  const [command, name, value, ...extra] = positionals;
  if (command === undefined) return { kind: 'show', ...target };
  if (command !== 'set') throw usageError(`unknown command "${command}" (only set)`);
  if (name === undefined || value === undefined) throw usageError('set needs <name> <value>');
  if (extra.length > 0) {
    throw usageError(
      `set takes one value (extra: ${extra.join(' ')}); quote a list with spaces or write it without them`,
    );
  }
  return { kind: 'set', name: guardrailNamed(name), value, ...target };
};

const resolveTarget = (given: Target, deps: GuardrailsCliDeps) =>
  resolveStageAndRegion(given, deps, usageError);

/**
 * Every parameter under `path`, page by page (GetParametersByPath returns at most 10). The path
 * is sent without its trailing slash, as the functions read it and IAM grants it: SSM authorizes
 * the call against the path in the request (AWS Systems Manager user guide, "Restricting access
 * to Parameter Store parameters using IAM policies"): `guardrailsReadPath`.
 */
const readParameters = async (client: SSMClient, path: string): Promise<Parameter[]> => {
  const parameters: Parameter[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(
      new GetParametersByPathCommand({
        Path: guardrailsReadPath(path),
        MaxResults: 10,
        NextToken: nextToken,
      }),
    );
    parameters.push(...(page.Parameters ?? []));
    nextToken = page.NextToken === nextToken ? undefined : page.NextToken;
  } while (nextToken);
  return parameters;
};

const notDeployed = (what: string, region: string) =>
  new CliError(1, [
    `error: ${what} not found in ${region}: deploy the control plane stack or pass --stage/--region`,
  ]);

const versionOf = (parameter: Parameter | undefined): string => {
  if (parameter?.Version === undefined) return '';
  const changed =
    parameter.LastModifiedDate === undefined
      ? ''
      : `, changed ${parameter.LastModifiedDate.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return `  (version ${parameter.Version}${changed})`;
};

const show = async (target: Target, deps: GuardrailsCliDeps): Promise<void> => {
  const { stage, region } = resolveTarget(target, deps);
  const path = guardrailParameterPath(stage);
  const needs = `ssm:GetParametersByPath on parameter${path.replace(/\/$/, '')} in ${region}`;
  let parameters: Parameter[];
  try {
    parameters = await readParameters(deps.ssmClient(region), path);
  } catch (error) {
    throw new CliError(1, [describeAwsCallError(error, { needs })]);
  }
  if (parameters.length === 0)
    throw notDeployed(`no guardrails of stage ${stage} (${path})`, region);
  const byName = new Map(
    parameters.map((parameter) => [parameter.Name?.slice(path.length), parameter]),
  );
  const values = Object.fromEntries(
    [...byName].flatMap(([name, parameter]) =>
      name === undefined || parameter.Value === undefined ? [] : [[name, parameter.Value]],
    ),
  );
  const rows = GUARDRAIL_PARAMETER_NAMES.map((name) => {
    const parameter = byName.get(name);
    const value = parameter?.Value ?? '(missing)';
    return `  ${name.padEnd(NAME_WIDTH)}${value}${versionOf(parameter)}`;
  });
  // What Rebound does with a missing or unreadable value, then values a person should fix.
  const readProblems = parseGuardrails(values).problems;
  const strictProblems = GUARDRAIL_PARAMETER_NAMES.flatMap((name) => {
    const value = values[name];
    const problem = value === undefined ? undefined : guardrailValueProblem(name, value);
    const reported = readProblems.some((line) => line.startsWith(`guardrail ${name}:`));
    return problem === undefined || reported ? [] : [`guardrail ${name}: expected ${problem}`];
  });
  deps.out([`guardrails of stage ${stage} in ${region} (${path})`, ...rows].join('\n'));
  for (const problem of [...readProblems, ...strictProblems]) deps.err(`warning: ${problem}`);
};

const set = async (
  command: Extract<GuardrailsCommand, { kind: 'set' }>,
  deps: GuardrailsCliDeps,
): Promise<void> => {
  const problem = guardrailValueProblem(command.name, command.value);
  if (problem !== undefined) {
    throw new CliError(2, [
      `error: guardrail ${command.name} takes ${problem}, got ${JSON.stringify(command.value)}`,
    ]);
  }
  const { stage, region } = resolveTarget(command, deps);
  const name = `${guardrailParameterPath(stage)}${command.name}`;
  const client = deps.ssmClient(region);
  const needs = `ssm:GetParameter and ssm:PutParameter on parameter${name} in ${region}`;
  try {
    let before: Parameter | undefined;
    try {
      before = (await client.send(new GetParameterCommand({ Name: name }))).Parameter;
    } catch (error) {
      if ((error as Error).name === 'ParameterNotFound')
        throw notDeployed(`guardrail ${name}`, region);
      throw error;
    }
    // No Type: SSM keeps the existing parameter's ("not required when updating").
    const result = await client.send(
      new PutParameterCommand({ Name: name, Value: command.value.trim(), Overwrite: true }),
    );
    const version = result.Version === undefined ? '' : ` (version ${result.Version})`;
    deps.out(
      `set ${name} in ${region}: ${JSON.stringify(before?.Value ?? '')} → ${JSON.stringify(command.value.trim())}${version}; Rebound reads it within 30 seconds`,
    );
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(1, [describeAwsCallError(error, { needs })]);
  }
};

/** Runs the CLI on `args` (argv without node and the script); resolves to the exit code. */
export const runGuardrailsCli = (
  args: readonly string[],
  deps: GuardrailsCliDeps,
): Promise<number> =>
  runCliCommand(
    async () => {
      const command = parseGuardrailsArgs(args);
      if (command.kind === 'help') deps.out(HELP);
      else if (command.kind === 'show') await show(command, deps);
      else await set(command, deps);
    },
    GUARDRAILS_USAGE,
    deps.err,
  );
