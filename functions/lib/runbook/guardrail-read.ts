import { guardrailsAfterReadFailure } from '../aws/guardrail-read-failures.js';
import { guardrailsReadPath, type ParsedGuardrails, parseGuardrails } from '../core/guardrails.js';
import { GUARDRAIL_READ_KEY } from './state-paths.js';

/**
 * The guardrails a check or recheck step was handed by its state machine: the runbook reads
 * them itself with one SSM GetParameters call right before the step (runbooks/kit/
 * guardrail-read.ts), so the step Lambdas carry no SSM client and the kill switch is as fresh
 * as the step. The payload's `guardrailRead` is either the call's `{ parameters }` (SSM's
 * `Parameters`: `Name`, `Value`) or, when the call failed, the Catch's `{ Error, Cause }`.
 * Either way it parses as the SSM reader does (functions/lib/aws/guardrail-parameters.ts): a
 * failed or missing read takes the safe side, says why and counts a GuardrailReadFailures.
 */

interface ReadParameter {
  readonly Name: string;
  readonly Value: string;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

const isParameter = (value: unknown): value is ReadParameter =>
  isObject(value) && typeof value.Name === 'string' && typeof value.Value === 'string';

/** The guardrails in `payload` (a step's event) for the guardrails under `path`. */
export const guardrailsFromRead = (
  payload: unknown,
  path: string,
  reportReadFailure?: (path: string) => void,
): ParsedGuardrails => {
  const readPath = guardrailsReadPath(path);
  const read = isObject(payload) ? payload[GUARDRAIL_READ_KEY] : undefined;
  if (isObject(read) && Array.isArray(read.parameters) && read.parameters.every(isParameter)) {
    // Names relative to the path, as GetParametersByPath's reader keys them.
    const prefix = `${readPath}/`;
    const values = Object.fromEntries(
      read.parameters
        .filter((parameter) => parameter.Name.startsWith(prefix))
        .map((parameter) => [parameter.Name.slice(prefix.length), parameter.Value]),
    );
    return parseGuardrails(values);
  }
  const why =
    isObject(read) && typeof read.Error === 'string'
      ? `${read.Error}: ${typeof read.Cause === 'string' ? read.Cause : ''}`
      : `the state machine passed no ${GUARDRAIL_READ_KEY}`;
  return guardrailsAfterReadFailure(readPath, why, reportReadFailure);
};
