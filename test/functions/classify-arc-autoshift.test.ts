import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classify } from '../../functions/lib/core/classify.js';
import { policyFor } from '../../functions/lib/core/policy.js';
import { parseIncomingEvent, type ReboundEvent } from '../../functions/lib/events/index.js';
import { SHOP } from './support/shop-inventory.js';

/**
 * ARC zonal autoshift notifications (test/fixtures/events/arc-zonal-shift, AWS's documented
 * samples): an autoshift of the shop's ALB or web group is an AZ impairment AWS already acts on.
 */

const ALB_ARN =
  'arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/rebound-dev-alb/50dc6c495c0c9188';
const ASG_ARN =
  'arn:aws:autoscaling:us-east-1:111122223333:autoScalingGroup:8e1d4a2b-0c3f-4f5e-9a6b-7c8d9e0f1a2b:autoScalingGroupName/rebound-dev-web';

const raw = (file: string, resources?: string[]): Record<string, unknown> => {
  const event = JSON.parse(
    readFileSync(
      new URL(`../fixtures/events/arc-zonal-shift/${file}.json`, import.meta.url),
      'utf8',
    ),
  );
  return resources === undefined ? event : { ...event, resources };
};
const parsed = (event: Record<string, unknown>): ReboundEvent => {
  const result = parseIncomingEvent(event);
  if (!result.ok || result.events[0] === undefined) throw new Error('must parse');
  return result.events[0];
};

describe('ARC autoshift notifications', () => {
  it('parses the documented samples, the impaired AZ ID included', () => {
    for (const file of [
      'autoshift-in-progress-resource',
      'autoshift-in-progress-observer',
      'autoshift-completed-resource',
    ]) {
      // Act
      const result = parseIncomingEvent(raw(file));

      // Assess
      expect(result).toMatchObject({
        ok: true,
        events: [{ source: 'aws.arc-zonal-shift', detail: { metadata: { awayFrom: 'use1-az2' } } }],
      });
    }
  });

  it('rejects an autoshift event whose AZ ID is longer than ARC allows', () => {
    // Prepare
    const event = raw('autoshift-in-progress-resource');
    const detail = { metadata: { awayFrom: 'x'.repeat(21) } };

    // Act
    const result = parseIncomingEvent({ ...event, detail });

    // Assess
    expect(result).toMatchObject({ ok: false, kind: 'invalid' });
  });

  it("takes an autoshift of the shop's load balancer and group as its AZ impaired", () => {
    // Act
    const signal = classify(
      parsed(raw('autoshift-in-progress-resource', [ALB_ARN, ASG_ARN])),
      SHOP,
    );

    // Assess
    expect(signal).toMatchObject({
      kind: 'az-impairment',
      phase: 'problem',
      severity: 'warning',
      resource: { type: 'availability-zone', id: 'us-east-1a' },
      related: [
        { type: 'load-balancer', id: ALB_ARN },
        { type: 'auto-scaling-group', id: 'rebound-dev-web' },
      ],
      availabilityZone: 'us-east-1a',
      partKey: 'autoshift:use1-az2',
      summary: `us-east-1a (use1-az2): AWS started a zonal autoshift of ${ALB_ARN} and 1 more away from it`,
    });
  });

  it('closes the same part when AWS ends the autoshift', () => {
    // Act
    const signal = classify(parsed(raw('autoshift-completed-resource', [ASG_ARN])), SHOP);

    // Assess
    expect(signal).toMatchObject({
      kind: 'az-impairment',
      phase: 'recovered',
      partKey: 'autoshift:use1-az2',
      availabilityZone: 'us-east-1a',
    });
  });

  it.each([
    ['an observer notification (no resource)', raw('autoshift-in-progress-observer')],
    ['the documented placeholder resource', raw('autoshift-in-progress-resource')],
    [
      "another app's load balancer",
      raw('autoshift-in-progress-resource', [
        'arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/other-alb/1a2b3c',
      ]),
    ],
    [
      'a group whose name extends the shop one',
      raw('autoshift-in-progress-resource', [`${ASG_ARN}-2`]),
    ],
  ])('ignores %s', (_what, event) => {
    expect(classify(parsed(event), SHOP)).toBeNull();
  });

  it('records and notifies, and starts no second shift (no az-evacuation)', () => {
    // Prepare
    const signal = classify(parsed(raw('autoshift-in-progress-resource', [ALB_ARN])), SHOP);
    if (signal === null) throw new Error('must classify');

    // Act
    const verdict = policyFor(signal);

    // Assess
    expect(verdict).toMatchObject({ action: 'notify', rule: 'az-autoshift' });
    expect(verdict.reason).toContain('starts no second shift');
  });
});
