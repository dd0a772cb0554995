/**
 * What a cold start costs, measured: a handler bundled exactly as it deploys (infra/lambda-bundling.ts,
 * source map beside it), then loaded in fresh Node processes with the environment its template gives
 * it. The wall time of the whole process counts (Node's own start included), so the ratio to an empty
 * handler's process is what a cold start adds, and the runs of all modules are interleaved so that a
 * load on the machine slows them all alike.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BuildOptions, build } from 'esbuild';
import { LAMBDA_BUNDLING } from '../../infra/lambda-bundling.js';

/** Set by the Lambda runtime itself, not by the constructs. */
const RUNTIME_ENV = { AWS_REGION: 'us-east-1' } as const;

/** Bundles `entry` to `outfile` (.mjs) as ReboundFunction deploys it: minified ESM with a source map. */
export const bundleAsDeployed = async (entry: string, outfile: string): Promise<void> => {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: LAMBDA_BUNDLING.format,
    target: LAMBDA_BUNDLING.target,
    minify: LAMBDA_BUNDLING.minify,
    sourcemap: LAMBDA_BUNDLING.sourceMap,
    sourcesContent: LAMBDA_BUNDLING.sourcesContent,
    mainFields: [...LAMBDA_BUNDLING.mainFields],
    banner: { js: LAMBDA_BUNDLING.banner },
    alias: { ...LAMBDA_BUNDLING.alias },
    logLevel: 'error',
  });
};

/**
 * The naive anchor: a plain handler with Powertools Logger and one SDK v3 client, bundled as
 * anyone would at first (ESM, esbuild's defaults: not minified, CommonJS builds of the packages).
 */
const NAIVE_HANDLER = `
import { Logger } from '@aws-lambda-powertools/logger';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
const logger = new Logger({ serviceName: 'naive' });
const sns = new SNSClient({});
export const handler = async (event) => {
  logger.info('event', { event });
  await sns.send(new PublishCommand({ TopicArn: process.env.TOPIC_ARN, Message: 'hello' }));
};
`;

export const bundleNaiveAnchor = async (projectRoot: string, outfile: string): Promise<void> => {
  const options: BuildOptions = {
    stdin: { contents: NAIVE_HANDLER, resolveDir: projectRoot, loader: 'js' },
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    banner: { js: LAMBDA_BUNDLING.banner },
    logLevel: 'error',
  };
  await build(options);
};

/** One module to load cold: its file and the environment its function runs with. */
export interface LoadSubject {
  readonly name: string;
  readonly file: string;
  readonly env: Readonly<Record<string, string>>;
}

/** One cold load: wall time since the process started, and CPU time of all its threads, in ms. */
export interface LoadTime {
  readonly wallMs: number;
  readonly cpuMs: number;
}

/**
 * What the fresh process runs: imports the module given as its argument, as the Lambda runtime
 * imports a handler, and prints both times. `performance.now()` counts from the process's start.
 */
export const LOAD_PROBE = `await import(process.argv[2]);
const wallMs = performance.now();
const { user, system } = process.cpuUsage();
process.stdout.write(JSON.stringify({ wallMs, cpuMs: (user + system) / 1000 }));
`;

const loadOnce = (probe: string, subject: LoadSubject): LoadTime => {
  const result = spawnSync(process.execPath, [probe, pathToFileURL(subject.file).href], {
    // Only what Lambda would set: nothing of this shell (NODE_OPTIONS of tsx included).
    env: { ...RUNTIME_ENV, ...subject.env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (result.status !== 0) {
    throw new Error(`${subject.name} failed to load: ${result.stderr || result.error}`);
  }
  return JSON.parse(result.stdout) as LoadTime;
};

/**
 * `runs` cold loads per subject, through the probe script at `probe` (LOAD_PROBE). Round r loads
 * every subject once, in turn, before round r+1 starts: a burst of load on the machine falls on
 * every subject, not on one.
 */
export const measureLoads = (
  probe: string,
  subjects: readonly LoadSubject[],
  runs: number,
): Map<string, LoadTime[]> => {
  const times = new Map(subjects.map((subject) => [subject.name, [] as LoadTime[]]));
  for (let run = 0; run < runs; run += 1) {
    for (const subject of subjects) times.get(subject.name)?.push(loadOnce(probe, subject));
  }
  return times;
};

/** The module of an empty handler, written where the bundles go. */
export const EMPTY_HANDLER = 'export const handler = async () => undefined;\n';

export const bundlePath = (outdir: string, name: string): string =>
  path.join(outdir, `${name}.mjs`);
