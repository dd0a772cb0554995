import * as path from 'node:path';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ApprovalRecord } from '../../functions/lib/approval/ports.js';
import { DynamoDbApprovalStore } from '../../functions/lib/aws/dynamodb-approval-store.js';
import { DynamoDbIncidentStore } from '../../functions/lib/aws/dynamodb-incident-store.js';
import { appendTimeline, type Incident, transition } from '../../functions/lib/core/incident.js';
import { manualIncident } from '../../functions/lib/runbook/runbook-incident.js';
import {
  formatDuration,
  formatIncident,
  formatIncidentList,
  type IncidentsCliDeps,
  runIncidentsCli,
} from '../../sandbox/incidents-cli/incidents-cli.js';
import { createIncidentTable, useDynalite } from '../support/dynalite.js';

/**
 * `npm run incidents` over a real incident table (dynalite) written by the real incident store:
 * what is listed, the MTTR, the whole timeline of one incident, and the one-line errors.
 */

const dynamo = useDynalite();
const TABLE = 'rebound-prod-incidents';
const NOW = new Date('2026-03-10T12:00:00Z');
const WHERE = ['--stage', 'prod', '--region', 'eu-west-1'];
const EXECUTION_ARN = (name: string) =>
  `arn:aws:states:eu-west-1:123456789012:execution:rebound-prod-replace-unhealthy-instance:${name}`;

const incidentAt = (name: string, openedAt: string, instance: string): Incident =>
  manualIncident(
    {
      runbook: 'replace-unhealthy-instance',
      kind: 'instance-health',
      target: { type: 'ec2-instance', id: instance },
      execution: { id: EXECUTION_ARN(name), name },
      reason: `${instance} out of memory`,
    },
    new Date(openedAt),
  );

let documents: DynamoDBDocumentClient;
let active: Incident;
let resolved: Incident;

const run = async (args: string[], client: () => DynamoDBDocumentClient = () => documents) => {
  const out: string[] = [];
  const err: string[] = [];
  const deps: IncidentsCliDeps = {
    documents: client,
    env: {},
    cdkJsonPath: path.join('/nonexistent', 'cdk.json'),
    clock: { now: () => NOW },
    out: (text) => out.push(text),
    err: (text) => err.push(text),
  };
  const code = await runIncidentsCli(args, deps);
  return { code, out: out.join('\n'), err: err.join('\n') };
};

