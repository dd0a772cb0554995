import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { constants, gunzipSync } from 'node:zlib';
import { javaServiceName } from './java-sdk-names.js';

/**
 * AWS's own service models, as botocore ships them (the machine's Python): one folder per
 * service under `botocore/data/`, one sub-folder per API version holding `service-2.json` or
 * `service-2.json.gz`. The SDK-integration check reads them; nothing here calls AWS.
 */

/** The parts of a botocore shape the checks read. */
export interface ModelShape {
  readonly type: string;
  readonly members?: Readonly<Record<string, { readonly shape: string }>>;
  readonly required?: readonly string[];
  /** A list's element. */
  readonly member?: { readonly shape: string };
  /** A map's value. */
  readonly value?: { readonly shape: string };
}

export interface ModelOperation {
  readonly name: string;
  readonly input?: { readonly shape: string };
  readonly output?: { readonly shape: string; readonly resultWrapper?: string };
  readonly errors?: readonly { readonly shape: string }[];
}

export interface ServiceModel {
  readonly metadata: {
    readonly serviceId: string;
    readonly apiVersion: string;
    readonly endpointPrefix: string;
    readonly signingName?: string;
  };
  readonly operations: Readonly<Record<string, ModelOperation>>;
  readonly shapes: Readonly<Record<string, ModelShape>>;
}

/** botocore is missing or unreadable: the message is one line saying how to install it. */
export class BotocoreMissingError extends Error {
  override readonly name = 'BotocoreMissingError';
}

export const BOTOCORE_INSTALL_HINT =
  'botocore (the AWS service models the SDK-integration check reads) is not installed for python3: run "pip install botocore"';

/** `botocore/data` of the machine's python3, or a BotocoreMissingError. */
export const botocoreDataDir = (python = 'python3'): string => {
  let packageDir: string;
  try {
    packageDir = execFileSync(
      python,
      ['-c', 'import botocore, os; print(os.path.dirname(botocore.__file__))'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 30_000 },
    ).trim();
  } catch {
    throw new BotocoreMissingError(BOTOCORE_INSTALL_HINT);
  }
  const dataDir = path.join(packageDir, 'data');
  if (!existsSync(dataDir)) throw new BotocoreMissingError(BOTOCORE_INSTALL_HINT);
  return dataDir;
};

/** The newest API version's service-2.json(.gz) of one botocore service folder. */
const newestModelFile = (serviceDir: string): string | undefined => {
  // API versions are ISO dates (2014-10-31): the lexical order is the chronological one.
  const versions = readdirSync(serviceDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  for (const version of versions.reverse()) {
    for (const file of ['service-2.json', 'service-2.json.gz']) {
      const candidate = path.join(serviceDir, version, file);
      if (existsSync(candidate)) return candidate;
    }
  }
  return undefined;
};

const readModelText = (file: string, headOnly = false): string => {
  const bytes = readFileSync(file);
  if (!file.endsWith('.gz')) return bytes.toString('utf8');
  // The metadata opens the file: the first compressed kilobytes are enough to read serviceId.
  return headOnly
    ? gunzipSync(bytes.subarray(0, 4096), { finishFlush: constants.Z_SYNC_FLUSH }).toString('utf8')
    : gunzipSync(bytes).toString('utf8');
};

/**
 * Service models by the name Step Functions gives the service in a Task resource (the Java
 * SDK's service name, lowered: `rds`, `elasticloadbalancingv2`, `arczonalshift`), read lazily.
 */
export class BotocoreModels {
  readonly #dataDir: string;
  #index: ReadonlyMap<string, string> | undefined;
  readonly #models = new Map<string, ServiceModel>();

  constructor(dataDir: string) {
    this.#dataDir = dataDir;
  }

  /** The model of Step Functions service `service`, or undefined when botocore has none. */
  model(service: string): ServiceModel | undefined {
    const cached = this.#models.get(service);
    if (cached !== undefined) return cached;
    const file = this.#serviceFiles().get(service);
    if (file === undefined) return undefined;
    const model = JSON.parse(readModelText(file)) as ServiceModel;
    this.#models.set(service, model);
    return model;
  }

  /** Step Functions service name → model file, from every model's `serviceId`. */
  #serviceFiles(): ReadonlyMap<string, string> {
    if (this.#index !== undefined) return this.#index;
    const index = new Map<string, string>();
    for (const entry of readdirSync(this.#dataDir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const file = newestModelFile(path.join(this.#dataDir, entry.name));
      if (file === undefined) continue;
      const serviceId = /"serviceId"\s*:\s*"([^"]+)"/.exec(readModelText(file, true))?.[1];
      if (serviceId !== undefined) index.set(javaServiceName(serviceId).toLowerCase(), file);
    }
    this.#index = index;
    return index;
  }
}
