import { describe, expect, it } from 'vitest';
import type { TriageAlertInput } from '../../functions/lib/core/alert.js';
import { renderRunbookOutcomeAlert } from '../../functions/lib/core/alerts/runbook-outcome-alert.js';
import { SNS_SUBJECT_MAX_LENGTH, toSnsSubject } from '../../functions/lib/core/alerts/text.js';
import { renderTriageAlert } from '../../functions/lib/core/alerts/triage-alert.js';
import { consoleLink, executionConsoleLink } from '../../functions/lib/core/console-links.js';
import { DECISION_ACTIONS, type Decision } from '../../functions/lib/core/decision.js';
import type { Incident } from '../../functions/lib/core/incident.js';
import { BLOCKED_BY, type RunbookOutcome } from '../../functions/lib/core/runbook-registry.js';
import { RESOURCE_TYPES, SIGNAL_KINDS, type Signal } from '../../functions/lib/core/signal.js';
import { isGsm7 } from '../../functions/lib/sms.js';

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
  it('reads [SEVERITY] resource: summary (incident id)', () => {
    // Act
    const alert = renderTriageAlert(triageInput(), REGION);

    // Assess
    expect(alert.subject).toBe(
      '[CRITICAL] rebound-prod-db: Multi-AZ failover started (inc-20261126T0304-ab12cd34)',
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
    expect(impact).toContain('Slow pages possible; the group is scaling');
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
      `CRIT rebound-prod-db Multi-AZ failover started. Rebound: observing RDS recovery. ${INCIDENT_ID}`,
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
      triageInput({ signal: signal({ severity: 'warning' }), page: true }),
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
    expect(alert.sms).toMatch(/^CRIT runbook replace-unhealthy-instance FAILED: /);
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
    'reports %s as a warning update with its reason',
    (outcome) => {
      // Act
      const alert = renderRunbookOutcomeAlert(outcomeInput(outcome), REGION);

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
