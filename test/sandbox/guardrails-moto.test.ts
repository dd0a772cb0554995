import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_GUARDRAILS,
  guardrailParameterValues,
} from '../../functions/lib/core/guardrails.js';
import { runGuardrailsCli } from '../../sandbox/guardrails-cli/guardrails-cli.js';

/**
 * `npm run guardrails` against moto_server (moto's SSM, which parses requests by the botocore
 * service model): the request shapes the CLI sends are ones SSM takes — paging past
 * GetParametersByPath's 10-item maximum, GetParameter's ParameterNotFound, an overwrite that
 * keeps the parameter's type and bumps its version.
 */

const REGION = 'us-east-1';
const STAGE = 'moto';
const PATH = `/rebound/${STAGE}/guardrails/`;
/** moto_server starts in seconds; a busy shared machine can take far longer. */
const STARTUP_TIMEOUT_MS = 90_000;

let moto: ChildProcess;
let endpoint: string;

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null ? resolve(address.port) : reject(),
      );
    });
  });

/** Starts moto_server and resolves when it says it listens (its own line), within a bound. */
const startMoto = async (): Promise<void> => {
  const port = await freePort();
  endpoint = `http://127.0.0.1:${port}`;
  moto = spawn('moto_server', ['-p', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`moto_server did not start within ${STARTUP_TIMEOUT_MS} ms`)),
      STARTUP_TIMEOUT_MS,
    );
    const listen = (chunk: Buffer) => {
      if (!chunk.toString().includes(`Running on ${endpoint}`)) return;
      clearTimeout(timer);
      resolve();
    };
    moto.stdout?.on('data', listen);
    moto.stderr?.on('data', listen);
    moto.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`moto_server is needed (pip install 'moto[server]'): ${error.message}`));
    });
  });
};

const client = () =>
  new SSMClient({
    region: REGION,
    endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });

const runCli = async (args: readonly string[], stage = STAGE) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runGuardrailsCli([...args, '--stage', stage, '--region', REGION], {
    ssmClient: () => client(),
    env: {},
    cdkJsonPath: path.join(import.meta.dirname, 'no-cdk.json'),
    out: (text) => out.push(...text.split('\n')),
    err: (text) => err.push(...text.split('\n')),
  });
  return { code, out, err };
};

beforeAll(async () => {
  await startMoto();
  // Three other parameters under the path first, then the guardrails as CDK deploys them:
  // moto pages in creation order, so the last guardrails are on the second page.
  const values = {
    'note-1': 'x',
    'note-2': 'y',
    'note-3': 'z',
    ...guardrailParameterValues(DEFAULT_GUARDRAILS),
  };
  for (const [name, value] of Object.entries(values)) {
    await client().send(
      new PutParameterCommand({ Name: `${PATH}${name}`, Value: value, Type: 'String' }),
    );
  }
});

afterAll(() => {
  moto?.kill();
});

describe('npm run guardrails against moto_server', () => {
  it('reads all twelve parameters over two pages and prints the nine guardrails', async () => {
    // Act
    const { code, out, err } = await runCli([]);

    // Assess
    expect(code, err.join('\n')).toBe(0);
    expect(err).toEqual([]);
    const shown = Object.fromEntries(
      out.slice(1).map((line) => line.trim().split(/\s+/).slice(0, 2) as [string, string]),
    );
    expect(shown).toEqual(guardrailParameterValues(DEFAULT_GUARDRAILS));
    expect(out.slice(1).every((line) => line.includes('(version 1, changed '))).toBe(true);
  });

  it('overwrites a guardrail: SSM keeps it a String and bumps its version', async () => {
    // Act
    const { code, out, err } = await runCli(['set', 'cooldown-minutes', '30']);
    const after = await client().send(new GetParameterCommand({ Name: `${PATH}cooldown-minutes` }));

    // Assess
    expect(code, err.join('\n')).toBe(0);
    expect(out).toEqual([
      `set ${PATH}cooldown-minutes in ${REGION}: "15" → "30" (version 2); Rebound reads it within 30 seconds`,
    ]);
    expect(after.Parameter).toMatchObject({ Value: '30', Type: 'String', Version: 2 });
  });

  it('reports a guardrail the stage does not have, and creates nothing', async () => {
    // Act
    const { code, err } = await runCli(['set', 'mode', 'off'], 'other');

    // Assess
    expect(code).toBe(1);
    expect(err).toEqual([
      `error: guardrail /rebound/other/guardrails/mode not found in ${REGION}: deploy the control plane stack or pass --stage/--region`,
    ]);
    await expect(
      client().send(new GetParameterCommand({ Name: '/rebound/other/guardrails/mode' })),
    ).rejects.toMatchObject({ name: 'ParameterNotFound' });
  });
});
