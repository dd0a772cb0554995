import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  GetParameterCommand,
  GetParametersByPathCommand,
  ParameterNotFound,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_GUARDRAILS,
  GUARDRAIL_PARAMETER_NAMES,
  guardrailParameterValues,
} from '../../functions/lib/core/guardrails.js';
import { STAGE_RULE } from '../../infra/config.js';
import {
  type GuardrailsCliDeps,
  runGuardrailsCli,
} from '../../sandbox/guardrails-cli/guardrails-cli.js';

/** `npm run guardrails` with a mocked SSM client: the output, the errors, the calls made. */

const REGION = 'eu-west-1';
const PATH = '/rebound/prod/guardrails/';
const CHANGED = new Date('2026-03-12T03:04:05.000Z');

const ssmMock = mockClient(SSMClient);
const temp = mkdtempSync(path.join(tmpdir(), 'rebound-guardrails-cli-'));
const CDK_JSON = path.join(temp, 'cdk.json');
writeFileSync(CDK_JSON, JSON.stringify({ context: { stage: 'prod', region: 'us-east-1' } }));

const parameter = (name: string, value: string, version = 1) => ({
  Name: `${PATH}${name}`,
  Value: value,
  Type: 'String' as const,
  Version: version,
  LastModifiedDate: CHANGED,
});
const DEPLOYED = Object.entries(guardrailParameterValues(DEFAULT_GUARDRAILS)).map(([name, value]) =>
  parameter(name, value),
);

interface Run {
  readonly code: number;
  readonly out: string[];
  readonly err: string[];
  readonly regions: string[];
}

const run = async (
  args: readonly string[],
  options: { env?: Record<string, string>; cdkJsonPath?: string } = {},
): Promise<Run> => {
  const out: string[] = [];
  const err: string[] = [];
  const regions: string[] = [];
  const deps: GuardrailsCliDeps = {
    ssmClient: (region) => {
      regions.push(region);
      return new SSMClient({ region });
    },
    env: options.env ?? { AWS_REGION: REGION },
    cdkJsonPath: options.cdkJsonPath ?? CDK_JSON,
    out: (text) => out.push(...text.split('\n')),
    err: (text) => err.push(...text.split('\n')),
  };
  const code = await runGuardrailsCli(args, deps);
  return { code, out, err, regions };
};

const awsError = (name: string, message: string) =>
  Object.assign(new Error(message), { name, $metadata: {} });

beforeEach(() => {
  ssmMock.reset();
});

afterAll(() => {
  rmSync(temp, { recursive: true, force: true });
});

