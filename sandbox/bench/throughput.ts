/**
 * The triage core's throughput over files of AWS events, beside a floor measured in the same run:
 * reading and JSON-parsing the same files. The floor says how fast this machine is right now, so
 * the core's figure can be read on a loaded machine. Rounds alternate floor and core.
 */
import { readFileSync } from 'node:fs';
import { classify } from '../../functions/lib/core/classify.js';
import {
  DEFAULT_GUARDRAILS,
  guardrailParameterValues,
  parseGuardrails,
} from '../../functions/lib/core/guardrails.js';
import type { ShopInventory } from '../../functions/lib/core/inventory.js';
import { type TriageDeps, triageSignal } from '../../functions/lib/core/triage.js';
import { parseIncomingEvent } from '../../functions/lib/events/index.js';
import { MemoryActionLedger, MemoryIncidentStore } from '../../functions/lib/memory-store.js';

const INVENTORY: ShopInventory = {
  region: 'us-east-1',
  namePrefix: 'rebound-bench',
  shopAlarmNames: [],
  autoScalingGroupName: 'rebound-bench-web',
  primaryDbInstanceId: 'rebound-bench-db',
  replicaDbInstanceIds: [],
  cacheReplicationGroupId: 'rebound-bench-cache',
  runbookStateMachineNames: [],
  availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
  azIdToName: {},
  assumeOwned: true,
};

/** In-memory ports; a fresh store per round, so every round opens, joins and resolves again. */
const memoryDeps = (clock: { now: () => Date }): TriageDeps => {
  const guardrails = parseGuardrails(guardrailParameterValues(DEFAULT_GUARDRAILS));
  return {
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
    clock,
  };
};

export interface Throughput {
  /** Events through the core (every event of every file that parses, times the rounds). */
  readonly events: number;
  readonly corePerSecond: number;
  readonly floorPerSecond: number;
}

const readJson = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8'));

/** Triage core (read, JSON-parse, parse, classify, correlate, decide, render) vs the floor. */
export const measureThroughput = async (
  files: readonly string[],
  rounds: number,
): Promise<Throughput> => {
  // Only the files triage accepts: a malformed sample would measure the rejection path.
  const accepted = files.filter((file) => parseIncomingEvent(readJson(file)).ok);
  let instant = Date.parse('2026-11-26T00:00:00Z');
  const clock = {
    now: () => {
      instant += 1000;
      return new Date(instant);
    },
  };
  let events = 0;
  let floorMs = 0;
  let coreMs = 0;
  for (let round = 0; round < rounds; round += 1) {
    const floorStarted = performance.now();
    for (const file of accepted) readJson(file);
    floorMs += performance.now() - floorStarted;

    const deps = memoryDeps(clock);
    const coreStarted = performance.now();
    for (const file of accepted) {
      const parsed = parseIncomingEvent(readJson(file));
      if (!parsed.ok) throw new Error(`${file} stopped parsing`);
      for (const event of parsed.events) {
        await triageSignal(classify(event, INVENTORY), deps);
        events += 1;
      }
    }
    coreMs += performance.now() - coreStarted;
  }
  // The floor reads files, not events: per event, as the core counts them.
  return {
    events,
    corePerSecond: events / (coreMs / 1000),
    floorPerSecond: events / (floorMs / 1000),
  };
};
