import type { Leaf, PatternMiss } from './event-pattern.js';
import type { IntakeRule } from './synthesized-intake.js';

/**
 * What the replay says about an event no intake rule takes (the rule it came closest to and
 * which fields failed) and about an alarm that reaches triage under a name the shop stack does
 * not deploy. Built on the matcher's own explanation (event-pattern.ts), never a second matcher.
 */

export interface ClosestRule {
  readonly name: string;
  readonly misses: readonly PatternMiss[];
}

/** The README section that says which alarms act and how a team adds its own. */
const OWN_ALARMS = 'README "Your own alarms"';

const missesField = (misses: readonly PatternMiss[], path: string) =>
  misses.some((miss) => miss.path === path);

/**
 * The rule `event` came closest to: one that takes its source first, then its detail-type,
 * then the fewest failing fields (the first rule of a tie). Null when there are no rules.
 */
export const closestRule = (rules: readonly IntakeRule[], event: unknown): ClosestRule | null => {
  const distance = (misses: readonly PatternMiss[]) => [
    missesField(misses, 'source') ? 1 : 0,
    missesField(misses, 'detail-type') ? 1 : 0,
    misses.length,
  ];
  let best: (ClosestRule & { readonly distance: number[] }) | undefined;
  for (const rule of rules) {
    const misses = rule.explain(event);
    const candidate = { name: rule.name, misses, distance: distance(misses) };
    if (best === undefined || lexicographic(candidate.distance, best.distance) < 0) {
      best = candidate;
    }
  }
  return best === undefined ? null : { name: best.name, misses: best.misses };
};

/** Negative when `a` sorts before `b`, element by element. */
const lexicographic = (a: readonly number[], b: readonly number[]): number => {
  const index = a.findIndex((value, i) => value !== b[i]);
  return index === -1 ? 0 : (a[index] ?? 0) - (b[index] ?? 0);
};

const MAX_SHOWN = 4;
const MAX_TEXT = 80;

const quoted = (leaf: Leaf): string => {
  if (typeof leaf !== 'string') return String(leaf);
  return JSON.stringify(leaf.length > MAX_TEXT ? `${leaf.slice(0, MAX_TEXT - 1)}…` : leaf);
};

const isIntrinsic = (value: Record<string, unknown>) => {
  const [key, ...more] = Object.keys(value);
  return more.length === 0 && key !== undefined && (key === 'Ref' || key.startsWith('Fn::'));
};

/** One match value of a pattern, in words: `prefix "rebound-dev-"`, `"ALARM"`. */
const matchValueText = (value: unknown): string => {
  if (value === null || typeof value !== 'object') return quoted(value as Leaf);
  const record = value as Record<string, unknown>;
  if (isIntrinsic(record)) return 'a name only known once deployed (see --assume-owned)';
  const [[operator, operand] = ['', undefined]] = Object.entries(record);
  const words: Record<string, string> = {
    wildcard: 'like',
    'anything-but': 'anything but',
    'equals-ignore-case': 'any case of',
  };
  if (operator === 'exists') return operand === true ? 'any value' : 'no such field';
  return `${words[operator] ?? operator} ${JSON.stringify(operand)}`;
};

/** `detail.alarmName is "x"; the rule wants prefix "rebound-dev-" (closest of 7 alternatives)`. */
export const describeMiss = (miss: PatternMiss): string => {
  const wanted = Array.isArray(miss.wanted) ? miss.wanted : [miss.wanted];
  const shown = wanted.slice(0, MAX_SHOWN).map(matchValueText).join(' or ');
  const more = wanted.length > MAX_SHOWN ? ` … (${wanted.length} values)` : '';
  const got =
    miss.got.length === 0
      ? 'is missing'
      : `is ${miss.got.slice(0, MAX_SHOWN).map(quoted).join(', ')}`;
  const alternatives =
    miss.ofAlternatives === undefined
      ? ''
      : ` (the closest of ${miss.ofAlternatives} alternatives)`;
  return `${miss.path} ${got}; the rule wants ${shown}${more}${alternatives}`;
};

const sourceOf = (event: unknown): unknown =>
  typeof event === 'object' && event !== null ? (event as { source?: unknown }).source : undefined;

/** The sources the rules take, from their own `source` misses. */
const sourcesTaken = (rules: readonly IntakeRule[], event: unknown): string[] => [
  ...new Set(
    rules.flatMap((rule) =>
      rule
        .explain(event)
        .filter((miss) => miss.path === 'source' && Array.isArray(miss.wanted))
        .flatMap((miss) => (miss.wanted as unknown[]).map(String)),
    ),
  ),
];

/**
 * Why no rule takes `event`: the closest rule and its failing fields, or the sources the rules
 * take when none takes the event's.
 */
export const noMatchReason = (
  rules: readonly IntakeRule[],
  event: unknown,
  closest: ClosestRule | null,
): string => {
  const never = 'No intake rule matches this event: it would never reach triage.';
  if (closest === null) return never;
  if (missesField(closest.misses, 'source')) {
    const sources = sourcesTaken(rules, event).join(', ');
    return `${never} No rule takes source ${JSON.stringify(sourceOf(event))}; the rules take ${sources}.`;
  }
  return `${never} Closest rule ${closest.name}: ${closest.misses.map(describeMiss).join('; ')}.`;
};

/**
 * What a person should know about an alarm whose name keeps it from acting: one the intake does
 * not take by its name (and no dimension names a shop resource), or one that reaches triage
 * under a name the shop stack does not deploy. Undefined for the shop stack's own alarms and
 * other events.
 * With --assume-owned every name counts as the shop's: no note.
 */
export const alarmNameNote = (
  event: unknown,
  closest: ClosestRule | null,
  shopAlarmNames: ReadonlySet<string>,
): string | undefined => {
  if (sourceOf(event) !== 'aws.cloudwatch') return undefined;
  const alarmName = (event as { detail?: { alarmName?: unknown } }).detail?.alarmName;
  if (typeof alarmName !== 'string' || shopAlarmNames.has(alarmName)) return undefined;
  const notOurs = `Alarm ${quoted(alarmName)} is not one of the ${shopAlarmNames.size} alarms of the shop stack's alarm table`;
  if (closest === null) {
    return `${notOurs}: it may inform, never act or page (${OWN_ALARMS}).`;
  }
  if (!missesField(closest.misses, 'detail.alarmName')) return undefined;
  return (
    `${notOurs}, and no dimension of its metric names the shop's Auto Scaling group, database, ` +
    'cache, load balancer or target group. An alarm on one instance alone (InstanceId, like the ' +
    "EC2 console's status-check alarms) cannot be named in advance, and Auto Scaling already " +
    `replaces an instance that fails its status checks. To make your own alarm act, add it to the shop stack (${OWN_ALARMS}).`
  );
};
