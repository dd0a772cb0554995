import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';

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

/** The optional fields every runbook takes: an incident to report to and a reason. */
export const INCIDENT_ID_RULE: InputRule = {
  stateName: 'InvalidIncidentId',
  invalidWhen: invalidOptional('$.incidentId', 'inc-*'),
  cause: 'input.incidentId, when given, must be an incident id such as inc-20250101T1200-0a1b2c3d',
};
export const REASON_RULE: InputRule = {
  stateName: 'InvalidReason',
  // Not(IsString) rather than `IsString: false` (Condition.isNotString): aws-local-stepfunctions
  // 3 never matches the latter, so local runs could not exercise the rule.
  invalidWhen: C.and(C.isPresent('$.reason'), C.not(C.isString('$.reason'))),
  cause: 'input.reason, when given, must be a string',
};

/** `alarmName`, when given, must name one of the shop's alarms (`<namePrefix>-…`). */
export const alarmNameRule = (namePrefix: string): InputRule => ({
  stateName: 'InvalidAlarmName',
  invalidWhen: invalidOptional('$.alarmName', `${namePrefix}-*`),
  cause: `input.alarmName, when given, must name one of the shop's alarms (${namePrefix}-...)`,
});

/**
 * The ValidateInput Choice: `rules` for the runbook's own fields, then incidentId, `optional`
 * (e.g. alarmName) and reason. Each failing rule ends in its Fail state (`InvalidInput`); the
 * caller adds where valid input goes (`.otherwise(...)`).
 */
export const validateInput = (
  scope: Construct,
  rules: readonly InputRule[],
  optional: readonly InputRule[] = [],
): sfn.Choice => {
  const choice = sfn.Choice.jsonPath(scope, 'ValidateInput', { stateName: 'ValidateInput' });
  for (const rule of [...rules, INCIDENT_ID_RULE, ...optional, REASON_RULE]) {
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
