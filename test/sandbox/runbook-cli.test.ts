import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  ExecutionAlreadyExists,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { RUNBOOK_NAMES, RUNBOOKS } from '../../functions/lib/core/runbook-registry.js';
import {
  manualExecutionName,
  type RunbookCliDeps,
  runRunbookCli,
} from '../../sandbox/runbook-cli/start-runbook.js';
import { runScript } from '../support/run-script.js';

const REGION = 'eu-west-1';
const NOW = new Date('2026-11-26T03:04:05.678Z');
const STATE_MACHINE_NAME = 'rebound-prod-replace-unhealthy-instance';
const STATE_MACHINE_ARN = `arn:aws:states:${REGION}:123456789012:stateMachine:${STATE_MACHINE_NAME}`;
const EXECUTION_NAME = 'manual-i-0123456789abcdef0-20261126T030405';
const EXECUTION_ARN = `arn:aws:states:${REGION}:123456789012:execution:${STATE_MACHINE_NAME}:${EXECUTION_NAME}`;
const CONSOLE_LINK = `https://${REGION}.console.aws.amazon.com/states/home?region=${REGION}#/v2/executions/details/${EXECUTION_ARN}`;
const INPUT = { instanceId: 'i-0123456789abcdef0', reason: 'memory exhausted' };

const sfnMock = mockClient(SFNClient);
const ssmMock = mockClient(SSMClient);
const MODE_PARAMETER = '/rebound/prod/guardrails/mode';
const temp = mkdtempSync(path.join(tmpdir(), 'rebound-runbook-cli-'));
let fileCount = 0;
const tempFile = (text: string): string => {
  const file = path.join(temp, `input-${++fileCount}.json`);
  writeFileSync(file, text);
  return file;
};
const CDK_JSON = tempFile(JSON.stringify({ context: { stage: 'prod', region: 'us-east-1' } }));

interface Run {
  readonly code: number;
  readonly out: string;
  readonly err: string[];
  readonly regions: string[];
}

/** Runs the CLI with the mocked SFN client, a fixed clock and captured output. */
const run = async (
  args: readonly string[],
  options: { env?: Record<string, string>; cdkJsonPath?: string } = {},
): Promise<Run> => {
  const out: string[] = [];
  const err: string[] = [];
  const regions: string[] = [];
  const deps: RunbookCliDeps = {
    sfnClient: (region) => {
      regions.push(region);
      return new SFNClient({ region });
    },
    ssmClient: (region) => new SSMClient({ region }),
    env: options.env ?? { AWS_REGION: REGION },
    cdkJsonPath: options.cdkJsonPath ?? CDK_JSON,
    clock: { now: () => NOW },
    out: (text) => out.push(text),
    err: (text) => err.push(...text.split('\n')),
  };
  const code = await runRunbookCli(args, deps);
  return { code, out: out.join('\n'), err, regions };
};

const startArgs = (file: string, ...more: string[]) => [
  'replace-unhealthy-instance',
  '--input',
  file,
  ...more,
];

/** Two pages of state machines; ours is on the second. */
const mockTwoPages = () => {
  sfnMock
    .on(ListStateMachinesCommand)
    .resolves({
      stateMachines: [
        {
          name: 'rebound-prod-scale-out',
          stateMachineArn: `arn:aws:states:${REGION}:123456789012:stateMachine:rebound-prod-scale-out`,
          type: 'STANDARD',
          creationDate: NOW,
        },
      ],
      nextToken: 'page-2',
    })
    .on(ListStateMachinesCommand, { nextToken: 'page-2' })
    .resolves({
      stateMachines: [
        {
          name: STATE_MACHINE_NAME,
          stateMachineArn: STATE_MACHINE_ARN,
          type: 'STANDARD',
          creationDate: NOW,
        },
      ],
    });
};

/** Lines that would show a stack trace. */
const stackLines = (lines: readonly string[]) => lines.filter((line) => /^\s+at /.test(line));

beforeEach(() => {
  sfnMock.reset();
  ssmMock.reset();
  ssmMock.on(GetParameterCommand, { Name: MODE_PARAMETER }).resolves({
    Parameter: { Name: MODE_PARAMETER, Value: 'dry-run', Type: 'String' },
  });
});

afterAll(() => {
  rmSync(temp, { recursive: true, force: true });
});

