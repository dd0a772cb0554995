import * as z from 'zod/mini';
import {
  type DeployedResource,
  isWantedIn,
  RUNBOOKS,
  type RunbookDefinition,
  type RunbookInputField,
  type RunbookName,
  requirementCondition,
} from '../core/runbook-registry.js';
import { nonEmptyText } from '../events/schema-kit.js';
import { InvalidInputError } from './invalid-input.js';

/**
 * A runbook's execution input as its registry row declares it (functions/lib/core/
 * runbook-registry.ts): the one place that says what each field may be. The state machine's
 * ValidateInput rules (runbooks/kit/input-rules.ts), the step Lambdas' parse, `npm run
 * runbook` and each runbook's README table all come from here.
 */

export const INSTANCE_ID_PATTERN = /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
export const INCIDENT_ID_PATTERN = /^inc-[A-Za-z0-9-]{1,60}$/;

/** The names a deploy gives each kind of resource (some kinds only where a runbook needs them). */
export type DeployedNames = Readonly<Partial<Record<DeployedResource, readonly string[]>>> & {
  /** `rebound-<stage>`: the shop's alarms start with it. */
  readonly namePrefix?: string;
};

const RESOURCE_NAMES: Readonly<Record<DeployedResource, readonly [string, string]>> = {
  'web-group': ["the shop's web group", "the shop's web groups"],
  'primary-db': ["the shop's primary DB instance", "the shop's primary DB instances"],
  'db-replica': ["one of the shop's read replicas", "one of the shop's read replicas"],
  'cache-group': ["the shop's cache replication group", "the shop's cache replication groups"],
  'availability-zone': [
    "one of the shop's Availability Zones",
    "one of the shop's Availability Zones",
  ],
};

const deployedValues = (
  field: RunbookInputField,
  resource: DeployedResource,
  deployed: DeployedNames,
): readonly string[] => {
  const values = deployed[resource];
  if (values === undefined) {
    throw new Error(`input field ${field.name} needs the deployed ${resource} names`);
  }
  return values;
};

/** What a field's value must be, as a sentence end: `must be the shop's web group rebound-dev-web`. */
export const allowedValue = (field: RunbookInputField, deployed: DeployedNames): string => {
  const value = field.value;
  switch (value.kind) {
    case 'instance-id':
      return 'must be an EC2 instance id such as i-0123456789abcdef0';
    case 'deployed': {
      const values = deployed[value.resource];
      const [single, plural] = RESOURCE_NAMES[value.resource];
      // Offline (npm run runbook before a stage is known): the kind, without the names.
      if (values === undefined) return `must be ${single}`;
      if (values.length === 0) return `must be ${plural}, and the shop has none`;
      return values.length === 1 && !single.startsWith('one of')
        ? `must be ${single} ${values[0]}`
        : `must be ${single === plural ? single : plural}: ${values.join(', ')}`;
    }
    case 'choice':
      return `must be one of ${value.values.join(', ')}`;
    case 'shop-alarm':
      return `must name one of the shop's alarms (${deployed.namePrefix ?? 'rebound-<stage>'}-...)`;
    case 'incident-id':
      return 'must be an incident id such as inc-20250101T1200-0a1b2c3d';
    case 'text':
      return `must be a string of at most ${value.maxLength} characters`;
  }
};

/** The sentence an operator reads when `field` is wrong: `input.mode must be one of …`. */
export const fieldRule = (field: RunbookInputField, deployed: DeployedNames): string => {
  const { required } = field;
  const allowed = allowedValue(field, deployed);
  if (typeof required === 'object') {
    return `input.${field.name} is required ${requirementCondition(required)}, and only then; it ${allowed}`;
  }
  return required
    ? `input.${field.name} ${allowed}`
    : `input.${field.name}, when given, ${allowed}`;
};

/** The shape check of one field's value (deployed names are checked by {@link deployedProblems}). */
const valueSchema = (field: RunbookInputField) => {
  const { value } = field;
  const error = (): string => fieldRule(field, {});
  switch (value.kind) {
    case 'instance-id':
      return z.string({ error }).check(z.regex(INSTANCE_ID_PATTERN, { error }));
    case 'incident-id':
      return z.string({ error }).check(z.regex(INCIDENT_ID_PATTERN, { error }));
    case 'choice':
      return z.enum(value.values as [string, ...string[]], { error });
    case 'text':
      return z.string({ error }).check(z.maxLength(value.maxLength, { error }));
    case 'deployed':
    case 'shop-alarm':
      return nonEmptyText(255);
  }
};

type Row<N extends RunbookName> = Extract<(typeof RUNBOOKS)[number], { readonly name: N }>;
type Field<N extends RunbookName> = Row<N>['input'][number];
type ValueOf<V> = V extends { readonly kind: 'choice'; readonly values: readonly (infer T)[] }
  ? T
  : string;

type RequiredInput<N extends RunbookName> = {
  [F in Field<N> as F['required'] extends true ? F['name'] : never]: ValueOf<F['value']>;
};
type OptionalInput<N extends RunbookName> = {
  [F in Field<N> as F['required'] extends true ? never : F['name']]: ValueOf<F['value']>;
};

