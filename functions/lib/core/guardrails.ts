import { RUNBOOK_NAMES } from './runbook-registry.js';

/**
 * Guardrails bound what the automation may do. They live in SSM Parameter Store under
 * `/rebound/<stage>/guardrails/` so people can change them without a deploy; functions read
 * them with a short cache. A value that cannot be parsed falls back to the safe side and is
 * reported, never thrown.
 */

export const AUTOMATION_MODES = ['off', 'dry-run', 'auto'] as const;
/**
 * - `off`: observe, record and alert; start nothing.
 * - `dry-run`: start runbooks, which check and report but make no mutating call.
 * - `auto`: runbooks act within the budgets below.
 */
export type AutomationMode = (typeof AUTOMATION_MODES)[number];

export interface Guardrails {
  readonly mode: AutomationMode;
  /** Runbooks allowed to run; any other is refused. */
  readonly enabledRunbooks: readonly string[];
  /** Blast radius: instance replacements allowed in any rolling hour. */
  readonly maxInstanceReplacementsPerHour: number;
  /** Never take the group below this many healthy in-service instances. */
  readonly minHealthyInstances: number;
  /** After acting on a resource, leave it alone this long. */
  readonly cooldownMinutes: number;
  /** Runbooks whose approval step is skipped: they act without waiting for a person. */
  readonly autoApprovedRunbooks: readonly string[];
  /** Blast radius of the other mutating runbooks: runs per runbook in any rolling hour. */
  readonly maxActionsPerHour: number;
  /** scale-out raises the group's maximum (and desired) capacity by this many instances per run. */
  readonly scaleOutStep: number;
  /** scale-out never raises the group's maximum capacity above this. */
  readonly maxScaleOutCapacity: number;
}

/** Parameter name (below `/rebound/<stage>/guardrails/`) of each guardrail. */
export const GUARDRAIL_PARAMETERS = {
  mode: 'mode',
  enabledRunbooks: 'enabled-runbooks',
  maxInstanceReplacementsPerHour: 'max-instance-replacements-per-hour',
  minHealthyInstances: 'min-healthy-instances',
  cooldownMinutes: 'cooldown-minutes',
  autoApprovedRunbooks: 'auto-approved-runbooks',
  maxActionsPerHour: 'max-actions-per-hour',
  scaleOutStep: 'scale-out-step',
  maxScaleOutCapacity: 'max-scale-out-capacity',
} as const satisfies Record<keyof Guardrails, string>;

export const guardrailParameterPath = (stage: string): string => `/rebound/${stage}/guardrails/`;

/**
 * The path GetParametersByPath is sent for the guardrails under `path`, and the one IAM grants
 * (`parameter/rebound/<stage>/guardrails`): the folder without its trailing slash. SSM
 * authorizes that call against the path in the request
 * (https://docs.aws.amazon.com/systems-manager/latest/userguide/ps-retrieval-authorization.html)
 * and does not document whether a trailing slash counts: send and grant the identical string.
 */
export const guardrailsReadPath = (path: string): string => path.replace(/\/+$/, '');

/**
 * What a fresh deploy starts with: observe before acting. Every runbook is enabled (dry-run
 * makes them report, not act) and none acts without a person's approval.
 */
export const DEFAULT_GUARDRAILS: Guardrails = {
  mode: 'dry-run',
  enabledRunbooks: RUNBOOK_NAMES,
  maxInstanceReplacementsPerHour: 2,
  minHealthyInstances: 2,
  cooldownMinutes: 15,
  autoApprovedRunbooks: [],
  maxActionsPerHour: 2,
  scaleOutStep: 3,
  maxScaleOutCapacity: 24,
};

/** The safe value used when a parameter is missing or unreadable. */
const SAFE_GUARDRAILS: Guardrails = {
  mode: 'dry-run',
  enabledRunbooks: [],
  maxInstanceReplacementsPerHour: 0,
  minHealthyInstances: Number.MAX_SAFE_INTEGER,
  cooldownMinutes: 24 * 60,
  autoApprovedRunbooks: [],
  maxActionsPerHour: 0,
  scaleOutStep: 0,
  maxScaleOutCapacity: 0,
};

export interface ParsedGuardrails {
  readonly guardrails: Guardrails;
  /** One line per parameter that was missing or invalid, with the value used instead. */
  readonly problems: readonly string[];
}

/** A guardrail's SSM parameter name (`mode`, `cooldown-minutes`…). */
export type GuardrailParameter = (typeof GUARDRAIL_PARAMETERS)[keyof Guardrails];
export const GUARDRAIL_PARAMETER_NAMES: readonly GuardrailParameter[] =
  Object.values(GUARDRAIL_PARAMETERS);

/** What each guardrail means: the SSM parameter's description and the guardrails CLI's help. */
export const GUARDRAIL_MEANINGS: Readonly<Record<GuardrailParameter, string>> = {
  mode: 'Automation mode: off | dry-run | auto',
  'enabled-runbooks': 'Comma-separated runbooks allowed to run, or none',
  'max-instance-replacements-per-hour':
    'Blast radius: instance replacements allowed per rolling hour',
  'min-healthy-instances':
    'Never replace an instance when fewer healthy in-service instances would remain',
  'cooldown-minutes': 'Minutes to leave a resource alone after acting on it',
  'auto-approved-runbooks':
    'Comma-separated runbooks that act without waiting for a person, or none',
  'max-actions-per-hour':
    'Blast radius: runs per rolling hour of each other mutating runbook (scale-out, failovers, AZ evacuation)',
  'scale-out-step': 'Instances one scale-out run adds to max and desired',
  'max-scale-out-capacity': 'scale-out never raises the web group maximum above this',
};

