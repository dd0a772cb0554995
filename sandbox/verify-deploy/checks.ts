import {
  type CloudWatchClient,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import { type IAMClient, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { GetFunctionConfigurationCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { type SFNClient, ValidateStateMachineDefinitionCommand } from '@aws-sdk/client-sfn';
import { guardrailsReadPath } from '../../functions/lib/core/guardrails.js';
import type { GuardrailReader, SynthesizedStateMachine } from '../checks/synthesized-app.js';

/**
 * The pre-/post-deploy checks `npm run verify-deploy` runs against a real account, each over
 * injected SDK clients, each giving one result per subject. An AWS error becomes that subject's
 * failure, except missing or expired credentials, which stop the run (AwsCredentialsError).
 */

export interface CheckResult {
  readonly status: 'ok' | 'FAIL' | 'skip';
  readonly check: string;
  readonly subject: string;
  readonly detail: string;
}

/** No usable credentials: nothing else can work, the run stops with this one line. */
export class AwsCredentialsError extends Error {
  override readonly name = 'AwsCredentialsError';
}

const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim();

/** `detail` of a failed call: what went wrong and, for a denial, the permission to add. */
const failure = (error: unknown, permission: string): string => {
  const name = error instanceof Error ? error.name : 'Error';
  const message = oneLine(error instanceof Error ? error.message : String(error));
  if (name === 'CredentialsProviderError') {
    throw new AwsCredentialsError(
      `error: no AWS credentials (${message}); log in (aws sso login, aws configure or AWS_PROFILE) and retry`,
    );
  }
  if (/^(ExpiredToken|InvalidClientTokenId|UnrecognizedClient|InvalidSignature)/.test(name)) {
    throw new AwsCredentialsError(
      `error: AWS credentials expired or invalid (${name}: ${message}); refresh them (e.g. aws sso login) and retry`,
    );
  }
  if (/^AccessDenied/.test(name)) {
    return `access denied (${message}); your role needs ${permission}`;
  }
  return `AWS call failed (${name}: ${message})`;
};

type Subject = Pick<CheckResult, 'check' | 'subject'>;

/** `subject` failed because an AWS call did. */
const failedCall = (subject: Subject, error: unknown, permission: string): CheckResult => ({
  ...subject,
  status: 'FAIL',
  detail: failure(error, permission),
});

const diagnosticText = (diagnostic: {
  severity?: string | undefined;
  code?: string | undefined;
  message?: string | undefined;
  location?: string | undefined;
}): string =>
  oneLine(
    `${diagnostic.severity ?? '?'} ${diagnostic.code ?? '?'}${diagnostic.location === undefined ? '' : ` at ${diagnostic.location}`}: ${diagnostic.message ?? ''}`,
  );

/**
 * ValidateStateMachineDefinition of each synthesized definition, as a Standard workflow, with
 * warnings: any diagnostic fails the state machine.
 */
export const validateDefinitions = async (
  sfn: SFNClient,
  machines: readonly SynthesizedStateMachine[],
): Promise<CheckResult[]> => {
  const results: CheckResult[] = [];
  for (const machine of machines) {
    const base = { check: 'definition', subject: machine.name };
    try {
      const output = await sfn.send(
        new ValidateStateMachineDefinitionCommand({
          definition: JSON.stringify(machine.definition),
          type: 'STANDARD',
          severity: 'WARNING',
        }),
      );
      const diagnostics = output.diagnostics ?? [];
      const passed = output.result === 'OK' && diagnostics.length === 0;
      results.push({
        ...base,
        status: passed ? 'ok' : 'FAIL',
        detail: passed
          ? 'ValidateStateMachineDefinition OK'
          : `ValidateStateMachineDefinition ${output.result ?? '?'}: ${diagnostics.map(diagnosticText).join('; ')}${output.truncated ? '; …' : ''}`,
      });
    } catch (error) {
      results.push(failedCall(base, error, 'states:ValidateStateMachineDefinition'));
    }
  }
  return results;
};

/**
 * For each deployed guardrail reader: its role and GUARDRAILS_PATH (GetFunctionConfiguration),
 * then an IAM policy simulation of ssm:GetParametersByPath on exactly the path its code sends.
 */
export const simulateGuardrailReads = async (
  clients: { readonly lambda: LambdaClient; readonly iam: IAMClient },
  readers: readonly GuardrailReader[],
): Promise<CheckResult[]> => {
  const results: CheckResult[] = [];
  for (const reader of readers) {
    const base = { check: 'guardrail read', subject: reader.functionName };
    let role: string | undefined;
    let resource: string;
    try {
      const fn = await clients.lambda.send(
        new GetFunctionConfigurationCommand({ FunctionName: reader.functionName }),
      );
      role = fn.Role;
      // arn:<partition>:lambda:<region>:<account>:function:<name>
      const [, partition, , region, account] = (fn.FunctionArn ?? '').split(':');
      const deployedPath = fn.Environment?.Variables?.GUARDRAILS_PATH ?? reader.guardrailsPath;
      resource = `arn:${partition}:ssm:${region}:${account}:parameter${guardrailsReadPath(deployedPath)}`;
    } catch (error) {
      const notFound = error instanceof Error && error.name === 'ResourceNotFoundException';
      results.push(
        notFound
          ? {
              ...base,
              status: 'FAIL',
              detail:
                'function not deployed in this account and region: deploy the control plane stack',
            }
          : failedCall(base, error, 'lambda:GetFunctionConfiguration'),
      );
      continue;
    }
    try {
      const simulation = await clients.iam.send(
        new SimulatePrincipalPolicyCommand({
          PolicySourceArn: role,
          ActionNames: ['ssm:GetParametersByPath'],
          ResourceArns: [resource],
        }),
      );
      const decision = simulation.EvaluationResults?.[0]?.EvalDecision ?? 'no result';
      results.push({
        ...base,
        status: decision === 'allowed' ? 'ok' : 'FAIL',
        detail: `${role} is ${decision} ssm:GetParametersByPath on ${resource}`,
      });
    } catch (error) {
      results.push(failedCall(base, error, 'iam:SimulatePrincipalPolicy'));
    }
  }
  return results;
};

export interface AlertingPathOptions {
  readonly sleep: (milliseconds: number) => Promise<void>;
  readonly now: () => Date;
  /** How many times to look for the alarm action in the alarm's history. */
  readonly attempts: number;
  readonly intervalMilliseconds: number;
}

/** An Action history item read as a success or failure, undefined when it says neither. */
const actionOutcome = (item: {
  HistorySummary?: string | undefined;
  HistoryData?: string | undefined;
}): 'succeeded' | 'failed' | undefined => {
  const summary = item.HistorySummary ?? '';
  let state: unknown;
  try {
    state = (JSON.parse(item.HistoryData ?? '{}') as { actionState?: unknown }).actionState;
  } catch {
    state = undefined;
  }
  if (/^Successfully executed action/i.test(summary) || state === 'Succeeded') return 'succeeded';
  if (/^Failed to execute action/i.test(summary) || state === 'Failed') return 'failed';
  return undefined;
};

/**
 * Sets `alarmName` to ALARM (its action publishes to the alerts topic, so this pages every
 * subscriber), waits a bounded time for CloudWatch to record the action's outcome in the
 * alarm's history, then sets the alarm back to OK.
 */
export const testAlertingPath = async (
  cloudwatch: CloudWatchClient,
  alarmName: string,
  options: AlertingPathOptions,
): Promise<CheckResult> => {
  const base = { check: 'alerting path', subject: alarmName };
  const permission = 'cloudwatch:DescribeAlarms, SetAlarmState and DescribeAlarmHistory';
  try {
    const described = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [alarmName] }));
    const actions = described.MetricAlarms?.[0]?.AlarmActions;
    if (actions === undefined) {
      return {
        ...base,
        status: 'FAIL',
        detail: 'alarm not deployed: deploy the control plane stack',
      };
    }
    if (actions.length === 0) {
      return { ...base, status: 'FAIL', detail: 'the alarm has no action: nothing would be told' };
    }
    const startDate = options.now();
    await cloudwatch.send(
      new SetAlarmStateCommand({
        AlarmName: alarmName,
        StateValue: 'ALARM',
        StateReason: 'npm run verify-deploy --alarm-test: testing the alerting path, no incident',
      }),
    );
    try {
      for (let attempt = 1; attempt <= options.attempts; attempt++) {
        await options.sleep(options.intervalMilliseconds);
        const history = await cloudwatch.send(
          new DescribeAlarmHistoryCommand({
            AlarmName: alarmName,
            HistoryItemType: 'Action',
            StartDate: startDate,
            ScanBy: 'TimestampDescending',
          }),
        );
        for (const item of history.AlarmHistoryItems ?? []) {
          const outcome = actionOutcome(item);
          if (outcome === undefined) continue;
          return {
            ...base,
            status: outcome === 'succeeded' ? 'ok' : 'FAIL',
            detail: `set to ALARM; CloudWatch: ${oneLine(item.HistorySummary ?? outcome)} (${actions.join(', ')})`,
          };
        }
      }
      const waited = Math.round((options.attempts * options.intervalMilliseconds) / 1000);
      return {
        ...base,
        status: 'FAIL',
        detail: `set to ALARM, but CloudWatch recorded no action outcome within ${waited} s (${actions.join(', ')})`,
      };
    } finally {
      await cloudwatch.send(
        new SetAlarmStateCommand({
          AlarmName: alarmName,
          StateValue: 'OK',
          StateReason: 'npm run verify-deploy --alarm-test: test over',
        }),
      );
    }
  } catch (error) {
    return failedCall(base, error, permission);
  }
};
