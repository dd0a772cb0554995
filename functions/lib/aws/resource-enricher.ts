import type { ResourceState } from '../core/alert.js';
import type { ResourceEnricher } from '../core/ports.js';
import type { ResourceRef } from '../core/signal.js';
import { type Lines, NotFound } from './describe-lines.js';
import { BudgetExceeded, withinTimeBudget } from './time-budget.js';

/**
 * One Describe lookup per resource kind (describe-fleet.ts, describe-database.ts,
 * describe-cache.ts over their clients): triage loads each kind's client with the first
 * alert about that kind (functions/lib/aws/clients/).
 */
export interface ResourceDescribers {
  group(name: string, abortSignal: AbortSignal): Promise<Lines>;
  instance(
    instanceId: string,
    targetGroupArn: string | undefined,
    abortSignal: AbortSignal,
  ): Promise<Lines>;
  targets(
    targetGroupArn: string,
    instanceId: string | undefined,
    abortSignal: AbortSignal,
  ): Promise<Lines>;
  database(id: string, abortSignal: AbortSignal): Promise<Lines>;
  cache(id: string, abortSignal: AbortSignal): Promise<Lines>;
}

export interface ResourceEnricherOptions {
  /** The whole description (all its Describe calls) gets this long, then the alert goes without. */
  readonly timeBudgetMs: number;
  /** The shop's target group: adds the target health of an instance, describes the group. */
  readonly targetGroupArn?: string;
}

/** Target groups arrive as an ARN or as the CloudWatch dimension `targetgroup/<name>/<id>`. */
const sameTargetGroup = (id: string, arn: string): boolean =>
  id === arn || arn.endsWith(`:${id}`) || arn.split('/')[1] === id;

/**
 * Live state of the shop's resources for alerts, from Describe calls bounded by a time budget.
 * Never throws: an error, a missing resource or the budget running out gives
 * `{ lines: [], unavailable: <why> }`, and the alert goes out without live state.
 */
export class AwsResourceEnricher implements ResourceEnricher {
  readonly #describers: ResourceDescribers;
  readonly #options: ResourceEnricherOptions;

  constructor(describers: ResourceDescribers, options: ResourceEnricherOptions) {
    this.#describers = describers;
    this.#options = options;
  }

  async describe(resource: ResourceRef): Promise<ResourceState> {
    return withinTimeBudget(
      this.#options.timeBudgetMs,
      async (abortSignal): Promise<ResourceState> => {
        const lines = await this.#lookup(resource, abortSignal);
        return lines === undefined
          ? { lines: [], unavailable: `no live state for ${resource.type}` }
          : { lines };
      },
      (error): ResourceState => ({ lines: [], unavailable: reason(error) }),
    );
  }

  /** Lines for `resource`, or undefined when there is no live state for its type. */
  async #lookup(resource: ResourceRef, abortSignal: AbortSignal): Promise<Lines | undefined> {
    switch (resource.type) {
      case 'auto-scaling-group':
        return this.#describers.group(resource.id, abortSignal);
      case 'ec2-instance':
        return this.#describers.instance(resource.id, this.#options.targetGroupArn, abortSignal);
      case 'db-instance':
        return this.#describers.database(resource.id, abortSignal);
      case 'cache-replication-group':
        return this.#describers.cache(resource.id, abortSignal);
      case 'target-group': {
        const arn = this.#options.targetGroupArn;
        if (arn === undefined || !sameTargetGroup(resource.id, arn)) return undefined;
        return this.#describers.targets(arn, undefined, abortSignal);
      }
      default:
        return undefined;
    }
  }
}

const reason = (error: unknown): string => {
  if (error instanceof NotFound || error instanceof BudgetExceeded) return error.message;
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return `describe failed: ${text.slice(0, 300)}`;
};