/** How each guardrail's value is written: a mode, a runbook list, or a count. */
const KIND_OF = {
  mode: 'mode',
  enabledRunbooks: 'runbooks',
  maxInstanceReplacementsPerHour: 'count',
  minHealthyInstances: 'count',
  cooldownMinutes: 'count',
  autoApprovedRunbooks: 'runbooks',
  maxActionsPerHour: 'count',
  scaleOutStep: 'count',
  maxScaleOutCapacity: 'count',
} as const satisfies Record<keyof Guardrails, 'mode' | 'runbooks' | 'count'>;

const isMode = (value: string): value is AutomationMode =>
  (AUTOMATION_MODES as readonly string[]).includes(value);

/** A count guardrail: a whole number of at most six digits. */
const COUNT = /^\d{1,6}$/;

const parseCount = (value: string | undefined): number | undefined => {
  if (value === undefined || !COUNT.test(value.trim())) return undefined;
  return Number(value.trim());
};

/** `a, b` → [a, b]; `none` and empty entries are left out. */
const runbookList = (value: string): string[] =>
  value
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '' && name !== 'none');

/**
 * Guardrails from raw parameter values keyed by {@link GUARDRAIL_PARAMETERS} names (missing
 * keys are missing parameters). Invalid or missing values take the safe side: dry-run, no
 * runbook enabled, no budget, a floor nothing can pass, a day of cooldown.
 */
export const parseGuardrails = (
  values: Readonly<Record<string, string | undefined>>,
): ParsedGuardrails => {
  const problems: string[] = [];
  const read = <K extends keyof Guardrails>(key: K): Guardrails[K] => {
    const raw = values[GUARDRAIL_PARAMETERS[key]];
    const value = parseValue(KIND_OF[key], raw);
    if (value !== undefined) return value as Guardrails[K];
    const safe = SAFE_GUARDRAILS[key];
    const used = Array.isArray(safe) ? 'none' : String(safe);
    problems.push(
      `guardrail ${GUARDRAIL_PARAMETERS[key]}: ${raw === undefined ? 'missing' : `invalid value "${raw.slice(0, 40)}"`}, using ${used}`,
    );
    return safe;
  };
  const guardrails = Object.fromEntries(
    (Object.keys(KIND_OF) as (keyof Guardrails)[]).map((key) => [key, read(key)]),
  ) as unknown as Guardrails;
  return { guardrails, problems };
};

/** A raw parameter value as its kind reads it; undefined when it cannot be read. */
const parseValue = (
  kind: (typeof KIND_OF)[keyof Guardrails],
  raw: string | undefined,
): AutomationMode | readonly string[] | number | undefined => {
  if (raw === undefined) return undefined;
  if (kind === 'mode') {
    const mode = raw.trim();
    return isMode(mode) ? mode : undefined;
  }
  if (kind === 'runbooks') return runbookList(raw);
  return parseCount(raw);
};

const keyOf = (parameter: GuardrailParameter): keyof Guardrails =>
  (Object.keys(GUARDRAIL_PARAMETERS) as (keyof Guardrails)[]).find(
    (key) => GUARDRAIL_PARAMETERS[key] === parameter,
  ) ?? 'mode';

/**
 * Why `raw` cannot be written to guardrail `parameter` (what it takes instead), or undefined
 * when it can. The rules parseGuardrails reads with, and stricter where a person writes: every
 * runbook name must be a runbook, and `none` stands alone.
 */
export const guardrailValueProblem = (
  parameter: GuardrailParameter,
  raw: string,
): string | undefined => {
  const kind = KIND_OF[keyOf(parameter)];
  if (kind === 'mode') {
    return parseValue(kind, raw) === undefined
      ? `one of ${AUTOMATION_MODES.join(' | ')}`
      : undefined;
  }
  if (kind === 'count') {
    return parseValue(kind, raw) === undefined ? 'a whole number from 0 to 999999' : undefined;
  }
  const names = runbookList(raw);
  const unknown = names.filter((name) => !(RUNBOOK_NAMES as readonly string[]).includes(name));
  const allowed = `comma-separated runbooks (${RUNBOOK_NAMES.join(', ')}) or none`;
  if (unknown.length > 0) return `${allowed}; not runbooks: ${unknown.join(', ')}`;
  if (names.length === 0 && raw.trim() !== 'none') return allowed;
  if (names.length > 0 && raw.split(',').some((name) => name.trim() === 'none')) return allowed;
  return undefined;
};

/** Parameter values for {@link Guardrails}, as CDK writes them and {@link parseGuardrails} reads them. */
export const guardrailParameterValues = (guardrails: Guardrails): Record<string, string> => {
  const list = (names: readonly string[]) => (names.length > 0 ? names.join(',') : 'none');
  return {
    [GUARDRAIL_PARAMETERS.mode]: guardrails.mode,
    [GUARDRAIL_PARAMETERS.enabledRunbooks]: list(guardrails.enabledRunbooks),
    [GUARDRAIL_PARAMETERS.maxInstanceReplacementsPerHour]: String(
      guardrails.maxInstanceReplacementsPerHour,
    ),
    [GUARDRAIL_PARAMETERS.minHealthyInstances]: String(guardrails.minHealthyInstances),
    [GUARDRAIL_PARAMETERS.cooldownMinutes]: String(guardrails.cooldownMinutes),
    [GUARDRAIL_PARAMETERS.autoApprovedRunbooks]: list(guardrails.autoApprovedRunbooks),
    [GUARDRAIL_PARAMETERS.maxActionsPerHour]: String(guardrails.maxActionsPerHour),
    [GUARDRAIL_PARAMETERS.scaleOutStep]: String(guardrails.scaleOutStep),
    [GUARDRAIL_PARAMETERS.maxScaleOutCapacity]: String(guardrails.maxScaleOutCapacity),
  };
};
