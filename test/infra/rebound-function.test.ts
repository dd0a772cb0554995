import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { ReboundFunction } from '../../infra/constructs/rebound-function.js';
import { ROOT } from '../support/run-script.js';

/**
 * ReboundFunction deploys what `npm run bench` measures (infra/lambda-bundling.ts): bundled for
 * real here (local esbuild), so the asset itself is checked, not only the template.
 */

/** One ReboundFunction of `entry` (from the project root) in its own app, whose synth bundles it. */
const synthFunction = (outdir: string, entry: string) => {
  const app = new App({ outdir: path.join(ROOT, 'cdk.out', outdir) });
  const stack = new Stack(app, 'Bundle');
  new ReboundFunction(stack, 'Function', {
    functionName: 'rebound-test-function',
    description: 'bundling test',
    entry: path.join(ROOT, entry),
    deadLetterQueue: new sqs.Queue(stack, 'Dlq'),
  });
  return { app, stack };
};

describe('ReboundFunction bundle', () => {
  it('ships a source map without the sources and loads it with --enable-source-maps', () => {
    // Prepare
    const { app, stack } = synthFunction('test-rebound-function', 'functions/runbook-report.ts');

    // Act
    const assembly = app.synth();

    // Assess
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { NODE_OPTIONS: '--enable-source-maps' } },
    });
    // The asset's directory in the cloud assembly is named after its hash, the S3 key's stem.
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function'));
    const s3Key = fn?.Properties?.Code?.S3Key as string;
    expect(s3Key).toMatch(/^[0-9a-f]{64}\.zip$/);
    const assetDir = `asset.${s3Key.replace(/\.zip$/, '')}`;
    const map = JSON.parse(
      readFileSync(path.join(assembly.directory, assetDir, 'index.mjs.map'), 'utf8'),
    ) as { sources: string[]; sourcesContent?: unknown };
    expect(map.sources.some((source) => source.endsWith('functions/runbook-report.ts'))).toBe(true);
    expect(map.sourcesContent).toBeUndefined();
    // The SDK's default credential chain is swapped for the runtime's environment credentials.
    expect(
      map.sources.some((source) => source.endsWith('functions/lib/aws/lambda-credentials.ts')),
    ).toBe(true);
    expect(
      map.sources.filter((source) => /credential-provider-node|nested-clients/.test(source)),
    ).toEqual([]);
  });

  it('deploys the code-split bundle: index.handler, with the chunks a path loads on first use beside it', () => {
    // Prepare
    const { app, stack } = synthFunction('test-rebound-function-chunks', 'functions/triage.ts');

    // Act
    const assembly = app.synth();

    // Assess
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Runtime: 'nodejs24.x',
    });
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function'));
    const s3Key = fn?.Properties?.Code?.S3Key as string;
    const assetDir = path.join(assembly.directory, `asset.${s3Key.replace(/\.zip$/, '')}`);
    expect(readdirSync(assetDir).sort()).toEqual(['chunks', 'index.mjs', 'index.mjs.map']);
    const chunks = readdirSync(path.join(assetDir, 'chunks'));
    expect(chunks.filter((file) => /^(triage-events|sns|sfn)-\w+\.mjs$/.test(file))).toHaveLength(
      3,
    );
    // The entry imports the event path's chunk by a path relative to itself, as Lambda loads it.
    expect(readFileSync(path.join(assetDir, 'index.mjs'), 'utf8')).toMatch(
      /import\("\.\/chunks\/triage-events-\w+\.mjs"\)/,
    );
  });
});
