/**
 * `npm run incidents -- [--days n] [--stage s] [--region r]` and `show <incident id>`: a stage's
 * incidents, read with the caller's AWS credentials. Exit codes: 0 ok, 1 AWS error or not found,
 * 2 bad arguments. The logic is in incidents-cli.ts; this file wires the real world in.
 */
import * as path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDocumentClient } from '../../functions/lib/aws/dynamodb-documents.js';
import { systemClock } from '../../functions/lib/core/ports.js';
import { runIncidentsCli } from './incidents-cli.js';

process.exitCode = await runIncidentsCli(process.argv.slice(2), {
  documents: (region) => createDocumentClient(new DynamoDBClient({ region })),
  env: process.env,
  cdkJsonPath: path.resolve(import.meta.dirname, '..', '..', 'cdk.json'),
  clock: systemClock,
  out: (text) => console.log(text),
  err: (text) => console.error(text),
});
