/**
 * The names Step Functions' AWS SDK integrations use, derived from a botocore service model the
 * way the AWS SDK for Java 2.x code generator derives its own (Step Functions runs these calls
 * through that SDK: "Parameters in Step Functions are expressed in PascalCase", RDS
 * `DBInstanceIdentifier` is `DbInstanceIdentifier`, an `Equals` field is `EqualsValue`, errors
 * are `ServiceName.ErrorName` with an `Exception` suffix —
 * https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html).
 *
 * The rules below are transcribed from aws/aws-sdk-java-v2:
 * - codegen/.../naming/DefaultNamingStrategy.java: getServiceName, getExceptionName,
 *   getFluentGetterMethodName + rewriteInvalidMemberName (reserved names get a `Value` suffix);
 * - codegen/.../internal/Utils.java: unCapitalize (a leading acronym is lowered as one word);
 * - utils/.../internal/CodegenNamingUtils.java: splitOnWordBoundaries, pascalCase.
 * Per-service customizations of the Java SDK (shape renames in customization.config) are not
 * modelled: none touches the operations Rebound calls (RDS's, for one, only injects members).
 */

/** `CodegenNamingUtils.splitOnWordBoundaries`. */
export const splitOnWordBoundaries = (text: string): string[] =>
  text
    .replace(/[^A-Za-z0-9]+/g, ' ')
    .replace(/([^a-z]{2,})v([0-9]+)/g, '$1 v$2 ')
    .replace(/([^A-Z]{2,})V([0-9]+)/g, '$1 V$2 ')
    .split(/(?<=[a-z])(?=[A-Z]([a-zA-Z]|[0-9]))/)
    // split() also returns the lookahead's capture group: keep the words only.
    .filter((part, index) => index % 2 === 0 && part !== undefined)
    .join(' ')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/([0-9])([a-zA-Z])/g, '$1 $2')
    .replace(/ +/g, ' ')
    .trim()
    .split(' ');

const capitalize = (word: string): string => word.charAt(0).toUpperCase() + word.slice(1);

/** `CodegenNamingUtils.pascalCase`: each word lowered, then capitalized. */
export const pascalCase = (text: string): string =>
  splitOnWordBoundaries(text)
    .map((word) => capitalize(word.toLowerCase()))
    .join('');

/**
 * `Utils.unCapitalize`: lowers the first character and every following capital that is not the
 * start of the next word (`DBInstanceIdentifier` → `dbInstanceIdentifier`, `ARN` → `arn`).
 */
export const unCapitalize = (name: string): string => {
  let index = 0;
  let lowered = '';
  do {
    lowered += name.charAt(index++).toLowerCase();
  } while (
    index < name.length &&
    /[A-Z]/.test(name.charAt(index)) &&
    !(index < name.length - 1 && /[a-z]/.test(name.charAt(index + 1)))
  );
  return lowered + name.slice(index);
};

/** Java keywords and the methods every generated request class has (DefaultNamingStrategy). */
const RESERVED_MEMBER_NAMES = new Set([
  ...[
    'abstract',
    'assert',
    'boolean',
    'break',
    'byte',
    'case',
    'catch',
    'char',
    'class',
    'const',
    'continue',
    'default',
    'do',
    'double',
    'else',
    'enum',
    'extends',
    'false',
    'final',
    'finally',
    'float',
    'for',
    'goto',
    'if',
    'implements',
    'import',
    'instanceof',
    'int',
    'interface',
    'long',
    'native',
    'new',
    'null',
    'package',
    'private',
    'protected',
    'public',
    'return',
    'short',
    'static',
    'strictfp',
    'super',
    'switch',
    'synchronized',
    'this',
    'throw',
    'throws',
    'transient',
    'true',
    'try',
    'void',
    'volatile',
    'while',
  ],
  ...['equals', 'finalize', 'getClass', 'hashCode', 'notify', 'notifyAll', 'toString', 'wait'],
  ...['builder', 'sdkFields', 'toBuilder', 'overrideConfiguration', 'sdkHttpResponse'],
]);

/**
 * The field name Step Functions takes for a model member (the Java bean property, capitalized):
 * `DBInstanceIdentifier` → `DbInstanceIdentifier`, `resourceIdentifier` → `ResourceIdentifier`,
 * `Equals` → `EqualsValue`, `NULL` → `NullValue`.
 */
export const stepFunctionsFieldName = (memberName: string): string => {
  const property = unCapitalize(memberName);
  const reserved =
    RESERVED_MEMBER_NAMES.has(property) || RESERVED_MEMBER_NAMES.has(property.toLowerCase());
  return capitalize(reserved ? unCapitalize(`${property}Value`) : property);
};

/**
 * `getServiceName`: the service's `serviceId` in PascalCase without a leading Amazon/Aws or a
 * trailing Service: the error prefix (`Rds`, `ElastiCache`, `AutoScaling`, `ArcZonalShift`);
 * lowered, the service name of the Task resource (`arn:aws:states:::aws-sdk:rds:…`).
 */
export const javaServiceName = (serviceId: string): string =>
  pascalCase(serviceId)
    .replace(/^Amazon/, '')
    .replace(/^Aws/, '')
    .replace(/Service$/, '');

/** `getExceptionName`: `DBInstanceNotFoundFault` → `DbInstanceNotFoundException`. */
export const javaExceptionName = (errorShape: string): string => {
  if (errorShape.endsWith('Fault')) return `${pascalCase(errorShape.slice(0, -5))}Exception`;
  if (errorShape.endsWith('Exception')) return pascalCase(errorShape);
  return `${pascalCase(errorShape)}Exception`;
};

/** The Task resource's action for an operation: `RebootDBInstance` → `rebootDBInstance`. */
export const stepFunctionsActionName = (operationName: string): string =>
  unCapitalize(operationName);
