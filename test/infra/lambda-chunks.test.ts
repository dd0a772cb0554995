import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { RUNBOOK_NAMES } from '../../functions/lib/core/runbook-registry.js';
import { bundleLambda } from '../../infra/lambda-bundling.js';
import {
  codeOutputs,
  dynamicChunks,
  entryOutput,
  inputsOf,
  loadedWith,
} from '../../sandbox/bench/chunks.js';
import { ROOT } from '../support/run-script.js';

/**
 * Triage's cold start loads no SDK client (issue 13: ≤2.0× an empty handler): the deployed bundle
 * (infra/lambda-bundling.ts, code splitting) leaves every client to the chunk of the path that
 * needs it (functions/lib/aws/clients/), read from esbuild's metafile.
 */

/** The npm packages whose code `outputs` load. */
const packagesIn = (metafile: Metafile, outputs: readonly string[]): Set<string> =>
  new Set(
    inputsOf(metafile, loadedWith(metafile, outputs)).flatMap(
      (input) => input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//)?.[1] ?? [],
    ),
  );

const SDK_CLIENTS = [
  '@aws-sdk/client-auto-scaling',
  '@aws-sdk/client-cloudwatch',
  '@aws-sdk/client-dynamodb',
  '@aws-sdk/client-elastic-load-balancing-v2',
  '@aws-sdk/client-elasticache',
  '@aws-sdk/client-rds',
  '@aws-sdk/client-scheduler',
  '@aws-sdk/client-sfn',
  '@aws-sdk/client-sns',
  '@aws-sdk/client-ssm',
];

describe('triage bundle chunks', () => {
  let metafile: Metafile;
  let chunkOf: (source: string) => string;
  beforeAll(() => {
    metafile = bundleLambda(
      path.join(ROOT, 'functions/triage.ts'),
      mkdtempSync(path.join(tmpdir(), 'rebound-chunks-')),
    );
    const chunks = dynamicChunks(metafile);
    chunkOf = (source) => {
      const chunk = chunks.get(source);
      if (chunk === undefined) throw new Error(`${source} has no chunk of its own`);
      return chunk;
    };
  });

  it('loads no SDK client, nor the SDK core, at cold start: the logger and the configuration only', () => {
    // Act
    const atStart = packagesIn(metafile, [entryOutput(metafile)]);

    // Assess
    expect(SDK_CLIENTS.filter((client) => atStart.has(client))).toEqual([]);
    expect(
      [...atStart].filter((name) => name.startsWith('@smithy/') || name.startsWith('@aws-sdk/')),
    ).toEqual([]);
    expect(atStart.has('@aws-lambda-powertools/logger')).toBe(true);
  });

  it('loads each client with the path that uses it, and only that one', () => {
    // Act
    const clientsWith = (source: string) =>
      SDK_CLIENTS.filter((client) => packagesIn(metafile, [chunkOf(source)]).has(client));

    // Assess: DynamoDB with the event path (every event is recorded, exactly once), the others on
    // their own paths.
    expect(clientsWith('functions/lib/triage-events.ts')).toEqual(['@aws-sdk/client-dynamodb']);
    expect(clientsWith('functions/lib/aws/clients/sns.ts')).toEqual(['@aws-sdk/client-sns']);
    expect(clientsWith('functions/lib/aws/clients/sfn.ts')).toEqual(['@aws-sdk/client-sfn']);
    expect(clientsWith('functions/lib/aws/clients/scheduler.ts')).toEqual([
      '@aws-sdk/client-scheduler',
    ]);
    expect(clientsWith('functions/lib/aws/guardrail-parameters.ts')).toEqual([
      '@aws-sdk/client-ssm',
    ]);
    expect(clientsWith('functions/lib/aws/clients/auto-scaling.ts')).toEqual([
      '@aws-sdk/client-auto-scaling',
    ]);
    // The enricher's Describe clients, one resource kind each.
    expect(clientsWith('functions/lib/aws/clients/fleet.ts')).toEqual([
      '@aws-sdk/client-auto-scaling',
      '@aws-sdk/client-elastic-load-balancing-v2',
    ]);
    expect(clientsWith('functions/lib/aws/clients/rds.ts')).toEqual(['@aws-sdk/client-rds']);
    expect(clientsWith('functions/lib/aws/clients/elasticache.ts')).toEqual([
      '@aws-sdk/client-elasticache',
    ]);
    // Where the unhealthy hosts were (zone-locator.ts), with the first unhealthy-hosts alarm.
    expect(clientsWith('functions/lib/aws/clients/cloudwatch.ts')).toEqual([
      '@aws-sdk/client-cloudwatch',
    ]);
  });
});

describe('runbook step bundles', () => {
  // Their state machines read the guardrails (runbooks/kit/guardrail-read.ts) and hand them in
  // the payload: no SSM client, nor Powertools parameters, anywhere in a step bundle (issue 13:
  // ~88 KB and 0.2–0.6× an empty handler's cold load each).
  it.each(RUNBOOK_NAMES)(
    '%s loads no SSM client nor Powertools parameters, at start or later',
    (runbook) => {
      // Act
      const metafile = bundleLambda(
        path.join(ROOT, `runbooks/${runbook}/handler.ts`),
        mkdtempSync(path.join(tmpdir(), 'rebound-step-chunks-')),
      );
      const everything = packagesIn(metafile, codeOutputs(metafile));

      // Assess
      expect(everything.has('@aws-sdk/client-ssm')).toBe(false);
      expect(everything.has('@aws-lambda-powertools/parameters')).toBe(false);
      expect(everything.has('@aws-sdk/client-dynamodb')).toBe(true);
    },
  );
});

describe('rds-failover step bundle', () => {
  // Only its verify step reads the replicas' lag: CloudWatch (~17 KB) loads with the first verify,
  // not with every cold start of the check and recheck (issue 13: the bundle sat on the 3.0× line).
  it('loads the CloudWatch client on the verify path only', () => {
    // Act
    const metafile = bundleLambda(
      path.join(ROOT, 'runbooks/rds-failover/handler.ts'),
      mkdtempSync(path.join(tmpdir(), 'rebound-rds-chunks-')),
    );
    const lagChunk = dynamicChunks(metafile).get('runbooks/rds-failover/replica-lag-client.ts');

    // Assess
    expect(packagesIn(metafile, [entryOutput(metafile)]).has('@aws-sdk/client-cloudwatch')).toBe(
      false,
    );
    expect(lagChunk).toBeDefined();
    expect(packagesIn(metafile, [lagChunk ?? '']).has('@aws-sdk/client-cloudwatch')).toBe(true);
  });
});
