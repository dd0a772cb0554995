/**
 * Recovery objectives: per failure class, the most minutes from a fault to its incident resolved
 * (MTTR). The config key `recoveryObjectives` sets them; `npm start` fails when the synthesized
 * settings cannot meet one, `npm run rto` and the game day judge against them. Dependency-free so
 * the config, the synth check and the sandbox share one list of classes and one set of defaults.
 */

/** The failure classes `npm run rto` computes a worst case for. */
export const FAILURE_CLASSES = [
  'instance-failure',
  'gray-failure',
  'database-failover',
  'cache-failover',
  'az-impairment',
] as const;
export type FailureClass = (typeof FAILURE_CLASSES)[number];

export type RecoveryObjectives = Readonly<Record<FailureClass, number>>;

/** Minutes per class unless configured: what the game-day scenarios are judged against. */
export const DEFAULT_RECOVERY_OBJECTIVES: RecoveryObjectives = {
  'instance-failure': 15,
  'gray-failure': 15,
  'database-failover': 15,
  'cache-failover': 15,
  // An AZ evacuation waits for a person (up to the 30-minute approval timeout) and for the two
  // other AZs to grow: its worst case is far beyond a single instance's (npm run rto).
  'az-impairment': 60,
};

/** `class=minutes,…`, the config key's syntax. */
export const formatRecoveryObjectives = (objectives: RecoveryObjectives): string =>
  FAILURE_CLASSES.map((failureClass) => `${failureClass}=${objectives[failureClass]}`).join(',');

/** The most an objective may be, minutes (a day: beyond that it is no objective). */
export const MAX_OBJECTIVE_MINUTES = 24 * 60;

export interface ObjectiveProblem {
  readonly value: string;
  readonly expected: string;
}

/**
 * Parses `class=minutes,…`: the classes given replace their defaults, the others keep them.
 * Each problem names the bad entry and what is expected instead.
 */
export const parseRecoveryObjectives = (
  text: string,
): { readonly objectives: RecoveryObjectives; readonly problems: readonly ObjectiveProblem[] } => {
  const objectives: Record<FailureClass, number> = { ...DEFAULT_RECOVERY_OBJECTIVES };
  const problems: ObjectiveProblem[] = [];
  const seen = new Set<string>();
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const entry of entries) {
    const [name = '', minutes, ...extra] = entry.split('=').map((part) => part.trim());
    const failureClass = FAILURE_CLASSES.find((known) => known === name);
    if (failureClass === undefined) {
      problems.push({
        value: entry,
        expected: `class=minutes with a class of ${FAILURE_CLASSES.join(' | ')}`,
      });
      continue;
    }
    const value = Number(minutes);
    if (
      minutes === undefined ||
      extra.length > 0 ||
      !/^\d+$/.test(minutes) ||
      value < 1 ||
      value > MAX_OBJECTIVE_MINUTES
    ) {
      problems.push({
        value: entry,
        expected: `whole minutes from 1 to ${MAX_OBJECTIVE_MINUTES} for ${failureClass}, such as ${failureClass}=15`,
      });
      continue;
    }
    if (seen.has(failureClass)) problems.push({ value: entry, expected: `${failureClass} once` });
    seen.add(failureClass);
    objectives[failureClass] = value;
  }
  return { objectives, problems };
};
