import type { Clock, ZoneLocator } from '../core/ports.js';
import type { TargetGroupOfAlb, ZoneQuestion } from '../core/zone-questions.js';
import type { TargetZonesQuery } from './describe-target-zones.js';
import { withinTimeBudget } from './time-budget.js';

/** The lookups of describe-database.ts, describe-cache.ts, describe-unhealthy-zones.ts and describe-target-error-zones.ts over their clients (functions/lib/aws/clients/). */
export interface ZoneLookups {
  dbInstance(dbInstanceId: string, abortSignal: AbortSignal): Promise<string[]>;
  unavailableCacheMembers(replicationGroupId: string, abortSignal: AbortSignal): Promise<string[]>;
  unhealthyTargets(query: TargetZonesQuery, abortSignal: AbortSignal): Promise<string[]>;
  targetErrors(query: TargetZonesQuery, abortSignal: AbortSignal): Promise<string[]>;
}

/**
 * Triage's settings (the Lambda and the game day): the lookup runs before the decision, so it
 * gets less than the alert's enrichment (3 s); the shop's unhealthy-hosts alarm reads 2 periods
 * of 60 s and its target 5xx-rate alarm 3, and their events come within a minute or two of the
 * last one.
 */
export const TRIAGE_ZONE_LOOKUP = {
  timeBudgetMs: 2000,
  unhealthyTargetsMinutes: 5,
  targetErrorsMinutes: 5,
} as const;

export interface ZoneLocatorOptions {
  /** All the lookup's calls get this long; then the signal goes on without an AZ. */
  readonly timeBudgetMs: number;
  /** The shop's AZs: an answer outside them is not the shop's. */
  readonly availabilityZones: readonly string[];
  /** How far back the unhealthy-hosts metric is read (the alarm's evaluation window and some). */
  readonly unhealthyTargetsMinutes: number;
  /** How far back the targets' requests and 5xx are read (the 5xx alarm's window and some). */
  readonly targetErrorsMinutes: number;
  readonly clock: Clock;
  /** Told why a lookup found nothing it could use (a failed call, the budget running out). */
  readonly onFailure?: (question: ZoneQuestion, why: unknown) => void;
}

/**
 * {@link ZoneLocator} over AWS Describe calls, bounded by a time budget. One AZ or none: when
 * AWS names several (unhealthy targets in two AZs) the signal is not one AZ's, and a failed call,
 * an empty answer or the budget running out leave it as its event left it.
 */
export class AwsZoneLocator implements ZoneLocator {
  readonly #lookups: ZoneLookups;
  readonly #options: ZoneLocatorOptions;

  constructor(lookups: ZoneLookups, options: ZoneLocatorOptions) {
    this.#lookups = lookups;
    this.#options = options;
  }

  async locate(question: ZoneQuestion): Promise<string | undefined> {
    const zones = await withinTimeBudget(
      this.#options.timeBudgetMs,
      (abortSignal) => this.#lookup(question, abortSignal),
      (why): string[] => {
        this.#options.onFailure?.(question, why);
        return [];
      },
    );
    const shops = new Set(zones.filter((zone) => this.#options.availabilityZones.includes(zone)));
    return shops.size === 1 ? [...shops][0] : undefined;
  }

  #lookup(question: ZoneQuestion, abortSignal: AbortSignal): Promise<string[]> {
    switch (question.type) {
      case 'db-failover':
        return this.#lookups.dbInstance(question.dbInstanceId, abortSignal);
      case 'cache-failover':
        return this.#lookups.unavailableCacheMembers(question.replicationGroupId, abortSignal);
      case 'unhealthy-targets':
        return this.#lookups.unhealthyTargets(
          this.#targetQuery(question, this.#options.unhealthyTargetsMinutes),
          abortSignal,
        );
      case 'target-errors':
        return this.#lookups.targetErrors(
          this.#targetQuery(question, this.#options.targetErrorsMinutes),
          abortSignal,
        );
    }
  }

  /** The per-AZ metrics query of `alb`'s target group over the shop's AZs, the last `minutes`. */
  #targetQuery(alb: TargetGroupOfAlb, minutes: number): TargetZonesQuery {
    return {
      loadBalancer: alb.loadBalancer,
      targetGroup: alb.targetGroup,
      availabilityZones: this.#options.availabilityZones,
      minutes,
      now: this.#options.clock.now(),
    };
  }
}
