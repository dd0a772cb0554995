import { createRequire } from 'node:module';

/**
 * ASL schema check with an independent validator, asl-validator (JSON schemas of the States
 * Language, transitions, terminal states, duplicate names, Task ARNs, JSONPath syntax), run on
 * a state machine's definition as synthesized.
 *
 * One false positive, named: asl-validator's path grammar (asl-path-validator) does not parse
 * JSONPath filter expressions that compare a nested member (`[?(@.TargetHealth.State ==
 * 'healthy')]`) or join conditions (`&&`). Step Functions evaluates the `.$` fields of
 * Parameters and ResultSelector as full JsonPath (only reference paths such as ResultPath
 * exclude `@` and `?`: https://docs.aws.amazon.com/step-functions/latest/dg/amazon-states-language-paths.html),
 * and the runbooks use such filters to pick healthy targets and in-service instances. Such a
 * field has its filters replaced by `[*]` and is validated again, so the rest of its path is
 * still checked; ValidateStateMachineDefinition (`npm run verify-deploy`) checks the filters
 * on AWS itself.
 */

interface AslValidationError {
  readonly 'Error code': string;
  readonly Message: string;
  readonly schemaError?: { readonly instancePath: string };
}

type AslValidator = (
  definition: unknown,
  options?: { readonly checkPaths: boolean; readonly checkArn: boolean },
) => { readonly isValid: boolean; readonly errors: readonly AslValidationError[] };

// asl-validator is CommonJS without typings: its README's API, typed here.
const validateAsl = createRequire(import.meta.url)('asl-validator') as AslValidator;

export interface AslSchemaResult {
  /** One line per error asl-validator reports (none: the definition is valid). */
  readonly errors: readonly string[];
  /** JSON pointers of the fields whose JSONPath filters were taken as the known false positive. */
  readonly toleratedFilters: readonly string[];
}

const FILTER = /\[\?\(.*?\)\]/g;
const PAYLOAD_TEMPLATE_FORMAT = 'must match format "asl_payload_template"';

const pointerSegments = (pointer: string): string[] =>
  pointer
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));

/** The container and key a JSON pointer designates in `root`, when both exist. */
const locate = (
  root: unknown,
  pointer: string,
): { readonly parent: Record<string, unknown>; readonly key: string } | undefined => {
  const segments = pointerSegments(pointer);
  const key = segments.pop();
  let parent: unknown = root;
  for (const segment of segments) {
    parent = (parent as Record<string, unknown> | undefined)?.[segment];
  }
  if (key === undefined || typeof parent !== 'object' || parent === null) return undefined;
  return { parent: parent as Record<string, unknown>, key };
};

/** Validates `definition` (left untouched) and returns its errors and tolerated filters. */
export const checkAslSchema = (definition: unknown): AslSchemaResult => {
  const candidate = structuredClone(definition);
  const toleratedFilters: string[] = [];
  for (;;) {
    // asl-validator writes a default QueryLanguage into the states it is given: give it a copy.
    const { errors } = validateAsl(structuredClone(candidate), {
      checkPaths: true,
      checkArn: true,
    });
    const falsePositive = errors
      .filter((error) => error.Message.includes(PAYLOAD_TEMPLATE_FORMAT))
      .map((error) => ({
        pointer: error.schemaError?.instancePath ?? '',
        at: locate(candidate, error.schemaError?.instancePath ?? ''),
      }))
      .find(({ at }) => {
        const value = at?.parent[at.key];
        return typeof value === 'string' && value.includes('[?(');
      });
    if (falsePositive?.at === undefined) {
      return {
        errors: errors.map((error) => `${error['Error code']}: ${error.Message}`),
        toleratedFilters,
      };
    }
    const { parent, key } = falsePositive.at;
    parent[key] = String(parent[key]).replace(FILTER, '[*]');
    toleratedFilters.push(falsePositive.pointer);
  }
};