describe('npm run runbook', () => {
  it('finds the state machine on the second page, starts it and prints the console link', async () => {
    // Prepare
    mockTwoPages();
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: EXECUTION_ARN, startDate: NOW });
    const file = tempFile(JSON.stringify(INPUT));

    // Act
    const result = await run(startArgs(file));

    // Assess
    expect(result.err).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.regions).toEqual([REGION]);
    expect(sfnMock).toHaveReceivedCommandTimes(ListStateMachinesCommand, 2);
    expect(sfnMock).toHaveReceivedNthCommandWith(ListStateMachinesCommand, 2, {
      nextToken: 'page-2',
    });
    expect(sfnMock).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
    const sent = sfnMock.commandCalls(StartExecutionCommand)[0]?.args[0].input;
    expect(sent?.stateMachineArn).toBe(STATE_MACHINE_ARN);
    expect(sent?.name).toBe(EXECUTION_NAME);
    expect(JSON.parse(sent?.input ?? 'null')).toEqual(INPUT);
    const lines = result.out.split('\n');
    expect(lines).toContain(`execution: ${EXECUTION_ARN}`);
    expect(lines).toContain(`console: ${CONSOLE_LINK}`);
    expect(lines.some((line) => line.startsWith('approval:'))).toBe(false);
  });

  it('uses --name, --stage and --region over the defaults', async () => {
    // Prepare
    const arn = `arn:aws:states:ap-south-1:123456789012:stateMachine:rebound-qa-replace-unhealthy-instance`;
    sfnMock.on(ListStateMachinesCommand).resolves({
      stateMachines: [
        {
          name: 'rebound-qa-replace-unhealthy-instance',
          stateMachineArn: arn,
          type: 'STANDARD',
          creationDate: NOW,
        },
      ],
    });
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: `${arn}:x`, startDate: NOW });
    const file = tempFile(JSON.stringify(INPUT));

    // Act
    const result = await run(
      startArgs(file, '--name', 'my-run_1', '--stage=qa', '--region', 'ap-south-1'),
    );

    // Assess
    expect(result.code).toBe(0);
    expect(result.regions).toEqual(['ap-south-1']);
    expect(sfnMock).toHaveReceivedCommandWith(StartExecutionCommand, {
      stateMachineArn: arn,
      name: 'my-run_1',
    });
  });

  it('defaults the stage and region to cdk.json, else dev', async () => {
    // Prepare
    const file = tempFile(JSON.stringify(INPUT));
    const noStage = tempFile(JSON.stringify({ context: { region: 'us-west-2' } }));

    // Act
    const fromCdkJson = await run(startArgs(file, '--check'), { env: {} });
    const fallback = await run(startArgs(file, '--check'), { env: {}, cdkJsonPath: noStage });

    // Assess
    expect(fromCdkJson.out.split('\n')).toContain(`state machine: ${STATE_MACHINE_NAME}`);
    expect(fromCdkJson.out).toContain('region us-east-1');
    expect(fallback.out.split('\n')).toContain(
      'state machine: rebound-dev-replace-unhealthy-instance',
    );
    expect(fallback.out).toContain('region us-west-2');
  });

  it('--check validates and prints what it would start without calling AWS', async () => {
    // Prepare
    const file = tempFile(JSON.stringify(INPUT));

    // Act
    const result = await run(startArgs(file, '--check'));

    // Assess
    expect(result.code).toBe(0);
    expect(result.regions).toEqual([]);
    expect(sfnMock.calls()).toHaveLength(0);
    const lines = result.out.split('\n');
    expect(lines).toContain(`state machine: ${STATE_MACHINE_NAME}`);
    expect(lines).toContain(`execution name: ${EXECUTION_NAME}`);
    const inputLine = lines.find((line) => line.startsWith('input: ')) ?? '';
    expect(JSON.parse(inputLine.slice('input: '.length))).toEqual(INPUT);
  });

  it('--check checks values against the stage: its resources, AZ names, not AZ IDs', async () => {
    // Prepare: stage prod (cdk.json), whose AZs default to the region's (us-east-1) a, b and c.
    const otherStage = tempFile(JSON.stringify({ dbInstanceId: 'rebound-dev-db', mode: 'follow' }));
    const azId = tempFile(JSON.stringify({ availabilityZone: 'use1-az1' }));
    const azName = tempFile(JSON.stringify({ availabilityZone: 'us-east-1b' }));

    // Act
    const env = { AWS_REGION: 'us-east-1' };
    const db = await run(['rds-failover', '--input', otherStage, '--check'], { env });
    const id = await run(['az-evacuation', '--input', azId, '--check'], { env });
    const name = await run(['az-evacuation', '--input', azName, '--check'], { env });

    // Assess
    expect(db.code).toBe(2);
    expect(db.err).toEqual([
      `error: ${otherStage}: input.dbInstanceId must be the shop's primary DB instance rebound-prod-db, not rebound-dev-db (stage prod)`,
    ]);
    expect(id.code).toBe(2);
    expect(id.err[0]).toContain(
      "input.availabilityZone must be one of the shop's Availability Zones: us-east-1a, us-east-1b, us-east-1c, not use1-az1 (stage prod) (use1-az1 is an AZ ID",
    );
    expect(name.code).toBe(0);
    expect(sfnMock.calls()).toHaveLength(0);
  });

  it('checks the values before starting too, calling no AWS for a wrong one', async () => {
    // Prepare
    const file = tempFile(
      JSON.stringify({ replicationGroupId: 'rebound-dev-cache', mode: 'follow' }),
    );

    // Act
    const result = await run(['cache-failover', '--input', file]);

    // Assess
    expect(result.code).toBe(2);
    expect(result.err[0]).toContain('input.replicationGroupId must be');
    expect(result.regions).toEqual([]);
  });

  it('says before starting whether the run will act', async () => {
    // Prepare
    mockTwoPages();
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: EXECUTION_ARN, startDate: NOW });
    const acting = tempFile(JSON.stringify(INPUT));
    const dry = tempFile(JSON.stringify({ ...INPUT, dryRun: 'true' }));

    // Act
    const acts = await run(startArgs(acting));
    const checksOnly = await run(startArgs(dry, '--check'));

    // Assess: said first, before the execution's lines, with the mode SSM holds
    const [first] = acts.out.split('\n');
    expect(first).toBe(
      'run: this run will ACT: the mode guardrail of prod is dry-run, and a run started by hand acts unless it is off; budgets, cooldowns and approvals still apply. For a run that changes nothing, put "dryRun": "true" in the input',
    );
    expect(checksOnly.out.split('\n')).toContain(
      'run: this run is a dry run (dryRun "true" in the input): it checks and reports what it would do, and changes nothing',
    );
  });

  it('starts nothing while the mode guardrail is off, saying how to act', async () => {
    // Prepare
    ssmMock.on(GetParameterCommand).resolves({
      Parameter: { Name: MODE_PARAMETER, Value: 'off', Type: 'String' },
    });
    const file = tempFile(JSON.stringify(INPUT));

    // Act
    const result = await run(startArgs(file));

    // Assess
    expect(result.code).toBe(1);
    expect(result.err[0]).toContain('the mode guardrail of prod is off (the kill switch)');
    expect(result.err[0]).toContain('npm run guardrails -- set mode auto --stage prod');
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('still starts when the mode cannot be read, saying the run acts unless it is off', async () => {
    // Prepare
    mockTwoPages();
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: EXECUTION_ARN, startDate: NOW });
    ssmMock.on(GetParameterCommand).rejects(
      Object.assign(new Error('not authorized to perform ssm:GetParameter'), {
        name: 'AccessDeniedException',
      }),
    );
    const file = tempFile(JSON.stringify(INPUT));

    // Act
    const result = await run(startArgs(file));

    // Assess
    expect(result.code).toBe(0);
    expect(result.out.split('\n')[0]).toMatch(
      /^run: this run will ACT unless the mode guardrail of prod is off \(could not read it: ssm:GetParameter \/rebound\/prod\/guardrails\/mode failed \(AccessDeniedException: /,
    );
  });

  it('refuses the old --dry-run flag, saying it is --check and how to ask for a dry run', async () => {
    // Prepare
    const file = tempFile(JSON.stringify(INPUT));

    // Act
    const result = await run(startArgs(file, '--dry-run'));

    // Assess
    expect(result.code).toBe(2);
    expect(result.err[0]).toBe(
      'error: --dry-run is now --check (it checks the input and starts nothing); for a run that starts and changes nothing, put "dryRun": "true" in the input',
    );
  });

  it('reads the project cdk.json when run as npm run runbook does', () => {
    // Act: no region flag, no AWS_REGION: cdk.json's region (us-east-1) and stage (dev)
    const result = runScript(
      'sandbox/runbook-cli/cli.ts',
      'replace-unhealthy-instance',
      '--input',
      'runbooks/replace-unhealthy-instance/example.json',
      '--check',
    );

    // Assess
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('region us-east-1');
  });

  it('says that approval requests arrive by email for a runbook that asks for approval', async () => {
    // Prepare
    const file = tempFile(JSON.stringify({ dbInstanceId: 'rebound-prod-db', mode: 'follow' }));

    // Act
    const result = await run(['rds-failover', '--input', file, '--check']);

    // Assess
    expect(result.code).toBe(0);
    const approval = result.out.split('\n').find((line) => line.startsWith('approval:'));
    expect(approval).toMatch(/by email/);
  });

  it('exits 2 for an unknown runbook, listing the runbooks, before any AWS call', async () => {
    // Prepare
    const file = tempFile(JSON.stringify(INPUT));

    // Act
    const result = await run(['restart-the-world', '--input', file]);

    // Assess
    expect(result.code).toBe(2);
    expect(result.err).toHaveLength(1);
    expect(result.err[0]).toContain('"restart-the-world"');
    for (const name of RUNBOOK_NAMES) expect(result.err[0]).toContain(name);
    expect(sfnMock.calls()).toHaveLength(0);
  });

  it('exits 2 for a missing input file, naming it', async () => {
    // Prepare
    const file = path.join(temp, 'does-not-exist.json');

    // Act
    const result = await run(startArgs(file));

    // Assess
    expect(result.code).toBe(2);
    expect(result.err).toHaveLength(1);
    expect(result.err[0]).toContain(file);
    expect(result.err[0]).toContain('ENOENT');
    expect(sfnMock.calls()).toHaveLength(0);
  });

  it.each([
    ['bad JSON', '{"instanceId": "i-0123",\n}', 'is not valid JSON'],
    ['an array', '["i-0123"]', 'must hold a JSON object'],
    ['null', 'null', 'must hold a JSON object'],
  ])('exits 2 on one line for an input file holding %s', async (_what, text, expected) => {
    // Prepare
    const file = tempFile(text);

    // Act
    const result = await run(startArgs(file));

    // Assess
    expect(result.code).toBe(2);
    expect(result.err).toHaveLength(1);
    expect(result.err[0]).toContain(file);
    expect(result.err[0]).toContain(expected);
    expect(sfnMock.calls()).toHaveLength(0);
  });

  it.each([
    ['missing', { reason: 'x' }, 'required field "instanceId" is missing'],
    ['empty', { instanceId: ' ' }, 'required field "instanceId" must be a non-empty string'],
    ['not a string', { instanceId: 42 }, 'required field "instanceId" must be a non-empty string'],
    [
      'of the wrong form',
      { instanceId: 'web-1' },
      'required field "instanceId" must be an EC2 instance id such as i-0123456789abcdef0',
    ],
  ])('exits 2 when a required field is %s', async (_what, input, expected) => {
    // Prepare
    const file = tempFile(JSON.stringify(input));

    // Act
    const result = await run(startArgs(file));

    // Assess
    expect(result.code).toBe(2);
    expect(result.err).toHaveLength(1);
    expect(result.err[0]).toContain(expected);
    expect(sfnMock.calls()).toHaveLength(0);
  });

  it('exits 2 for a field the runbook does not declare, naming it and the allowed ones', async () => {
    // Prepare
    const file = tempFile(JSON.stringify({ ...INPUT, instanceID: 'i-0123', force: true }));

    // Act
    const result = await run(startArgs(file));

    // Assess
    expect(result.code).toBe(2);
    expect(result.err).toHaveLength(2);
    expect(result.err[0]).toContain('unknown field "instanceID" (did you mean "instanceId"?)');
    expect(result.err[0]).toContain('instanceId, incidentId, alarmName, reason');
    expect(result.err[1]).toContain('unknown field "force"');
    expect(sfnMock.calls()).toHaveLength(0);
  });

  it.each([
    [[], 'no runbook name given'],
    [['replace-unhealthy-instance'], '--input <file.json> is required'],
    [['replace-unhealthy-instance', '--input'], '--input needs a value'],
    [['replace-unhealthy-instance', '--input', 'x.json', '--force'], 'unknown option --force'],
    [['replace-unhealthy-instance', '--input', 'x.json', '--stage', 'Prod'], 'stage "Prod"'],
  ])('exits 2 with the usage for the arguments %j', async (args, expected) => {
    // Prepare
    const file = tempFile(JSON.stringify(INPUT));
    const withFile = args.map((arg) => (arg === 'x.json' ? file : arg));

    // Act
    const result = await run(withFile);

    // Assess
    expect(result.code).toBe(2);
    expect(result.err[0]).toContain(expected);
    expect(result.err.some((line) => line.startsWith('usage:'))).toBe(true);
    expect(sfnMock.calls()).toHaveLength(0);
  });

  it('exits 2 for an invalid --name', async () => {
    // Prepare
    const file = tempFile(JSON.stringify(INPUT));

    // Act
    const result = await run(startArgs(file, '--name', 'my run!'));

    // Assess
    expect(result.code).toBe(2);
    expect(result.err[0]).toContain('--name "my run!" is not a valid execution name');
  });

  it('exits 1 when the state machine is not deployed, saying what to do', async () => {
    // Prepare
    sfnMock.on(ListStateMachinesCommand).resolves({ stateMachines: [] });
    const file = tempFile(JSON.stringify(INPUT));

    // Act
    const result = await run(startArgs(file));

    // Assess
    expect(result.code).toBe(1);
    expect(result.err).toEqual([
      `error: state machine ${STATE_MACHINE_NAME} not found in ${REGION}: deploy the control plane stack or pass --stage/--region`,
    ]);
    expect(sfnMock).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it.each([
    [
      'CredentialsProviderError',
      'Could not load credentials from any providers',
      'no AWS credentials',
    ],
    ['ExpiredTokenException', 'The security token included in the request is expired', 'expired'],
    ['AccessDeniedException', 'User is not authorized\nto perform', 'access denied'],
  ])('exits 1 with one clear line on %s', async (name, message, expected) => {
    // Prepare
    const error = Object.assign(new Error(message), { name });
    sfnMock.on(ListStateMachinesCommand).rejects(error);
    const file = tempFile(JSON.stringify(INPUT));

    // Act
    const result = await run(startArgs(file));

    // Assess
    expect(result.code).toBe(1);
    expect(result.err).toHaveLength(1);
    expect(result.err[0]).toMatch(/^error: /);
    expect(result.err[0]).toContain(expected);
    expect(result.err[0]).toContain(name);
    expect(stackLines(result.err)).toEqual([]);
    expect(sfnMock).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it('exits 1 when the execution name is taken, linking the existing execution', async () => {
    // Prepare
    mockTwoPages();
    sfnMock
      .on(StartExecutionCommand)
      .rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));
    const file = tempFile(JSON.stringify(INPUT));

    // Act
    const result = await run(startArgs(file));

    // Assess
    expect(result.code).toBe(1);
    expect(result.err).toHaveLength(1);
    expect(result.err[0]).toContain(`already has an execution named ${EXECUTION_NAME}`);
    expect(result.err[0]).toContain(CONSOLE_LINK);
    expect(result.err[0]).toContain('--name');
  });

  it('exits 1 with one line for any other AWS error', async () => {
    // Prepare
    mockTwoPages();
    sfnMock.on(StartExecutionCommand).rejects(new Error('socket hang up'));
    const file = tempFile(JSON.stringify(INPUT));

    // Act
    const result = await run(startArgs(file));

    // Assess
    expect(result.code).toBe(1);
    expect(result.err).toEqual([
      'error: AWS call failed (Error: socket hang up); check your credentials, region and network and retry',
    ]);
  });

  it('--list prints every runbook with its description and input fields', async () => {
    // Act
    const result = await run(['--list']);

    // Assess
    expect(result.code).toBe(0);
    for (const runbook of RUNBOOKS) {
      expect(result.out).toContain(`${runbook.name}  (state machine rebound-prod-${runbook.name})`);
      expect(result.out).toContain(runbook.description);
      for (const field of runbook.input) {
        const requirement =
          field.required === true
            ? 'required'
            : field.required === false
              ? 'optional'
              : 'unless' in field.required
                ? `required unless ${field.required.unless} is given`
                : `required with ${field.required.when} ${field.required.equals}`;
        expect(result.out).toContain(`${field.name} (${requirement}): ${field.meaning}`);
      }
    }
    expect(sfnMock.calls()).toHaveLength(0);
  });

  it('--help prints the usage and exits 0', async () => {
    // Act
    const result = await run(['--help']);

    // Assess
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^usage: npm run runbook -- <name> --input <file.json>/);
  });
});

describe('manualExecutionName', () => {
  it('keeps only [A-Za-z0-9-_], at most 80 characters, and always the UTC time', () => {
    // Act
    const name = manualExecutionName(`arn:aws:thing/${'x'.repeat(200)}`, NOW);

    // Assess
    expect(name).toMatch(/^manual-arn-aws-thing-x+-20261126T030405$/);
    expect(name).toHaveLength(80);
  });
});
