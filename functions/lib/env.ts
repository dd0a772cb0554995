/**
 * Reads a required environment variable.
 *
 * Call it at module scope so that a missing variable fails the Lambda at cold start (INIT)
 * with a message that says what to fix, instead of failing later inside a request.
 *
 * @throws Error when the variable is unset, empty or only whitespace.
 */
export const requireEnv = (name: string): string => {
  const value = process.env[name];
  if (value === undefined || value.trim() === '') {
    throw new Error(
      `Missing required environment variable ${name}: it is ${value === undefined ? 'not set' : 'empty'}. ` +
        `Set ${name} on the Lambda function (the CDK construct wires it).`,
    );
  }
  return value;
};

/**
 * Reads a required environment variable holding a whole number of at least `min`.
 *
 * @throws Error when the variable is missing or not such a number, naming it and its value.
 */
export const requireIntegerEnv = (name: string, min: number): number =>
  wholeNumber(name, requireEnv(name), min);

/**
 * The environment one Lambda function reads: its variables with an example value each. The
 * CDK construct sets them through {@link Environment.values} (every variable, nothing else),
 * the handler reads them through {@link Environment.read} at module scope, and `npm run bench`
 * loads the bundle with the examples.
 */
export interface Environment<K extends string> {
  /** An example value per variable, as a deploy would set it (placeholders, never secrets). */
  readonly example: Readonly<Record<K, string>>;
  /** The variables as the construct passes them to the function: all of them, typed. */
  values(values: Readonly<Record<K, string>>): Record<K, string>;
  /** Every variable from `process.env`; throws naming the first missing one. */
  read(): Readonly<Record<K, string>>;
}

export const defineEnvironment = <const K extends string>(
  example: Readonly<Record<K, string>>,
): Environment<K> => {
  const names = Object.keys(example) as K[];
  return {
    example,
    values: (values) =>
      Object.fromEntries(names.map((name) => [name, values[name]])) as Record<K, string>,
    read: () =>
      Object.fromEntries(names.map((name) => [name, requireEnv(name)])) as Record<K, string>,
  };
};

/** `value` of variable `name` as a whole number of at least `min`, or an error naming both. */
export const wholeNumber = (name: string, value: string, min: number): number => {
  const number = Number(value);
  if (!Number.isInteger(number) || number < min) {
    throw new Error(
      `Environment variable ${name} must be a whole number of at least ${min}, not "${value}". ` +
        `Set ${name} on the Lambda function (the CDK construct wires it).`,
    );
  }
  return number;
};
