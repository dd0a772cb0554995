import type { SFNClient } from '@aws-sdk/client-sfn';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { deliverAnswer, whyNotWaiting } from '../../functions/lib/approval/deliver.js';
import { cleanText, MAX_BY, MAX_REASON } from '../../functions/lib/approval/normalise.js';
import type { LinkAnswer } from '../../functions/lib/approval/ports.js';
import { LINK_DECISIONS, type LinkDecision } from '../../functions/lib/approval/token.js';
import { DynamoDbApprovalStore } from '../../functions/lib/aws/dynamodb-approval-store.js';
import { SfnTaskAnswerer } from '../../functions/lib/aws/sfn-task-answerer.js';
import { formatUtc } from '../../functions/lib/core/alerts/text.js';
import { executionConsoleLink } from '../../functions/lib/core/console-links.js';
import type { Clock } from '../../functions/lib/core/ports.js';
import {
  CliError,
  describeAwsCallError,
  resolveStageAndRegion,
  runCliCommand,
  type StageAndRegion,
  usageError,
} from '../cli-kit.js';

/**
 * `npm run runbook -- approve|reject <approval id> --by <name> [--reason <why>]`: answers an
 * approval request with the caller's own AWS credentials. The request is named by its id (the
 * approval email gives it); the task token stays in the incident table, and the caller's IAM
 * decides whether they may read the request and answer the run. Same claim-once delivery as
 * the link endpoint (functions/lib/approval/deliver.ts). Exit codes as `npm run runbook`.
 */

export const APPROVAL_USAGE =
  'usage: npm run runbook -- approve|reject <approval id> --by <your name> [--reason <why>] [--stage <stage>] [--region <region>]';

/** Approval ids are base64url (functions/lib/approval/token.ts, newApprovalId). */
const APPROVAL_ID = /^[A-Za-z0-9_-]{1,64}$/;

