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
export const requireIntegerEnv = (name: string, min: number): number => {
  const raw = requireEnv(name);
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new Error(
      `Environment variable ${name} must be a whole number of at least ${min}, not "${raw}". ` +
        `Set ${name} on the Lambda function (the CDK construct wires it).`,
    );
  }
  return value;
};
