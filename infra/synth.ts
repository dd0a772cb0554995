/**
 * `npm start`: synthesizes every Rebound stack into cdk.out/ offline, with cdk-nag, and
 * prints a summary. Exit codes: 0 ok, 1 config error, unacknowledged finding or unmet recovery
 * objective, 2 usage.
 * Context: cdk.json, overridden by `-c key=value` / `--context key=value` arguments
 * (infra/context-args.ts); `--help` prints the usage and every setting with its default.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig } from './config.js';
import {
  appContext,
  ContextArgError,
  contextOptionHelp,
  splitContextArgs,
} from './context-args.js';
import type { CfnTemplate } from './summary.js';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(projectRoot, 'cdk.out');

const USAGE = 'usage: npm start -- [-c key=value]... [--help]';

const HELP = `${USAGE}

Synthesizes the shop and control-plane stacks of one stage into cdk.out/, offline (no AWS
credentials, no network, no Docker), with cdk-nag and CloudFormation validation, and prints a
summary: resources by type, alarms, event wiring, cdk-nag acknowledgements. Fails when the
synthesized settings cannot meet a recoveryObjectives entry (npm run rto shows why). To see what a
deploy would change, then deploy: npx cdk diff / npx cdk deploy (README "Deploy").

  -h, --help               print this help
${contextOptionHelp()}

Exit codes: 0 synthesized, 1 config error, unacknowledged cdk-nag finding or unmet recovery
objective, 2 bad arguments.`;

/** The command line's context, or the exit code of a usage error or of --help. */
function parseArgs(args: readonly string[]): Record<string, string> | number {
  let split: ReturnType<typeof splitContextArgs>;
  try {
    split = splitContextArgs(args);
  } catch (error) {
    if (!(error instanceof ContextArgError)) throw error;
    console.error(`error: ${error.message}\n${USAGE}`);
    return 2;
  }
  if (split.rest.includes('--help') || split.rest.includes('-h')) {
    console.log(HELP);
    return 0;
  }
  const [unknown] = split.rest;
  if (unknown !== undefined) {
    console.error(`error: unknown argument ${JSON.stringify(unknown)}\n${USAGE}`);
    return 2;
  }
  return split.context;
}

async function main(): Promise<number> {
  const cliContext = parseArgs(process.argv.slice(2));
  if (typeof cliContext === 'number') return cliContext;
  const started = Date.now();
  const context = appContext(cliContext);

  // The settings first, then the app: aws-cdk-lib loads (seconds) only for valid settings.
  try {
    loadConfig((key) => context[key], Object.keys(context));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems) console.error(`error: ${problem}`);
    return 1;
  }
  const [{ buildReboundApp }, { listNagAcknowledgements }, { formatSummary, summarizeStack }] =
    await Promise.all([import('./rebound-app.js'), import('./nag.js'), import('./summary.js')]);
  const built = buildReboundApp({ context, outdir });
  for (const warning of built.warnings) console.warn(`warning: ${warning}`);

  let assembly: ReturnType<typeof built.app.synth>;
  try {
    assembly = built.app.synth();
  } catch (error) {
    // The validation report (every unacknowledged cdk-nag finding) is printed above.
    console.error(`error: ${(error as Error).message}`);
    return 1;
  }

  // The worst case the synthesized settings allow, per failure class, against the objectives
  // (the same computation as npm run rto; aws-cdk-lib is loaded by now, so these cost little).
  const [{ readShopSettings }, { recoveryBudgets, unmetObjectives }] = await Promise.all([
    import('./recovery/shop-settings.js'),
    import('./recovery/rto.js'),
  ]);
  const { region, availabilityZones, recoveryObjectives } = built.config;
  const shopTemplate = assembly.getStackByName(built.shop.stackName).template;
  const unmet = unmetObjectives(
    recoveryBudgets(readShopSettings(shopTemplate, { region, availabilityZones })),
    recoveryObjectives,
  );
  for (const line of unmet) console.error(`error: ${line}`);
  if (unmet.length > 0) return 1;

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

process.exitCode = await main();
