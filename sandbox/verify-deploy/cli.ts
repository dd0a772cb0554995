/**
 * `npm run verify-deploy -- [-c key=value]... [--alarm-test]`: checks a deployment with the
 * caller's AWS credentials (see verify-deploy.ts). This file only wires the real world in.
 */
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { IAMClient } from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SFNClient } from '@aws-sdk/client-sfn';
import { synthesizeApp } from '../checks/synthesized-app.js';
import { runVerifyDeploy } from './verify-deploy.js';

process.exitCode = await runVerifyDeploy(process.argv.slice(2), {
  clients: (region) => ({
    sfn: new SFNClient({ region }),
    lambda: new LambdaClient({ region }),
    iam: new IAMClient({ region }),
    cloudwatch: new CloudWatchClient({ region }),
  }),
  cdkJsonPath: path.resolve(import.meta.dirname, '..', '..', 'cdk.json'),
  synthesize: synthesizeApp,
  sleep: (milliseconds) => sleep(milliseconds),
  now: () => new Date(),
  out: (text) => console.log(text),
  err: (text) => console.error(text),
});
