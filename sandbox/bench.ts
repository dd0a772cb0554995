/**
 * `npm run bench`: what a cold start costs and how fast the triage core is, measured, not
 * guessed. For each Lambda handler in functions/: bundle size (bundled exactly as it deploys)
 * and module-load time in a fresh Node process, next to an empty handler's; then the triage
 * core's throughput over the AWS sample events (in memory, no AWS).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { classify } from '../functions/lib/core/classify.js';
import {
  DEFAULT_GUARDRAILS,
  guardrailParameterValues,
  parseGuardrails,
} from '../functions/lib/core/guardrails.js';
import type { ShopInventory } from '../functions/lib/core/inventory.js';
import { triageSignal } from '../functions/lib/core/triage.js';
import type { Environment } from '../functions/lib/env.js';
import { FUNCTION_ENVIRONMENTS } from '../functions/lib/environments.js';
import { parseIncomingEvent } from '../functions/lib/events/index.js';
import { MemoryActionLedger, MemoryIncidentStore } from '../functions/lib/memory-store.js';
import { LAMBDA_BUNDLING } from '../infra/lambda-bundling.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const LOAD_RUNS = 7;
const THROUGHPUT_ROUNDS = 200;

/** Set by the Lambda runtime itself, not by the constructs. */
const RUNTIME_ENV = { AWS_REGION: 'us-east-1' };
const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

const bundle = async (name: string, entry: string, outdir: string): Promise<string> => {
  const outfile = path.join(outdir, `${name}.mjs`);
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: LAMBDA_BUNDLING.format,
    target: LAMBDA_BUNDLING.target,
    minify: LAMBDA_BUNDLING.minify,
    mainFields: [...LAMBDA_BUNDLING.mainFields],
    banner: { js: LAMBDA_BUNDLING.banner },
    logLevel: 'error',
  });
  return outfile;
};

/** Milliseconds to import `file` in a fresh Node process (median of LOAD_RUNS). */
const loadTime = (file: string, env: Readonly<Record<string, string>> = {}): number => {
  const probe = `const t=performance.now();await import(${JSON.stringify(file)});console.log(performance.now()-t);`;
  const runs = Array.from({ length: LOAD_RUNS }, () =>
    Number(
      execFileSync(process.execPath, ['--input-type=module', '-e', probe], {
        env: { ...process.env, ...RUNTIME_ENV, ...env },
        encoding: 'utf8',
      }).trim(),
    ),
  );
  return median(runs);
};

const fixtureEvents = (): unknown[] => {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.json')) files.push(full);
    }
  };
  walk(path.join(root, 'test/fixtures/events'));
  return files.map((file) => JSON.parse(readFileSync(file, 'utf8')) as unknown);
};

