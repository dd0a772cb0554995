import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RUNBOOK_NAMES } from '../../functions/lib/core/runbook-registry.js';
import { runRunbookCli } from '../../sandbox/runbook-cli/start-runbook.js';

/**
 * The runbook examples a person pastes at 3 am: every example file and every input shown in
 * runbooks/<name>/README.md passes `npm run runbook -- <name> --input <file> --check` (the values
 * checked against the stage, nothing started) as it is, and they all name one stage, cdk.json's, which the CLI uses by default.
 */

const ROOT = path.resolve(import.meta.dirname, '../..');
const CDK_JSON = path.join(ROOT, 'cdk.json');
const DEFAULT_STAGE = (JSON.parse(readFileSync(CDK_JSON, 'utf8')) as { context: { stage: string } })
  .context.stage;

const temp = mkdtempSync(path.join(tmpdir(), 'rebound-readme-inputs-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** Every example file, `runbooks/<name>/example*.json`, relative to the root. */
const exampleFiles = RUNBOOK_NAMES.flatMap((runbook) =>
  readdirSync(path.join(ROOT, 'runbooks', runbook))
    .filter((file) => file.startsWith('example') && file.endsWith('.json'))
    .map((file) => `runbooks/${runbook}/${file}`),
);
/** `runbooks/rds-failover/example-promote-replica.json` → `rds-failover`. */
const runbookOf = (file: string) => file.split('/')[1] ?? file;

/** The `## Input` JSON of each runbook's page, in the registry's order. */
const readmeInputs = (): string[] =>
  RUNBOOK_NAMES.flatMap((runbook) =>
    [
      ...readFileSync(path.join(ROOT, 'runbooks', runbook, 'README.md'), 'utf8').matchAll(
        /## Input\n\n```json\n(.*)\n```/g,
      ),
    ].map(([, json]) => json ?? ''),
  );

const check = async (runbook: string, file: string) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runRunbookCli([runbook, '--input', file, '--check'], {
    sfnClient: () => {
      throw new Error('--check calls no AWS');
    },
    ssmClient: () => {
      throw new Error('--check calls no AWS');
    },
    env: { AWS_REGION: 'us-east-1' },
    cdkJsonPath: CDK_JSON,
    clock: { now: () => new Date('2026-03-12T03:04:05Z') },
    out: (text) => out.push(text),
    err: (text) => err.push(text),
  });
  return { code, out: out.join('\n'), err };
};

describe('runbook examples', () => {
  it('has an example for every runbook', () => {
    // Act
    const covered = new Set(exampleFiles.map(runbookOf));

    // Assess
    expect([...covered].sort()).toEqual([...RUNBOOK_NAMES].sort());
  });

  it.each(exampleFiles)('passes --check as it is: %s', async (file) => {
    // Act
    const { code, out, err } = await check(runbookOf(file), path.join(ROOT, file));

    // Assess
    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(out).toContain(`state machine: rebound-${DEFAULT_STAGE}-${runbookOf(file)}`);
  });

  it("names only the default stage's resources, in the files and in the README's inputs", () => {
    // Act
    const texts = [
      ...exampleFiles.map((file) => readFileSync(path.join(ROOT, file), 'utf8')),
      ...readmeInputs(),
    ];
    const stages = new Set(
      texts.flatMap((text) =>
        [...text.matchAll(/rebound-([a-z][a-z0-9]*)-/g)].map(([, stage]) => stage),
      ),
    );

    // Assess
    expect(readmeInputs()).toHaveLength(RUNBOOK_NAMES.length);
    expect([...stages]).toEqual([DEFAULT_STAGE]);
  });

  it("passes --check with every README input as pasted (sections in the registry's order)", async () => {
    // Prepare
    const inputs = readmeInputs();

    // Act
    const runs = await Promise.all(
      RUNBOOK_NAMES.map(async (runbook, index) => {
        const file = path.join(temp, `${runbook}.json`);
        writeFileSync(file, inputs[index] ?? '');
        return [runbook, await check(runbook, file)] as const;
      }),
    );

    // Assess
    for (const [runbook, { code, err }] of runs)
      expect([runbook, code, err]).toEqual([runbook, 0, []]);
    for (const input of inputs) expect(input).not.toMatch(/…|<[a-z]+>/);
  });
});
