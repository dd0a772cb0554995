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
import { bundleLambda, LAMBDA_BUNDLING, PROJECT_ROOT } from '../../infra/lambda-bundling.js';
import { bytesOf, codeOutputs, dynamicChunks, entryOutput, loadedWith } from './chunks.js';
import type { FirstEvent } from './first-event.js';

/** Set by the Lambda runtime itself, not by the constructs. */
const RUNTIME_ENV = { AWS_REGION: 'us-east-1' } as const;

/** A handler bundled as it deploys: its entry module, and what it loads and ships. */
export interface DeployedBundle {
  /** Absolute path of the module Lambda loads. */
  readonly entryFile: string;
  /** The chunks a typical first event loads before its alert (absolute paths). */
  readonly firstEventFiles: readonly string[];
  /** The chunks it loads after its alert, by the rest of the event (absolute paths). */
  readonly afterAlertFiles: readonly string[];
  readonly entryKb: number;
  /** The entry and the chunks a typical first event loads before its alert, shared ones included. */
  readonly firstEventKb: number;
  /** The entry and every chunk the whole first event loads. */
  readonly wholeEventKb: number;
  /** Every module in the deployed package. */
  readonly shippedKb: number;
}

/**
 * Bundles `entry` into `outdir` exactly as ReboundFunction deploys it (infra/lambda-bundling.ts:
 * minified ESM, source maps, code splitting). `firstEvent` names the modules (paths from the
 * project root) that a typical first event imports dynamically, before and after its alert; a
 * bundle that has chunks of its own must be listed (with empty lists when its first event loads
 * none of them), so that the cost they defer to the first event is measured and printed, never
 * hidden.
 */
export const bundleAsDeployed = (
  entry: string,
  outdir: string,
  firstEvent?: FirstEvent,
): DeployedBundle => {
  const metafile = bundleLambda(entry, outdir);
  const absolute = (output: string) => path.resolve(PROJECT_ROOT, output);
  const entryOutputFile = entryOutput(metafile);
  const chunks = dynamicChunks(metafile);
  const projectChunks = [...chunks.keys()].filter((source) => !source.includes('node_modules/'));
  const chunksOf = (sources: readonly string[] = []) =>
    sources.map((source) => {
      const chunk = chunks.get(source);
      if (chunk === undefined) {
        throw new Error(`${entry}: ${source} is not imported dynamically by this bundle`);
      }
      return chunk;
    });
  const beforeAlert = chunksOf(firstEvent?.beforeAlert);
  const afterAlert = chunksOf(firstEvent?.afterAlert);
  // A chunk no first event loads is fine, but it must be a choice: the lists (empty, if need be)
  // say which ones load.
  if (firstEvent === undefined && projectChunks.length > 0) {
    throw new Error(
      `${entry} loads ${projectChunks.join(', ')} on demand: name what a typical first event loads (sandbox/bench/first-event.ts)`,
    );
  }
  const atStart = loadedWith(metafile, [entryOutputFile]);
  const withFirstEvent = loadedWith(metafile, [entryOutputFile, ...beforeAlert]);
  const withWholeEvent = loadedWith(metafile, [entryOutputFile, ...beforeAlert, ...afterAlert]);
  return {
    entryFile: absolute(entryOutputFile),
    firstEventFiles: beforeAlert.map(absolute),
    afterAlertFiles: afterAlert.map(absolute),
    entryKb: bytesOf(metafile, atStart) / 1024,
    firstEventKb: bytesOf(metafile, withFirstEvent) / 1024,
    wholeEventKb: bytesOf(metafile, withWholeEvent) / 1024,
    shippedKb: bytesOf(metafile, codeOutputs(metafile)) / 1024,
  };
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
  /** Loaded after `file`, in the same process: the chunks a typical first event loads before its alert. */
  readonly firstEventFiles?: readonly string[];
  /** Loaded after those: the chunks the rest of that event loads. */
  readonly afterAlertFiles?: readonly string[];
}

/**
 * One cold load, in ms: wall time since the process started and CPU time of all its threads
 * when the module is loaded; wall time when the chunks a first event loads before its alert are
 * loaded too, and when those of the whole event are.
 */
export interface LoadTime {
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly firstEventWallMs: number;
  readonly wholeEventWallMs: number;
}

/**
 * What the fresh process runs: imports the module given as its second argument, as the Lambda
 * runtime imports a handler, takes both times, then imports the next `count` arguments (the
 * chunks a first event loads before its alert, as its dynamic imports would; `count` is the first
 * argument) and takes the wall time again, then the rest (the chunks loaded after the alert) and takes the
 * wall time once more. `performance.now()` counts from the process's start.
 */
export const LOAD_PROBE = `const cpuMs = () => { const { user, system } = process.cpuUsage(); return (user + system) / 1000; };
const [count, entry, ...chunks] = process.argv.slice(2);
await import(entry);
const wallMs = performance.now();
const loadCpuMs = cpuMs();
for (const chunk of chunks.slice(0, Number(count))) await import(chunk);
const firstEventWallMs = performance.now();
for (const chunk of chunks.slice(Number(count))) await import(chunk);
process.stdout.write(JSON.stringify({ wallMs, cpuMs: loadCpuMs, firstEventWallMs, wholeEventWallMs: performance.now() }));
`;

const loadOnce = (probe: string, subject: LoadSubject): LoadTime => {
  const beforeAlert = subject.firstEventFiles ?? [];
  const modules = [subject.file, ...beforeAlert, ...(subject.afterAlertFiles ?? [])];
  const result = spawnSync(
    process.execPath,
    [probe, String(beforeAlert.length), ...modules.map((file) => pathToFileURL(file).href)],
    {
      // Only what Lambda would set: nothing of this shell (NODE_OPTIONS of tsx included).
      env: { ...RUNTIME_ENV, ...subject.env },
      encoding: 'utf8',
      timeout: 30_000,
    },
  );
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
