/**
 * `npm run --silent replay -- [-c key=value]... [--format json|text] [--assume-owned]
 * [--az-ids id=name,...] <events file>...`: runs events, in the order given, through the
 * synthesized intake rules and the real triage core, offline. Prints one JSON object per event
 * per line (default) or one readable block per event (`--format text`). Exits 0 whatever the
 * events hold; 2 for a usage or config error.
 */
import { readFileSync } from 'node:fs';
import { guardrailParameterValues, parseGuardrails } from '../functions/lib/core/guardrails.js';
import { ConfigError, loadConfig } from '../infra/config.js';
import {
  appContext,
  ContextArgError,
  contextOptionHelp,
  splitContextArgs,
} from '../infra/context-args.js';
import { ignoredLine, type ReplayLine, ReplaySession } from './replay-event.js';
import { formatReplayText } from './replay-text.js';

const USAGE =
  'usage: npm run --silent replay -- [-c key=value]... [--format json|text] [--assume-owned] [--az-ids use1-az1=us-east-1a,...] <events file>...';

const HELP = `${USAGE}

Replays events offline, in the order given: matches each against the intake rules synthesized
for the stage (as deployed, names included) and runs it through the real triage core with an
in-memory incident store. No AWS call. An events file holds one event, a JSON array of events,
JSON Lines (one event per line) or an \`aws logs filter-log-events\` export.

  --format json|text  json (default): one JSON object per event per line; text: one block per
                      event with the rules, the decision, its reason and the alert texts
  --assume-owned      treat every resource an event names as the shop's (AWS's sample events)
  --az-ids pairs      the account's AZ IDs, e.g. use1-az1=us-east-1a,use1-az2=us-east-1b
                      (aws ec2 describe-availability-zones); AWS Health names AZs by ID
  -h, --help          print this help
${contextOptionHelp()}

An event no rule takes is reported with the closest rule and the fields it failed.
Exit codes: 0 replayed (whatever the events hold), 2 bad arguments or settings.`;

const FORMATS = ['json', 'text'] as const;
type Format = (typeof FORMATS)[number];

/** `use1-az1=us-east-1a,use1-az2=us-east-1b`: the account's AZ IDs (aws ec2 describe-availability-zones). */
const AZ_PAIR = /^([a-z]{2,6}\d{1,2}-az\d{1,2})=([a-z]{2}(?:-[a-z]+)+-\d{1,2}[a-z])$/;

const parseAzIds = (value: string | undefined): Record<string, string> | string => {
  if (value === undefined || value.startsWith('-')) return '--az-ids needs id=name pairs';
  const map: Record<string, string> = {};
  for (const pair of value.split(',')) {
    const match = AZ_PAIR.exec(pair.trim());
    if (match?.[1] === undefined || match[2] === undefined) {
      return `--az-ids: "${pair}" is not an AZ ID=name pair such as use1-az1=us-east-1a`;
    }
    map[match[1]] = match[2];
  }
  return map;
};

interface ReplayArgs {
  readonly context: Readonly<Record<string, string>>;
  readonly format: Format;
  readonly assumeOwned: boolean;
  readonly azIdToName: Readonly<Record<string, string>>;
  readonly files: readonly string[];
}

/** The parsed command line, 'help', or a usage error message. */
const parseArgs = (args: readonly string[]): ReplayArgs | 'help' | { readonly error: string } => {
  let split: ReturnType<typeof splitContextArgs>;
  try {
    split = splitContextArgs(args);
  } catch (error) {
    if (error instanceof ContextArgError) return { error: error.message };
    throw error;
  }
  let format: Format = 'json';
  let assumeOwned = false;
  let azIdToName: Record<string, string> = {};
  const files: string[] = [];
  const rest = split.rest;
  for (let index = 0; index < rest.length; index++) {
    const arg = rest[index] ?? '';
    const [flag = '', inline] = arg.startsWith('--') ? arg.split(/=(.*)/s) : [arg];
    const value = () => inline ?? rest[++index];
    if (flag === '--help' || flag === '-h') return 'help';
    if (flag === '--assume-owned') assumeOwned = true;
    else if (flag === '--format') {
      const given = value();
      const known = FORMATS.find((name) => name === given);
      if (known === undefined)
        return { error: `--format takes json or text (got ${given ?? 'nothing'})` };
      format = known;
    } else if (flag === '--az-ids') {
      const parsed = parseAzIds(value());
      if (typeof parsed === 'string') return { error: parsed };
      azIdToName = parsed;
    } else if (arg.startsWith('-')) return { error: `unknown option ${flag}` };
    else files.push(arg);
  }
  if (files.length === 0) return { error: 'no event files given' };
  return { context: split.context, format, assumeOwned, azIdToName, files };
};

const main = async (args: readonly string[]): Promise<number> => {
  const parsed = parseArgs(args);
  if (parsed === 'help') {
    console.log(HELP);
    return 0;
  }
  if ('error' in parsed) {
    console.error(`error: ${parsed.error}\n${USAGE}`);
    return 2;
  }

  // The settings first (cheap), then the app, loaded only now (aws-cdk-lib): --help, usage
  // and settings errors answer at once.
  try {
    const context = appContext(parsed.context);
    loadConfig((key) => context[key], Object.keys(context));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems) console.error(`error: ${problem}`);
    return 2;
  }
  const { synthesizeIntake } = await import('./synthesized-intake.js');
  const intake = synthesizeIntake(parsed);
  // The guardrails a fresh deploy writes to SSM, read back the way Lambda reads them.
  const guardrails = parseGuardrails(guardrailParameterValues(intake.config.automation));
  const session = new ReplaySession(intake, guardrails);
  const print = (line: ReplayLine) =>
    console.log(parsed.format === 'text' ? formatReplayText(line) : JSON.stringify(line));

  for (const file of parsed.files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      const why = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      print(ignoredLine({ file, position: null }, null, 'Unreadable file.', `cannot read: ${why}`));
      continue;
    }
    for (const line of await session.replay(file, text)) print(line);
  }
  return 0;
};

process.exitCode = await main(process.argv.slice(2));
