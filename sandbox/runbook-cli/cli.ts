/**
 * `npm run runbook -- <name> --input <file.json> [--stage s] [--region r] [--name n] [--check]`
 * (and `--list`, `--help`): starts a runbook by hand with the caller's AWS credentials and
 * prints the execution's console link. `npm run runbook -- approve|reject <approval id> --by
 * <name>` answers an approval request. Exit codes: 0 ok, 1 AWS error, 2 bad arguments or input.
 * The logic is in start-runbook.ts and answer-approval.ts; this file only wires the real world in.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SSMClient } from '@aws-sdk/client-ssm';
import { createDocumentClient } from '../../functions/lib/aws/dynamodb-documents.js';
import { systemClock } from '../../functions/lib/core/ports.js';
import { CDK_JSON_PATH } from '../../infra/context-args.js';
import { isApprovalCommand, runApprovalCli } from './answer-approval.js';
import { runRunbookCli } from './start-runbook.js';

const args = process.argv.slice(2);
const world = {
  env: process.env,
  cdkJsonPath: CDK_JSON_PATH,
  clock: systemClock,
  out: (text: string) => console.log(text),
  err: (text: string) => console.error(text),
};
process.exitCode = isApprovalCommand(args[0])
  ? await runApprovalCli(args, {
      ...world,
      documents: (region) => createDocumentClient(new DynamoDBClient({ region })),
      sfn: (region) => new SFNClient({ region }),
    })
  : await runRunbookCli(args, {
      ...world,
      sfnClient: (region) => new SFNClient({ region }),
      ssmClient: (region) => new SSMClient({ region }),
    });