export interface ApprovalCliDeps {
  readonly documents: (region: string) => DynamoDBDocumentClient;
  readonly sfn: (region: string) => SFNClient;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cdkJsonPath: string;
  readonly clock: Clock;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

export const isApprovalCommand = (word: string | undefined): word is LinkDecision =>
  LINK_DECISIONS.some((decision) => decision === word);

interface ApprovalArgs extends StageAndRegion {
  readonly decision: LinkDecision;
  readonly id: string;
  readonly by: string;
  readonly reason?: string;
}

const OPTIONS = { '--by': 'by', '--reason': 'reason', '--stage': 'stage', '--region': 'region' };
type Option = keyof typeof OPTIONS;
const isOption = (flag: string): flag is Option => Object.hasOwn(OPTIONS, flag);

/** `<approve|reject> <id> [--opt value | --opt=value]…`; the id may start with `-`. */
export const parseApprovalArgs = (args: readonly string[]): ApprovalArgs => {
  const [decision, id, ...rest] = args;
  if (!isApprovalCommand(decision)) throw usageError('expected approve or reject');
  if (id === undefined || !APPROVAL_ID.test(id)) {
    throw usageError(`${decision} needs the approval id from the email (letters, digits, - and _)`);
  }
  const values: Partial<Record<(typeof OPTIONS)[Option], string>> = {};
  for (let index = 0; index < rest.length; index++) {
    const arg = rest[index] ?? '';
    const [flag = '', inline] = arg.split(/=(.*)/s);
    if (!isOption(flag)) throw usageError(`unexpected ${arg}`);
    const value = inline ?? rest[++index];
    if (value === undefined || value.trim() === '') throw usageError(`${flag} needs a value`);
    const key = OPTIONS[flag];
    if (values[key] !== undefined) throw usageError(`${flag} given twice`);
    values[key] = value;
  }
  const by = cleanText(values.by ?? '', MAX_BY);
  if (by === '') throw usageError('--by <your name> is required: it goes on the incident timeline');
  const reason = values.reason === undefined ? '' : cleanText(values.reason, MAX_REASON);
  return {
    decision,
    id,
    by,
    ...(reason === '' ? {} : { reason }),
    ...(values.stage === undefined ? {} : { stage: values.stage }),
    ...(values.region === undefined ? {} : { region: values.region }),
  };
};

const answerApproval = async (args: ApprovalArgs, deps: ApprovalCliDeps): Promise<void> => {
  const { stage, region } = resolveStageAndRegion(args, deps, usageError);
  const table = `rebound-${stage}-incidents`;
  const needs = `dynamodb:GetItem and dynamodb:UpdateItem on the approval items (APPROVAL#…) of ${table}, and states:SendTaskSuccess on rebound-${stage}-* in ${region}`;
  const awsError = (error: unknown): CliError => {
    if (error instanceof Error && error.name === 'ResourceNotFoundException') {
      return new CliError(1, [
        `error: table ${table} not found in ${region}: deploy the control plane stack or pass --stage/--region`,
      ]);
    }
    return new CliError(1, [describeAwsCallError(error, { needs })]);
  };
  const approvals = new DynamoDbApprovalStore(deps.documents(region), table);
  const answerer = new SfnTaskAnswerer(deps.sfn(region));

  const record = await approvals.get(args.id).catch((error: unknown) => {
    throw awsError(error);
  });
  const now = deps.clock.now();
  const notWaiting = whyNotWaiting(record, now);
  if (notWaiting !== undefined || record === undefined) {
    const line = {
      missing: `no approval request ${args.id} in ${table} (${region}): check the id and --stage/--region`,
      closed: `approval request ${args.id} no longer waits: the run timed out, ended or was answered another way`,
      answered:
        notWaiting?.problem === 'answered' && notWaiting.answer !== undefined
          ? `approval request ${args.id} was already answered: ${notWaiting.answer.decision} by ${notWaiting.answer.by} at ${notWaiting.answer.at}`
          : `approval request ${args.id} was already answered`,
      expired: `approval request ${args.id} expired${notWaiting?.problem === 'expired' ? ` at ${formatUtc(notWaiting.expiresAt)}` : ''}: nothing was done, the run escalated`,
    }[notWaiting?.problem ?? 'missing'];
    throw new CliError(1, [`error: ${line}`]);
  }

  const answer: LinkAnswer = {
    decision: args.decision,
    by: args.by,
    at: now.toISOString(),
    ...(args.reason === undefined ? {} : { reason: args.reason }),
  };
  const delivery = await deliverAnswer(record, answer, 'cli', { approvals, answerer }).catch(
    (error: unknown) => {
      throw awsError(error);
    },
  );
  switch (delivery.outcome) {
    case 'taken':
      throw new CliError(1, [
        `error: someone answered approval request ${args.id} a moment ago; each request takes one answer`,
      ]);
    case 'gone':
      throw new CliError(1, [
        `error: the run no longer waits (timed out or ended): your answer to ${args.id} was not used`,
      ]);
    case 'failed':
      throw awsError(delivery.error);
    case 'delivered': {
      const done = args.decision === 'approve' ? 'approved' : 'rejected';
      deps.out(
        [
          `${done} approval request ${record.id} as ${args.by}${args.reason === undefined ? '' : `: ${args.reason}`}`,
          args.decision === 'approve'
            ? `runbook ${record.runbook} goes ahead: ${record.action}`
            : `runbook ${record.runbook} does not act`,
          `incident: ${record.incidentId} (the answer goes on its timeline)`,
          `execution: ${executionConsoleLink(record.executionArn, region)}`,
        ].join('\n'),
      );
    }
  }
};

/** Runs `approve|reject …` (argv without node and the script); resolves to the exit code. */
export const runApprovalCli = (args: readonly string[], deps: ApprovalCliDeps): Promise<number> =>
  runCliCommand(() => answerApproval(parseApprovalArgs(args), deps), APPROVAL_USAGE, deps.err);
