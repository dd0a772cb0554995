import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import {
  type BootParameters,
  BootSettingsError,
  environmentFileText,
  readShopEnvironment,
} from './boot-settings.js';

/**
 * `node boot-environment.mjs <parameters.json> <environment file>`: the shop unit's
 * ExecStartPre on the web tier. Reads the endpoints (SSM) and credentials (Secrets Manager)
 * with the instance role and writes them as the shop's environment to a root-only file on
 * tmpfs (/run), which systemd reads into the shop's environment. The secrets so never appear in
 * user data, the template or a file another user can read, and the shop itself needs no AWS SDK.
 * Exit 1 with one line on any failure: systemd retries the start (Restart=always).
 */
const [parametersFile, environmentFile] = process.argv.slice(2);
if (parametersFile === undefined || environmentFile === undefined) {
  console.error('usage: node boot-environment.mjs <parameters.json> <environment file>');
  process.exit(2);
}
try {
  const names = JSON.parse(readFileSync(parametersFile, 'utf8')) as BootParameters;
  // Region from AWS_REGION (the unit sets it); credentials from the instance profile (IMDSv2).
  const environment = await readShopEnvironment(
    names,
    new SSMClient({}),
    new SecretsManagerClient({}),
  );
  writeFileSync(environmentFile, environmentFileText(environment), { mode: 0o600 });
  chmodSync(environmentFile, 0o600);
} catch (error) {
  const message = error instanceof BootSettingsError ? error.message : String(error);
  console.error(`error: shop settings: ${message}`);
  process.exit(1);
}
