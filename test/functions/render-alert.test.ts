import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { TriageAlertInput } from '../../functions/lib/core/alert.js';
import { renderRunbookOutcomeAlert } from '../../functions/lib/core/alerts/runbook-outcome-alert.js';
import { SNS_SUBJECT_MAX_LENGTH, toSnsSubject } from '../../functions/lib/core/alerts/text.js';
import { renderTriageAlert } from '../../functions/lib/core/alerts/triage-alert.js';
import { classify } from '../../functions/lib/core/classify.js';
import { consoleLink, executionConsoleLink } from '../../functions/lib/core/console-links.js';
import { DECISION_ACTIONS, type Decision } from '../../functions/lib/core/decision.js';
import type { Incident } from '../../functions/lib/core/incident.js';
import { BLOCKED_BY, type RunbookOutcome } from '../../functions/lib/core/runbook-registry.js';
import { RESOURCE_TYPES, SIGNAL_KINDS, type Signal } from '../../functions/lib/core/signal.js';
import { parseIncomingEvent } from '../../functions/lib/events/index.js';
import { isGsm7 } from '../../functions/lib/sms.js';
import { SHOP } from './support/shop-inventory.js';

const REGION = 'us-east-1';
const INCIDENT_ID = 'inc-20261126T0304-ab12cd34';
const EXECUTION_ARN =
  'arn:aws:states:us-east-1:123456789012:execution:rebound-prod-replace-unhealthy-instance:inc-1';
const SECTIONS = [
  'WHAT HAPPENED',
  'IMPACT',
  'WHAT REBOUND DID / WILL DO, AND WHY',
  'CURRENT STATE',
  'INCIDENT',
  'LINKS',
];

const signal = (overrides: Partial<Signal> = {}): Signal => ({
  kind: 'database-failover',
  phase: 'problem',
  severity: 'critical',
  resource: { type: 'db-instance', id: 'rebound-prod-db' },
  related: [],
  partKey: 'rds-failover:rebound-prod-db',
  availabilityZone: 'us-east-1a',
  summary: 'Multi-AZ failover started',
  selfHealing: { by: 'rds', expectedWithinSeconds: 120 },
  source: {
    eventId: 'event-1',
    source: 'aws.rds',
    detailType: 'RDS DB Instance Event',
    time: '2026-11-26T03:04:12Z',
    region: REGION,
    account: '123456789012',
  },
  ...overrides,
});

const incident = (overrides: Partial<Incident> = {}): Incident => ({
  id: INCIDENT_ID,
  status: 'open',
  severity: 'critical',
  title: 'Multi-AZ failover started on rebound-prod-db',
  kind: 'database-failover',
  resources: [{ type: 'db-instance', id: 'rebound-prod-db' }],
  availabilityZone: 'us-east-1a',
  parts: [
    {
      key: 'rds-failover:rebound-prod-db',
      kind: 'database-failover',
      resource: { type: 'db-instance', id: 'rebound-prod-db' },
      state: 'active',
      since: '2026-11-26T03:04:12Z',
      expectRecoveryBy: '2026-11-26T03:06:12Z',
    },
    {
      key: 'alarm:rebound-prod-db-cpu',
      kind: 'database-degraded',
      resource: { type: 'db-instance', id: 'rebound-prod-db' },
      state: 'resolved',
      since: '2026-11-26T03:00:00Z',
    },
  ],
  scopeKeys: ['resource:db-instance:rebound-prod-db'],
  timeline: [],
  openedAt: '2026-11-26T03:00:00Z',
  updatedAt: '2026-11-26T03:04:12Z',
  runbookExecutions: {},
  version: 3,
  ...overrides,
});

const observe: Decision = { action: 'notify', runbook: null, reason: 'RDS fails over by itself' };

const triageInput = (overrides: Partial<TriageAlertInput> = {}): TriageAlertInput => ({
  incident: incident(),
  signal: signal(),
  decision: observe,
  page: true,
  kind: 'incident-opened',
  resourceState: { lines: ['rebound-prod-db: available, Multi-AZ yes, in us-east-1b'] },
  ...overrides,
});

/** The lines of one email section: from its title line to the next blank line. */
const sectionLines = (email: string, title: string): string[] => {
  const lines = email.split('\n');
  const start = lines.indexOf(title);
  if (start === -1) return [];
  const end = lines.indexOf('', start);
  return lines.slice(start + 1, end === -1 ? undefined : end).map((line) => line.trim());
};

/** Control or format characters other than the line feeds that structure the email. */
const hasInvisibleCharacters = (text: string): boolean =>
  [...text].some((character) => character !== '\n' && /[\p{Cc}\p{Cf}]/u.test(character));

const isPrintableAscii = (text: string): boolean => /^[\x20-\x7e]*$/.test(text);