const throughput = async (): Promise<{ events: number; perSecond: number }> => {
  const events = fixtureEvents().flatMap((raw) => {
    const parsed = parseIncomingEvent(raw);
    return parsed.ok ? parsed.events : [];
  });
  const inventory: ShopInventory = {
    region: 'us-east-1',
    namePrefix: 'rebound-bench',
    autoScalingGroupName: 'rebound-bench-web',
    primaryDbInstanceId: 'rebound-bench-db',
    replicaDbInstanceIds: [],
    cacheReplicationGroupId: 'rebound-bench-cache',
    runbookStateMachineNames: [],
    availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
    azIdToName: {},
    assumeOwned: true,
  };
  const guardrails = parseGuardrails(guardrailParameterValues(DEFAULT_GUARDRAILS));
  let clock = Date.parse('2026-11-26T00:00:00Z');
  const started = performance.now();
  let count = 0;
  for (let round = 0; round < THROUGHPUT_ROUNDS; round += 1) {
    // A fresh store per round: every round opens, joins and resolves incidents again.
    const deps = {
      stage: 'bench',
      region: 'us-east-1',
      store: new MemoryIncidentStore(),
      ledger: new MemoryActionLedger(),
      guardrails: async () => guardrails,
      runbooks: {
        start: async (runbook: string, executionName: string) => ({
          status: 'started' as const,
          executionArn: `arn:aws:states:us-east-1:123456789012:execution:${runbook}:${executionName}`,
        }),
      },
      alerts: { publish: async () => undefined },
      clock: {
        now: () => {
          clock += 1000;
          return new Date(clock);
        },
      },
    };
    for (const event of events) {
      // Parse is part of the work a real invocation does.
      parseIncomingEvent(event);
      await triageSignal(classify(event, inventory), deps);
      count += 1;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  return { events: count, perSecond: count / seconds };
};

interface Handler {
  readonly name: string;
  readonly entry: string;
  /** The example values of the function's environment contract. */
  readonly env: Readonly<Record<string, string>>;
}

/**
 * Every deployed handler with the environment it loads with: functions/<name>.ts (contracts in
 * functions/lib/environments.ts) and runbooks/<runbook>/handler.ts (runbooks/<runbook>/environment.ts).
 */
const handlers = async (): Promise<Handler[]> => {
  const functions = readdirSync(path.join(root, 'functions'))
    .filter((file) => file.endsWith('.ts'))
    .map((file) => {
      const name = file.replace(/\.ts$/, '');
      const contract = FUNCTION_ENVIRONMENTS[name as keyof typeof FUNCTION_ENVIRONMENTS];
      if (contract === undefined) {
        throw new Error(
          `functions/${file} has no environment contract in functions/lib/environments.ts`,
        );
      }
      return { name, entry: path.join(root, 'functions', file), env: contract.example };
    });
  const runbooks = await Promise.all(
    readdirSync(path.join(root, 'runbooks'), { withFileTypes: true })
      .filter((dir) => dir.isDirectory() && dir.name !== 'kit')
      .map(async (dir) => {
        const folder = path.join(root, 'runbooks', dir.name);
        const { ENVIRONMENT } = (await import(path.join(folder, 'environment.ts'))) as {
          ENVIRONMENT: Environment<string>;
        };
        return {
          name: `runbook-${dir.name}`,
          entry: path.join(folder, 'handler.ts'),
          env: ENVIRONMENT.example,
        };
      }),
  );
  return [...functions, ...runbooks].sort((a, b) => a.name.localeCompare(b.name));
};

const main = async () => {
  const outdir = mkdtempSync(path.join(tmpdir(), 'rebound-bench-'));
  const empty = path.join(outdir, 'empty-handler.mjs');
  writeFileSync(empty, 'export const handler = async () => undefined;\n');
  const baseline = loadTime(empty);
  console.log(`node ${process.version}; module load = median of ${LOAD_RUNS} fresh processes`);
  console.log(`${'function'.padEnd(22)} ${'bundle'.padStart(10)} ${'load'.padStart(10)}`);
  console.log(
    `${'(empty handler)'.padEnd(22)} ${'0 KB'.padStart(10)} ${`${baseline.toFixed(1)} ms`.padStart(10)}`,
  );
  for (const { name, entry, env } of await handlers()) {
    const file = await bundle(name, entry, outdir);
    const size = statSync(file).size / 1024;
    const load = loadTime(file, env);
    console.log(
      `${name.padEnd(22)} ${`${size.toFixed(0)} KB`.padStart(10)} ${`${load.toFixed(1)} ms`.padStart(10)}`,
    );
  }
  const { events, perSecond } = await throughput();
  console.log(
    `triage core (parse + classify + correlate + decide + render, in memory): ${events} events, ${perSecond.toFixed(0)} events/s`,
  );
};

const USAGE = 'usage: npm run bench [-- --help]';
const HELP = `${USAGE}

Measures, offline: each Lambda handler in functions/ bundled exactly as it deploys (size) and its
module-load time in a fresh Node process (median of ${LOAD_RUNS}), next to an empty handler's; then
the triage core's throughput over the AWS sample events in test/fixtures/events/ (in memory).
Takes about a minute; no AWS call.

Exit codes: 0 measured, 2 bad arguments.`;

const [arg] = process.argv.slice(2);
if (arg === '--help' || arg === '-h') console.log(HELP);
else if (arg !== undefined) {
  console.error(`error: unknown argument ${JSON.stringify(arg)}\n${USAGE}`);
  process.exitCode = 2;
} else await main();
