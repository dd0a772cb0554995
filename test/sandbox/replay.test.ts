import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReplayLine } from '../../sandbox/replay-event.js';
import { TSX_NODE_ARGS } from '../support/run-script.js';

/**
 * The replay CLI end to end. A run that replays synthesizes the app (seconds), so the suite
 * spawns its processes in parallel and asserts on their output: usage errors, --help, a bad
 * setting, one JSON replay of all the fixtures plus bad input (in an order chosen so that each
 * step depends on the last) and one text replay of stage prod's night given with -c.
 */

const ROOT = path.resolve(import.meta.dirname, '../..');
const FIXTURES = 'test/fixtures/events';
const fixture = (name: string) => `${FIXTURES}/${name}`;
const allFixtures = readdirSync(path.join(ROOT, FIXTURES), { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.json'))
  .sort()
  .map(fixture);

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const replay = (args: readonly string[]) =>
  new Promise<Run>((resolve, reject) => {
    const child = spawn(process.execPath, [...TSX_NODE_ARGS, 'sandbox/replay.ts', ...args], {
      cwd: ROOT,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });

/** The documented line (the tool's own type: the test parses what the tool prints). */
type Line = ReplayLine;

/** Two processes synthesize the app at once: on a busy 2-core machine that takes minutes. */
const SYNTHESIZING_RUNS_TIMEOUT_MS = 300_000;

const LINE_KEYS = [
  'alerts',
  'closestRule',
  'decision',
  'eventId',
  'file',
  'incident',
  'matchedRules',
  'notes',
  'position',
  'signal',
];
const USAGE_LINE =
  /^usage: npm run --silent replay -- \[-c key=value\]\.\.\. \[--format json\|text\] \[--assume-owned\] \[--az-ids /m;

describe('replay CLI', () => {
  const temp = mkdtempSync(path.join(tmpdir(), 'rebound-replay-'));
  const bad = (name: string, text: string) => {
    const file = path.join(temp, name);
    writeFileSync(file, text);
    return file;
  };
  const failoverStarted = JSON.parse(
    readFileSync(path.join(ROOT, fixture('rds/failover-started-0013.json')), 'utf8'),
  );
  const hugeText = 'x'.repeat(200 * 1024);
  const notJson = bad('not-json.json', '{"version": "0",');
  const array = bad('array.json', '[]');
  const empty = bad('empty.json', '{}');
  const hugeField = bad(
    'huge-field.json',
    JSON.stringify({
      ...failoverStarted,
      id: 'huge-field',
      detail: { ...failoverStarted.detail, SourceIdentifier: hugeText },
    }),
  );
  const missing = path.join(temp, 'missing.json');
  // Stage prod's night, as its archive would hold it: the showcase with prod's names.
  const prodNight = bad(
    'prod-night.jsonl',
    readFileSync(path.join(ROOT, 'sandbox/showcase/night.jsonl'), 'utf8').replaceAll(
      'rebound-dev-',
      'rebound-prod-',
    ),
  );
  // The same event (same id, same time) again after its incident was resolved.
  const repeated = bad('repeated-0013.json', JSON.stringify(failoverStarted));

  // The order is the point: an OK before its ALARM, the failover before its completion.
  const sequence = [
    fixture('cloudwatch/alarm-state-change-ok.json'),
    fixture('cloudwatch/alarm-instance-status-check.json'),
    fixture('rds/failover-started-0013.json'),
    fixture('rds/failover-completed-0049.json'),
    repeated,
    fixture('states/execution-failed.json'),
    fixture('states/execution-succeeded.json'),
    notJson,
    array,
    empty,
    hugeField,
    missing,
    ...allFixtures,
  ];

  let noArgs: Run;
  let unknownFlag: Run;
  let badAzIds: Run;
  let badFormat: Run;
  let badContext: Run;
  let badSetting: Run;
  let help: Run;
  let text: Run;
  let run: Run;
  let lines: Line[];
  const lineOf = (file: string) => {
    const line = lines[sequence.indexOf(file)];
    if (line === undefined) throw new Error(`no line for ${file}`);
    return line;
  };
  beforeAll(async () => {
    const anEvent = fixture('rds/failover-started-0013.json');
    [noArgs, badAzIds, unknownFlag, badFormat, badContext, badSetting, help, text, run] =
      await Promise.all([
        replay([]),
        replay(['--az-ids', 'us-east-1a', anEvent]),
        replay(['--assume-owned', '--verbose', anEvent]),
        replay(['--format', 'yaml', anEvent]),
        replay(['-c', 'stage', anEvent]),
        replay(['-c', 'region=us-east-7', anEvent]),
        replay(['--help']),
        replay([
          '--format',
          'text',
          '-c',
          'stage=prod',
          '--az-ids',
          'use1-az2=us-east-1b',
          prodNight,
        ]),
        replay(['--assume-owned', '--az-ids', 'use1-az2=us-east-1b', ...sequence]),
      ]);
    lines = run.stdout
      .split('\n')
      .filter((text) => text !== '')
      .map((text) => JSON.parse(text) as Line);
  }, SYNTHESIZING_RUNS_TIMEOUT_MS);
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  it.each([
    ['no arguments', () => noArgs, 'error: no event files given'],
    ['an unknown flag', () => unknownFlag, 'error: unknown option --verbose'],
    [
      'a malformed AZ map',
      () => badAzIds,
      'error: --az-ids: "us-east-1a" is not an AZ ID=name pair such as use1-az1=us-east-1a',
    ],
    ['an unknown format', () => badFormat, 'error: --format takes json or text (got yaml)'],
    ['-c without key=value', () => badContext, 'error: -c needs key=value (got "stage")'],
  ])('exits 2 with the error, then the usage, on stderr for %s', (_case, result, error) => {
    // Act
    const { code, stdout, stderr } = result();

    // Assess
    expect(code).toBe(2);
    expect(stdout).toBe('');
    const [first, usage, ...more] = stderr.trim().split('\n');
    expect(first).toBe(error);
    expect(usage).toMatch(USAGE_LINE);
    expect(more).toEqual([]);
  });

  it('exits 2 with the config line when a -c setting is wrong', () => {
    // Act
    const { code, stdout, stderr } = badSetting;

    // Assess
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toEqual([
      'error: config "region": got "us-east-7", expected an AWS region such as us-east-1 or us-east-2 (set it in cdk.json or with -c region=...)',
    ]);
  });

  it('prints the usage, every option and the settings on --help, and exits 0', () => {
    // Act
    const { code, stdout, stderr } = help;

    // Assess
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toMatch(USAGE_LINE);
    for (const option of [
      '--format json|text',
      '--assume-owned',
      '--az-ids',
      '-h, --help',
      '-c, --context',
    ]) {
      expect(stdout).toContain(`  ${option}`);
    }
    expect(stdout).toContain('stage=dev');
  });

  it("prints stage prod's night as one readable block per event with -c stage=prod --format text", () => {
    // Prepare
    const blocks = text.stdout
      .split('\n')
      .reduce<string[][]>((all, line) => {
        if (line !== '' && !line.startsWith(' ')) all.push([line]);
        else all.at(-1)?.push(line);
        return all;
      }, [])
      .map((block) => block.join('\n'));
    const fieldOf = (block: string | undefined, label: string) =>
      block
        ?.split('\n')
        .find((line) => line.startsWith(`  ${label.padEnd(10)}`))
        ?.slice(12);

    // Act
    const headers = blocks.map((block) => block.split('\n')[0]);

    // Assess
    expect(text.code, text.stderr).toBe(0);
    expect(headers).toEqual(
      Array.from({ length: 11 }, (_, i) =>
        expect.stringMatching(
          new RegExp(`^${prodNight} line ${i + 1}  \\(event [0-9a-f-]{36}\\)$`),
        ),
      ),
    );
    for (const block of blocks) {
      for (const label of ['rules', 'decision', 'reason', 'email', 'sms']) {
        expect(fieldOf(block, label), `${label} in\n${block}`).toBeDefined();
      }
    }
    expect(fieldOf(blocks[4], 'rules')).toBe('none (closest: rebound-prod-alarm-state-changes)');
    expect(fieldOf(blocks[4], 'note')).toMatch(/^Alarm "awsec2-i-0f9e8d7c6b5a49382-/);
    expect(fieldOf(blocks[6], 'decision')).toBe('runbook rds-failover');
    // The alert texts as sent: a page for the failover of prod's database.
    expect(fieldOf(blocks[6], 'sms')).toContain('rebound-prod-db');
    expect(fieldOf(blocks[6], 'email')).toMatch(/^\[CRITICAL\] .*rebound-prod-db/);
    for (const line of text.stdout.split('\n')) {
      if (!/^ {2}(reason|note|signal) /.test(line)) continue;
      expect(line.length, line).toBeLessThanOrEqual(100);
    }
  });

  it('exits 0 and prints one documented JSON line per event, in order', () => {
    // Act
    const files = lines.map((line) => line.file);

    // Assess
    expect(run.code, run.stderr).toBe(0);
    expect(files).toEqual(sequence);
    for (const line of lines) {
      expect(
        Object.keys(line)
          .filter((key) => key !== 'error')
          .sort(),
        line.file,
      ).toEqual(LINE_KEYS);
      expect(Object.keys(line.decision).sort(), line.file).toEqual(['action', 'reason', 'runbook']);
      expect(Object.keys(line.alerts).sort(), line.file).toEqual(['email', 'sms']);
    }
  });

  it('keeps every SMS within one 160-character segment', () => {
    // Act
    const sms = lines.flatMap((line) => (line.alerts.sms === null ? [] : [line.alerts.sms]));

    // Assess
    expect(sms.length).toBeGreaterThan(0);
    for (const text of sms) expect(text.length, text).toBeLessThanOrEqual(160);
  });

  it('resolves nothing with an OK that comes before its ALARM', () => {
    // Act
    const line = lineOf(fixture('cloudwatch/alarm-state-change-ok.json'));

    // Assess
    expect(line.matchedRules).toEqual(['rebound-dev-alarm-state-changes']);
    expect(line.incident).toBeNull();
    expect(line.decision.action).toBe('ignore');
  });

  it('starts replace-unhealthy-instance for an alarm on one instance', () => {
    // Act
    const line = lineOf(fixture('cloudwatch/alarm-instance-status-check.json'));

    // Assess
    expect(line.matchedRules).toEqual(['rebound-dev-alarm-state-changes']);
    expect(line.decision).toMatchObject({
      action: 'runbook',
      runbook: 'replace-unhealthy-instance',
    });
    expect(line.incident?.status).toBe('mitigating');
  });

  it.each([
    ['cloudwatch/alarm-instance-status-check.json', 'replace-unhealthy-instance'],
    ['cloudwatch/alarm-asg-cpu.json', 'scale-out'],
    ['rds/failover-started-0013.json', 'rds-failover'],
    ['elasticache/failover-complete.json', 'cache-failover'],
    ['health/ec2-az-operational-issue.json', 'az-evacuation'],
  ])('decides the runbook of its failure class for %s', (file, runbook) => {
    // Act
    const line = lineOf(fixture(file));

    // Assess
    expect(line.decision).toMatchObject({ action: 'runbook', runbook });
  });

  it('follows an RDS failover with a runbook and resolves the incident when it completes', () => {
    // Act
    const started = lineOf(fixture('rds/failover-started-0013.json'));
    const completed = lineOf(fixture('rds/failover-completed-0049.json'));

    // Assess
    expect(started.decision).toMatchObject({ action: 'runbook', runbook: 'rds-failover' });
    expect(started.incident?.status).toBe('mitigating');
    expect(started.alerts.email).not.toBeNull();
    expect(completed.decision.action).toBe('resolve');
    expect(completed.incident).toEqual({ ...started.incident, status: 'resolved' });
  });

  it('pages on a failed runbook and ignores one that succeeded', () => {
    // Act
    const failed = lineOf(fixture('states/execution-failed.json'));
    const succeeded = lineOf(fixture('states/execution-succeeded.json'));

    // Assess
    expect(failed.decision.action).toBe('notify');
    expect(failed.incident?.severity).toBe('critical');
    expect(failed.alerts.sms).not.toBeNull();
    expect(succeeded.matchedRules).toEqual([]);
    expect(succeeded.decision.action).toBe('ignore');
    expect(succeeded.incident).toBeNull();
  });

  it.each([
    ['text that is not JSON', notJson, /^not JSON/],
    ['an empty JSON array', array, /^an empty JSON array: no events$/],
    ['an empty object', empty, /unsupported event/],
    ['a 200 KB string field', hugeField, /SourceIdentifier/],
    ['a path that cannot be read', missing, /^cannot read: ENOENT$/],
  ])('reports %s as an error line and goes on', (_case, file, error) => {
    // Act
    const line = lineOf(file);
    const text = JSON.stringify(line);

    // Assess
    expect(line.error).toMatch(error);
    expect(line.decision.action).toBe('ignore');
    expect(line.matchedRules).toEqual([]);
    expect(text.length).toBeLessThan(2000);
  });

  it('replays every fixture without an error', () => {
    // Act
    const errors = lines
      .slice(sequence.indexOf(allFixtures[0] ?? ''))
      .filter((line) => line.error !== undefined)
      .map((line) => [path.relative(FIXTURES, line.file), line.error]);

    // Assess
    expect(errors).toEqual([]);
  });

  it('explains the alarm configuration change by the detail-type the alarm rule wants', () => {
    // Act
    const line = lineOf(fixture('cloudwatch/alarm-configuration-change.json'));

    // Assess
    expect(line.matchedRules).toEqual([]);
    expect(line.closestRule).toEqual({
      name: 'rebound-dev-alarm-state-changes',
      misses: [
        {
          path: 'detail-type',
          wanted: ['CloudWatch Alarm State Change'],
          got: ['CloudWatch Alarm Configuration Change'],
        },
      ],
    });
  });

  it('reports an event replayed after its incident closed instead of stopping', () => {
    // Act
    const line = lineOf(repeated);

    // Assess
    expect(line.eventId).toBe(failoverStarted.id);
    expect(line.error).toMatch(/incident conflict/);
    expect(line.decision.action).toBe('ignore');
  });
});
