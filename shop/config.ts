import { readFileSync, statSync } from 'node:fs';

/**
 * The shop's settings, from the environment. A wrong value stops the start with one line that
 * names the variable and what it expects.
 */

export interface ShopConfig {
  readonly host: string;
  readonly port: number;
  /** The primary's endpoint (writes, checkout). */
  readonly primaryUrl: string;
  /** Read replica endpoints, tried in order before the primary. */
  readonly replicaUrls: readonly string[];
  /** Redis primary endpoint; absent → no cache, carts in PostgreSQL. */
  readonly redisUrl: string | undefined;
  /** Guards the price-change API; absent → the API is off. */
  readonly adminToken: string | undefined;
  /**
   * PEM certificates the database servers' certificates must chain to (the RDS CA bundle in
   * AWS). Set → every database connection is TLS, verified against them and the host name;
   * absent → plain connections (local servers).
   */
  readonly databaseCa?: string | undefined;
  /**
   * The folder of the static files (`SHOP_STATIC_DIR`: the bundle's copy on an instance);
   * absent → shop/static of the source tree.
   */
  readonly staticDir?: string;
  /**
   * The CloudWatch agent's EMF listener and the web group the metrics name
   * (`SHOP_EMF_ENDPOINT`, `SHOP_AUTO_SCALING_GROUP`); absent → only /metrics.
   */
  readonly metrics?: {
    readonly host: string;
    readonly port: number;
    readonly autoScalingGroupName: string;
  };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const url = (name: string, value: string, schemes: readonly string[]): string => {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(
      `${name}="${value}" is not a URL: expected ${schemes[0]}://host:port/...`,
    );
  }
  if (!schemes.includes(parsed.protocol.replace(/:$/, ''))) {
    throw new ConfigError(
      `${name}="${value}" must start with ${schemes.map((s) => `${s}://`).join(' or ')}`,
    );
  }
  return value;
};

const certificates = (name: string, file: string | undefined): string | undefined => {
  if (file === undefined || file === '') return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`${name}="${file}" cannot be read: ${(error as Error).message}`);
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) {
    throw new ConfigError(`${name}="${file}" holds no PEM certificate`);
  }
  return text;
};

/** A folder the shop can read: a wrong one is this line at start, not a stack trace from the app. */
const staticDir = (dir: string): string => {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch (error) {
    throw new ConfigError(`SHOP_STATIC_DIR="${dir}" cannot be read: ${(error as Error).message}`);
  }
  if (!isDirectory) {
    throw new ConfigError(`SHOP_STATIC_DIR="${dir}" is not a folder (the shop's static/ files)`);
  }
  return dir;
};

/** Both variables or neither: metrics without the group's name would match no alarm. */
const metricsFrom = (env: NodeJS.ProcessEnv): ShopConfig['metrics'] => {
  const endpoint = env.SHOP_EMF_ENDPOINT ?? '';
  const group = env.SHOP_AUTO_SCALING_GROUP ?? '';
  if (endpoint === '' && group === '') return undefined;
  if (endpoint === '' || group === '')
    throw new ConfigError(
      'SHOP_EMF_ENDPOINT and SHOP_AUTO_SCALING_GROUP go together: the agent endpoint (tcp://127.0.0.1:25888) and the web group the metrics name',
    );
  const parsed = new URL(url('SHOP_EMF_ENDPOINT', endpoint, ['tcp']));
  const port = Number(parsed.port);
  if (parsed.hostname === '' || !Number.isInteger(port) || port < 1)
    throw new ConfigError(`SHOP_EMF_ENDPOINT="${endpoint}" must be tcp://host:port`);
  return { host: parsed.hostname, port, autoScalingGroupName: group };
};

export const configFromEnv = (env: NodeJS.ProcessEnv): ShopConfig => {
  const primary = env.SHOP_DATABASE_URL;
  if (primary === undefined || primary === '') {
    throw new ConfigError(
      'SHOP_DATABASE_URL is not set: the primary, e.g. postgres://user@host:5432/shop',
    );
  }
  const port = Number(env.SHOP_PORT ?? '8080');
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new ConfigError(`SHOP_PORT="${env.SHOP_PORT}" must be a port number (0-65535)`);
  }
  const pgSchemes = ['postgres', 'postgresql'];
  return {
    host: env.SHOP_HOST ?? '127.0.0.1',
    port,
    primaryUrl: url('SHOP_DATABASE_URL', primary, pgSchemes),
    replicaUrls: (env.SHOP_REPLICA_URLS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '')
      .map((s) => url('SHOP_REPLICA_URLS', s, pgSchemes)),
    redisUrl:
      env.SHOP_REDIS_URL === undefined || env.SHOP_REDIS_URL === ''
        ? undefined
        : url('SHOP_REDIS_URL', env.SHOP_REDIS_URL, ['redis', 'rediss']),
    adminToken: env.SHOP_ADMIN_TOKEN === '' ? undefined : env.SHOP_ADMIN_TOKEN,
    databaseCa: certificates('SHOP_DATABASE_CA_FILE', env.SHOP_DATABASE_CA_FILE),
    metrics: metricsFrom(env),
    ...(env.SHOP_STATIC_DIR ? { staticDir: staticDir(env.SHOP_STATIC_DIR) } : {}),
  };
};