/** A runbook's execution input, typed from its registry row. */
export type RunInput<N extends RunbookName> = RequiredInput<N> & Partial<OptionalInput<N>>;

/**
 * The schema of `runbook`'s field `name` as if it were required: for a step that runs once a
 * conditional field is known (replace-unhealthy-instance finds `instanceId` for a group).
 */
export const requiredFieldSchema = (runbook: RunbookName, name: string) => {
  const row: RunbookDefinition | undefined = RUNBOOKS.find((r) => r.name === runbook);
  const field = row?.input.find((candidate) => candidate.name === name);
  if (field === undefined) throw new Error(`${runbook} has no input field ${name}`);
  return valueSchema({ ...field, required: true });
};

/** The zod shape {@link inputShapeOf} builds, typed. */
type RequiredShape<R> = { [K in keyof R]: z.ZodMiniType<R[K]> };
type OptionalShape<R> = { [K in keyof R]: z.ZodMiniOptional<z.ZodMiniType<R[K]>> };
type InputShape<N extends RunbookName> = RequiredShape<RequiredInput<N>> &
  OptionalShape<OptionalInput<N>>;

/** The zod shape of a runbook's input fields (optional where the registry says so). */
export const inputShapeOf = <N extends RunbookName>(name: N) => {
  const runbook: RunbookDefinition | undefined = RUNBOOKS.find((row) => row.name === name);
  if (runbook === undefined) throw new Error(`${name} is not in the runbook registry`);
  return Object.fromEntries(
    runbook.input.map((field) => [
      field.name,
      field.required === true ? valueSchema(field) : z.optional(valueSchema(field)),
    ]),
  ) as unknown as InputShape<N>;
};

/**
 * What is wrong with `input`'s values beyond their shape: deployed names, shop alarms and
 * conditionally required fields; one sentence per wrong field, none when it is valid.
 */
export const deployedProblems = (
  runbook: RunbookDefinition,
  input: Readonly<Record<string, unknown>>,
  deployed: DeployedNames,
): string[] => {
  const problems: string[] = [];
  for (const field of runbook.input) {
    const given = input[field.name];
    const { required, value } = field;
    if (typeof required === 'object') {
      const wanted = isWantedIn(field, input);
      if (wanted !== (given !== undefined)) {
        problems.push(fieldRule(field, deployed));
        continue;
      }
    }
    if (given === undefined) continue;
    const ok =
      value.kind === 'deployed'
        ? deployedValues(field, value.resource, deployed).includes(String(given))
        : value.kind === 'shop-alarm'
          ? deployed.namePrefix === undefined || String(given).startsWith(`${deployed.namePrefix}-`)
          : true;
    if (!ok) problems.push(`${fieldRule(field, deployed)}, not ${String(given).slice(0, 255)}`);
  }
  return problems;
};

/**
 * What the ValidateInput Choice checks too, with this deploy's names (defence in depth, for
 * input the state machine's own rules let through): {@link InvalidInputError} naming every
 * wrong field.
 */
export const requireDeployed = (
  runbook: RunbookName,
  input: Readonly<Record<string, unknown>>,
  deployed: DeployedNames,
): void => {
  const row: RunbookDefinition | undefined = RUNBOOKS.find(
    (candidate) => candidate.name === runbook,
  );
  if (row === undefined) throw new Error(`${runbook} is not in the runbook registry`);
  const problems = deployedProblems(row, input, deployed);
  if (problems.length > 0) throw new InvalidInputError(problems.join('; '));
};

/**
 * What is wrong with the fields of `input` before any deploy is known (`npm run runbook`
 * checks this offline): required fields missing, conditional fields given or missing, values
 * of the wrong form. One `[field, sentence]` per problem.
 */
export const shapeProblems = (
  runbook: RunbookDefinition,
  input: Readonly<Record<string, unknown>>,
): [string, string][] => {
  const problems: [string, string][] = [];
  for (const field of runbook.input) {
    const given = input[field.name];
    const { required } = field;
    const wanted = isWantedIn(field, input);
    if (given === undefined) {
      if (wanted) problems.push([field.name, `is missing (${field.meaning})`]);
      continue;
    }
    if (typeof required === 'object' && !wanted) {
      problems.push([field.name, fieldRule(field, {}).replace(`input.${field.name} `, '')]);
      continue;
    }
    if (typeof given !== 'string' || given.trim() === '') {
      problems.push([field.name, `must be a non-empty string, got ${JSON.stringify(given)}`]);
      continue;
    }
    const parsed = valueSchema(field).safeParse(given);
    if (!parsed.success) {
      // The value's form alone: whether the field is wanted was checked above.
      problems.push([field.name, allowedValue(field, {})]);
    }
  }
  return problems;
};

/** `required`, `optional` or `required with mode promote-replica`, for the docs and `--list`. */
export const requirementOf = (field: RunbookInputField): string =>
  typeof field.required === 'object'
    ? `required ${requirementCondition(field.required)}`
    : field.required
      ? 'required'
      : 'optional';
