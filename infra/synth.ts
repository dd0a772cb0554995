/**
 * `npm start`: synthesizes every Rebound stack into cdk.out/ offline, with cdk-nag, and
 * prints a summary. Exit codes: 0 ok, 1 config error or unacknowledged finding, 2 usage.
 * Context: cdk.json, overridden by `-c key=value` / `--context key=value` arguments.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from './config.js';
import { listNagAcknowledgements } from './nag.js';
import { buildReboundApp } from './rebound-app.js';
import { type CfnTemplate, formatSummary, summarizeStack } from './summary.js';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(projectRoot, 'cdk.out');

function parseContextArgs(args: readonly string[]): Record<string, string> {
  const context: Record<string, string> = {};
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? '';
    let pair: string | undefined;
    if (arg === '-c' || arg === '--context') pair = args[++index];
    else if (arg.startsWith('--context=')) pair = arg.slice('--context='.length);
    const separator = pair?.indexOf('=') ?? -1;
    if (pair === undefined || separator < 1) {
      console.error(`usage: npm start -- [-c key=value]... (got ${JSON.stringify(arg)})`);
      process.exit(2);
    }
    context[pair.slice(0, separator)] = pair.slice(separator + 1);
  }
  return context;
}

function main(): number {
  const cliContext = parseContextArgs(process.argv.slice(2));
  const cdkJson = JSON.parse(readFileSync(path.join(projectRoot, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  const started = Date.now();

  let built: ReturnType<typeof buildReboundApp>;
  try {
    built = buildReboundApp({ context: { ...cdkJson.context, ...cliContext }, outdir });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems) console.error(`error: ${problem}`);
    return 1;
  }
  for (const warning of built.warnings) console.warn(`warning: ${warning}`);

  let assembly: ReturnType<typeof built.app.synth>;
  try {
    assembly = built.app.synth();
  } catch (error) {
    // The validation report (every unacknowledged cdk-nag finding) is printed above.
    console.error(`error: ${(error as Error).message}`);
    return 1;
  }

  const summaries = assembly.stacks.map((stack) =>
    summarizeStack(stack.stackName, stack.template as CfnTemplate),
  );
  console.log(formatSummary(summaries));
  const acknowledged = listNagAcknowledgements(built.app);
  console.log(
    `cdk-nag acknowledgements (${acknowledged.length}, reasons in the code and cdk.out):`,
  );
  for (const { finding, path: where } of acknowledged) console.log(`  ${finding}  ${where}`);
  console.log(
    `synthesized ${summaries.length} stack(s) for stage "${built.config.stage}" in ${built.config.region} ` +
      `into ${path.relative(process.cwd(), outdir) || outdir} in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
      'cdk-nag AwsSolutions + Serverless: no unacknowledged findings',
  );
  return 0;
}

process.exitCode = main();