describe('npm run guardrails (print)', () => {
  it('prints every guardrail of the stage, page by page, with its version and time of change', async () => {
    // Prepare
    ssmMock
      .on(GetParametersByPathCommand)
      .resolves({ Parameters: DEPLOYED.slice(0, 5), NextToken: 'page-2' })
      .on(GetParametersByPathCommand, { NextToken: 'page-2' })
      .resolves({
        Parameters: [...DEPLOYED.slice(5, 8), parameter('max-scale-out-capacity', '24', 3)],
      });

    // Act
    const { code, out, err, regions } = await run([]);

    // Assess
    expect(code, err.join('\n')).toBe(0);
    expect(err).toEqual([]);
    expect(regions).toEqual([REGION]);
    expect(out[0]).toBe(`guardrails of stage prod in ${REGION} (${PATH})`);
    const rows = out.slice(1).map((line) => line.trim().split(/\s+/));
    expect(rows.map(([name, value]) => [name, value])).toEqual(
      GUARDRAIL_PARAMETER_NAMES.map((name) => [
        name,
        name === 'max-scale-out-capacity'
          ? '24'
          : guardrailParameterValues(DEFAULT_GUARDRAILS)[name],
      ]),
    );
    expect(out.at(-1)).toMatch(/ {2}\(version 3, changed 2026-03-12 03:04 UTC\)$/);
    expect(ssmMock).toHaveReceivedCommandWith(GetParametersByPathCommand, {
      Path: '/rebound/prod/guardrails',
      MaxResults: 10,
    });
    expect(ssmMock).toHaveReceivedCommandWith(GetParametersByPathCommand, {
      Path: '/rebound/prod/guardrails',
      MaxResults: 10,
      NextToken: 'page-2',
    });
  });

  it('warns about missing and invalid values, saying what Rebound uses instead', async () => {
    // Prepare
    const held = DEPLOYED.filter((item) => !item.Name.endsWith('/cooldown-minutes')).map((item) =>
      item.Name.endsWith('/mode')
        ? parameter('mode', 'yolo')
        : item.Name.endsWith('/enabled-runbooks')
          ? parameter('enabled-runbooks', 'scale-out,scale-up')
          : item,
    );
    ssmMock.on(GetParametersByPathCommand).resolves({ Parameters: held });

    // Act
    const { code, out, err } = await run([]);

    // Assess
    expect(code).toBe(0);
    expect(out.find((line) => line.trim().startsWith('cooldown-minutes'))).toMatch(
      /cooldown-minutes\s+\(missing\)$/,
    );
    expect(err).toEqual([
      'warning: guardrail mode: invalid value "yolo", using dry-run',
      'warning: guardrail cooldown-minutes: missing, using 1440',
      'warning: guardrail enabled-runbooks: expected comma-separated runbooks (replace-unhealthy-instance, scale-out, rds-failover, cache-failover, az-evacuation) or none; not runbooks: scale-up',
    ]);
  });

  it('exits 1 when the stage has no guardrails in that region', async () => {
    // Prepare
    ssmMock.on(GetParametersByPathCommand).resolves({ Parameters: [] });

    // Act
    const { code, out, err } = await run(['--stage', 'prd']);

    // Assess
    expect(code).toBe(1);
    expect(out).toEqual([]);
    expect(err).toEqual([
      `error: no guardrails of stage prd (/rebound/prd/guardrails/) not found in ${REGION}: deploy the control plane stack or pass --stage/--region`,
    ]);
  });

  it.each([
    [
      'access denied',
      awsError(
        'AccessDeniedException',
        'User is not authorized to perform: ssm:GetParametersByPath',
      ),
      `error: access denied (AccessDeniedException: User is not authorized to perform: ssm:GetParametersByPath); your role needs ssm:GetParametersByPath on parameter/rebound/prod/guardrails in ${REGION}`,
    ],
    [
      'no credentials',
      awsError('CredentialsProviderError', 'Could not load credentials from any providers'),
      'error: no AWS credentials (CredentialsProviderError: Could not load credentials from any providers); log in (aws sso login, aws configure or AWS_PROFILE) and retry',
    ],
    [
      'expired credentials',
      awsError('ExpiredTokenException', 'The security token included in the request is expired'),
      'error: AWS credentials expired or invalid (ExpiredTokenException: The security token included in the request is expired); refresh them (e.g. aws sso login) and retry',
    ],
  ])('exits 1 with one line on %s', async (_case, error, line) => {
    // Prepare
    ssmMock.on(GetParametersByPathCommand).rejects(error);

    // Act
    const { code, out, err } = await run([]);

    // Assess
    expect(code).toBe(1);
    expect(out).toEqual([]);
    expect(err).toEqual([line]);
  });
});

describe('npm run guardrails -- set', () => {
  it('overwrites the existing parameter and says what it was', async () => {
    // Prepare
    ssmMock.on(GetParameterCommand).resolves({ Parameter: parameter('mode', 'dry-run', 3) });
    ssmMock.on(PutParameterCommand).resolves({ Version: 4, Tier: 'Standard' });

    // Act
    const { code, out, err } = await run(['set', 'mode', 'auto']);

    // Assess
    expect(code, err.join('\n')).toBe(0);
    expect(out).toEqual([
      `set ${PATH}mode in ${REGION}: "dry-run" → "auto" (version 4); Rebound reads it within 30 seconds`,
    ]);
    expect(ssmMock).toHaveReceivedCommandWith(GetParameterCommand, { Name: `${PATH}mode` });
    expect(ssmMock).toHaveReceivedCommandWith(PutParameterCommand, {
      Name: `${PATH}mode`,
      Value: 'auto',
      Overwrite: true,
    });
    // SSM keeps the type of a parameter it updates; the CLI never sends one.
    expect(ssmMock.commandCalls(PutParameterCommand)[0]?.args[0].input.Type).toBeUndefined();
  });

  it('refuses to create a guardrail the stage does not have', async () => {
    // Prepare
    ssmMock
      .on(GetParameterCommand)
      .rejects(new ParameterNotFound({ message: 'Parameter not found', $metadata: {} }));

    // Act
    const { code, err } = await run(['set', 'mode', 'off', '--stage', 'prdo']);

    // Assess
    expect(code).toBe(1);
    expect(err).toEqual([
      `error: guardrail /rebound/prdo/guardrails/mode not found in ${REGION}: deploy the control plane stack or pass --stage/--region`,
    ]);
    expect(ssmMock).not.toHaveReceivedCommand(PutParameterCommand);
  });

  it('exits 1 with the permissions it needs when the put is denied', async () => {
    // Prepare
    ssmMock.on(GetParameterCommand).resolves({ Parameter: parameter('mode', 'dry-run') });
    ssmMock
      .on(PutParameterCommand)
      .rejects(awsError('AccessDeniedException', 'not authorized to perform: ssm:PutParameter'));

    // Act
    const { code, err } = await run(['set', 'mode', 'off']);

    // Assess
    expect(code).toBe(1);
    expect(err).toEqual([
      `error: access denied (AccessDeniedException: not authorized to perform: ssm:PutParameter); your role needs ssm:GetParameter and ssm:PutParameter on parameter${PATH}mode in ${REGION}`,
    ]);
  });

  it.each([
    [
      ['set', 'mode', 'yolo'],
      'error: guardrail mode takes one of off | dry-run | auto, got "yolo"',
    ],
    [
      ['set', 'cooldown-minutes', '-5'],
      'error: guardrail cooldown-minutes takes a whole number from 0 to 999999, got "-5"',
    ],
    [
      ['set', 'enabled-runbooks', 'scale-out,scaleout'],
      'error: guardrail enabled-runbooks takes comma-separated runbooks (replace-unhealthy-instance, scale-out, rds-failover, cache-failover, az-evacuation) or none; not runbooks: scaleout, got "scale-out,scaleout"',
    ],
    [
      ['set', 'cooldown', '5'],
      'error: unknown guardrail "cooldown" (did you mean "cooldown-minutes"?); guardrails: mode, enabled-runbooks, max-instance-replacements-per-hour, min-healthy-instances, cooldown-minutes, auto-approved-runbooks, max-actions-per-hour, scale-out-step, max-scale-out-capacity',
    ],
  ])('exits 2 on %j before any AWS call', async (args, line) => {
    // Act
    const { code, out, err, regions } = await run(args);

    // Assess
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err).toEqual([line]);
    expect(regions).toEqual([]);
  });
});

