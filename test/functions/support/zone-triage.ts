import { classify } from '../../../functions/lib/core/classify.js';
import type { ShopInventory } from '../../../functions/lib/core/inventory.js';
import type { ZoneLocator } from '../../../functions/lib/core/ports.js';
import type { Signal } from '../../../functions/lib/core/signal.js';
import { triageSignal } from '../../../functions/lib/core/triage.js';
import type { ZoneQuestion } from '../../../functions/lib/core/zone-questions.js';
import { parseIncomingEvent } from '../../../functions/lib/events/index.js';
import type { AwsEvent, SnsDelivery } from '../../../sandbox/gameday/aws-events.js';
import { aHarness, at } from './signals.js';
import type { Stores } from './stores.js';

/** Triage of one AZ's trouble, the parts of which reach it minutes apart (triage-az-*.test.ts). */

/** The classified signal of `event` (the one the intake would hand triage). */
export const classifiedSignal = (
  event: AwsEvent | SnsDelivery,
  inventory: ShopInventory,
): Signal => {
  const parsed = parseIncomingEvent(event);
  if (!parsed.ok) throw new Error(`not a valid event: ${parsed.reason}`);
  const [first] = parsed.events;
  const signal = first === undefined ? null : classify(first, inventory);
  if (signal === null) throw new Error('the event classified to no signal');
  return signal;
};

/** AWS's answer to every zone question (`null`: AWS does not tell); records the questions. */
export class FixedZoneLocator implements ZoneLocator {
  readonly questions: ZoneQuestion[] = [];
  constructor(private readonly answer: string | null) {}
  async locate(question: ZoneQuestion): Promise<string | undefined> {
    this.questions.push(question);
    return this.answer ?? undefined;
  }
}

/** A triage harness over `makeStores` whose zone questions `zones` answers. */
export const aZoneTriage = async (makeStores: Stores, zones: ZoneLocator) => {
  const harness = aHarness({ ...(await makeStores()) });
  return { ...harness, deps: { ...harness.deps, zones } };
};
export type ZoneTriage = Awaited<ReturnType<typeof aZoneTriage>>;

/** Triage `signal` at `minutes` after T0. */
export const deliverAt = async (triage: ZoneTriage, minutes: number, signal: Signal) => {
  triage.clock.current = at(minutes);
  return triageSignal(signal, triage.deps);
};

/** The distinct incidents the outcomes name, in order. */
export const incidentIds = (outcomes: readonly { incident: { id: string } | null }[]) => [
  ...new Set(outcomes.flatMap(({ incident }) => (incident === null ? [] : [incident.id]))),
];
