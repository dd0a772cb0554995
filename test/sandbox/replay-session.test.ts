import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { guardrailParameterValues, parseGuardrails } from '../../functions/lib/core/guardrails.js';
import { type ReplayLine, ReplaySession } from '../../sandbox/replay-event.js';
import { type SynthesizedIntake, synthesizeIntake } from '../../sandbox/synthesized-intake.js';

/**
 * The replay in process, for stage `prod` given as `-c stage=prod` would give it: its events
 * match prod's rules with prod's names resolved (no --assume-owned, no cdk.json edit), an event
 * of another stage is explained by the closest rule, alarms whose names the shop stack does not
 * deploy carry a note, and every input shape people export is read.
 */

const ROOT = path.resolve(import.meta.dirname, '../..');
/** The showcase night, renamed from stage dev to stage prod: what prod's archive would hold. */
const SHOWCASE = readFileSync(path.join(ROOT, 'sandbox/showcase/night.jsonl'), 'utf8');
const PROD_NIGHT = SHOWCASE.replaceAll('rebound-dev-', 'rebound-prod-');
const [albAlarm = '', terminate = '', , , consoleAlarm = '', cpuAlarm = '', failover = ''] =
  PROD_NIGHT.trim().split('\n');

let intake: SynthesizedIntake;
const session = () =>
  new ReplaySession(intake, parseGuardrails(guardrailParameterValues(intake.config.automation)));
const replayOne = async (text: string): Promise<ReplayLine> => {
  const [line, ...more] = await session().replay('events.json', text);
  if (line === undefined || more.length > 0)
    throw new Error(`expected one line, got ${more.length + 1}`);
  return line;
};

beforeAll(() => {
  intake = synthesizeIntake({ assumeOwned: false, context: { stage: 'prod' } });
});

describe('replay with -c stage=prod', () => {
  it.each([
    ['the shop alarm of the load balancer', albAlarm, 'rebound-prod-alarm-state-changes'],
    ['a termination in the web group', terminate, 'rebound-prod-auto-scaling-events'],
    ['a failover of the primary database', failover, 'rebound-prod-rds-instance-events'],
  ])("routes %s to prod's rule, names resolved as deployed", async (_case, text, rule) => {
    // Act
    const line = await replayOne(text);

    // Assess
    expect(line.matchedRules).toEqual([rule]);
    expect(line.closestRule).toBeNull();
    expect(line.signal?.summary).toContain('rebound-prod-');
  });

  it('explains an event of another stage by the closest rule and the field that failed', async () => {
    // Prepare
    const devFailover = failover.replaceAll('rebound-prod-', 'rebound-dev-');

    // Act
    const line = await replayOne(devFailover);

    // Assess
    expect(line.matchedRules).toEqual([]);
    expect(line.decision.action).toBe('ignore');
    expect(line.closestRule?.name).toBe('rebound-prod-rds-instance-events');
    expect(line.closestRule?.misses).toEqual([
      {
        path: 'detail.SourceIdentifier',
        wanted: expect.arrayContaining(['rebound-prod-db', 'rds:rebound-prod-db']),
        got: ['rebound-dev-db'],
      },
    ]);
    expect(line.decision.reason).toBe(
      'No intake rule matches this event: it would never reach triage. Closest rule rebound-prod-rds-instance-events: detail.SourceIdentifier is "rebound-dev-db"; the rule wants "rebound-prod-db" or "rds:rebound-prod-db" or "rebound-prod-db-replica-1" or "rds:rebound-prod-db-replica-1" … (6 values).',
    );
  });

  it('says when no rule takes the source at all', async () => {
    // Prepare
    const s3 = JSON.stringify({
      ...JSON.parse(terminate),
      source: 'aws.s3',
      'detail-type': 'Object Created',
    });

    // Act
    const line = await replayOne(s3);

    // Assess
    expect(line.decision.reason).toBe(
      'No intake rule matches this event: it would never reach triage. No rule takes source "aws.s3"; the rules take aws.cloudwatch, aws.autoscaling, aws.rds, aws.health, aws.ec2, aws.arc-zonal-shift, aws.states.',
    );
  });

  it("explains an EC2 console alarm on one instance: its name is not the shop's, no dimension names the shop", async () => {
    // Act
    const line = await replayOne(consoleAlarm);

    // Assess
    expect(line.matchedRules).toEqual([]);
    expect(line.closestRule).toEqual({
      name: 'rebound-prod-alarm-state-changes',
      misses: [
        {
          path: 'detail.alarmName',
          // The shop stack's alarms by exact name (a prefix would take any alarm so named).
          wanted: expect.arrayContaining([
            'rebound-prod-web-cpu-high',
            'rebound-prod-db-replica-2-lag',
          ]),
          got: ['awsec2-i-0f9e8d7c6b5a49382-GreaterThanOrEqualToThreshold-StatusCheckFailed'],
          ofAlternatives: 7,
        },
      ],
    });
    expect(line.notes).toEqual([
      expect.stringMatching(
        /^Alarm "awsec2-i-0f9e8d7c6b5a49382-GreaterThanOrEqualToThreshold-StatusCheckFailed" is not one of the 22 alarms of the shop stack's alarm table, and no dimension of its metric names .* To make your own alarm act, add it to the shop stack \(README "Your own alarms"\)\.$/,
      ),
    ]);
  });

  it("notes that a team's alarm on the web group reaches triage by its dimension only, to inform", async () => {
    // Prepare
    const teamAlarm = cpuAlarm.replaceAll('rebound-prod-web-cpu-high', 'checkout-team-web-cpu');

    // Act
    const line = await replayOne(teamAlarm);

    // Assess
    expect(line.matchedRules).toEqual(['rebound-prod-alarm-state-changes']);
    expect(line.notes).toEqual([
      'Alarm "checkout-team-web-cpu" is not one of the 22 alarms of the shop stack\'s alarm table: it may inform, never act or page (README "Your own alarms").',
    ]);
  });

  it("adds no note to the shop stack's own alarm", async () => {
    // Act
    const line = await replayOne(cpuAlarm);

    // Assess
    expect(line.notes).toEqual([]);
    expect(intake.shopAlarmNames.has('rebound-prod-web-cpu-high')).toBe(true);
  });
});

