import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { guardrailParameterValues, parseGuardrails } from '../../functions/lib/core/guardrails.js';
import { type ReplayLine, ReplaySession } from '../../sandbox/replay-event.js';
import { synthesizeIntake } from '../../sandbox/synthesized-intake.js';

/**
 * The README's showcase replay (sandbox/showcase/night.jsonl, as cdk.json's stage synthesizes
 * it, no --assume-owned), line by line: each event goes where its story says, and the night's
 * failures open separate incidents instead of all joining one.
 */

const FILE = 'sandbox/showcase/night.jsonl';
const ROOT = path.resolve(import.meta.dirname, '../..');

let lines: ReplayLine[];
beforeAll(async () => {
  const intake = synthesizeIntake({ assumeOwned: false, azIdToName: { 'use1-az2': 'us-east-1b' } });
  const guardrails = parseGuardrails(guardrailParameterValues(intake.config.automation));
  lines = await new ReplaySession(intake, guardrails).replay(
    FILE,
    readFileSync(path.join(ROOT, FILE), 'utf8'),
  );
});

describe('showcase replay', () => {
  it('tells the night line by line: rule, decision and runbook of every event', () => {
    // Act
    const story = lines.map((line) => [
      line.position,
      line.matchedRules[0] ?? `none, closest ${line.closestRule?.name}`,
      line.decision.action,
      line.decision.runbook,
    ]);

    // Assess
    expect(story).toEqual([
      ['line 1', 'rebound-dev-alarm-state-changes', 'notify', null],
      // The crashed instance's termination goes into the unhealthy-hosts incident's timeline.
      ['line 2', 'rebound-dev-auto-scaling-events', 'suppress', null],
      ['line 3', 'rebound-dev-auto-scaling-events', 'ignore', null],
      ['line 4', 'rebound-dev-alarm-state-changes', 'resolve', null],
      ['line 5', 'none, closest rebound-dev-alarm-state-changes', 'ignore', null],
      ['line 6', 'rebound-dev-alarm-state-changes', 'runbook', 'scale-out'],
      ['line 7', 'rebound-dev-rds-instance-events', 'runbook', 'rds-failover'],
      ['line 8', 'rebound-dev-rds-instance-events', 'resolve', null],
      ['line 9', 'rebound-dev-alarm-state-changes', 'notify', null],
      ['line 10', 'rebound-dev-health-events', 'runbook', 'az-evacuation'],
      ['line 11', 'rebound-dev-alarm-state-changes', 'resolve', null],
    ]);
    expect(lines.filter((line) => line.error !== undefined)).toEqual([]);
  });

  it('gives each failure its own incident, and each recovery closes its own', () => {
    // Act
    const incidentOf = (position: string) =>
      lines.find((line) => line.position === position)?.incident;
    const opened = ['line 1', 'line 6', 'line 7', 'line 9', 'line 10'].map(
      (position) => incidentOf(position)?.id,
    );

    // Assess
    expect(new Set(opened).size).toBe(5);
    expect(incidentOf('line 4')).toMatchObject({ id: opened[0], status: 'resolved' });
    expect(incidentOf('line 8')).toMatchObject({ id: opened[2], status: 'resolved' });
    expect(incidentOf('line 11')).toMatchObject({ id: opened[1], status: 'resolved' });
  });

  it('names a different resource in every alert subject that opens an incident', () => {
    // Act
    const subjects = lines
      .filter((line) => line.alerts.email !== null && line.incident?.status !== 'resolved')
      .map((line) => line.alerts.email?.subject);

    // Assess
    expect(subjects).toHaveLength(5);
    expect(new Set(subjects).size).toBe(5);
  });
});
