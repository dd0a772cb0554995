import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classify } from '../../functions/lib/core/classify.js';
import { triageSignal } from '../../functions/lib/core/triage.js';
import { parseIncomingEvent } from '../../functions/lib/events/index.js';
import { SHOP } from './support/shop-inventory.js';
import { aHarness } from './support/signals.js';

/**
 * Property-based fuzzing of the whole triage path (parse, classify, correlate, decide, alert)
 * over AWS's sample events with mutated fields and over random JSON (issue 11, section 4): it
 * never throws, and input the parser or the classifier rejects never starts a runbook nor pages.
 * Bounded: a fixed seed-free run count small enough for a few seconds on a busy machine.
 */

const FIXTURES = new URL('../fixtures/events/', import.meta.url);
const samples: unknown[] = readdirSync(FIXTURES, { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.json'))
  .map((file) => JSON.parse(readFileSync(new URL(file, FIXTURES), 'utf8')) as unknown);

/** Every sample event's events own the shop's names are not needed: classify as if they were. */
const INVENTORY = { ...SHOP, assumeOwned: true };

/** Values that broke or could break lookups and regular expressions. */
const nasty = fc.oneof(
  fc.constantFrom(
    'constructor',
    '__proto__',
    'toString',
    'hasOwnProperty',
    'prototype',
    '',
    '\u0000',
    'use1-az2',
    'us-east-1a',
    'ElastiCache:FailoverComplete : constructor',
  ),
  fc.string({ maxLength: 40 }),
  fc.integer({ min: 1, max: 3000 }).map((n) => 'ab-'.repeat(n)),
  fc.integer(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
);

type Json = unknown;
const paths = (value: Json, prefix: readonly (string | number)[] = []): (string | number)[][] => {
  if (typeof value !== 'object' || value === null) return [[...prefix]];
  const entries = Array.isArray(value)
    ? value.map((item, index) => [index, item] as const)
    : Object.entries(value);
  return [[...prefix], ...entries.flatMap(([key, item]) => paths(item, [...prefix, key]))];
};

/** `value` with the node at `path` replaced by `replacement` (a deep copy). */
const replaceAt = (value: Json, path: readonly (string | number)[], replacement: Json): Json => {
  if (path.length === 0) return replacement;
  const copy = structuredClone(value) as Record<string | number, Json>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, Json>;
  const last = path[path.length - 1] as string | number;
  node[last] = replacement;
  return copy;
};

const mutatedSample = fc
  .record({
    sample: fc.constantFrom(...samples),
    mutations: fc.array(fc.tuple(fc.nat(), nasty), { minLength: 1, maxLength: 3 }),
  })
  .map(({ sample, mutations }) =>
    mutations.reduce((event: Json, [pick, replacement]) => {
      const all = paths(event).filter((path) => path.length > 0);
      return replaceAt(event, all[pick % all.length] ?? [], replacement);
    }, sample),
  );

/** Runs `raw` through the triage path as the handler does; what it did. */
const triage = async (raw: unknown) => {
  const harness = aHarness();
  const parsed = parseIncomingEvent(raw);
  const signals = parsed.ok ? parsed.events.map((event) => classify(event, INVENTORY)) : [];
  for (const signal of signals) await triageSignal(signal, harness.deps);
  return {
    rejected: !parsed.ok || signals.every((signal) => signal === null),
    runbooks: harness.runbooks.calls.length,
    pages: harness.alerts.pages.length,
  };
};

const RUNS = 150;

describe('triage fuzzing', () => {
  it('never throws on a mutated AWS sample event, and acts on none it rejects', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedSample, async (raw) => {
        const outcome = await triage(raw);
        if (outcome.rejected) expect(outcome).toMatchObject({ runbooks: 0, pages: 0 });
      }),
      { numRuns: RUNS },
    );
  });

  it('never throws on random JSON, and never acts on it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), async (raw) => {
        expect(await triage(raw)).toMatchObject({ rejected: true, runbooks: 0, pages: 0 });
      }),
      { numRuns: RUNS },
    );
  });

  it.each(['constructor', '__proto__', 'toString'])(
    'ignores an AWS Health event for service "%s" instead of crashing',
    async (service) => {
      // Prepare
      const sample = samples.find(
        (event) => (event as { source?: string }).source === 'aws.health',
      );

      // Act
      const outcome = await triage(replaceAt(sample, ['detail', 'service'], service));

      // Assess
      expect(outcome).toEqual({ rejected: true, runbooks: 0, pages: 0 });
    },
  );

  it('reads an AZ out of a 30 KB Health description in linear time', () => {
    // Prepare
    const sample = samples.find(
      (event) =>
        (event as { detail?: { eventTypeCode?: string } }).detail?.eventTypeCode ===
        'AWS_EC2_OPERATIONAL_ISSUE',
    );
    const description = `${'ab-'.repeat(10_000)} us-east-1a`;
    const raw = replaceAt(
      sample,
      ['detail', 'eventDescription'],
      [{ language: 'en_US', latestDescription: description }],
    );
    const parsed = parseIncomingEvent(raw);
    if (!parsed.ok) throw new Error(parsed.reason);

    // Act
    const started = performance.now();
    const signals = parsed.events.map((event) => classify(event, INVENTORY));
    const elapsedMs = performance.now() - started;

    // Assess: the quadratic expression took about 300 ms on an idle machine, this about 1.
    expect(signals).toHaveLength(1);
    expect(elapsedMs).toBeLessThan(100);
  });
});
