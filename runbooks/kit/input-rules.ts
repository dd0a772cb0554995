import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type {
  RunbookDefinition,
  RunbookInputField,
} from '../../functions/lib/core/runbook-registry.js';
import { type DeployedNames, fieldRule } from '../../functions/lib/runbook/run-input.js';

/**
 * The rules a runbook's ValidateInput Choice applies to its execution input, as data: each
 * names the Fail state (error `InvalidInput`) and the cause an operator reads. Plain Choice
 * conditions, so a bad input fails at once, before any Lambda or AWS call.
 */
export interface InputRule {
  /** The Fail state, e.g. `InvalidMode`. */
  readonly stateName: string;
  /** When the input is invalid. */
  readonly invalidWhen: sfn.Condition;
  /** What is wrong and what is allowed, e.g. `input.mode must be follow or force`. */
  readonly cause: string;
}

const C = sfn.Condition;

/** `path` is present, a string and equal to one of `values` (never, for no values). */
export const isStringIn = (path: string, values: readonly string[]): sfn.Condition => {
  const equals = values.map((value) => C.stringEquals(path, value));
  const [first] = equals;
  const anyOf =
    first === undefined ? C.isNotPresent(path) : equals.length === 1 ? first : C.or(...equals);
  return C.and(C.isPresent(path), C.isString(path), anyOf);
};

/** `path` is present, a string and matches `pattern` (`*` wildcards). */
export const isStringLike = (path: string, pattern: string): sfn.Condition =>
  C.and(C.isPresent(path), C.isString(path), C.stringMatches(path, pattern));

/** `path` is given but is not a string matching `pattern`. */
export const invalidOptional = (path: string, pattern: string): sfn.Condition =>
  C.and(C.isPresent(path), C.not(C.and(C.isString(path), C.stringMatches(path, pattern))));

const pascal = (name: string): string => name.charAt(0).toUpperCase() + name.slice(1);

/** `path` holds a valid value of `field` (present and a string for every kind). */
const validValue = (field: RunbookInputField, path: string, deployed: DeployedNames) => {
  const { value } = field;
  switch (value.kind) {
    case 'instance-id':
      return isStringLike(path, 'i-*');
    case 'incident-id':
      return isStringLike(path, 'inc-*');
    case 'shop-alarm':
      return isStringLike(path, `${deployed.namePrefix}-*`);
    case 'choice':
      return isStringIn(path, value.values);
    case 'deployed': {
      const names = deployed[value.resource];
      if (names === undefined)
        throw new Error(`${field.name}: no deployed ${value.resource} names`);
      return isStringIn(path, names);
    }
    case 'text':
      return C.and(C.isPresent(path), C.isString(path));
  }
};

/** `path` is given but not valid: the optional fields' rule. */
const givenButInvalid = (field: RunbookInputField, path: string, deployed: DeployedNames) => {
  const { value } = field;
  switch (value.kind) {
    case 'instance-id':
      return invalidOptional(path, 'i-*');
    case 'incident-id':
      return invalidOptional(path, 'inc-*');
    case 'shop-alarm':
      return invalidOptional(path, `${deployed.namePrefix}-*`);
    case 'text':
      // Not(IsString) rather than `IsString: false` (Condition.isNotString): aws-local-stepfunctions
      // 3 never matches the latter, so local runs could not exercise the rule.
      return C.and(C.isPresent(path), C.not(C.isString(path)));
    default:
      return C.and(C.isPresent(path), C.not(validValue(field, path, deployed)));
  }
};

/**
 * The ValidateInput rule of one input field, from its registry declaration: the Fail state
 * `Invalid<Field>` and the sentence that says what is allowed (run-input.ts).
 */
export const inputRuleFor = (field: RunbookInputField, deployed: DeployedNames): InputRule => {
  const path = `$.${field.name}`;
  const { required } = field;
  let invalidWhen: sfn.Condition;
  if (typeof required === 'object') {
    const wanted =
      'unless' in required
        ? // Not(IsPresent) rather than `IsPresent: false`, as for IsString below.
          C.not(C.isPresent(`$.${required.unless}`))
        : C.stringEquals(`$.${required.when}`, required.equals);
    invalidWhen = C.or(
      C.and(wanted, C.not(validValue(field, path, deployed))),
      C.and(C.not(wanted), C.isPresent(path)),
    );
  } else {
    invalidWhen = required
      ? C.not(validValue(field, path, deployed))
      : givenButInvalid(field, path, deployed);
  }
  return {
    stateName: `Invalid${pascal(field.name)}`,
    invalidWhen,
    cause: fieldRule(field, deployed),
  };
};

/**
 * The ValidateInput Choice: one rule per input field of `runbook`, in registry order. Each
 * failing rule ends in its Fail state (`InvalidInput`); the caller adds where valid input goes
 * (`.otherwise(...)`).
 */
export const validateInput = (
  scope: Construct,
  runbook: RunbookDefinition,
  deployed: DeployedNames,
): sfn.Choice => {
  const choice = sfn.Choice.jsonPath(scope, 'ValidateInput', { stateName: 'ValidateInput' });
  for (const rule of runbook.input.map((field) => inputRuleFor(field, deployed))) {
    choice.when(
      rule.invalidWhen,
      sfn.Fail.jsonPath(scope, rule.stateName, {
        stateName: rule.stateName,
        error: 'InvalidInput',
        cause: rule.cause,
      }),
    );
  }
  return choice;
};