describe('npm run incidents', () => {
  beforeAll(async () => {
    // Prepare: one active incident, one resolved in 25 minutes with an approval and an alert,
    // one resolved long ago, and an approval item the list must not take for an incident.
    await createIncidentTable(dynamo.client, TABLE);
    documents = DynamoDBDocumentClient.from(dynamo.client);
    const store = new DynamoDbIncidentStore(documents, TABLE);
    active = incidentAt('run-active', '2026-03-10T11:15:00Z', 'i-0aaaaaaaaaaaaaaa1');
    await store.create(active);
    const opened = incidentAt('run-done', '2026-03-09T08:00:00Z', 'i-0bbbbbbbbbbbbbbb2');
    await store.create(opened);
    const noted = appendTimeline(
      opened,
      [
        {
          type: 'approval',
          at: '2026-03-09T08:05:00.000Z',
          runbook: 'replace-unhealthy-instance',
          executionName: 'run-done',
          decision: 'approved',
          by: 'Ana',
          via: 'cli',
          reason: 'disk full',
        },
        {
          type: 'alert',
          at: '2026-03-09T08:06:00.000Z',
          severity: 'warning',
          subject: '[warning] i-0bbbbbbbbbbbbbbb2 replaced',
          sms: false,
        },
      ],
      new Date('2026-03-09T08:06:00Z'),
    );
    resolved = {
      ...transition(noted, 'resolved', 'the alarm is OK again', new Date('2026-03-09T08:25:00Z')),
      version: 2,
    };
    await store.update(resolved);
    const old = incidentAt('run-old', '2026-01-02T08:00:00Z', 'i-0ccccccccccccccc3');
    await store.create(old);
    await store.update({
      ...transition(old, 'resolved', 'recovered', new Date('2026-01-02T09:00:00Z')),
      version: 2,
    });
    const approval: ApprovalRecord = {
      id: 'approval-1',
      taskToken: 'secret-token',
      runbook: 'rds-failover',
      incidentId: active.id,
      executionArn: EXECUTION_ARN('run-active'),
      executionName: 'run-active',
      action: 'force a failover',
      target: { type: 'db-instance', id: 'rebound-prod-db' },
      status: 'pending',
      requestedAt: '2026-03-10T11:20:00.000Z',
      expiresAt: NOW.getTime() / 1000 + 600,
    };
    await new DynamoDbApprovalStore(documents, TABLE).create(approval);
  });

  it('lists the active incidents, then those ended in the last 7 days, with status, severity and MTTR', async () => {
    // Act
    const result = await run(WHERE);

    // Assess
    expect(result).toMatchObject({ code: 0, err: '' });
    const lines = result.out.split('\n');
    expect(lines[0]).toBe('rebound-prod-incidents (eu-west-1)');
    expect(lines[1]).toBe('1 active, 1 ended in the last 7 days; MTTR of the 1 resolved: 25m');
    expect(lines[3]).toMatch(/^ID +STATUS +SEVERITY +OPENED \(UTC\) +MTTR +TITLE$/);
    const rows = lines.slice(4).map((line) => line.split(/ {2,}/));
    expect(rows).toEqual([
      [active.id, 'open', 'warning', '2026-03-10 11:15', 'open 45m', active.title],
      [resolved.id, 'resolved', 'warning', '2026-03-09 08:00', '25m', resolved.title],
    ]);
    expect(result.out).not.toContain('secret-token');
  });

  it('goes further back with --days', async () => {
    // Act
    const result = await run([...WHERE, '--days', '90']);

    // Assess
    expect(result.out).toContain(
      '1 active, 2 ended in the last 90 days; MTTR of the 2 resolved: 42m',
    );
  });

  it('shows one incident with its whole timeline: decision, run with console link, approval, alert, status', async () => {
    // Act
    const result = await run(['show', resolved.id, ...WHERE]);

    // Assess
    expect(result.code).toBe(0);
    const lines = result.out.split('\n');
    expect(lines[0]).toBe(`${resolved.id}  resolved  warning`);
    expect(lines).toContain('MTTR:      25m');
    expect(lines).toContain('resources: ec2-instance i-0bbbbbbbbbbbbbbb2');
    expect(lines).toContain(`timeline (${resolved.timeline.length} entries, UTC):`);
    const timeline = lines.slice(
      lines.indexOf(`timeline (${resolved.timeline.length} entries, UTC):`) + 1,
    );
    expect(timeline).toEqual([
      '2026-03-09 08:00:00  decision  runbook replace-unhealthy-instance: an operator started the runbook by hand',
      '2026-03-09 08:00:00  runbook   replace-unhealthy-instance run-done started: started by hand: i-0bbbbbbbbbbbbbbb2 out of memory',
      `${' '.repeat(31)}https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/${EXECUTION_ARN('run-done')}`,
      '2026-03-09 08:05:00  approval  replace-unhealthy-instance run-done approved by Ana via cli: disk full',
      '2026-03-09 08:06:00  alert     warning: [warning] i-0bbbbbbbbbbbbbbb2 replaced',
      '2026-03-09 08:25:00  status    open -> resolved: the alarm is OK again',
    ]);
  });

  it('says an unknown incident or table in one line, exit 1', async () => {
    // Act
    const missing = await run(['show', 'inc-20260101T0000-deadbeef', ...WHERE]);
    const noTable = await run(['--stage', 'qa', '--region', 'eu-west-1']);

    // Assess
    expect(missing.code).toBe(1);
    expect(missing.err).toBe(
      'error: no incident inc-20260101T0000-deadbeef in rebound-prod-incidents (eu-west-1): check the id (npm run incidents lists them) and --stage/--region',
    );
    expect(noTable.code).toBe(1);
    expect(noTable.err).toBe(
      'error: table rebound-qa-incidents not found in eu-west-1: deploy the control plane stack or pass --stage/--region',
    );
  });

  it('says which permission is missing when access is denied, exit 1', async () => {
    // Prepare: every document client's Scan refused
    const denied = mockClient(DynamoDBDocumentClient);
    denied.on(ScanCommand).rejects(
      Object.assign(new Error('not authorized to perform: dynamodb:Scan'), {
        name: 'AccessDeniedException',
      }),
    );

    // Act
    const result = await run(WHERE);
    denied.restore();

    // Assess
    expect(result.code).toBe(1);
    expect(result.err).toBe(
      'error: access denied (AccessDeniedException: not authorized to perform: dynamodb:Scan); your role needs dynamodb:Scan on rebound-prod-incidents in eu-west-1',
    );
  });

  it.each([
    [['--days', '0'], /--days must be a whole number from 1 to 90/],
    [['list'], /unknown command "list"/],
    [['show'], /show needs an incident id/],
    [['show', 'a', 'b'], /show takes one incident id/],
    [['--force'], /unknown option --force/],
    [['--stage', 'Prod!'], /stage "Prod!" is not valid/],
  ])('refuses %j with exit 2 and the usage', async (args, message) => {
    // Act
    const result = await run([...args, '--region', 'eu-west-1']);

    // Assess
    expect(result.code).toBe(2);
    expect(result.err).toMatch(message);
    expect(result.err).toContain('usage: npm run incidents --');
  });

  it('formats durations from seconds to days', () => {
    expect([45_000, 25 * 60_000, 65 * 60_000, 51 * 3_600_000].map(formatDuration)).toEqual([
      '45s',
      '25m',
      '1h 05m',
      '2d 03h',
    ]);
  });
});

describe('npm run incidents: a failed incident', () => {
  // Prepare: an incident escalated 30 minutes after it opened, and one stored before failed
  // incidents lost their resolvedAt (it still carries one).
  const opened = incidentAt('run-failed', '2026-03-10T10:00:00Z', 'i-0ddddddddddddddd4');
  const failed = transition(
    opened,
    'failed',
    'runbook escalated',
    new Date('2026-03-10T10:30:00Z'),
  );
  const storedBefore: Incident = { ...failed, resolvedAt: '2026-03-10T10:30:00.000Z' };

  it.each([
    ['today', failed],
    ['stored before the fix', storedBefore],
  ])('shows when it was handed over and no MTTR (%s)', (_when, incident) => {
    // Act
    const shown = formatIncident(incident, 'eu-west-1', NOW).split('\n');
    const listed = formatIncidentList([incident], 7, NOW).split('\n');

    // Assess
    expect(failed.resolvedAt).toBeUndefined();
    expect(shown).toContain('handed over: 2026-03-10T10:30:00.000Z');
    expect(shown).toContain('MTTR:      handed over 30m');
    expect(shown.some((line) => line.startsWith('resolved:'))).toBe(false);
    expect(listed[0]).toBe('0 active, 1 ended in the last 7 days');
    expect(listed[3]?.split(/ {2,}/)[4]).toBe('handed over 30m');
  });
});
