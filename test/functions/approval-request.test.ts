import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryApprovalStore } from '../../functions/lib/approval/memory-approval-store.js';
import { recordApproval } from '../../functions/lib/approval/record.js';
import { type RequestDeps, requestApproval } from '../../functions/lib/approval/request.js';
import {
  type ApprovalRecordEvent,
  type ApprovalRequestEvent,
  parseApprovalEvent,
} from '../../functions/lib/approval/schemas.js';
import { verifyApproval } from '../../functions/lib/approval/token.js';
import type { Alert } from '../../functions/lib/core/alert.js';
import type { Incident } from '../../functions/lib/core/incident.js';
import { MemoryIncidentStore } from '../../functions/lib/memory-store.js';
import { manualIncident } from '../../functions/lib/runbook/runbook-incident.js';
import { isGsm7 } from '../../functions/lib/sms.js';

const KEY = 'k'.repeat(64);
const ENDPOINT = 'https://abc123.lambda-url.us-east-1.on.aws/';
const NOW = new Date('2026-03-01T10:00:00Z');
const DB = 'rebound-prod-db';
const EXECUTION = {
  id: 'arn:aws:states:us-east-1:123456789012:execution:rebound-prod-rds-failover:run-1',
  name: 'run-1',
};
const TOKEN = 'AQCEAAAAKgAAAAMAAAAAAAAAAR9uNgu+token/with+plus==';
const ACTION = 'force a Multi-AZ failover of rebound-prod-db (RebootDBInstance with ForceFailover)';

const context = (incidentId: string) => ({
  runbook: 'rds-failover',
  incidentId,
  target: { type: 'db-instance' as const, id: DB },
  execution: EXECUTION,
});

