/**
 * `npm run --silent replay -- [--assume-owned] [--az-ids id=name,...] <event.json>...`: runs
 * events, in the order
 * given, through the synthesized intake rules and the real triage core, offline. Prints one
 * JSON object per event per line. Exits 0 whatever the events hold; 2 for a usage error.
 */
import { readFileSync } from 'node:fs';
import { guardrailParameterValues, parseGuardrails } from '../functions/lib/core/guardrails.js';
import { ConfigError } from '../infra/config.js';
import { ignoredLine, ReplaySession } from './replay-event.js';
import { synthesizeIntake } from './synthesized-intake.js';

const USAGE =
  'usage: npm run --silent replay -- [--assume-owned] [--az-ids use1-az1=us-east-1a,...] <event.json>...';

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

const usageError = (message: string): number => {
  console.error(`error: ${message}\n${USAGE}`);
  return 2;
};

const main = async (args: readonly string[]): Promise<number> => {
  const assumeOwned = args.includes('--assume-owned');
  const azFlag = args.indexOf('--az-ids');
  const azIdToName = azFlag === -1 ? {} : parseAzIds(args[azFlag + 1]);
  if (typeof azIdToName === 'string') return usageError(azIdToName);
  const rest = azFlag === -1 ? args : [...args.slice(0, azFlag), ...args.slice(azFlag + 2)];
  const unknownFlag = rest.find((arg) => arg.startsWith('-') && arg !== '--assume-owned');
  if (unknownFlag !== undefined) return usageError(`unknown option ${unknownFlag}`);
  const files = rest.filter((arg) => !arg.startsWith('-'));
  if (files.length === 0) return usageError('no event files given');

  let intake: ReturnType<typeof synthesizeIntake>;
  try {
    intake = synthesizeIntake({ assumeOwned, azIdToName });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return usageError(`cdk.json context is invalid:\n${error.problems.join('\n')}`);
  }
  // The guardrails a fresh deploy writes to SSM, read back the way Lambda reads them.
  const guardrails = parseGuardrails(guardrailParameterValues(intake.config.automation));
  const session = new ReplaySession(intake, guardrails);

  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      const why = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      console.log(
        JSON.stringify(ignoredLine(file, null, 'Unreadable file.', `cannot read: ${why}`)),
      );
      continue;
    }
    for (const line of await session.replay(file, text)) console.log(JSON.stringify(line));
  }
  return 0;
};

process.exitCode = await main(process.argv.slice(2));
