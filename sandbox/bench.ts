/**
 * `npm run bench`: what a cold start costs and how fast the triage core is, measured, not
 * guessed, against the goals of issue 13. For each deployed Lambda handler: bundle size (bundled
 * exactly as it deploys) and cold load in fresh Node processes as a multiple of an empty handler's,
 * measured in the same run beside a naive one-client handler; then the triage core's throughput
 * beside a floor (reading and JSON-parsing the same events).
 */
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Environment } from '../functions/lib/env.js';
import { FUNCTION_ENVIRONMENTS } from '../functions/lib/environments.js';
import { LAMBDA_BUNDLING } from '../infra/lambda-bundling.js';
import {
  bundleAsDeployed,
  bundleNaiveAnchor,
  bundlePath,
  type DeployedBundle,
  EMPTY_HANDLER,
  LOAD_PROBE,
  type LoadSubject,
  measureLoads,
} from './bench/cold-load.js';
import { FIRST_EVENTS } from './bench/first-event.js';
import {
  functionsMissingGoals,
  type LoadRow,
  loadTable,
  median,
  throughputLine,
} from './bench/goals.js';
import { measureRunbookTransitions } from './bench/runbook-transitions.js';
import { measureThroughput } from './bench/throughput.js';
import { transitionTable } from './bench/transitions.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const LOAD_RUNS = 7;
const THROUGHPUT_ROUNDS = 200;
const EMPTY = '(empty handler)';
const NAIVE = '(naive: Logger + SNS client)';

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

const jsonFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return jsonFiles(full);
    return entry.name.endsWith('.json') ? [full] : [];
  });

const kilobytes = (file: string): number => statSync(file).size / 1024;

/**
 * Each runbook's Step Functions transitions (billed per transition) and how late it notices a
 * recovery, executed from its synthesized ASL.
 */
const printTransitions = async () => {
  console.log(
    'runbook state transitions (each state entered and each retry, as Standard workflows bill), verify checks and worst-case wait slack (the poll round that saw the recovery, or the longest; "event" when AWS\'s announcement ended it), typical run (acts, recovers) and worst run (never recovers, hears no announcement, escalates):',
  );
  for (const text of transitionTable(await measureRunbookTransitions())) console.log(text);
};

const main = async () => {
  const outdir = mkdtempSync(path.join(tmpdir(), 'rebound-bench-'));
  const deployed = await handlers();
  const emptyFile = bundlePath(outdir, 'empty-handler');
  writeFileSync(emptyFile, EMPTY_HANDLER);
  const naiveFile = bundlePath(outdir, 'naive-anchor');
  await bundleNaiveAnchor(root, naiveFile);
  const functionSubjects: LoadSubject[] = [];
  const bundles = new Map<string, DeployedBundle>();
  for (const { name, entry, env } of deployed) {
    const bundle = bundleAsDeployed(entry, path.join(outdir, name), FIRST_EVENTS[name]);
    bundles.set(name, bundle);
    // The template's environment: the contract's example values and the project's NODE_OPTIONS.
    functionSubjects.push({
      name,
      file: bundle.entryFile,
      env: { ...env, NODE_OPTIONS: LAMBDA_BUNDLING.nodeOptions },
      firstEventFiles: bundle.firstEventFiles,
      afterAlertFiles: bundle.afterAlertFiles,
    });
  }
  const subjects = [
    { name: EMPTY, file: emptyFile, env: {} },
    { name: NAIVE, file: naiveFile, env: {} },
    ...functionSubjects,
  ];
  const sizes = (subject: LoadSubject) => {
    const bundle = bundles.get(subject.name);
    if (bundle !== undefined) {
      return {
        bundleKb: bundle.entryKb,
        firstEventKb: bundle.firstEventKb,
        wholeEventKb: bundle.wholeEventKb,
        shippedKb: bundle.shippedKb,
      };
    }
    const kb = kilobytes(subject.file);
    return { bundleKb: kb, firstEventKb: kb, wholeEventKb: kb, shippedKb: kb };
  };
  const [load1, load5] = loadavg();
  console.log(
    `node ${process.version}; load average ${load1?.toFixed(2)} (1 min) ${load5?.toFixed(2)} (5 min); cold load = median over ${LOAD_RUNS} fresh processes per module (interleaved) of the wall time from process start to module loaded`,
  );
  const probe = path.join(outdir, 'load-probe.mjs');
  writeFileSync(probe, LOAD_PROBE);
  const times = measureLoads(probe, subjects, LOAD_RUNS);
  const rows: LoadRow[] = subjects.map((subject) => {
    const runs = times.get(subject.name) ?? [];
    return {
      name: subject.name,
      ...sizes(subject),
      loadMs: median(runs.map((run) => run.wallMs)),
      firstEventMs: median(runs.map((run) => run.firstEventWallMs)),
      wholeEventMs: median(runs.map((run) => run.wholeEventWallMs)),
      cpuMs: median(runs.map((run) => run.cpuMs)),
      goal: subject.name !== EMPTY && subject.name !== NAIVE,
    };
  });
  const [empty] = rows as [LoadRow];
  for (const text of loadTable(rows, empty)) console.log(text);
  const missing = functionsMissingGoals(rows, empty);
  console.log(
    missing.length === 0
      ? 'every function meets its bundle and load goals'
      : `${missing.length} of ${deployed.length} functions miss a goal: ${missing.join(', ')}`,
  );
  const { events, corePerSecond, floorPerSecond } = await measureThroughput(
    jsonFiles(path.join(root, 'test/fixtures/events')),
    THROUGHPUT_ROUNDS,
  );
  console.log(throughputLine(events, corePerSecond, floorPerSecond));
  await printTransitions();
};

const USAGE = 'usage: npm run bench [-- --transitions | --help]';
const HELP = `${USAGE}

Measures, offline, against the goals of issue 13 (pass/FAIL columns): every deployed Lambda
handler (functions/ and runbooks/*/handler.ts) bundled exactly as it deploys (size, goal ≤500 KB)
and its module-load time: the wall time of a fresh Node process that loads it with its template's
environment, median of ${LOAD_RUNS}, as a multiple of an empty handler's measured in the same run
(goal ≤3.0×, triage ≤2.0×), beside a naive handler (Powertools Logger and one SDK client, bundled
naively as ESM). Then the triage core's throughput over the AWS sample events in
test/fixtures/events/ (in memory, goal at least 5000 events a second) beside a floor: reading and JSON-parsing
the same events. Prints the load average: compare ratios, not milliseconds, across runs.
Then each runbook's Step Functions cost and latency, executed locally from its synthesized ASL
in the worlds of its contract tests: the state transitions (each state entered and each retry,
as Standard workflows bill them) and recovery checks of a typical run (acts, recovers, AWS
announcing it where a runbook waits for that) and of the worst run (never recovers, escalates),
and the worst-case wait slack (the length of the poll round in which the recovery came: it is
noticed that much later, or within seconds when AWS's announcement ended the round).
Takes about two minutes; no AWS call.

  --transitions   only the runbooks' transitions table

Exit codes: 0 measured, 2 bad arguments.`;

const [arg] = process.argv.slice(2);
if (arg === '--help' || arg === '-h') console.log(HELP);
else if (arg === '--transitions') await printTransitions();
else if (arg !== undefined) {
  console.error(`error: unknown argument ${JSON.stringify(arg)}\n${USAGE}`);
  process.exitCode = 2;
} else await main();