describe('replay input files', () => {
  const events = [albAlarm, terminate, failover].map((text) => JSON.parse(text));
  const positionsOf = (lines: readonly ReplayLine[]) =>
    lines.map((line) => [line.position, line.eventId, line.error ?? null]);

  it('reads a JSON array of events, one line per item', async () => {
    // Act
    const lines = await session().replay('export.json', JSON.stringify(events, null, 2));

    // Assess
    expect(positionsOf(lines)).toEqual(events.map((event, i) => [`item ${i + 1}`, event.id, null]));
  });

  it('reads JSON Lines, reports a bad line by its number and goes on', async () => {
    // Prepare
    const text = [albAlarm, '', '{"version": "0",', failover].join('\n');

    // Act
    const lines = await session().replay('events.jsonl', text);

    // Assess
    expect(positionsOf(lines)).toEqual([
      ['line 1', events[0].id, null],
      ['line 3', null, expect.stringMatching(/^not JSON: /)],
      ['line 4', events[2].id, null],
    ]);
    expect(lines[1]?.decision.action).toBe('ignore');
  });

  it('reads the output of aws logs filter-log-events', async () => {
    // Prepare
    const text = JSON.stringify({
      events: events.map((event, i) => ({
        logStreamName: 'stream',
        timestamp: 1773284290000 + i,
        message: JSON.stringify(event),
        eventId: `3${i}`,
      })),
      searchedLogStreams: [],
    });

    // Act
    const lines = await session().replay('logs.json', text);

    // Assess
    expect(positionsOf(lines)).toEqual(
      events.map((event, i) => [`log event ${i + 1}`, event.id, null]),
    );
  });

  it('reads one event as the whole file, without a position', async () => {
    // Act
    const line = await replayOne(JSON.stringify(events[0], null, 2));

    // Assess
    expect(positionsOf([line])).toEqual([[null, events[0].id, null]]);
  });

  it.each([
    ['text that is not JSON', 'not json at all', /^not JSON: /],
    ['an empty array', '[]', /^an empty JSON array: no events$/],
  ])('reports %s as one error line', async (_case, text, error) => {
    // Act
    const line = await replayOne(text);

    // Assess
    expect(line.error).toMatch(error);
    expect(line.position).toBeNull();
    expect(line.decision.action).toBe('ignore');
  });
});
