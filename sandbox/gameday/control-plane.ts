import type { Alert } from '../../functions/lib/core/alert.js';
import { classify } from '../../functions/lib/core/classify.js';
import type { ParsedGuardrails } from '../../functions/lib/core/guardrails.js';
import type { RecoveryTimer, RunbookStarter, ZoneLocator } from '../../functions/lib/core/ports.js';
import { triageRecoveryCheck } from '../../functions/lib/core/stalled.js';
import {
  type TriageDeps,
  type TriageOutcome,
  triageSignal,
} from '../../functions/lib/core/triage.js';
import { idempotencyKeyOf, parseIncomingEvent } from '../../functions/lib/events/index.js';
import { recoveryCheckInput } from '../../functions/lib/events/recovery-check.js';
import { MemoryActionLedger, MemoryIncidentStore } from '../../functions/lib/memory-store.js';
import type { SynthesizedIntake } from '../synthesized-intake.js';
import type { AwsEvent, SnsDelivery } from './aws-events.js';
import type { Random } from './random.js';
import type { Emitter } from './shop.js';
import type { VirtualTime } from './virtual-time.js';

/**
 * Rebound's control plane on the virtual clock: events go through the synthesized intake
 * rules (the project's EventBridge matcher), then the triage Lambda's own steps — parse, drop a
 * repeat of an event already handled (the idempotency key Powertools uses), classify, the real
 * triage core over the in-memory stores — with Scheduler's recovery checks coming back to it.
 * Delivery follows AWS: alarm state changes durably within seconds; Auto Scaling and RDS events
 * best effort, so a scenario may make them late, duplicated or lost (`DeliveryPlan`).
 */

/**
 * When each copy of an emitted event reaches the intake, in ms after it was emitted: `[]` when
 * it is lost, two entries when it is delivered twice. AWS-FACTS: alarm state changes are
 * delivered durably; Auto Scaling and RDS events are best effort ("might be out of sequence or
 * missing"), and EventBridge delivers at least once.
 */
export type DeliveryPlan = (
  event: AwsEvent | SnsDelivery,
  delivery: 'durable' | 'best-effort',
  random: Random,
) => readonly number[];

/** Every event once, within a few seconds. */
export const RELIABLE_DELIVERY: DeliveryPlan = (_event, delivery, random) => [
  random.between(500, delivery === 'durable' ? 3_000 : 5_000),
];

export interface Delivery {
  readonly at: number;
  readonly event: AwsEvent | SnsDelivery;
  readonly rules: readonly string[];
  readonly outcome: TriageOutcome | 'duplicate' | 'no rule' | 'invalid';
}

export interface DeliveredAlert {
  readonly at: number;
  readonly alert: Alert;
}

export class SimulatedControlPlane implements Emitter {
  readonly store = new MemoryIncidentStore();
  readonly ledger = new MemoryActionLedger();
  readonly deliveries: Delivery[] = [];
  readonly alerts: DeliveredAlert[] = [];
  /** Events AWS emitted that never reached the intake (lost). */
  readonly lost: (AwsEvent | SnsDelivery)[] = [];
  readonly #handled = new Set<string>();
  readonly #checks = new Set<string>();
  runbooks: RunbookStarter | undefined;
  /** Triage's AZ lookups, over the simulated AWS API (game-day.ts wires them). */
  zones: ZoneLocator | undefined;

  constructor(
    readonly intake: SynthesizedIntake,
    readonly time: VirtualTime,
    readonly random: Random,
    /** The guardrails as SSM holds them now (a scenario may pull the kill switch). */
    public guardrails: ParsedGuardrails,
    readonly plan: DeliveryPlan,
  ) {}

  readonly publisher = {
    publish: async (alert: Alert) => {
      this.alerts.push({ at: this.time.nowMs, alert });
      return `msg-${this.alerts.length}`;
    },
  };

  /** EventBridge Scheduler's one-time schedules: each comes back to triage at its time. */
  readonly timer: RecoveryTimer = {
    schedule: async (check) => {
      if (this.#checks.has(check.name)) return;
      this.#checks.add(check.name);
      this.time.at(Date.parse(check.dueAt), () => {
        if (!this.#checks.delete(check.name)) return;
        const input = recoveryCheckInput(check);
        this.time.spawn(() => triageRecoveryCheck(input.detail, this.#deps()));
      });
    },
    cancel: async (name) => {
      this.#checks.delete(name);
    },
  };

  emit(event: AwsEvent | SnsDelivery, delivery: 'durable' | 'best-effort'): void {
    const copies = this.plan(event, delivery, this.random);
    if (copies.length === 0) this.lost.push(event);
    for (const lateMs of copies) {
      this.time.after(lateMs, () => this.time.spawn(() => this.#receive(event)));
    }
  }

  #deps(): TriageDeps {
    if (this.runbooks === undefined) throw new Error('the control plane has no runbooks wired');
    return {
      stage: this.intake.config.stage,
      region: this.intake.config.region,
      store: this.store,
      ledger: this.ledger,
      guardrails: async () => this.guardrails,
      runbooks: this.runbooks,
      alerts: this.publisher,
      timer: this.timer,
      clock: this.time.clock,
      ...(this.zones === undefined ? {} : { zones: this.zones }),
    };
  }

  /** One delivery, as the intake rule and the triage function handle it. */
  async #receive(event: AwsEvent | SnsDelivery): Promise<void> {
    const at = this.time.nowMs;
    // An SNS delivery (the cache's topic) reaches triage by its subscription, not by a rule.
    const rules =
      'Records' in event
        ? [this.intake.cacheNotificationIntake]
        : this.intake.rules.filter((rule) => rule.matches(event)).map((rule) => rule.name);
    if (rules.length === 0) {
      this.deliveries.push({ at, event, rules, outcome: 'no rule' });
      return;
    }
    const parsed = parseIncomingEvent(event);
    if (!parsed.ok) {
      this.deliveries.push({ at, event, rules, outcome: 'invalid' });
      return;
    }
    for (const parsedEvent of parsed.events) {
      const key = idempotencyKeyOf(parsedEvent);
      if (this.#handled.has(key)) {
        this.deliveries.push({ at, event, rules, outcome: 'duplicate' });
        continue;
      }
      this.#handled.add(key);
      const outcome = await triageSignal(
        classify(parsedEvent, this.intake.inventory),
        this.#deps(),
      );
      this.deliveries.push({ at, event, rules, outcome });
    }
  }
}