describe('npm run guardrails arguments', () => {
  it.each([
    [['--verbose'], 'error: unknown option --verbose'],
    [['--stage'], 'error: --stage needs a value'],
    [['--stage', 'a', '--stage=b'], 'error: --stage given twice'],
    [['set', 'mode'], 'error: set needs <name> <value>'],
    [
      ['set', 'enabled-runbooks', 'scale-out,', 'az-evacuation'],
      'error: set takes one value (extra: az-evacuation); quote a list with spaces or write it without them',
    ],
    [['show'], 'error: unknown command "show" (only set)'],
    [['--stage', 'Prod'], `error: stage "Prod" is not valid: ${STAGE_RULE}`],
    [
      ['--region', 'us-east-7'],
      'error: region "us-east-7" is not an AWS region such as us-east-1 or us-east-2',
    ],
  ])('exits 2 on %j with the error and the usage', async (args, line) => {
    // Act
    const { code, out, err, regions } = await run(args);

    // Assess
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err[0]).toBe(line);
    expect(err[1]).toBe('usage: npm run guardrails -- [--stage <stage>] [--region <region>]');
    expect(regions).toEqual([]);
  });

  it('prints the usage and every guardrail with its meaning on --help', async () => {
    // Act
    const { code, out } = await run(['--help']);

    // Assess
    expect(code).toBe(0);
    expect(out[0]).toBe('usage: npm run guardrails -- [--stage <stage>] [--region <region>]');
    for (const name of GUARDRAIL_PARAMETER_NAMES) {
      expect(out.some((line) => line.startsWith(`  ${name} `))).toBe(true);
    }
  });

  it('takes the stage from cdk.json and the region from --region, then AWS_REGION, then cdk.json', async () => {
    // Prepare
    ssmMock.on(GetParametersByPathCommand).resolves({ Parameters: DEPLOYED });

    // Act
    const flag = await run(['--region', 'ap-southeast-2']);
    const env = await run([], { env: { AWS_DEFAULT_REGION: 'eu-central-1' } });
    const cdkJson = await run([], { env: {} });
    const noCdkJson = await run([], { env: {}, cdkJsonPath: path.join(temp, 'missing.json') });

    // Assess
    expect([flag, env, cdkJson].map((result) => result.regions)).toEqual([
      ['ap-southeast-2'],
      ['eu-central-1'],
      ['us-east-1'],
    ]);
    expect(flag.out[0]).toBe(
      'guardrails of stage prod in ap-southeast-2 (/rebound/prod/guardrails/)',
    );
    expect(noCdkJson.code).toBe(2);
    expect(noCdkJson.err[0]).toBe(
      'error: no region: pass --region, set AWS_REGION or set the "region" context in cdk.json',
    );
  });
});
