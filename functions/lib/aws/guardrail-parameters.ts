import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { guardrailsReadPath, type ParsedGuardrails, parseGuardrails } from '../core/guardrails.js';
import { guardrailsAfterReadFailure } from './guardrail-read-failures.js';

/** People change guardrails by hand: a short cache lets a change bite within a minute. */
export const GUARDRAILS_MAX_AGE_SECONDS = 30;

export interface LoadGuardrailsOptions {
  /** Cache lifetime of the values read. @default 30 */
  readonly maxAgeSeconds?: number;
  /** Provider to read with (tests inject one over a mocked SSMClient). @default a shared SSMProvider */
  readonly provider?: SSMProvider;
  /** Called with the path when SSM cannot be read. @default the GuardrailReadFailures metric */
  readonly reportReadFailure?: (path: string) => void;
}

let sharedProvider: SSMProvider | undefined;
/** Created on first use, then shared, so its cache outlives one invocation. */
const defaultProvider = (): SSMProvider => {
  sharedProvider ??= new SSMProvider();
  return sharedProvider;
};

/**
 * Reads every guardrail under `path` (`guardrailParameterPath(stage)`) with one paginated
 * GetParametersByPath (cached) on `guardrailsReadPath(path)`, the path the role is granted,
 * keyed by name relative to the path. Never throws: when SSM cannot be read the guardrails take
 * the safe side, the first problem line says why and the GuardrailReadFailures metric counts it
 * (its alarm pages).
 */
export async function loadGuardrails(
  path: string,
  options: LoadGuardrailsOptions = {},
): Promise<ParsedGuardrails> {
  const readPath = guardrailsReadPath(path);
  try {
    const provider = options.provider ?? defaultProvider();
    const values = await provider.getMultiple(readPath, {
      maxAge: options.maxAgeSeconds ?? GUARDRAILS_MAX_AGE_SECONDS,
    });
    return parseGuardrails(values ?? {});
  } catch (error) {
    const why = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return guardrailsAfterReadFailure(readPath, why, options.reportReadFailure);
  }
}
