import { ContextArgError, splitContextArgs } from '../../infra/context-args.js';
import { CliError } from '../cli-kit.js';
import type { GameDayOptions } from './game-day.js';
import type { Scenario } from './scenario.js';
import { SCENARIOS, scenarioNamed } from './scenarios.js';

/** The game day's command line, checked before anything is synthesized. */

export const GAMEDAY_USAGE =
  'usage: npm run gameday -- <scenario>|all [--mode dry-run|auto] [--seed N] [--report-dir DIR] [-c key=value]...';

export const gameDayHelp = (): string =>
  [
    GAMEDAY_USAGE,
    '',
    'Breaks the simulated shop (built from the synthesized templates) on a virtual clock and lets',
    'the real Rebound heal it: the intake rules, the triage core, the runbooks from their ASL.',
    'Prints the timeline, the alerts as delivered, the incident record, the measured times and',
    'PASS/FAIL against the objective; writes an SVG timeline per run to the report directory.',
    '',
    '  --mode dry-run|auto  the mode guardrail (default auto)',
    '  --seed N             a whole number 0–4294967295; the same seed gives the same day (default 1)',
    '  --report-dir DIR     where the SVG timelines go (default gameday-report)',
    '  -c key=value         a setting, as for npm start',
    '',
    'Scenarios:',
    ...SCENARIOS.map(
      (s) => `  ${s.name.padEnd(22)} ${s.title} (objective ${s.objectiveMinutes} min)`,
    ),
    '  all                    every scenario',
    '',
    'Exit codes: 0 every run passed, 1 a run failed its objectives, 2 bad arguments or settings.',
  ].join('\n');

export interface GameDayArgs {
  readonly scenarios: readonly Scenario[];
  readonly options: GameDayOptions;
  readonly reportDir: string;
  readonly context: Readonly<Record<string, string>>;
}

const usageError = (message: string) =>
  new CliError(2, [`error: ${message} (npm run gameday -- --help)`]);

/** The parsed arguments, 'help', or a CliError (exit 2) with one line. */
export const parseGameDayArgs = (args: readonly string[]): GameDayArgs | 'help' => {
  let split: ReturnType<typeof splitContextArgs>;
  try {
    split = splitContextArgs(args);
  } catch (error) {
    if (error instanceof ContextArgError) throw usageError(error.message);
    throw error;
  }
  let mode: GameDayOptions['mode'] = 'auto';
  let seed = 1;
  let reportDir = 'gameday-report';
  const names: string[] = [];
  const rest = split.rest;
  for (let index = 0; index < rest.length; index += 1) {
    const arg = rest[index] ?? '';
    const [flag = '', inline] = arg.startsWith('--') ? arg.split(/=(.*)/s) : [arg];
    const value = () => inline ?? rest[++index];
    if (flag === '--help' || flag === '-h') return 'help';
    if (flag === '--mode') {
      const given = value();
      if (given !== 'auto' && given !== 'dry-run')
        throw usageError(`--mode takes dry-run or auto (got ${given ?? 'nothing'})`);
      mode = given;
    } else if (flag === '--seed') {
      const given = value();
      if (given === undefined || !/^\d{1,10}$/.test(given) || Number(given) > 0xffffffff) {
        throw usageError(
          `--seed takes a whole number from 0 to 4294967295 (got ${given ?? 'nothing'})`,
        );
      }
      seed = Number(given);
    } else if (flag === '--report-dir') {
      const given = value();
      if (given === undefined || given.startsWith('-'))
        throw usageError('--report-dir needs a directory');
      reportDir = given;
    } else if (arg.startsWith('-')) throw usageError(`unknown option ${flag}`);
    else names.push(arg);
  }
  if (names.length === 0)
    throw usageError(`name a scenario: ${SCENARIOS.map((s) => s.name).join(', ')} or all`);
  const scenarios = names.flatMap((name) => {
    if (name === 'all') return [...SCENARIOS];
    const scenario = scenarioNamed(name);
    if (scenario === undefined) {
      throw usageError(
        `unknown scenario "${name}"; known: ${SCENARIOS.map((s) => s.name).join(', ')}, all`,
      );
    }
    return [scenario];
  });
  return { scenarios, options: { mode, seed }, reportDir, context: split.context };
};