describe('approvals', () => {
  let incidents: MemoryIncidentStore;
  let approvals: MemoryApprovalStore;
  let alerts: Alert[];
  let incident: Incident;
  let deps: RequestDeps;

  beforeEach(async () => {
    incidents = new MemoryIncidentStore();
    approvals = new MemoryApprovalStore();
    alerts = [];
    incident = manualIncident(
      {
        runbook: 'rds-failover',
        kind: 'database-failover',
        target: { type: 'db-instance', id: DB },
        execution: EXECUTION,
      },
      new Date('2026-03-01T09:55:00Z'),
    );
    await incidents.create(incident);
    deps = {
      approvals,
      incidents,
      alerts: { publish: async (alert) => `msg-${alerts.push(alert)}` },
      links: { signingKey: async () => KEY, endpointUrl: ENDPOINT },
      stage: 'prod',
      region: 'us-east-1',
      clock: { now: () => NOW },
      newId: () => 'approval-id-0001',
    };
  });

  const requestEvent = (): ApprovalRequestEvent => ({
    type: 'request',
    ...context(incident.id),
    taskToken: TOKEN,
    action: ACTION,
    timeoutSeconds: 1800,
  });
  /** The incident as triage leaves one with service impact: critical, not paged yet. */
  const becomeCritical = async (changes: Partial<Incident> = {}) => {
    incident = { ...incident, severity: 'critical', ...changes, version: incident.version + 1 };
    await incidents.update(incident);
  };
  const recordEvent = (answer: unknown): ApprovalRecordEvent => ({
    type: 'record',
    ...context(incident.id),
    answer,
  });

  describe('request', () => {
    it('stores a pending request with the task token, expiring after the timeout', async () => {
      // Act
      const result = await requestApproval(requestEvent(), deps);

      // Assess
      expect(result).toEqual({
        approvalId: 'approval-id-0001',
        incidentId: incident.id,
        expiresAt: '2026-03-01T10:30:00.000Z',
        messageId: 'msg-1',
      });
      expect(await approvals.get('approval-id-0001')).toEqual({
        id: 'approval-id-0001',
        taskToken: TOKEN,
        runbook: 'rds-failover',
        incidentId: incident.id,
        executionArn: EXECUTION.id,
        executionName: 'run-1',
        action: ACTION,
        target: { type: 'db-instance', id: DB },
        status: 'pending',
        requestedAt: NOW.toISOString(),
        expiresAt: NOW.getTime() / 1000 + 1800,
      });
    });

    it('notes the request and its alert on the incident timeline', async () => {
      // Act
      await requestApproval(requestEvent(), deps);

      // Assess
      const stored = await incidents.get(incident.id);
      expect(stored?.timeline.slice(-2)).toEqual([
        {
          type: 'approval',
          at: NOW.toISOString(),
          runbook: 'rds-failover',
          executionName: 'run-1',
          decision: 'requested',
          reason: ACTION,
        },
        expect.objectContaining({ type: 'alert', severity: 'warning', sms: false }),
      ]);
      expect(stored?.status).toBe('open');
    });

    it('sends one alert with approve and reject links whose signatures verify', async () => {
      // Act
      await requestApproval(requestEvent(), deps);

      // Assess
      expect(alerts).toHaveLength(1);
      const [alert] = alerts as [Alert];
      expect(alert).toMatchObject({ kind: 'approval-request', incidentId: incident.id });
      const links = [...alert.email.matchAll(/^ {2}(APPROVE|REJECT): +(\S+)$/gm)].map(
        ([, label, url]) => ({ label, url: new URL(url ?? '') }),
      );
      expect(links.map((link) => link.label)).toEqual(['APPROVE', 'REJECT']);
      for (const { label, url } of links) {
        expect(`${url.origin}${url.pathname}`).toBe(ENDPOINT);
        const check = verifyApproval(KEY, Object.fromEntries(url.searchParams), NOW);
        expect(check).toEqual({
          ok: true,
          token: {
            id: 'approval-id-0001',
            decision: label === 'APPROVE' ? 'approve' : 'reject',
            expires: NOW.getTime() / 1000 + 1800,
          },
        });
      }
    });

    it('tells what will be done, until when, what happens without an answer, and the CLI way', async () => {
      // Act
      await requestApproval(requestEvent(), deps);

      // Assess
      const lines = (alerts[0]?.email ?? '').split('\n').map((line) => line.trim());
      expect(lines).toContain(`Action:    ${ACTION}`);
      expect(lines).toContain(`Incident:  ${incident.id} (warning, open)`);
      expect(lines).toContain(
        'Expires:   2026-03-01 10:30:00 UTC. A link works once; the first answer wins.',
      );
      expect(lines.some((line) => line.includes('nothing is done and the run escalates'))).toBe(
        true,
      );
      expect(lines).toContain(
        'npm run runbook -- approve approval-id-0001 --by "<your name>" --reason "<why>" --stage prod --region us-east-1',
      );
      expect(lines).toContain(
        'npm run runbook -- reject approval-id-0001 --by "<your name>" --reason "<why>" --stage prod --region us-east-1',
      );
      expect(lines).toContain(
        `Execution: https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/${EXECUTION.id}`,
      );
    });

    it('never puts the task token in the alert: the CLI names the approval id', async () => {
      // Prepare: an alert that pages has an SMS too.
      await becomeCritical();

      // Act
      await requestApproval(requestEvent(), deps);

      // Assess
      const [alert] = alerts as [Alert];
      expect(alert.email).not.toContain(TOKEN);
      expect(alert.sms).not.toContain(TOKEN);
      expect(alert.subject).not.toContain(TOKEN);
    });

    it('sends no link and reads no key when approvals are IAM-only', async () => {
      // Prepare
      const { links: _links, ...iamOnly } = deps;

      // Act
      await requestApproval(requestEvent(), iamOnly);

      // Assess
      const email = alerts[0]?.email ?? '';
      expect(email).not.toContain(ENDPOINT);
      expect(email).not.toMatch(/APPROVE:|REJECT:/);
      expect(email).toContain('ANSWER FROM A TERMINAL');
      expect(email).toContain('npm run runbook -- approve approval-id-0001');
    });

    it('pages with one GSM-7 segment of at most 140 characters, even for a long action', async () => {
      // Prepare: two critical incidents that have not paged.
      await becomeCritical();
      const other = { ...incident, id: 'inc-20260301T0955-0000000b', scopeKeys: [], version: 1 };
      await incidents.create(other);

      // Act
      await requestApproval(
        { ...requestEvent(), action: `${'promote “replica” — '.repeat(20)}😀` },
        deps,
      );
      await requestApproval(
        { ...requestEvent(), incidentId: other.id },
        { ...deps, newId: () => 'approval-id-0002' },
      );

      // Assess
      const [long, usual] = alerts.map((alert) => alert.sms ?? '');
      for (const sms of [long ?? '', usual ?? '']) {
        expect(sms.length).toBeLessThanOrEqual(140);
        expect(isGsm7(sms)).toBe(true);
        expect(sms).toMatch(
          /^Rebound: approval needed to .+ \(inc-[0-9T]+-[0-9a-f]{8}\)\. See email\.$/,
        );
      }
      expect(
        usual?.startsWith(`Rebound: approval needed to force a Multi-AZ failover of ${DB}`),
      ).toBe(true);
      expect(usual?.endsWith(`(${other.id}). See email.`)).toBe(true);
      expect(alerts[1]?.subject.length).toBeLessThanOrEqual(99);
      expect(alerts[1]?.subject.endsWith(`(${other.id})`)).toBe(true);
    });

    describe('pages once per incident, only when a person is needed now', () => {
      it('pages for a critical incident that has not paged, and records the page on it', async () => {
        // Prepare
        await becomeCritical();

        // Act
        await requestApproval(requestEvent(), deps);

        // Assess
        expect(alerts).toEqual([
          expect.objectContaining({ severity: 'critical', sms: expect.any(String) }),
        ]);
        const stored = await incidents.get(incident.id);
        expect(stored?.lastPagedAt).toBe(NOW.toISOString());
        expect(stored?.timeline.at(-1)).toMatchObject({
          type: 'alert',
          severity: 'critical',
          sms: true,
        });
      });

      it('emails a warning incident (degraded, still serving), links and CLI included, without a page', async () => {
        // Act
        await requestApproval(requestEvent(), deps);

        // Assess
        const [alert] = alerts as [Alert];
        expect(alert).toMatchObject({ severity: 'warning', sms: null });
        expect(alert.email).toMatch(/^ {2}APPROVE: +https:\/\//m);
        expect(alert.email).toContain('npm run runbook -- approve approval-id-0001');
        expect((await incidents.get(incident.id))?.lastPagedAt).toBeUndefined();
      });

      it('emails a critical incident that has paged already: its one page is spent', async () => {
        // Prepare
        await becomeCritical({ lastPagedAt: '2026-03-01T09:56:00.000Z' });

        // Act
        await requestApproval(requestEvent(), deps);

        // Assess
        expect(alerts).toEqual([expect.objectContaining({ severity: 'critical', sms: null })]);
        expect((await incidents.get(incident.id))?.lastPagedAt).toBe('2026-03-01T09:56:00.000Z');
      });

      it('claims the page before sending: a failed send gives it back, and the retry pages', async () => {
        // Prepare
        await becomeCritical();
        const failing = {
          ...deps,
          alerts: {
            publish: async () => {
              throw new Error('SNS unavailable');
            },
          },
        };

        // Act
        const failed = requestApproval(requestEvent(), failing);
        await expect(failed).rejects.toThrow('SNS unavailable');
        const released = (await incidents.get(incident.id))?.lastPagedAt;
        await requestApproval(requestEvent(), { ...deps, newId: () => 'approval-id-0002' });

        // Assess
        expect(released).toBeUndefined();
        expect(alerts).toEqual([expect.objectContaining({ sms: expect.any(String) })]);
        expect((await incidents.get(incident.id))?.lastPagedAt).toBe(NOW.toISOString());
      });
    });

    it('fails without alerting when the incident does not exist', async () => {
      // Act
      const request = requestApproval(
        { ...requestEvent(), incidentId: 'inc-20260301T1000-00000000' },
        deps,
      );

      // Assess
      await expect(request).rejects.toThrow('incident inc-20260301T1000-00000000 not found');
      expect(alerts).toEqual([]);
    });
  });

  describe('record', () => {
    it('records an approval from the link and moves an open incident to mitigating', async () => {
      // Act
      const result = await recordApproval(
        recordEvent({
          decision: 'approve',
          by: 'Ana',
          reason: 'primary is hung',
          via: 'link',
          at: NOW.toISOString(),
        }),
        { incidents, clock: { now: () => NOW } },
      );

      // Assess
      expect(result).toEqual({
        approved: true,
        by: 'Ana',
        reason: 'primary is hung',
        via: 'link',
        summary: 'approved by Ana via link: primary is hung',
      });
      const stored = await incidents.get(incident.id);
      expect(stored?.status).toBe('mitigating');
      expect(stored?.timeline.slice(-2)).toEqual([
        {
          type: 'approval',
          at: NOW.toISOString(),
          runbook: 'rds-failover',
          executionName: 'run-1',
          decision: 'approved',
          by: 'Ana',
          reason: 'primary is hung',
          via: 'link',
        },
        expect.objectContaining({ type: 'status', from: 'open', to: 'mitigating' }),
      ]);
    });

    it('records a rejection from the CLI and leaves the incident open', async () => {
      // Act
      const result = await recordApproval(
        recordEvent({ decision: 'reject', by: 'Bob', reason: 'wait for AWS' }),
        {
          incidents,
          clock: { now: () => NOW },
        },
      );

      // Assess
      expect(result).toMatchObject({
        approved: false,
        summary: 'rejected by Bob via cli: wait for AWS',
      });
      const stored = await incidents.get(incident.id);
      expect(stored?.status).toBe('open');
      expect(stored?.timeline.at(-1)).toMatchObject({
        type: 'approval',
        decision: 'rejected',
        by: 'Bob',
        via: 'cli',
      });
    });

    it('takes an answer it does not understand as a rejection and says so', async () => {
      // Act
      const result = await recordApproval(recordEvent({ decision: 'go for it' }), {
        incidents,
        clock: { now: () => NOW },
      });

      // Assess
      expect(result.approved).toBe(false);
      expect(result.summary).toMatch(/^rejected by unknown via cli: the answer was not understood/);
      expect((await incidents.get(incident.id))?.timeline.at(-1)).toMatchObject({
        type: 'approval',
        decision: 'rejected',
        by: 'unknown',
      });
    });

    it('writes the same answer once when the task is retried', async () => {
      // Prepare
      const event = recordEvent({ decision: 'approve', by: 'Ana', via: 'link' });
      const recordDeps = { incidents, clock: { now: () => NOW } };
      await recordApproval(event, recordDeps);
      const before = await incidents.get(incident.id);

      // Act
      const again = await recordApproval(event, recordDeps);

      // Assess
      expect(again.approved).toBe(true);
      expect(await incidents.get(incident.id)).toEqual(before);
      const approvalsNoted = before?.timeline.filter((entry) => entry.type === 'approval');
      expect(approvalsNoted).toHaveLength(1);
    });

    it('leaves an incident that is not open in its status', async () => {
      // Prepare
      const escalated = { ...incident, status: 'escalated' as const, version: 2 };
      await incidents.update(escalated);

      // Act
      await recordApproval(recordEvent({ decision: 'approve', by: 'Ana' }), {
        incidents,
        clock: { now: () => NOW },
      });

      // Assess
      expect((await incidents.get(incident.id))?.status).toBe('escalated');
    });
  });

  describe('payloads', () => {
    it('parses what the state machine sends', () => {
      expect(parseApprovalEvent(requestEvent())).toEqual(requestEvent());
      expect(parseApprovalEvent(recordEvent({ decision: 'approve' }))).toEqual(
        recordEvent({ decision: 'approve' }),
      );
    });

    it('names the field of a bad payload', () => {
      expect(() => parseApprovalEvent({ ...requestEvent(), taskToken: '' })).toThrow(/taskToken/);
      expect(() => parseApprovalEvent({ type: 'other' })).toThrow(/invalid payload/);
    });
  });
});