/** Deterministic pseudo-random generator (mulberry32), so failures are reproducible. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const ODD_PIECES = [
  'rebound-prod-db',
  '\u0000\u0007\u001b[31m',
  '\r\n\t',
  '🔥💥👩🏽‍💻',
  '数据库故障',
  'é\u0301ñ',
  '[]{}~|\\^€',
  '\u202e\u200b\ufeff',
  '\ud800',
  '"quotes" ‘curly’ — …',
  ' '.repeat(50),
  'x'.repeat(10_000),
  '🔥'.repeat(3_000),
];

const oddText = (next: () => number): string => {
  const count = 1 + Math.floor(next() * 4);
  return Array.from(
    { length: count },
    () => ODD_PIECES[Math.floor(next() * ODD_PIECES.length)] ?? '',
  ).join('');
};

describe('renderTriageAlert: subject', () => {
  it('reads [SEVERITY] what is wrong, resource (incident id)', () => {
    // Act
    const alert = renderTriageAlert(triageInput(), REGION);

    // Assess
    expect(alert.subject).toBe(
      '[CRITICAL] Multi-AZ failover started, rebound-prod-db (inc-20261126T0304-ab12cd34)',
    );
    expect(alert).toMatchObject({
      severity: 'critical',
      kind: 'incident-opened',
      incidentId: INCIDENT_ID,
    });
  });

  it('keeps the incident id when the summary is far too long', () => {
    // Act
    const alert = renderTriageAlert(
      triageInput({ signal: signal({ summary: 'very long summary '.repeat(40) }) }),
      REGION,
    );

    // Assess
    expect(alert.subject.length).toBeLessThanOrEqual(SNS_SUBJECT_MAX_LENGTH);
    expect(alert.subject.endsWith(`(${INCIDENT_ID})`)).toBe(true);
  });

  it('says RESOLVED for a resolution', () => {
    // Act
    const alert = renderTriageAlert(
      triageInput({
        kind: 'incident-resolved',
        page: false,
        signal: signal({ phase: 'recovered', summary: 'Multi-AZ failover completed' }),
        decision: { action: 'resolve', runbook: null, reason: 'failover completed' },
      }),
      REGION,
    );

    // Assess
    expect(alert.subject.startsWith('[RESOLVED] ')).toBe(true);
  });
});

describe('renderTriageAlert: email', () => {
  it('has every section, in order, each with content', () => {
    // Act
    const { email } = renderTriageAlert(triageInput(), REGION);

    // Assess
    const lines = email.split('\n');
    const positions = SECTIONS.map((title) => lines.indexOf(title));
    expect(positions.every((position) => position > 0)).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    for (const title of SECTIONS) expect(sectionLines(email, title).length).toBeGreaterThan(0);
  });

  it('says what happened, when and where', () => {
    // Act
    const { email } = renderTriageAlert(triageInput(), REGION);

    // Assess
    expect(sectionLines(email, 'WHAT HAPPENED')).toEqual(
      expect.arrayContaining([
        'Multi-AZ failover started',
        'Time:      2026-11-26 03:04:12 UTC',
        'AZ:        us-east-1a',
      ]),
    );
  });

  it('derives the impact from the signal kind', () => {
    // Act
    const { email } = renderTriageAlert(
      triageInput({
        signal: signal({
          kind: 'capacity-pressure',
          severity: 'warning',
          resource: { type: 'auto-scaling-group', id: 'rebound-prod-web' },
        }),
      }),
      REGION,
    );

    // Assess
    const [impact] = sectionLines(email, 'IMPACT');
    expect(impact).toContain('Slow pages possible; target tracking scales the group out');
  });

  it('tells that AWS heals it and until when Rebound waits', () => {
    // Act
    const { email } = renderTriageAlert(triageInput(), REGION);

    // Assess
    const action = sectionLines(email, 'WHAT REBOUND DID / WILL DO, AND WHY');
    expect(action[0]).toMatch(/^Observing: RDS recovers this by itself/);
    expect(action).toContain('Why: RDS fails over by itself');
    expect(action.some((line) => line.includes('by 2026-11-26 03:06:12 UTC'))).toBe(true);
    expect(email.split('\n')[1]).toMatch(/^No action needed yet/);
  });

  it('names the guardrail that blocked an action and the SSM parameter to change', () => {
    // Prepare
    const blocked: Decision = {
      action: 'notify',
      runbook: 'replace-unhealthy-instance',
      reason: 'i-0abc was acted on 5 minutes ago',
      blockedBy: 'cooldown',
    };

    // Act
    const { email } = renderTriageAlert(
      triageInput({
        decision: blocked,
        signal: signal({
          kind: 'instance-health',
          resource: { type: 'ec2-instance', id: 'i-0abc' },
          selfHealing: undefined,
        }),
      }),
      REGION,
      { guardrailPath: '/rebound/prod/guardrails/' },
    );

    // Assess
    const action = sectionLines(email, 'WHAT REBOUND DID / WILL DO, AND WHY');
    expect(action[0]).toBe(
      'Wanted to run replace-unhealthy-instance, but guardrail "cooldown" stopped it.',
    );
    expect(action.some((line) => line.includes('/rebound/prod/guardrails/cooldown-minutes'))).toBe(
      true,
    );
    expect(email.split('\n')[1]).toMatch(/^ACTION NEEDED/);
  });

  it.each([
    ['mode-off', 'replace-unhealthy-instance', 'mode'],
    ['budget', 'replace-unhealthy-instance', 'max-instance-replacements-per-hour'],
    ['budget', 'scale-out', 'max-actions-per-hour'],
    ['floor', 'replace-unhealthy-instance', 'min-healthy-instances'],
    ['runbook-disabled', 'az-evacuation', 'enabled-runbooks'],
    ['ceiling', 'scale-out', 'max-scale-out-capacity'],
    ['scale-out-step', 'scale-out', 'scale-out-step'],
  ] as const)('maps guardrail %s of %s to parameter %s', (blockedBy, runbook, parameter) => {
    // Act
    const { email } = renderTriageAlert(
      triageInput({ decision: { ...observe, runbook, blockedBy } }),
      REGION,
    );

    // Assess
    const action = sectionLines(email, 'WHAT REBOUND DID / WILL DO, AND WHY');
    expect(action.some((line) => line.includes(`/rebound/<stage>/guardrails/${parameter}:`))).toBe(
      true,
    );
  });

  it('shows the live state, or why it is unavailable', () => {
    // Act
    const known = renderTriageAlert(triageInput(), REGION);
    const unknown = renderTriageAlert(
      triageInput({ resourceState: { lines: [], unavailable: 'no answer within 1500 ms' } }),
      REGION,
    );

    // Assess
    expect(sectionLines(known.email, 'CURRENT STATE')).toEqual([
      'rebound-prod-db: available, Multi-AZ yes, in us-east-1b',
    ]);
    expect(sectionLines(unknown.email, 'CURRENT STATE')).toEqual([
      'live state unavailable: no answer within 1500 ms',
    ]);
  });

  it('summarises the incident', () => {
    // Act
    const { email } = renderTriageAlert(triageInput(), REGION);

    // Assess
    expect(sectionLines(email, 'INCIDENT')).toEqual(
      expect.arrayContaining([
        `Id:          ${INCIDENT_ID}`,
        'Status:      open',
        'Open parts:  1 of 2',
        'Opened at:   2026-11-26 03:00:00 UTC',
        'Timeline:    0 entries',
      ]),
    );
  });

  it('links the resource consoles and the runbook execution', () => {
    // Act
    const { email } = renderTriageAlert(
      triageInput({
        decision: { action: 'runbook', runbook: 'replace-unhealthy-instance', reason: 'unhealthy' },
        executionArn: EXECUTION_ARN,
      }),
      REGION,
    );

    // Assess
    const links = sectionLines(email, 'LINKS');
    expect(links).toContain(executionConsoleLink(EXECUTION_ARN, REGION));
    expect(links).toContain(consoleLink({ type: 'db-instance', id: 'rebound-prod-db' }, REGION));
  });
});

describe('renderTriageAlert: SMS', () => {
  it('pages a critical alert in one short GSM-7 line', () => {
    // Act
    const { sms } = renderTriageAlert(triageInput(), REGION);

    // Assess
    expect(sms).toBe(
      `CRIT Multi-AZ failover started - rebound-prod-db. Rebound: observing RDS recovery. ${INCIDENT_ID}`,
    );
  });

  it('does not page when page is false', () => {
    // Act
    const alert = renderTriageAlert(triageInput({ page: false }), REGION);

    // Assess
    expect(alert.sms).toBeNull();
  });

  it('does not page a warning even when page is true', () => {
    // Act
    const alert = renderTriageAlert(
      triageInput({
        signal: signal({ severity: 'warning' }),
        incident: incident({ severity: 'warning' }),
        page: true,
      }),
      REGION,
    );

    // Assess
    expect(alert.sms).toBeNull();
  });
});

describe('renderTriageAlert: odd text', () => {
  it('never throws and keeps every limit over many random inputs', () => {
    // Prepare
    const next = random(20261126);
    const kinds = ['incident-opened', 'incident-update', 'incident-resolved'] as const;

    for (let round = 0; round < 150; round += 1) {
      const input = triageInput({
        kind: kinds[round % kinds.length],
        signal: signal({
          kind: SIGNAL_KINDS[round % SIGNAL_KINDS.length],
          resource: {
            type: RESOURCE_TYPES[round % RESOURCE_TYPES.length] ?? 'other',
            id: oddText(next),
          },
          summary: oddText(next),
          availabilityZone: oddText(next),
        }),
        incident: incident({ id: oddText(next), title: oddText(next) }),
        decision: {
          action: DECISION_ACTIONS[round % DECISION_ACTIONS.length] ?? 'notify',
          runbook: oddText(next),
          reason: oddText(next),
          blockedBy: BLOCKED_BY[round % BLOCKED_BY.length],
        },
        resourceState: { lines: [oddText(next), oddText(next)], unavailable: oddText(next) },
      });

      // Act
      const alert = renderTriageAlert(input, REGION);

      // Assess
      expect(alert.subject.length).toBeLessThanOrEqual(SNS_SUBJECT_MAX_LENGTH);
      expect(isPrintableAscii(alert.subject)).toBe(true);
      expect(alert.sms).not.toBeNull();
      expect([...(alert.sms ?? '')].length).toBeLessThanOrEqual(160);
      expect(isGsm7(alert.sms ?? '')).toBe(true);
      expect(alert.sms).not.toContain('\n');
      // SNS takes 256 KB per message, and the email goes in twice (default and email).
      expect(Buffer.byteLength(alert.email)).toBeLessThan(60_000);
      expect(hasInvisibleCharacters(alert.email)).toBe(false);
      expect(alert.email.isWellFormed()).toBe(true);
    }
  });
});

describe('renderRunbookOutcomeAlert', () => {
  const outcomeInput = (outcome: RunbookOutcome, page = true) => ({
    incident: incident(),
    runbook: 'replace-unhealthy-instance',
    outcome,
    detail: 'States.Timeout in WaitForReplacement',
    executionArn: EXECUTION_ARN,
    page,
  });

  it('announces a success as a warning without paging', () => {
    // Act
    const alert = renderRunbookOutcomeAlert(outcomeInput('succeeded'), REGION);

    // Assess
    expect(alert).toMatchObject({ severity: 'warning', kind: 'runbook-succeeded', sms: null });
    expect(alert.subject.startsWith('[OK] Runbook replace-unhealthy-instance succeeded: ')).toBe(
      true,
    );
    expect(alert.subject.endsWith(`(${INCIDENT_ID})`)).toBe(true);
  });

  it('escalates a failure as critical and pages when allowed', () => {
    // Act
    const alert = renderRunbookOutcomeAlert(outcomeInput('failed'), REGION);

    // Assess
    expect(alert).toMatchObject({ severity: 'critical', kind: 'escalation' });
    expect(alert.sms).toMatch(
      /^CRIT runbook replace-unhealthy-instance FAILED - rebound-prod-db\. /,
    );
    expect(alert.sms?.endsWith(INCIDENT_ID)).toBe(true);
    expect(sectionLines(alert.email, 'WHAT THIS MEANS')[0]).toMatch(/^ACTION NEEDED/);
    expect(sectionLines(alert.email, 'LINKS')).toContain(
      executionConsoleLink(EXECUTION_ARN, REGION),
    );
  });

  it('does not page a failure when page is false', () => {
    // Act
    const alert = renderRunbookOutcomeAlert(outcomeInput('failed', false), REGION);

    // Assess
    expect(alert.sms).toBeNull();
  });

  it.each(['dry-run', 'skipped', 'refused'] as const)(
    'reports %s about a warning incident as a warning update with its reason',
    (outcome) => {
      // Act
      const alert = renderRunbookOutcomeAlert(
        { ...outcomeInput(outcome), incident: incident({ severity: 'warning' }) },
        REGION,
      );

      // Assess
      expect(alert).toMatchObject({ severity: 'warning', kind: 'incident-update', sms: null });
      expect(sectionLines(alert.email, 'WHAT HAPPENED')).toContain(
        'Detail:    States.Timeout in WaitForReplacement',
      );
    },
  );

  it("names the guardrail that refused a run, from the run's typed blockedBy", () => {
    // Prepare
    const refused = {
      ...outcomeInput('refused'),
      runbook: 'scale-out',
      detail: '2 scale outs in the last hour',
      blockedBy: 'budget' as const,
    };

    // Act
    const alert = renderRunbookOutcomeAlert(refused, REGION, {
      guardrailPath: '/rebound/prod/guardrails/',
    });

    // Assess
    const [meaning] = sectionLines(alert.email, 'WHAT THIS MEANS');
    expect(meaning).toContain('guardrail "budget" stopped the runbook');
    expect(meaning).toContain('/rebound/prod/guardrails/max-actions-per-hour:');
  });

  it('gives no guardrail hint when the run refused for another reason', () => {
    // Act
    const alert = renderRunbookOutcomeAlert(
      {
        ...outcomeInput('refused'),
        detail: 'the primary is not available: RebootDBInstance needs it',
      },
      REGION,
    );

    // Assess
    const [meaning] = sectionLines(alert.email, 'WHAT THIS MEANS');
    expect(meaning).toMatch(/^ACTION NEEDED: the runbook refused to act/);
    expect(meaning).not.toContain('SSM parameter');
  });

  it.each(['dry-run', 'skipped', 'refused'] as const)(
    'reports %s about a critical incident as critical, without paging again',
    (outcome) => {
      // Act
      const alert = renderRunbookOutcomeAlert(outcomeInput(outcome), REGION);

      // Assess
      expect(alert).toMatchObject({ severity: 'critical', kind: 'incident-update', sms: null });
      expect(alert.subject.startsWith(`[${outcome.toUpperCase()}] `)).toBe(true);
    },
  );

  it('says a dry run changed nothing and that a person must act', () => {
    // Act
    const alert = renderRunbookOutcomeAlert(outcomeInput('dry-run'), REGION);

    // Assess
    const [meaning] = sectionLines(alert.email, 'WHAT THIS MEANS');
    expect(meaning).toMatch(/^ACTION NEEDED: the runbook only checked what it would do/);
    expect(meaning).toContain('npm run runbook -- replace-unhealthy-instance');
  });

  it('tells how to leave dry-run mode', () => {
    // Act
    const alert = renderRunbookOutcomeAlert(outcomeInput('dry-run'), REGION, {
      guardrailPath: '/rebound/prod/guardrails/',
    });

    // Assess
    const [meaning] = sectionLines(alert.email, 'WHAT THIS MEANS');
    expect(meaning).toContain('/rebound/prod/guardrails/mode: set it to "auto"');
  });

  it('never throws on odd text and keeps every limit', () => {
    // Prepare
    const next = random(7);
    const outcomes: RunbookOutcome[] = ['succeeded', 'failed', 'dry-run', 'skipped', 'refused'];

    for (let round = 0; round < 100; round += 1) {
      // Act
      const alert = renderRunbookOutcomeAlert(
        {
          incident: incident({ id: oddText(next), title: oddText(next) }),
          runbook: oddText(next),
          outcome: outcomes[round % outcomes.length] ?? 'failed',
          detail: oddText(next),
          executionArn: oddText(next),
          page: true,
        },
        REGION,
      );

      // Assess
      expect(alert.subject.length).toBeLessThanOrEqual(SNS_SUBJECT_MAX_LENGTH);
      expect(isPrintableAscii(alert.subject)).toBe(true);
      expect([...(alert.sms ?? '')].length).toBeLessThanOrEqual(160);
      expect(isGsm7(alert.sms ?? '')).toBe(true);
      expect(alert.email.isWellFormed()).toBe(true);
    }
  });
});

describe('toSnsSubject', () => {
  it('makes any text a valid SNS subject', () => {
    // Prepare
    const text = `Ärger:\n“${'ü'.repeat(150)}” 🔥`;

    // Act
    const subject = toSnsSubject(text);

    // Assess
    expect(subject.startsWith('Arger: "uuu')).toBe(true);
    expect(subject).toHaveLength(SNS_SUBJECT_MAX_LENGTH);
    expect(isPrintableAscii(subject)).toBe(true);
  });
});

describe('consoleLink for an alarm', () => {
  it('builds the documented alarm deep link', () => {
    // Act
    const url = consoleLink({ type: 'alarm', id: 'rebound prod/alb' }, 'eu-west-3');

    // Assess
    expect(url).toBe(
      'https://eu-west-3.console.aws.amazon.com/cloudwatch/home?region=eu-west-3#alarmsV2:alarm/rebound%20prod%2Falb',
    );
  });
});

describe('renderTriageAlert: what the reader must do (issue 12)', () => {
  const instanceId = 'i-0a1b2c3d4e5f60718';
  const grayFailure = signal({
    kind: 'instance-health',
    resource: { type: 'ec2-instance', id: instanceId },
    related: [{ type: 'auto-scaling-group', id: 'rebound-prod-web' }],
    partKey: 'alarm:rebound-prod-web-memory',
    summary: `${instanceId}: memory above 90% (rebound-prod-web-memory OK→ALARM)`,
    selfHealing: undefined,
  });
  const dryRun: Decision = {
    action: 'runbook',
    runbook: 'replace-unhealthy-instance',
    reason: 'gray failure. Dry-run mode (/rebound/prod/guardrails/mode).',
    startsAs: 'dry-run',
  };
  const dryRunInput = triageInput({
    signal: grayFailure,
    decision: dryRun,
    executionArn: EXECUTION_ARN,
    runbookInput: {
      instanceId,
      alarmName: 'rebound-prod-web-memory',
      reason: "memory above 90% ('rebound-prod-web-memory')",
    },
  });

  it('in dry-run says plainly that Rebound will not act, in the headline, the subject and the SMS', () => {
    // Act
    const alert = renderTriageAlert(dryRunInput, REGION, { stage: 'prod' });

    // Assess
    const [headline, callToAction] = alert.email.split('\n');
    expect(callToAction).toMatch(/^ACTION NEEDED: Rebound will not act\./);
    expect(alert.email).not.toContain('Rebound is fixing it');
    expect(headline).toMatch(/^CRITICAL - NEW INCIDENT - ACTION NEEDED: memory above 90%/);
    expect(alert.subject.startsWith('[CRITICAL] ACTION NEEDED: memory above 90%')).toBe(true);
    expect(alert.sms).toContain('Rebound will NOT act (dry-run), needs you.');
    expect(alert.sms).not.toContain('running');
  });

  it('in dry-run gives the exact npm run runbook commands, with an input the CLI accepts', () => {
    // Act
    const { email } = renderTriageAlert(dryRunInput, REGION, { stage: 'prod' });

    // Assess
    const action = sectionLines(email, 'WHAT REBOUND DID / WILL DO, AND WHY');
    expect(action).toContain(
      'npm run runbook -- replace-unhealthy-instance --stage prod --region us-east-1 --input rebound-run.json',
    );
    const echo = action.find((line) => line.startsWith('echo '));
    const json = /^echo '(.*)' > rebound-run\.json$/.exec(echo ?? '')?.[1];
    expect(JSON.parse(json ?? 'null')).toEqual({
      instanceId,
      alarmName: 'rebound-prod-web-memory',
      incidentId: INCIDENT_ID,
    });
    expect(action.some((line) => line.includes('/rebound/<stage>/guardrails/mode'))).toBe(true);
  });

  it('pages in dry-run where the same failure would page when Rebound acts', () => {
    // Act
    const acting = renderTriageAlert(
      { ...dryRunInput, decision: { ...dryRun, startsAs: undefined } },
      REGION,
    );
    const dry = renderTriageAlert(dryRunInput, REGION);

    // Assess
    expect(acting.sms).not.toBeNull();
    expect(dry.sms).not.toBeNull();
    expect(dry.severity).toBe(acting.severity);
  });

  it('for a run that waits for a person says approval needed first, with the execution link', () => {
    // Prepare
    const arn =
      'arn:aws:states:us-east-1:123456789012:execution:rebound-prod-az-evacuation:inc-1--us-east-1a';
    const input = triageInput({
      signal: signal({
        kind: 'az-impairment',
        resource: { type: 'availability-zone', id: 'us-east-1a' },
        partKey: 'health:arn:aws:health:us-east-1::event/EC2/AWS_EC2_OPERATIONAL_ISSUE/1',
        summary: 'us-east-1a (use1-az1): AWS Health AWS_EC2_OPERATIONAL_ISSUE (issue, open)',
        selfHealing: undefined,
      }),
      decision: {
        action: 'runbook',
        runbook: 'az-evacuation',
        reason: 'AWS reports an impairment in us-east-1a',
        startsAs: 'approval',
      },
      executionArn: arn,
    });

    // Act
    const alert = renderTriageAlert(input, REGION);

    // Assess
    const [headline, callToAction] = alert.email.split('\n');
    expect(callToAction).toMatch(/^APPROVAL NEEDED: az-evacuation waits for a person/);
    expect(alert.email).not.toContain('No action needed');
    expect(headline).toContain('- APPROVAL NEEDED:');
    expect(alert.subject.startsWith('[CRITICAL] APPROVAL NEEDED: ')).toBe(true);
    expect(sectionLines(alert.email, 'WHAT REBOUND DID / WILL DO, AND WHY')).toContain(
      `The waiting execution: ${executionConsoleLink(arn, REGION)}`,
    );
    expect(alert.sms).toContain('az-evacuation needs your approval');
  });
});

describe('renderTriageAlert: subject and SMS name what is wrong first, the resource once (issue 12)', () => {
  const instanceId = 'i-0a1b2c3d4e5f60718';
  const statusCheck = signal({
    kind: 'instance-health',
    resource: { type: 'ec2-instance', id: instanceId },
    partKey: 'alarm:rebound-prod-web-status-check',
    summary: `${instanceId} in us-east-1a: StatusCheckFailed alarm (rebound-prod-web-status-check OK→ALARM)`,
    selfHealing: undefined,
  });
  const occurrences = (text: string, part: string): number => text.split(part).length - 1;

  it('puts what is wrong before the resource, once, within the SNS subject limit', () => {
    // Act
    const alert = renderTriageAlert(triageInput({ signal: statusCheck }), REGION);

    // Assess: SNS subjects must be under 100 characters (Publish API reference)
    expect(alert.subject).toBe(
      `[CRITICAL] ACTION NEEDED: StatusCheckFailed alarm, ${instanceId} (${INCIDENT_ID})`,
    );
    expect(alert.subject.length).toBeLessThanOrEqual(SNS_SUBJECT_MAX_LENGTH);
    expect(occurrences(alert.subject, instanceId)).toBe(1);
  });

  it('keeps what is wrong, the resource and the incident id in one GSM-7 SMS segment', () => {
    // Act
    const { sms } = renderTriageAlert(triageInput({ signal: statusCheck }), REGION);

    // Assess: one segment is 160 GSM-7 characters (AWS-FACTS); Rebound keeps 140
    expect(sms?.startsWith('CRIT StatusCheckFailed alarm')).toBe(true);
    expect(occurrences(sms ?? '', instanceId)).toBe(1);
    expect(sms?.endsWith(INCIDENT_ID)).toBe(true);
    expect(sms?.length).toBeLessThanOrEqual(140);
    expect(isGsm7(sms ?? '')).toBe(true);
  });

  it('cuts what is wrong, never the resource or the incident id, when both are long', () => {
    // Prepare
    const longName = `rebound-prod-${'x'.repeat(80)}`;
    const long = signal({
      resource: { type: 'db-instance', id: longName },
      summary: `${longName}: ${'the database is on fire '.repeat(10)}`,
    });

    // Act
    const alert = renderTriageAlert(triageInput({ signal: long }), REGION);

    // Assess
    expect(alert.subject.length).toBeLessThanOrEqual(SNS_SUBJECT_MAX_LENGTH);
    expect(alert.subject).toMatch(/^\[CRITICAL\] the database is on fire/);
    expect(alert.subject).toContain('rebound-prod-');
    expect(alert.subject.endsWith(`(${INCIDENT_ID})`)).toBe(true);
    expect(alert.sms?.length).toBeLessThanOrEqual(140);
    expect(alert.sms?.endsWith(INCIDENT_ID)).toBe(true);
  });
});

describe('renderTriageAlert: one true explanation per cause (issue 12)', () => {
  const impactOf = (overrides: Partial<Signal>): string => {
    const { email } = renderTriageAlert(
      triageInput({
        signal: signal({ kind: 'instance-health', selfHealing: undefined, ...overrides }),
      }),
      REGION,
    );
    return sectionLines(email, 'IMPACT').join(' ');
  };

  it('explains an Auto Scaling launch failure as a launch failure, not a failed health check', () => {
    // Act
    const impact = impactOf({
      resource: { type: 'auto-scaling-group', id: 'rebound-prod-web' },
      partKey: 'asg-launch:rebound-prod-web',
      summary:
        'rebound-prod-web: instance launch failed in us-east-1a: InsufficientInstanceCapacity',
      selfHealing: { by: 'auto-scaling', expectedWithinSeconds: 900 },
    });

    // Assess
    expect(impact).toContain('Auto Scaling could not launch a new web instance');
    expect(impact).toContain('retries the launch by itself');
    expect(impact).not.toContain('health check');
  });

  it('explains a status-check failure as one Auto Scaling sees, a memory alarm as one it does not', () => {
    // Act
    const statusCheck = impactOf({
      resource: { type: 'ec2-instance', id: 'i-0a1b2c3d4e5f60718' },
      partKey: 'alarm:rebound-prod-web-status',
      summary: 'i-0a1b2c3d4e5f60718: instance unreachable',
      metric: 'StatusCheckFailed_Instance',
    });
    const memory = impactOf({
      resource: { type: 'ec2-instance', id: 'i-0a1b2c3d4e5f60718' },
      partKey: 'alarm:rebound-prod-web-memory',
      summary: 'i-0a1b2c3d4e5f60718: memory above 90%',
    });

    // Assess
    expect(statusCheck).toContain('fails its EC2 status checks');
    expect(statusCheck).toContain('Auto Scaling replaces an instance that fails EC2 status checks');
    expect(statusCheck).not.toContain('do not see');
    expect(memory).toContain('health checks do not see');
  });

  it('explains a scheduled retirement as nothing broken yet', () => {
    // Act
    const impact = impactOf({
      resource: { type: 'ec2-instance', id: 'i-0a1b2c3d4e5f60718' },
      partKey: 'health:arn:aws:health:us-east-1::event/EC2/AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED/1',
      summary:
        'i-0a1b2c3d4e5f60718: AWS Health AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED (scheduledChange, upcoming)',
    });

    // Assess
    expect(impact).toContain('AWS scheduled maintenance or retirement of this instance');
  });
});

describe('renderTriageAlert: updates (issue 12)', () => {
  it("carries a critical incident's severity on an update from a warning signal, without paging again", () => {
    // Act
    const alert = renderTriageAlert(
      triageInput({
        kind: 'incident-update',
        page: false,
        signal: signal({ severity: 'warning', summary: 'replica lag above 30 s' }),
      }),
      REGION,
    );

    // Assess
    expect(alert.severity).toBe('critical');
    expect(alert.subject.startsWith('[CRITICAL] ')).toBe(true);
    expect(alert.email.split('\n')[0]).toMatch(/^CRITICAL - INCIDENT UPDATE/);
    expect(alert.sms).toBeNull();
  });

  it("shows AWS Health's description, sanitised and cut, in the email", () => {
    // Prepare
    const description =
      'We are investigating increased API error rates\nin use1-az1.\u0007 ' +
      'More detail. '.repeat(200);

    // Act
    const { email } = renderTriageAlert(triageInput({ signal: signal({ description }) }), REGION);

    // Assess
    const line = sectionLines(email, 'WHAT HAPPENED').find((text) => text.startsWith('AWS says:'));
    expect(line).toMatch(
      /^AWS says: {2}We are investigating increased API error rates in use1-az1\. More detail\./,
    );
    expect(line?.length).toBeLessThanOrEqual(1020);
    expect(hasInvisibleCharacters(email)).toBe(false);
  });

  it('lists the signals that joined the incident since the last email', () => {
    // Prepare
    const entry = (at: string, summary: string) =>
      ({
        type: 'signal',
        at,
        kind: 'database-degraded',
        phase: 'problem',
        partKey: `alarm:${summary}`,
        summary,
        eventId: summary,
      }) as const;
    const joined = incident({
      timeline: [
        entry('2026-11-26T03:00:00Z', 'before the first email'),
        {
          type: 'alert',
          at: '2026-11-26T03:00:01Z',
          severity: 'critical',
          subject: 's',
          sms: true,
        },
        entry('2026-11-26T03:02:00Z', 'replica lag above 30 s'),
        entry('2026-11-26T03:03:00Z', 'free storage below 10%'),
      ],
    });

    // Act
    const { email } = renderTriageAlert(
      triageInput({ kind: 'incident-update', page: false, incident: joined }),
      REGION,
    );

    // Assess
    expect(sectionLines(email, 'SIGNALS SINCE THE LAST EMAIL')).toEqual([
      '2026-11-26 03:02:00 UTC  replica lag above 30 s',
      '2026-11-26 03:03:00 UTC  free storage below 10%',
    ]);
  });
});

describe('renderTriageAlert: AWS sample events as classified (issue 12)', () => {
  /** The documented sample `path`, classified as if its resources were the shop's. */
  const classified = (path: string): Signal => {
    const raw = JSON.parse(
      readFileSync(new URL(`../fixtures/events/${path}.json`, import.meta.url), 'utf8'),
    );
    const parsed = parseIncomingEvent(raw);
    if (!parsed.ok || parsed.events[0] === undefined) throw new Error(`${path} must parse`);
    const inventory = { ...SHOP, azIdToName: { 'use1-az2': 'us-east-1a' }, assumeOwned: true };
    const result = classify(parsed.events[0], inventory);
    if (result === null) throw new Error(`${path} must classify`);
    return result;
  };

  it('explains the documented StatusCheckFailed alarm as a status-check failure', () => {
    // Act
    const { email } = renderTriageAlert(
      triageInput({ signal: classified('cloudwatch/alarm-instance-status-check') }),
      REGION,
    );

    // Assess
    const impact = sectionLines(email, 'IMPACT').join(' ');
    expect(impact).toContain('fails its EC2 status checks');
    expect(impact).not.toContain('do not see');
  });

  it("carries the documented AWS Health event's description into the email", () => {
    // Act
    const { email } = renderTriageAlert(
      triageInput({ signal: classified('health/ec2-instance-retirement-scheduled') }),
      REGION,
    );

    // Assess
    expect(sectionLines(email, 'WHAT HAPPENED')).toContain(
      'AWS says:  A description of the event will be provided here',
    );
    expect(sectionLines(email, 'IMPACT').join(' ')).toContain('AWS scheduled maintenance');
  });
});

describe('an incident of several parts (one AZ outage)', () => {
  it('says in its INCIDENT section where, and what happened to each part', () => {
    // Act
    const alert = renderTriageAlert(triageInput(), REGION);

    // Assess
    const lines = sectionLines(alert.email, 'INCIDENT');
    expect(lines).toContain('AZ:          us-east-1a');
    expect(lines).toContain('Open parts:  1 of 2');
    expect(lines).toEqual(
      expect.arrayContaining([
        '- database-failover rebound-prod-db: open since 2026-11-26 03:04:12 UTC',
        '- database-degraded rebound-prod-db: recovered at 2026-11-26 03:00:00 UTC',
      ]),
    );
  });

  it('lists no parts for an incident of one', () => {
    // Act
    const [only] = incident().parts;
    const alert = renderTriageAlert(
      triageInput({ incident: incident({ parts: only === undefined ? [] : [only] }) }),
      REGION,
    );

    // Assess
    expect(sectionLines(alert.email, 'INCIDENT').filter((line) => line.startsWith('- '))).toEqual(
      [],
    );
  });
});
