import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LAMBDA_BUNDLING } from '../../infra/lambda-bundling.js';
import {
  bundleAsDeployed,
  EMPTY_HANDLER,
  LOAD_PROBE,
  measureLoads,
} from '../../sandbox/bench/cold-load.js';
import { FIRST_EVENTS } from '../../sandbox/bench/first-event.js';
import { measureThroughput } from '../../sandbox/bench/throughput.js';
import { ROOT } from '../support/run-script.js';

/** `npm run bench`'s measuring: cold loads in fresh processes, and the core's throughput. */

const scratch = () => mkdtempSync(path.join(tmpdir(), 'rebound-bench-test-'));

describe('cold load measuring', () => {
  it('loads each module in fresh processes with only its own environment, round by round', () => {
    // Prepare: a module that fails to load unless its environment is given, as handlers do.
    const dir = scratch();
    const probe = path.join(dir, 'probe.mjs');
    writeFileSync(probe, LOAD_PROBE);
    const empty = path.join(dir, 'empty.mjs');
    writeFileSync(empty, EMPTY_HANDLER);
    const needsEnv = path.join(dir, 'needs-env.mjs');
    writeFileSync(
      needsEnv,
      "if (process.env.TABLE !== 't' || process.env.AWS_REGION !== 'us-east-1') throw new Error('env');\n",
    );

    // Act
    const times = measureLoads(
      probe,
      [
        { name: 'empty', file: empty, env: {} },
        { name: 'needs-env', file: needsEnv, env: { TABLE: 't' } },
      ],
      2,
    );

    // Assess
    expect([...times.keys()]).toEqual(['empty', 'needs-env']);
    for (const runs of times.values()) {
      expect(runs).toHaveLength(2);
      for (const { wallMs, cpuMs, firstEventWallMs, wholeEventWallMs } of runs) {
        expect(wallMs).toBeGreaterThan(0);
        expect(cpuMs).toBeGreaterThan(0);
        expect(firstEventWallMs).toBeGreaterThanOrEqual(wallMs);
        expect(wholeEventWallMs).toBeGreaterThanOrEqual(firstEventWallMs);
      }
    }
  });

  it('loads the chunks of a first event after the entry, before then after its alert, in the same process, and times each', () => {
    // Prepare: chunks that take 150 and 100 ms to load and fail unless loaded in that order.
    const dir = scratch();
    const probe = path.join(dir, 'probe.mjs');
    writeFileSync(probe, LOAD_PROBE);
    const entry = path.join(dir, 'entry.mjs');
    writeFileSync(entry, 'globalThis.loaded = 1;\n');
    const chunk = (file: string, order: number, ms: number) => {
      writeFileSync(
        path.join(dir, file),
        `if (globalThis.loaded !== ${order - 1}) throw new Error('out of order');\nglobalThis.loaded = ${order};\nconst end = performance.now() + ${ms}; while (performance.now() < end);\n`,
      );
      return path.join(dir, file);
    };
    const beforeAlert = chunk('before.mjs', 2, 150);
    const afterAlert = chunk('after.mjs', 3, 100);

    // Act
    const [run] =
      measureLoads(
        probe,
        [
          {
            name: 'e',
            file: entry,
            env: {},
            firstEventFiles: [beforeAlert],
            afterAlertFiles: [afterAlert],
          },
        ],
        1,
      ).get('e') ?? [];

    // Assess
    expect(run).toBeDefined();
    expect((run?.firstEventWallMs ?? 0) - (run?.wallMs ?? 0)).toBeGreaterThanOrEqual(150);
    expect((run?.wholeEventWallMs ?? 0) - (run?.firstEventWallMs ?? 0)).toBeGreaterThanOrEqual(100);
  });

  it('says which module failed to load and why', () => {
    // Prepare
    const dir = scratch();
    const probe = path.join(dir, 'probe.mjs');
    writeFileSync(probe, LOAD_PROBE);
    const broken = path.join(dir, 'broken.mjs');
    writeFileSync(broken, "throw new Error('Missing required environment variable TABLE');\n");

    // Act / Assess
    expect(() => measureLoads(probe, [{ name: 'broken', file: broken, env: {} }], 1)).toThrow(
      /^broken failed to load: .*Missing required environment variable TABLE/s,
    );
  });

  it('bundles a handler as it deploys: minified ESM, a source map without the sources beside it', () => {
    // Act
    const bundle = bundleAsDeployed(path.join(ROOT, 'functions/runbook-report.ts'), scratch());

    // Assess
    const code = readFileSync(bundle.entryFile, 'utf8');
    expect(path.basename(bundle.entryFile)).toBe('index.mjs');
    expect(code.startsWith("import { createRequire } from 'module';")).toBe(true);
    expect(code.trimEnd().endsWith('//# sourceMappingURL=index.mjs.map')).toBe(true);
    const map = JSON.parse(readFileSync(`${bundle.entryFile}.map`, 'utf8')) as {
      sources: string[];
      sourcesContent?: unknown;
    };
    expect(map.sources.some((source) => source.endsWith('functions/runbook-report.ts'))).toBe(true);
    expect(map.sourcesContent).toBeUndefined();
    // As ReboundFunction deploys it: the credential chain is the runtime's environment alone.
    expect(
      map.sources.some((source) => source.endsWith('functions/lib/aws/lambda-credentials.ts')),
    ).toBe(true);
    expect(
      map.sources.filter((source) => /credential-provider-node|nested-clients/.test(source)),
    ).toEqual([]);
    // No chunk of its own: a first event loads nothing more.
    expect(bundle.firstEventFiles).toEqual([]);
    expect(bundle.firstEventKb).toBe(bundle.entryKb);
    expect(bundle.wholeEventKb).toBe(bundle.entryKb);
  });

  it("measures triage's first alert and whole first event: the chunks of its path, and refuses a bundle whose deferred chunks are not named", () => {
    // Prepare
    const triage = path.join(ROOT, 'functions/triage.ts');
    const names = (files: readonly string[]) =>
      files.map((file) => path.basename(file).replace(/-\w+\.mjs$/, ''));

    // Act
    const bundle = bundleAsDeployed(triage, scratch(), FIRST_EVENTS.triage);

    // Assess: the first alert loads the event path and its clients, more than the entry alone;
    // the rest of the event Scheduler; the whole package more (RDS and ElastiCache stay out).
    expect(names(bundle.firstEventFiles)).toEqual([
      'triage-events',
      'guardrail-parameters',
      'sfn',
      'fleet',
      'sns',
    ]);
    expect(names(bundle.afterAlertFiles)).toEqual(['scheduler']);
    expect(bundle.firstEventKb).toBeGreaterThan(bundle.entryKb);
    expect(bundle.wholeEventKb).toBeGreaterThan(bundle.firstEventKb);
    expect(bundle.shippedKb).toBeGreaterThan(bundle.wholeEventKb);
    expect(() => bundleAsDeployed(triage, scratch())).toThrow(
      /loads .*functions\/lib\/triage-events\.ts.* on demand: name what a typical first event loads/,
    );
  });

  it('measures a first event that loads none of the chunks only when the list says so (rds-failover: the check)', () => {
    // Prepare
    const rdsFailover = path.join(ROOT, 'runbooks/rds-failover/handler.ts');

    // Act
    const bundle = bundleAsDeployed(rdsFailover, scratch(), FIRST_EVENTS['runbook-rds-failover']);

    // Assess: the verify path's CloudWatch chunk ships, but the check loads nothing more.
    expect(bundle.firstEventFiles).toEqual([]);
    expect(bundle.firstEventKb).toBe(bundle.entryKb);
    expect(bundle.shippedKb).toBeGreaterThan(bundle.entryKb);
    expect(() => bundleAsDeployed(rdsFailover, scratch())).toThrow(
      /loads .*runbooks\/rds-failover\/replica-lag-client\.ts.* on demand/,
    );
  });

  it("keeps stack traces readable: the deployed NODE_OPTIONS map a bundle's frames to the TypeScript source", () => {
    // Prepare: a handler that fails at load on a missing variable, as the env helpers do.
    const { entryFile } = bundleAsDeployed(
      path.join(ROOT, 'functions/runbook-report.ts'),
      scratch(),
    );

    // Act
    const result = spawnSync(process.execPath, [entryFile], {
      env: { NODE_OPTIONS: LAMBDA_BUNDLING.nodeOptions, AWS_REGION: 'us-east-1' },
      encoding: 'utf8',
    });

    // Assess: the frames name the TypeScript files and lines, not the bundle's.
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/Missing required environment variable INCIDENTS_TABLE/);
    expect(result.stderr).toMatch(/\(\/.*\/functions\/lib\/env\.ts:\d+:\d+\)/);
    expect(result.stderr).toMatch(/\(\/.*\/functions\/runbook-report\.ts:\d+:\d+\)/);
  });
});

describe('triage core throughput', () => {
  it('counts every event of the files triage accepts, per round, beside the floor', async () => {
    // Prepare: two sample events and one file triage rejects.
    const dir = scratch();
    const malformed = path.join(dir, 'malformed.json');
    writeFileSync(malformed, '{"source":"aws.cloudwatch"}');
    const files = [
      path.join(ROOT, 'test/fixtures/events/cloudwatch/alarm-state-change-alarm.json'),
      path.join(ROOT, 'test/fixtures/events/rds/failover-started-0013.json'),
      malformed,
    ];

    // Act
    const { events, corePerSecond, floorPerSecond } = await measureThroughput(files, 3);

    // Assess
    expect(events).toBe(6);
    expect(corePerSecond).toBeGreaterThan(0);
    expect(floorPerSecond).toBeGreaterThan(0);
  });
});
