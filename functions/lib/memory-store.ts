import type { Incident } from './core/incident.js';
import {
  type ActionLedger,
  type ActionRequest,
  IncidentConflictError,
  type IncidentStore,
  type LedgerVerdict,
} from './core/ports.js';
import {
  assertNewIncident,
  claimBlocks,
  claimedScopeKeys,
  claimsInLastHour,
  cooldownEnd,
  isFindable,
  type LedgerState,
  ledgerVerdict,
  newestFirst,
} from './core/store-rules.js';

/**
 * In-memory {@link IncidentStore} and {@link ActionLedger} for the offline replay and the tests,
 * with the same semantics as the DynamoDB adapters (one contract suite runs against both; the
 * rules they share are in core/store-rules.ts).
 */

export class MemoryIncidentStore implements IncidentStore {
  readonly #incidents = new Map<string, Incident>();
  /** Scope key → id of the active incident holding it. */
  readonly #claims = new Map<string, string>();

  async findActive(scopeKeys: readonly string[]): Promise<Incident[]> {
    const ids = new Set(
      scopeKeys.flatMap((key) => {
        const holder = this.#claims.get(key);
        return holder === undefined ? [] : [holder];
      }),
    );
    return [...ids]
      .flatMap((id) => {
        const incident = this.#incidents.get(id);
        return incident !== undefined && isFindable(incident) ? [structuredClone(incident)] : [];
      })
      .sort(newestFirst);
  }

  async get(id: string): Promise<Incident | undefined> {
    const incident = this.#incidents.get(id);
    return incident === undefined ? undefined : structuredClone(incident);
  }

  async create(incident: Incident): Promise<void> {
    assertNewIncident(incident);
    if (this.#incidents.has(incident.id)) {
      throw new IncidentConflictError(`incident ${incident.id} already exists`);
    }
    this.#store(incident, []);
  }

  async update(incident: Incident): Promise<void> {
    const stored = this.#incidents.get(incident.id);
    if (stored?.version !== incident.version - 1) {
      throw new IncidentConflictError(
        `incident ${incident.id} is at version ${stored?.version ?? 'none'}, not ${incident.version - 1}`,
      );
    }
    this.#store(incident, claimedScopeKeys(stored));
  }

  /** Checks every claim first, then writes: all or nothing, like the DynamoDB transaction. */
  #store(incident: Incident, previouslyClaimed: readonly string[]): void {
    const claimed = claimedScopeKeys(incident);
    for (const key of claimed) {
      const holder = this.#claims.get(key);
      const held = holder === undefined ? undefined : this.#incidents.get(holder);
      if (holder !== incident.id && held !== undefined && claimBlocks(held, incident.updatedAt)) {
        throw new IncidentConflictError(`scope ${key} is held by incident ${holder}`);
      }
    }
    for (const key of previouslyClaimed) {
      if (this.#claims.get(key) === incident.id) this.#claims.delete(key);
    }
    for (const key of claimed) this.#claims.set(key, incident.id);
    this.#incidents.set(incident.id, structuredClone(incident));
  }
}

export class MemoryActionLedger implements ActionLedger {
  readonly #claims = new Map<string, number[]>();
  readonly #cooldowns = new Map<string, number>();

  async peek(request: ActionRequest, now: Date): Promise<LedgerVerdict> {
    return ledgerVerdict(request, this.#state(request), now);
  }

  async claim(request: ActionRequest, now: Date): Promise<LedgerVerdict> {
    const state = this.#state(request);
    const verdict = ledgerVerdict(request, state, now);
    if (verdict.allowed) {
      this.#claims.set(request.budget, [...claimsInLastHour(state.claims, now), now.getTime()]);
      this.#cooldowns.set(request.resourceId, cooldownEnd(request, now));
    }
    return verdict;
  }

  #state(request: ActionRequest): LedgerState {
    const cooldownUntil = this.#cooldowns.get(request.resourceId);
    return {
      claims: this.#claims.get(request.budget) ?? [],
      ...(cooldownUntil === undefined ? {} : { cooldownUntil }),
    };
  }
}
