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

type CountKey =
  | 'maxInstanceReplacementsPerHour'
  | 'minHealthyInstances'
  | 'cooldownMinutes'
  | 'maxActionsPerHour'
  | 'scaleOutStep'
  | 'maxScaleOutCapacity';

const isMode = (value: string): value is AutomationMode =>
  (AUTOMATION_MODES as readonly string[]).includes(value);

const parseCount = (value: string | undefined): number | undefined => {
  if (value === undefined || !/^\d{1,6}$/.test(value.trim())) return undefined;
  return Number(value.trim());
};

/**
 * Guardrails from raw parameter values keyed by {@link GUARDRAIL_PARAMETERS} names (missing
 * keys are missing parameters). Invalid or missing values take the safe side: dry-run, no
 * runbook enabled, no budget, a floor nothing can pass, a day of cooldown.
 */
export const parseGuardrails = (
  values: Readonly<Record<string, string | undefined>>,
): ParsedGuardrails => {
  const problems: string[] = [];
  const problem = (key: keyof Guardrails, raw: string | undefined, used: string) =>
    problems.push(
      `guardrail ${GUARDRAIL_PARAMETERS[key]}: ${raw === undefined ? 'missing' : `invalid value "${raw.slice(0, 40)}"`}, using ${used}`,
    );

  const rawMode = values[GUARDRAIL_PARAMETERS.mode]?.trim();
  let mode = SAFE_GUARDRAILS.mode;
  if (rawMode !== undefined && isMode(rawMode)) mode = rawMode;
  else problem('mode', rawMode, mode);

  const runbookList = (key: 'enabledRunbooks' | 'autoApprovedRunbooks'): readonly string[] => {
    const raw = values[GUARDRAIL_PARAMETERS[key]];
    if (raw !== undefined) {
      return raw
        .split(',')
        .map((name) => name.trim())
        .filter((name) => name !== '' && name !== 'none');
    }
    problem(key, raw, 'none');
    return SAFE_GUARDRAILS[key];
  };

  const count = (key: CountKey) => {
    const raw = values[GUARDRAIL_PARAMETERS[key]];
    const parsed = parseCount(raw);
    if (parsed !== undefined) return parsed;
    problem(key, raw, String(SAFE_GUARDRAILS[key]));
    return SAFE_GUARDRAILS[key];
  };

  return {
    guardrails: {
      mode,
      enabledRunbooks: runbookList('enabledRunbooks'),
      maxInstanceReplacementsPerHour: count('maxInstanceReplacementsPerHour'),
      minHealthyInstances: count('minHealthyInstances'),
      cooldownMinutes: count('cooldownMinutes'),
      autoApprovedRunbooks: runbookList('autoApprovedRunbooks'),
      maxActionsPerHour: count('maxActionsPerHour'),
      scaleOutStep: count('scaleOutStep'),
      maxScaleOutCapacity: count('maxScaleOutCapacity'),
    },
    problems,
  };
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
