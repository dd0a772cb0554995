import { readFileSync } from 'node:fs';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { guardrailsUnreadableAlarmName } from '../../functions/lib/aws/guardrail-read-failures.js';
import { ConfigError } from '../../infra/config.js';
import type { SynthesizedApp } from '../checks/synthesized-app.js';
import {
  AwsCredentialsError,
  type CheckResult,
  simulateGuardrailReads,
  testAlertingPath,
  validateDefinitions,
} from './checks.js';

/**
 * `npm run verify-deploy`: checks a deployment (or the account it is about to go to) with the
 * caller's AWS credentials, one line per check: each runbook's synthesized definition through
 * ValidateStateMachineDefinition, an IAM policy simulation of every guardrail reader's
 * ssm:GetParametersByPath on the exact path its code sends, and, with --alarm-test only (it
 * pages), the alerting path through SetAlarmState. The app is synthesized from cdk.json plus
 * `-c key=value`, as `cdk deploy` takes it. Exit codes: 0 every check passed, 1 a check failed
 * or AWS could not be reached (one line), 2 bad arguments or configuration.
 */

export const VERIFY_DEPLOY_USAGE =
  'usage: npm run verify-deploy -- [-c key=value]... [--alarm-test] [--help]';

const HELP = `${VERIFY_DEPLOY_USAGE}

Checks a Rebound deployment with your own AWS credentials (profile, SSO or environment), in the
configuration's region, one line per check:
  definition       ValidateStateMachineDefinition of each runbook's synthesized definition
  guardrail read   iam SimulatePrincipalPolicy: each guardrail reader's role may call
                   ssm:GetParametersByPath on the path its code sends
  alerting path    with --alarm-test only: sets rebound-<stage>-guardrails-unreadable to ALARM
                   (its action emails every alert subscriber), waits up to 60 s for CloudWatch
                   to record the action's outcome, then sets it back to OK

  -c key=value     context on top of cdk.json, as given to cdk deploy (e.g. -c stage=prod)
  --alarm-test     run the alerting-path check (it pages)

Your role needs states:ValidateStateMachineDefinition, lambda:GetFunctionConfiguration,
iam:SimulatePrincipalPolicy and, for --alarm-test, cloudwatch:DescribeAlarms, SetAlarmState and
DescribeAlarmHistory.

Exit codes: 0 every check passed, 1 a check failed or AWS could not be reached, 2 bad arguments
or configuration.`;

export interface VerifyDeployClients {
  readonly sfn: SFNClient;
  readonly lambda: LambdaClient;
  readonly iam: IAMClient;
  readonly cloudwatch: CloudWatchClient;
}

export interface VerifyDeployDeps {
  /** SDK clients for the configuration's region, built after every local check passed. */
  readonly clients: (region: string) => VerifyDeployClients;
  readonly cdkJsonPath: string;
  /** Synthesizes the app for a context (synthesizeApp; tests pass a smaller app). */
  readonly synthesize: (context: Readonly<Record<string, unknown>>) => SynthesizedApp;
  readonly sleep: (milliseconds: number) => Promise<void>;
  readonly now: () => Date;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/** The alerting-path check looks for the action's outcome this often, this many times. */
export const ALARM_HISTORY_ATTEMPTS = 12;
export const ALARM_HISTORY_INTERVAL_MS = 5_000;

class UsageError extends Error {}

interface VerifyDeployArgs {
  readonly help: boolean;
  readonly alarmTest: boolean;
  readonly context: Readonly<Record<string, string>>;
}

export const parseVerifyDeployArgs = (args: readonly string[]): VerifyDeployArgs => {
  const context: Record<string, string> = {};
  let help = false;
  let alarmTest = false;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? '';
    if (arg === '--help' || arg === '-h') help = true;
    else if (arg === '--alarm-test') alarmTest = true;
    else if (arg === '-c' || arg === '--context' || arg.startsWith('--context=')) {
      const pair = arg.startsWith('--context=') ? arg.slice('--context='.length) : args[++index];
      const separator = pair?.indexOf('=') ?? -1;
      if (pair === undefined || separator < 1) {
        throw new UsageError(`${arg} needs key=value (got ${JSON.stringify(pair ?? '')})`);
      }
      context[pair.slice(0, separator)] = pair.slice(separator + 1);
    } else throw new UsageError(`unknown argument ${JSON.stringify(arg)}`);
  }
  return { help, alarmTest, context };
};

const readCdkJsonContext = (file: string): Record<string, unknown> => {
  try {
    const json = JSON.parse(readFileSync(file, 'utf8')) as { context?: Record<string, unknown> };
    return json.context ?? {};
  } catch (error) {
    throw new UsageError(`cannot read the context of ${file}: ${(error as Error).message}`);
  }
};

const formatResult = (result: CheckResult): string =>
  `${result.status.padEnd(4)}  ${result.check} ${result.subject}: ${result.detail}`;

/** Runs the CLI on `args` (argv without node and the script); resolves to the exit code. */
export const runVerifyDeploy = async (
  args: readonly string[],
  deps: VerifyDeployDeps,
): Promise<number> => {
  let app: SynthesizedApp;
  let alarmTest: boolean;
  try {
    const parsed = parseVerifyDeployArgs(args);
    if (parsed.help) {
      deps.out(HELP);
      return 0;
    }
    alarmTest = parsed.alarmTest;
    app = deps.synthesize({ ...readCdkJsonContext(deps.cdkJsonPath), ...parsed.context });
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const problem of error.problems) deps.err(`error: ${problem}`);
      return 2;
    }
    if (!(error instanceof UsageError)) throw error;
    deps.err(`error: ${error.message}`);
    deps.err(VERIFY_DEPLOY_USAGE);
    return 2;
  }

  const { stage, region } = app.config;
  const clients = deps.clients(region);
  const alarmName = guardrailsUnreadableAlarmName(stage);
  const results: CheckResult[] = [];
  const report = (found: readonly CheckResult[]) => {
    for (const result of found) deps.out(formatResult(result));
    results.push(...found);
  };
  try {
    report(await validateDefinitions(clients.sfn, app.stateMachines));
    report(await simulateGuardrailReads(clients, app.guardrailReaders));
    report([
      alarmTest
        ? await testAlertingPath(clients.cloudwatch, alarmName, {
            sleep: deps.sleep,
            now: deps.now,
            attempts: ALARM_HISTORY_ATTEMPTS,
            intervalMilliseconds: ALARM_HISTORY_INTERVAL_MS,
          })
        : {
            status: 'skip',
            check: 'alerting path',
            subject: alarmName,
            detail: 'pass --alarm-test to set it to ALARM (emails every alert subscriber)',
          },
    ]);
  } catch (error) {
    if (!(error instanceof AwsCredentialsError)) throw error;
    deps.err(error.message);
    return 1;
  }
  const count = (status: CheckResult['status']) =>
    results.filter((result) => result.status === status).length;
  deps.out(
    `verify-deploy ${stage} in ${region}: ${count('ok')} ok, ${count('FAIL')} failed, ${count('skip')} skipped`,
  );
  return count('FAIL') === 0 ? 0 : 1;
};
