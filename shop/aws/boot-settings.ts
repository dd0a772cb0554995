import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParametersCommand, type SSMClient } from '@aws-sdk/client-ssm';

/**
 * Where the shop's settings live in AWS, by name only (no value, no secret): the SSM parameters
 * the shop stack publishes (infra/stacks/shop-stack.ts publishEndpoints). The stack writes this
 * as JSON on the instance; `boot-environment.ts` turns it into the shop's environment at start.
 */
export interface BootParameters {
  /** SSM parameter holding the primary's endpoint address. */
  readonly databasePrimaryEndpoint: string;
  /** SSM parameters holding the read replicas' endpoint addresses, in the order they are tried. */
  readonly databaseReplicaEndpoints: readonly string[];
  /** SSM parameter holding the ARN of the RDS credentials secret (JSON: username, password). */
  readonly databaseCredentialsSecret: string;
  readonly databasePort: number;
  readonly databaseName: string;
  /** SSM parameter holding the cache's primary endpoint address. */
  readonly cachePrimaryEndpoint: string;
  /** SSM parameter holding the cache's port. */
  readonly cachePort: string;
  /** SSM parameter holding the ARN of the cache AUTH token secret (plain string). */
  readonly cacheAuthTokenSecret: string;
}

/** Every SSM parameter the boot reads (what the instance role must be allowed to get). */
export const parameterNames = (names: BootParameters): string[] => [
  names.databasePrimaryEndpoint,
  ...names.databaseReplicaEndpoints,
  names.databaseCredentialsSecret,
  names.cachePrimaryEndpoint,
  names.cachePort,
  names.cacheAuthTokenSecret,
];

export class BootSettingsError extends Error {
  override name = 'BootSettingsError';
}

/** GetParameters takes at most 10 names per call (SSM API reference, GetParameters Names). */
const GET_PARAMETERS_MAX = 10;

/**
 * Reads the parameters and the two secrets `names` points to and returns the shop's environment:
 * `SHOP_DATABASE_URL`, `SHOP_REPLICA_URLS` (comma-separated), `SHOP_REDIS_URL` (`rediss://`:
 * the cache requires TLS). Credentials are percent-encoded into the URLs. A parameter or secret
 * that is missing or malformed is one BootSettingsError naming it.
 */
export async function readShopEnvironment(
  names: BootParameters,
  ssm: SSMClient,
  secrets: SecretsManagerClient,
): Promise<Record<string, string>> {
  const parameters = await getParameters(ssm, parameterNames(names));
  const value = (name: string) => parameters.get(name) as string;
  const credentials = parseCredentials(
    names.databaseCredentialsSecret,
    await getSecret(secrets, value(names.databaseCredentialsSecret)),
  );
  const token = await getSecret(secrets, value(names.cacheAuthTokenSecret));
  const database = (host: string) =>
    `postgres://${encode(credentials.username)}:${encode(credentials.password)}@${host}:${names.databasePort}/${encode(names.databaseName)}`;
  return {
    SHOP_DATABASE_URL: database(value(names.databasePrimaryEndpoint)),
    SHOP_REPLICA_URLS: names.databaseReplicaEndpoints
      .map((name) => database(value(name)))
      .join(','),
    SHOP_REDIS_URL: `rediss://:${encode(token)}@${value(names.cachePrimaryEndpoint)}:${value(names.cachePort)}`,
  };
}

/** `KEY=value` lines for systemd's EnvironmentFile (values are percent-encoded URLs: no quoting). */
export const environmentFileText = (environment: Record<string, string>): string =>
  Object.entries(environment)
    .map(([key, value]) => `${key}=${value}\n`)
    .join('');

async function getParameters(ssm: SSMClient, names: string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const invalid: string[] = [];
  for (let start = 0; start < names.length; start += GET_PARAMETERS_MAX) {
    const batch = names.slice(start, start + GET_PARAMETERS_MAX);
    const reply = await ssm.send(new GetParametersCommand({ Names: batch }));
    for (const parameter of reply.Parameters ?? []) {
      if (parameter.Name !== undefined && parameter.Value !== undefined) {
        found.set(parameter.Name, parameter.Value);
      }
    }
    invalid.push(...(reply.InvalidParameters ?? []));
  }
  const missing = [...new Set([...invalid, ...names.filter((name) => !found.has(name))])];
  if (missing.length > 0) {
    throw new BootSettingsError(`SSM parameters not found: ${missing.join(', ')}`);
  }
  return found;
}

async function getSecret(secrets: SecretsManagerClient, arn: string): Promise<string> {
  const reply = await secrets.send(new GetSecretValueCommand({ SecretId: arn }));
  if (reply.SecretString === undefined || reply.SecretString === '') {
    throw new BootSettingsError(`secret ${arn} has no SecretString`);
  }
  return reply.SecretString;
}

function parseCredentials(parameter: string, text: string): { username: string; password: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const { username, password } = (parsed ?? {}) as Record<string, unknown>;
  if (typeof username !== 'string' || typeof password !== 'string') {
    // The secret's text is never repeated: it holds the password.
    throw new BootSettingsError(
      `the secret named by ${parameter} is not JSON with "username" and "password"`,
    );
  }
  return { username, password };
}

/** Percent-encodes everything but unreserved characters (RFC 3986), `!'()*` included. */
const encode = (text: string): string =>
  encodeURIComponent(text).replace(
    /[!'()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
