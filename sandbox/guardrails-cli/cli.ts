/**
 * `npm run guardrails -- [--stage s] [--region r]` and `set <name> <value>`: a stage's
 * guardrails in SSM, read and changed with the caller's AWS credentials. Exit codes: 0 ok,
 * 1 AWS error, 2 bad arguments. The logic is in guardrails-cli.ts; this file wires the real
 * world in.
 */
import * as path from 'node:path';
import { SSMClient } from '@aws-sdk/client-ssm';
import { runGuardrailsCli } from './guardrails-cli.js';

process.exitCode = await runGuardrailsCli(process.argv.slice(2), {
  ssmClient: (region) => new SSMClient({ region }),
  env: process.env,
  cdkJsonPath: path.resolve(import.meta.dirname, '..', '..', 'cdk.json'),
  out: (text) => console.log(text),
  err: (text) => console.error(text),
});
