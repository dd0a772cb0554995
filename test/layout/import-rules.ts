import * as path from 'node:path';

/**
 * The layout's import rules (README "Layout"), as a pure check over file contents so a test can
 * run it on the repository and on planted violations:
 * - Lambda code (everything under functions/, and runbooks/<name>/ but state-machine.ts) never
 *   imports aws-cdk-lib, constructs or cdk-nag, a state-machine.ts, runbooks/kit/, infra/ or
 *   sandbox/: it is bundled into the functions and must stay small and free of CDK.
 * - The pure core (functions/lib/core/) imports nothing outside functions/lib/ but node built-ins.
 * - The app (infra/) never imports sandbox/ or test/: the tools build on the app, not the other
 *   way round (what both need, such as the worst-case recovery times, lives in infra/recovery/).
 */

export interface SourceFile {
  /** Repository-relative, with forward slashes. */
  readonly file: string;
  readonly text: string;
}

export interface Violation {
  readonly file: string;
  readonly specifier: string;
  readonly rule: string;
}

const SPECIFIERS = /(?:from\s+|import\s*\(\s*|import\s+)['"]([^'"]+)['"]/g;

export const importsOf = (text: string): string[] =>
  [...text.matchAll(SPECIFIERS)].map((match) => match[1] ?? '');

const isLambdaCode = (file: string): boolean =>
  file.startsWith('functions/') ||
  (/^runbooks\/[^/]+\/[^/]+\.ts$/.test(file) &&
    !file.startsWith('runbooks/kit/') &&
    !file.endsWith('/state-machine.ts'));

const CDK_PACKAGES = /^(aws-cdk-lib|constructs|cdk-nag)(\/|$)/;

const lambdaRule = (target: string): string | undefined => {
  if (CDK_PACKAGES.test(target)) return 'Lambda code must not import CDK';
  if (target.endsWith('/state-machine.ts') || target.endsWith('/state-machine.js')) {
    return 'Lambda code must not import a state machine';
  }
  for (const folder of ['runbooks/kit/', 'infra/', 'sandbox/', 'test/']) {
    if (target.startsWith(folder)) return `Lambda code must not import ${folder}`;
  }
  return undefined;
};

const infraRule = (target: string): string | undefined => {
  for (const folder of ['sandbox/', 'test/']) {
    if (target.startsWith(folder)) return `infra must not import ${folder}`;
  }
  return undefined;
};

const coreRule = (target: string, relative: boolean): string | undefined => {
  if (relative) {
    return target.startsWith('functions/lib/') ? undefined : 'the core imports only functions/lib/';
  }
  return target.startsWith('node:') ? undefined : 'the core imports no package';
};

export const importViolations = (files: readonly SourceFile[]): Violation[] =>
  files.flatMap(({ file, text }) =>
    importsOf(text).flatMap((specifier) => {
      const relative = specifier.startsWith('.');
      const target = relative
        ? path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier))
        : specifier;
      const rules = [
        isLambdaCode(file) ? lambdaRule(target) : undefined,
        file.startsWith('functions/lib/core/') ? coreRule(target, relative) : undefined,
        file.startsWith('infra/') && relative ? infraRule(target) : undefined,
      ];
      return rules
        .filter((rule): rule is string => rule !== undefined)
        .map((rule) => ({ file, specifier, rule }));
    }),
  );
