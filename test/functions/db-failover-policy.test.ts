import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classify } from '../../functions/lib/core/classify.js';
import { policyFor } from '../../functions/lib/core/policy.js';
import type { Signal } from '../../functions/lib/core/signal.js';
import { parseIncomingEvent } from '../../functions/lib/events/index.js';
import { SHOP } from './support/shop-inventory.js';

/**
 * Which RDS events and AWS Health issues ask a person to approve a forced Multi-AZ failover:
 * only the explicit primary-failure signals, and only for the shop's primary. Every other
 * `failure` event, the 0004 shutdown that accompanies every reboot, and anything on a read
 * replica only notifies (a replica would fail rds-failover's input validation and page again).
 * Event IDs and texts: Amazon RDS User Guide, "Amazon RDS event categories and event messages",
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Events.Messages.html
 */

type JsonObject = { [key: string]: unknown };

const fixture = (path: string): JsonObject & { detail: JsonObject } =>
  JSON.parse(readFileSync(new URL(`../fixtures/events/${path}.json`, import.meta.url), 'utf8'));

const signalOf = (input: unknown): Signal => {
  const result = parseIncomingEvent(input);
  if (!result.ok || result.events[0] === undefined) throw new Error('event must parse');
  const signal = classify(result.events[0], SHOP);
  if (signal === null) throw new Error('event must classify');
  return signal;
};

/** The documented 0049 sample with another event ID and category, on `instance`. */
const rdsEvent = (eventId: string, category: string, instance = 'rebound-dev-db') => {
  const event = fixture('rds/failover-completed-0049');
  return {
    ...event,
    detail: {
      ...event.detail,
      EventID: eventId,
      EventCategories: [category],
      SourceIdentifier: instance,
    },
  };
};

const healthIssueFor = (instance: string) => {
  const event = fixture('health/rds-operational-issue');
  return {
    ...event,
    detail: {
      ...event.detail,
      eventRegion: 'us-east-1',
      affectedEntities: [{ entityValue: `arn:aws:rds:us-east-1:123456789012:db:${instance}` }],
    },
  };
};

describe('forced failover: only on the primary-failure signals', () => {
  it('asks to force a failover when the primary failed (RDS-EVENT-0031)', () => {
    // Act
    const verdict = policyFor(signalOf(rdsEvent('RDS-EVENT-0031', 'failure')));

    // Assess
    expect(verdict).toMatchObject({
      action: 'runbook',
      runbook: 'rds-failover',
      rule: 'primary-database-failing',
      input: { dbInstanceId: 'rebound-dev-db', mode: 'force' },
    });
  });

  it('asks to force a failover for an AWS Health issue naming the primary', () => {
    expect(policyFor(signalOf(healthIssueFor('rebound-dev-db')))).toMatchObject({
      action: 'runbook',
      runbook: 'rds-failover',
      input: { mode: 'force' },
    });
  });

  it.each([
    ['RDS-EVENT-0004', 'availability', 'shutdown: accompanies every reboot, forced failovers too'],
    ['RDS-EVENT-0219', 'failure', 'storage autoscaling will retry later'],
    ['RDS-EVENT-0220', 'failure', 'storage autoscaling cooling-off period'],
    ['RDS-EVENT-0223', 'failure', 'storage autoscaling unable to scale'],
    ['RDS-EVENT-0224', 'failure', 'storage autoscaling would reach the maximum'],
    ['RDS-EVENT-0237', 'failure', 'storage type unavailable in the AZ'],
    ['RDS-EVENT-0254', 'failure', 'account storage quota exceeded'],
    ['RDS-EVENT-0079', 'failure', 'enhanced monitoring without its IAM role'],
    ['RDS-EVENT-0080', 'failure', 'enhanced monitoring disabled by an error'],
    ['RDS-EVENT-0035', 'failure', 'invalid parameters: the standby has them too'],
    ['RDS-EVENT-0036', 'failure', 'incompatible network: the standby has it too'],
    ['RDS-EVENT-0420', 'failure', 'the instance can access its KMS key again'],
    ['RDS-EVENT-0999', 'failure', 'a failure event Rebound does not know'],
  ])('only notifies for %s on the primary (%s: %s)', (eventId, category) => {
    // Act
    const signal = signalOf(rdsEvent(eventId, category));
    const verdict = policyFor(signal);

    // Assess
    expect(signal.phase).toBe('problem');
    expect(verdict.action).toBe('notify');
  });

  it.each([
    ['RDS-EVENT-0031', 'failure'],
    ['RDS-EVENT-0004', 'availability'],
    ['RDS-EVENT-0999', 'failure'],
  ])('never forces a failover of a read replica (%s)', (eventId, category) => {
    // Act
    const verdict = policyFor(signalOf(rdsEvent(eventId, category, 'rebound-dev-db-replica-1')));

    // Assess
    expect(verdict.action).toBe('notify');
  });

  it('never forces a failover for an AWS Health issue naming a read replica', () => {
    expect(policyFor(signalOf(healthIssueFor('rebound-dev-db-replica-2'))).action).toBe('notify');
  });

  it('follows a failover RDS started on the primary, not on a replica', () => {
    // Act
    const primary = policyFor(signalOf(rdsEvent('RDS-EVENT-0013', 'failover')));
    const replica = policyFor(
      signalOf(rdsEvent('RDS-EVENT-0013', 'failover', 'rebound-dev-db-replica-1')),
    );

    // Assess
    expect(primary).toMatchObject({ action: 'runbook', input: { mode: 'follow' } });
    expect(replica.action).toBe('notify');
  });
});
