import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildReboundApp } from '../../infra/rebound-app.js';
import { IGNORED_CFN_LINT_RULES } from './cfn-lint-ignores.js';

/**
 * cfn-lint (AWS CloudFormation's own linter, the `cfn-lint` command) over the templates of one
 * configuration, synthesized offline into a temporary directory and linted for the
 * configuration's region. Every error and warning is a finding, except the rules
 * cfn-lint-ignores.ts lists with their reason.
 */

export interface CfnLintFinding {
  readonly rule: string;
  readonly level: string;
  readonly message: string;
  readonly template: string;
  /** `Resources/<logical id>/…`, or the line when cfn-lint gives no path. */
  readonly where: string;
}

/** cfn-lint cannot be run: the message is one line saying what to do. */
export class CfnLintUnavailableError extends Error {
  override readonly name = 'CfnLintUnavailableError';
}

export const CFN_LINT_INSTALL_HINT =
  'cfn-lint is not installed (or not on PATH): run "pip install cfn-lint"';

interface CfnLintJsonMatch {
  readonly Filename: string;
  readonly Level: string;
  readonly Message: string;
  readonly Rule: { readonly Id: string };
  readonly Location?: {
    readonly Path?: readonly (string | number)[];
    readonly Start?: { readonly LineNumber?: number };
  };
}

/** Findings from cfn-lint's `--format json` output. */
export const parseCfnLintJson = (text: string): CfnLintFinding[] =>
  (JSON.parse(text === '' ? '[]' : text) as CfnLintJsonMatch[]).map((match) => ({
    rule: match.Rule.Id,
    level: match.Level,
    message: match.Message.replace(/\s+/g, ' ').trim(),
    template: path.basename(match.Filename),
    where: match.Location?.Path?.join('/') ?? `line ${match.Location?.Start?.LineNumber ?? '?'}`,
  }));

/** Lints `templates` for `region` with the ignored rules off; returns every finding. */
export const lintTemplates = (
  templates: readonly string[],
  region: string,
  command = 'cfn-lint',
): CfnLintFinding[] => {
  const ignored = Object.keys(IGNORED_CFN_LINT_RULES);
  const result = spawnSync(
    command,
    [
      '--format',
      'json',
      '--regions',
      region,
      ...(ignored.length > 0 ? ['--ignore-checks', ...ignored] : []),
      '--',
      ...templates,
    ],
    { encoding: 'utf8', timeout: 300_000, maxBuffer: 64 * 1024 * 1024 },
  );
  if (result.error !== undefined) {
    const missing = (result.error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new CfnLintUnavailableError(
      missing ? CFN_LINT_INSTALL_HINT : `cfn-lint failed to run: ${result.error.message}`,
    );
  }
  // Exit codes: 0 clean, 2/4/8 (or-ed) errors/warnings/informational found, anything else a crash.
  if (result.status === null || (result.status & ~(2 | 4 | 8)) !== 0) {
    const why = (result.stderr || result.stdout).replace(/\s+/g, ' ').trim().slice(0, 300);
    throw new CfnLintUnavailableError(`cfn-lint exited with ${result.status}: ${why}`);
  }
  return parseCfnLintJson(result.stdout.trim());
};

/**
 * Synthesizes the app for `context` (no Lambda bundling: the templates are the same) and lints
 * its templates for the configuration's region.
 */
export const lintConfiguration = (
  context: Readonly<Record<string, string>>,
  command?: string,
): CfnLintFinding[] => {
  const outdir = mkdtempSync(path.join(tmpdir(), 'rebound-cfn-lint-'));
  try {
    const { app, config } = buildReboundApp({
      context: { ...context, 'aws:cdk:bundling-stacks': [] },
      outdir,
    });
    const templates = app.synth().stacks.map((stack) => stack.templateFullPath);
    return lintTemplates(templates, config.region, command);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
};

export const formatCfnLintFinding = (finding: CfnLintFinding): string =>
  `${finding.template} ${finding.rule} (${finding.level.toLowerCase()}) ${finding.where}: ${finding.message}`;
