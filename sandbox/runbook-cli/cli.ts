/**
 * `npm run runbook -- <name> --input <file.json> [--stage s] [--region r] [--name n] [--check]`
 * (and `--list`, `--help`): starts a runbook by hand with the caller's AWS credentials and
 * prints the execution's console link. Exit codes: 0 ok, 1 AWS error, 2 bad arguments or input.
 * The logic is in start-runbook.ts; this file only wires the real world in.
 */
import { SFNClient } from '@aws-sdk/client-sfn';
import { SSMClient } from '@aws-sdk/client-ssm';
import { systemClock } from '../../functions/lib/core/ports.js';
import { CDK_JSON_PATH } from '../../infra/context-args.js';
import { runRunbookCli } from './start-runbook.js';

process.exitCode = await runRunbookCli(process.argv.slice(2), {
  sfnClient: (region) => new SFNClient({ region }),
  ssmClient: (region) => new SSMClient({ region }),
  env: process.env,
  cdkJsonPath: CDK_JSON_PATH,
  clock: systemClock,
  out: (text) => console.log(text),
  err: (text) => console.error(text),
});
