import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importViolations, type SourceFile } from './import-rules.js';

const ROOT = new URL('../../', import.meta.url);

const trackedSources = (): SourceFile[] =>
  execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts'], {
    cwd: ROOT,
    encoding: 'utf8',
  })
    .trim()
    .split('\n')
    .filter((file) =>
      ['functions/', 'runbooks/', 'infra/'].some((folder) => file.startsWith(folder)),
    )
    .map((file) => ({ file, text: readFileSync(new URL(file, ROOT), 'utf8') }));

describe('import rules of the layout', () => {
  it('holds for every file of functions/, runbooks/ and infra/', () => {
    // Prepare
    const files = trackedSources();

    // Act
    const violations = importViolations(files);

    // Assess
    expect(files.length).toBeGreaterThan(50);
    expect(violations).toEqual([]);
  });

  it.each([
    [
      'a step importing CDK',
      'runbooks/scale-out/steps.ts',
      "import * as sfn from 'aws-cdk-lib/aws-stepfunctions';",
      'Lambda code must not import CDK',
    ],
    [
      'a handler importing its state machine',
      'runbooks/scale-out/handler.ts',
      "import { ScaleOut } from './state-machine.js';",
      'Lambda code must not import a state machine',
    ],
    [
      'a function importing the kit',
      'functions/lib/runbook/check.ts',
      "import { jitteredRetry } from '../../../runbooks/kit/tasks.js';",
      'Lambda code must not import runbooks/kit/',
    ],
    [
      'the core importing a runbook folder',
      'functions/lib/core/policy.ts',
      "import { x } from '../../../runbooks/scale-out/state.js';",
      'the core imports only functions/lib/',
    ],
    [
      'the core importing a package',
      'functions/lib/core/decide.ts',
      "import * as z from 'zod/mini';",
      'the core imports no package',
    ],
    [
      'the app importing the game day (a dynamic import too)',
      'infra/synth.ts',
      "const { recoveryBudgets } = await import('../sandbox/gameday/rto.js');",
      'infra must not import sandbox/',
    ],
  ])('catches %s', (_case, file, text, rule) => {
    // Act
    const violations = importViolations([{ file, text }]);

    // Assess
    expect(violations.map((violation) => violation.rule)).toContain(rule);
  });

  it('lets a state machine import the kit and CDK', () => {
    // Act
    const violations = importViolations([
      {
        file: 'runbooks/scale-out/state-machine.ts',
        text: "import * as sfn from 'aws-cdk-lib/aws-stepfunctions';\nimport { RunbookSkeleton } from '../kit/skeleton.js';",
      },
    ]);

    // Assess
    expect(violations).toEqual([]);
  });
});
