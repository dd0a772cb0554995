import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classify } from '../../functions/lib/core/classify.js';
import type { ShopInventory } from '../../functions/lib/core/inventory.js';
import { policyFor } from '../../functions/lib/core/policy.js';
import type { Signal } from '../../functions/lib/core/signal.js';
import { parseIncomingEvent } from '../../functions/lib/events/index.js';
import { SHOP } from './support/shop-inventory.js';

/**
 * AWS Health AZ issues act only for the shop's own AZs: an impairment in an AZ the shop does
 * not run in neither pages nor starts az-evacuation (whose input validation would refuse it
 * and page again). The documented sample names the AZ ID `use1-az2` in its description.
 */

type JsonObject = { [key: string]: unknown };

/** The account's whole map, as DescribeAvailabilityZones returns it for us-east-1. */
const ACCOUNT: ShopInventory = {
  ...SHOP,
  azIdToName: {
    'use1-az1': 'us-east-1c',
    'use1-az2': 'us-east-1a',
    'use1-az3': 'us-east-1e',
    'use1-az4': 'us-east-1b',
    'use1-az5': 'us-east-1f',
    'use1-az6': 'us-east-1d',
  },
};

const azIssue = (description: string): JsonObject => {
  const event = JSON.parse(
    readFileSync(
      new URL('../fixtures/events/health/ec2-az-operational-issue.json', import.meta.url),
      'utf8',
    ),
  ) as JsonObject & { detail: JsonObject };
  return {
    ...event,
    detail: {
      ...event.detail,
      eventDescription: [{ language: 'en_US', latestDescription: description }],
    },
  };
};

const signalOf = (input: unknown, inventory: ShopInventory = ACCOUNT): Signal => {
  const result = parseIncomingEvent(input);
  if (!result.ok || result.events[0] === undefined) throw new Error('event must parse');
  const signal = classify(result.events[0], inventory);
  if (signal === null) throw new Error('event must classify');
  return signal;
};

describe("AWS Health AZ issues: only the shop's AZs are actionable", () => {
  it('evacuates a shop AZ named by its AZ ID', () => {
    // Act
    const signal = signalOf(azIssue('Increased API error rates in a single AZ (use1-az2).'));

    // Assess
    expect(signal).toMatchObject({ kind: 'az-impairment', severity: 'critical' });
    expect(policyFor(signal)).toMatchObject({
      action: 'runbook',
      runbook: 'az-evacuation',
      input: { availabilityZone: 'us-east-1a' },
    });
  });

  it.each([
    ['an AZ ID', 'Increased API error rates in a single AZ (use1-az6).', 'us-east-1d (use1-az6)'],
    ['an AZ name', 'Increased API error rates in us-east-1f.', 'us-east-1f'],
  ])(
    'only notifies, without paging, for an AZ the shop does not use named by %s',
    (_how, text, label) => {
      // Act
      const signal = signalOf(azIssue(text));
      const verdict = policyFor(signal);

      // Assess
      expect(signal).toMatchObject({
        kind: 'informational',
        phase: 'problem',
        severity: 'warning',
        resource: { type: 'availability-zone' },
      });
      expect(signal.availabilityZone).toBeUndefined();
      expect(signal.summary).toContain(label);
      expect(verdict).toMatchObject({ action: 'notify', rule: 'az-impairment-outside-the-shop' });
      expect(signal.summary).toContain('not a shop AZ (us-east-1a, us-east-1b, us-east-1c)');
      expect(verdict.reason).toContain("not one of the shop's AZs");
    },
  );

  it('only notifies for an AZ ID outside the map of the shop AZs resolved at deploy', () => {
    // Prepare: as deployed, AVAILABILITY_ZONE_IDS maps the shop's three AZs and no other.
    const deployed: ShopInventory = {
      ...SHOP,
      azIdToName: { 'use1-az2': 'us-east-1a', 'use1-az4': 'us-east-1b', 'use1-az1': 'us-east-1c' },
    };

    // Act
    const outside = signalOf(azIssue('Errors in use1-az6.'), deployed);
    const inside = signalOf(azIssue('Errors in use1-az4.'), deployed);

    // Assess
    expect(outside).toMatchObject({ kind: 'informational', severity: 'warning' });
    expect(outside.summary).toContain('use1-az6');
    expect(policyFor(outside)).toMatchObject({
      action: 'notify',
      rule: 'az-impairment-outside-the-shop',
    });
    expect(policyFor(inside)).toMatchObject({
      action: 'runbook',
      runbook: 'az-evacuation',
      input: { availabilityZone: 'us-east-1b' },
    });
  });

  it('still pages for an AZ ID it cannot map, since it may be one of the shop', () => {
    // Act
    const signal = signalOf(azIssue('Errors in use1-az6.'), { ...SHOP, azIdToName: {} });

    // Assess
    expect(signal).toMatchObject({ kind: 'az-impairment', severity: 'critical' });
    expect(policyFor(signal)).toMatchObject({ action: 'notify', rule: 'az-impairment-unmapped' });
  });

  it('takes every AZ for the shop when replaying AWS samples', () => {
    // Act
    const signal = signalOf(azIssue('Errors in use1-az6.'), { ...ACCOUNT, assumeOwned: true });

    // Assess
    expect(policyFor(signal)).toMatchObject({ action: 'runbook', runbook: 'az-evacuation' });
  });
});
