/**
 * Amazon EventBridge event-pattern matcher for the offline replay.
 *
 * Follows the EventBridge user guide ("Creating event patterns", "Content filtering",
 * "Comparison operators") and, where the guide is silent, aws/event-ruler (the matcher behind
 * EventBridge):
 * - a pattern field holds an array of match values (OR) or a nested object (AND);
 * - matching is on leaf values: a field whose event value is an array matches when any element
 *   does; an object value or an empty array has no leaf value, so only `exists: false` matches it;
 * - a nested pattern object facing an array of objects must match one element as a whole
 *   (event-ruler's array-consistent matching);
 * - string operators only match strings, `numeric` only JSON numbers, `[null]` only null (not a
 *   missing field), and a missing field matches nothing but `exists: false`;
 * - `anything-but` needs a leaf value of a kind it does not exclude (`anything-but: "x"` matches
 *   5 or null, never a missing field).
 * Numbers are compared as JavaScript numbers: 300 and 300.0 are the same value once parsed, and
 * EventBridge's numeric range and precision limits (about ±5e9, six decimals) are not enforced.
 *
 * The same compiled rules also say why an event misses (explainEventPattern): every field that
 * fails, with what the pattern wants there and what the event holds.
 */
import { BlockList, isIP } from 'node:net';

export class EventPatternError extends Error {
  override readonly name = 'EventPatternError';
}

export interface MatchOptions {
  /**
   * How to treat CloudFormation intrinsics found in a synthesized pattern where a string is
   * expected (an object with one key that is `Ref` or starts with `Fn::`, e.g.
   * {"Ref":"WebAsg123"}, {"Fn::GetAtt":[...]}, {"Fn::Join":[...]}), also inside prefix/suffix/
   * equals-ignore-case/wildcard/anything-but operands: 'match-anything' (the replay's
   * --assume-owned) or 'match-nothing' (default).
   */
  readonly intrinsics?: 'match-anything' | 'match-nothing';
}

export type Leaf = string | number | boolean | null;

/** One pattern field an event fails. */
export interface PatternMiss {
  /** The field in the event, dotted (`detail.alarmName`); `$or` branches are left out. */
  readonly path: string;
  /** What the pattern accepts there, as the pattern writes it (an array of match values). */
  readonly wanted: unknown;
  /** The leaf values the event holds there; none when the field is missing or holds an object. */
  readonly got: readonly Leaf[];
  /** Inside an `$or` that failed: how many alternatives it had (this miss is the closest one's). */
  readonly ofAlternatives?: number;
}

/** Decides a pattern field from the leaf values the event holds at that field. */
type LeafRule = (leaves: readonly Leaf[]) => boolean;
/** The fields an event (object) fails; none when it matches. */
type ObjectRule = (event: Readonly<Record<string, unknown>>) => readonly PatternMiss[];
type Options = Required<MatchOptions>;

const OR = '$or';
/** Operator names event-ruler refuses as field names inside `$or`. */
const OPERATORS = new Set([
  'prefix',
  'suffix',
  'equals-ignore-case',
  'wildcard',
  'anything-but',
  'numeric',
  'exists',
  'cidr',
]);
const INTRINSIC = Symbol('intrinsic');
const EMPTY: Readonly<Record<string, unknown>> = Object.freeze({});
const NO_MISS: readonly PatternMiss[] = Object.freeze([]);

/** Validates a pattern (throws EventPatternError naming the bad path) and returns a matcher. */
export function compileEventPattern(
  pattern: unknown,
  options?: MatchOptions,
): (event: unknown) => boolean {
  const explain = compileEventPatternExplainer(pattern, options);
  return (event) => explain(event).length === 0;
}

/**
 * Like compileEventPattern, but the compiled function returns why an event misses: every
 * failing field (for a failed `$or`, the misses of its closest branch). Empty: it matches.
 */
export function compileEventPatternExplainer(
  pattern: unknown,
  options?: MatchOptions,
): (event: unknown) => readonly PatternMiss[] {
  const opts: Options = { intrinsics: options?.intrinsics ?? 'match-nothing' };
  if (!isPlainObject(pattern)) fail('', 'an event pattern must be a JSON object');
  const rule = compileObject(pattern, '', opts, false);
  return (event) => rule(isPlainObject(event) ? event : EMPTY);
}

export function matchesEventPattern(
  pattern: unknown,
  event: unknown,
  options?: MatchOptions,
): boolean {
  return compileEventPattern(pattern, options)(event);
}

/** Why `event` misses `pattern` (see compileEventPatternExplainer); empty when it matches. */
export function explainEventPattern(
  pattern: unknown,
  event: unknown,
  options?: MatchOptions,
): readonly PatternMiss[] {
  return compileEventPatternExplainer(pattern, options)(event);
}

function compileObject(
  pattern: Record<string, unknown>,
  path: string,
  opts: Options,
  inOr: boolean,
): ObjectRule {
  const entries = Object.entries(pattern);
  if (entries.length === 0) fail(path, 'empty objects are not allowed');
  if (isIntrinsic(pattern)) {
    fail(path, 'a CloudFormation intrinsic cannot stand for a whole list of match values');
  }
  const rules = entries.map(([key, value]): ObjectRule => {
    const at = path === '' ? key : `${path}.${key}`;
    if (key === OR) return compileOr(value, at, opts);
    if (inOr && OPERATORS.has(key)) fail(at, `"${key}" is an operator, not a field name`);
    if (Array.isArray(value)) {
      const leafRule = compileMatchValues(value, at, opts);
      const path = eventPathOf(at);
      return (event) => {
        const got = leavesOf(field(event, key));
        return leafRule(got) ? NO_MISS : [{ path, wanted: value, got }];
      };
    }
    if (isPlainObject(value)) {
      const nested = compileObject(value, at, opts, inOr);
      return (event) => matchNested(nested, field(event, key));
    }
    return fail(at, 'a pattern field must be an array of match values or an object');
  });
  // Every field is checked (not only up to the first miss) so an explanation names them all.
  return (event) => rules.flatMap((rule) => rule(event));
}

function compileOr(value: unknown, path: string, opts: Options): ObjectRule {
  if (!Array.isArray(value) || value.length < 2) {
    fail(path, '$or must be an array of at least two objects');
  }
  const branches = value.map((branch, i) => {
    if (!isPlainObject(branch)) return fail(`${path}[${i}]`, '$or may only hold objects');
    return compileObject(branch, `${path}[${i}]`, opts, true);
  });
  return (event) => {
    const closest = closestOf(branches.map((branch) => branch(event)));
    return closest.map((miss) => ({ ...miss, ofAlternatives: branches.length }));
  };
}

/** A nested pattern faces the event's object, one object of an event array, or nothing at all. */
function matchNested(rule: ObjectRule, value: unknown): readonly PatternMiss[] {
  const objects = (Array.isArray(value) ? value.flat(Infinity) : [value]).filter(isPlainObject);
  return objects.length === 0 ? rule(EMPTY) : closestOf(objects.map(rule));
}

/** No miss when any attempt matched; else the attempt with the fewest misses (the first of ties). */
function closestOf(attempts: readonly (readonly PatternMiss[])[]): readonly PatternMiss[] {
  let closest: readonly PatternMiss[] | undefined;
  for (const misses of attempts) {
    if (misses.length === 0) return NO_MISS;
    if (closest === undefined || misses.length < closest.length) closest = misses;
  }
  return closest ?? NO_MISS;
}

/** `detail.$or[1].alarmName` → `detail.alarmName`: the field as the event has it. */
function eventPathOf(patternPath: string): string {
  return patternPath.replace(/\.?\$or\[\d+\]/g, '').replace(/^\./, '');
}

/** Own properties only: a pattern field named "constructor" must not find Object.prototype's. */
function field(event: Readonly<Record<string, unknown>>, key: string): unknown {
  return Object.hasOwn(event, key) ? event[key] : undefined;
}

function leavesOf(value: unknown): Leaf[] {
  const values: unknown[] = Array.isArray(value) ? value.flat(Infinity) : [value];
  return values.filter(isLeaf);
}

function compileMatchValues(values: readonly unknown[], path: string, opts: Options): LeafRule {
  if (values.length === 0) fail(path, 'empty arrays are not allowed');
  const rules = values.map((value, i) => compileMatchValue(value, `${path}[${i}]`, opts));
  return (leaves) => rules.some((rule) => rule(leaves));
}

function compileMatchValue(value: unknown, path: string, opts: Options): LeafRule {
  if (isLeaf(value)) {
    if (typeof value === 'number' && !isJsonNumber(value)) fail(path, 'not a JSON number');
    return any((leaf) => leaf === value);
  }
  if (!isPlainObject(value)) fail(path, 'a match value must be a string, number, boolean or null');
  if (isIntrinsic(value)) return intrinsicRule(opts);
  const keys = Object.keys(value);
  const [op] = keys;
  if (op === undefined || keys.length !== 1) fail(path, 'an operator object needs exactly one key');
  const operand = value[op];
  const at = `${path}.${op}`;
  switch (op) {
    case 'prefix':
    case 'suffix':
      return compileAffix(op, operand, at, opts);
    case 'equals-ignore-case':
      return stringTest(operand, at, opts, (text) => {
        const folded = fold(text);
        return (leaf) => fold(leaf) === folded;
      });
    case 'wildcard':
      return stringTest(operand, at, opts, (text) => {
        const regExp = wildcardRegExp(text, at);
        return (leaf) => regExp.test(leaf);
      });
    case 'anything-but':
      return compileAnythingBut(operand, at, opts);
    case 'numeric': {
      const inRange = numericRange(operand, at);
      return any((leaf) => typeof leaf === 'number' && inRange(leaf));
    }
    case 'exists':
      if (typeof operand !== 'boolean') fail(at, 'exists must be true or false');
      return (leaves) => (operand ? leaves.length > 0 : leaves.length === 0);
    case 'cidr':
      return compileCidr(operand, at, opts);
    default:
      return fail(path, `unknown operator "${op}"`);
  }
}

function compileAffix(
  op: 'prefix' | 'suffix',
  operand: unknown,
  path: string,
  opts: Options,
): LeafRule {
  const ignoreCase = isPlainObject(operand) && !isIntrinsic(operand);
  const text = ignoreCase
    ? singleKey(operand, 'equals-ignore-case', path)
    : stringOperand(operand, path);
  if (text === INTRINSIC) return intrinsicRule(opts);
  const test = affixTest(op, text, ignoreCase);
  return any((leaf) => typeof leaf === 'string' && test(leaf));
}

function compileAnythingBut(operand: unknown, path: string, opts: Options): LeafRule {
  const excluded = excludedBy(operand, path);
  if (excluded === INTRINSIC) return intrinsicRule(opts);
  return any((leaf) => !excluded(leaf));
}

/** What an `anything-but` operand excludes; only leaves of the operand's own kind can be excluded. */
function excludedBy(operand: unknown, path: string): ((leaf: Leaf) => boolean) | typeof INTRINSIC {
  if (!isPlainObject(operand) || isIntrinsic(operand)) return excludedValues(operand, path);
  const [op, ...more] = Object.keys(operand);
  if (op === undefined || more.length > 0) fail(path, 'an operator object needs exactly one key');
  const at = `${path}.${op}`;
  const inner = operand[op];
  if (op === 'prefix' || op === 'suffix') {
    const text = stringOperand(inner, at);
    if (text === INTRINSIC) return INTRINSIC;
    if (text === '') fail(at, `anything-but ${op} must not be empty`);
    const test = affixTest(op, text, false);
    return (leaf) => typeof leaf === 'string' && test(leaf);
  }
  if (op !== 'equals-ignore-case' && op !== 'wildcard') {
    fail(path, `anything-but does not support "${op}"`);
  }
  const texts = stringList(inner, at);
  if (texts === INTRINSIC) return INTRINSIC;
  if (op === 'equals-ignore-case') {
    const folded = new Set(texts.map(fold));
    return (leaf) => typeof leaf === 'string' && folded.has(fold(leaf));
  }
  const regExps = texts.map((text) => wildcardRegExp(text, at));
  return (leaf) => typeof leaf === 'string' && regExps.some((regExp) => regExp.test(leaf));
}

function excludedValues(
  operand: unknown,
  path: string,
): ((leaf: Leaf) => boolean) | typeof INTRINSIC {
  const list: unknown[] = Array.isArray(operand) ? operand : [operand];
  if (list.some(isIntrinsic)) return INTRINSIC;
  const allStrings = list.every((item) => typeof item === 'string');
  const allNumbers = list.every((item) => isJsonNumber(item));
  if (list.length === 0 || !(allStrings || allNumbers)) {
    fail(path, 'anything-but takes a string, a number, or a list of only strings or only numbers');
  }
  const values = new Set<unknown>(list);
  return (leaf) => values.has(leaf);
}

function compileCidr(operand: unknown, path: string, opts: Options): LeafRule {
  const text = stringOperand(operand, path);
  if (text === INTRINSIC) return intrinsicRule(opts);
  const [network = '', bits = '', ...rest] = text.split('/');
  const version = isIP(network);
  const prefix = Number(bits);
  const maxPrefix = version === 4 ? 32 : 128;
  if (version === 0 || rest.length > 0 || !/^\d+$/.test(bits) || prefix > maxPrefix) {
    fail(path, `"${text}" is not an IPv4 or IPv6 CIDR block`);
  }
  const family = version === 4 ? 'ipv4' : 'ipv6';
  const block = new BlockList();
  block.addSubnet(network, prefix, family);
  return any((leaf) => typeof leaf === 'string' && block.check(leaf, family));
}

const LOWER_BOUNDS = new Map<unknown, (n: number, bound: number) => boolean>([
  ['>', (n, bound) => n > bound],
  ['>=', (n, bound) => n >= bound],
]);
const UPPER_BOUNDS = new Map<unknown, (n: number, bound: number) => boolean>([
  ['<', (n, bound) => n < bound],
  ['<=', (n, bound) => n <= bound],
]);

/** `numeric` operands: ["=", n], one bound (">", ">=", "<", "<="), or a lower then an upper bound. */
function numericRange(operand: unknown, path: string): (n: number) => boolean {
  const [op1, a, op2, b] = Array.isArray(operand) ? operand : [];
  const length = Array.isArray(operand) ? operand.length : 0;
  if (isJsonNumber(a) && length === 2) {
    if (op1 === '=') return (n) => n === a;
    const compare = LOWER_BOUNDS.get(op1) ?? UPPER_BOUNDS.get(op1);
    if (compare) return (n) => compare(n, a);
  }
  const low = LOWER_BOUNDS.get(op1);
  const high = UPPER_BOUNDS.get(op2);
  if (isJsonNumber(a) && isJsonNumber(b) && length === 4 && low && high) {
    if (a > b || (a === b && (op1 === '>' || op2 === '<'))) fail(path, 'the range is empty');
    return (n) => low(n, a) && high(n, b);
  }
  return fail(
    path,
    'numeric takes ["=", n], [op, n] or [">" or ">=", n, "<" or "<=", m] with JSON numbers',
  );
}

function isJsonNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** `*` matches any run of characters; `\*` and `\\` stand for `*` and `\`; `**` is refused. */
function wildcardRegExp(text: string, path: string): RegExp {
  let source = '';
  let afterWildcard = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charAt(i);
    if (char === '*') {
      if (afterWildcard) fail(path, 'consecutive wildcard characters are not allowed');
      source += '.*';
      afterWildcard = true;
      continue;
    }
    afterWildcard = false;
    let literal = char;
    if (char === '\\') {
      literal = text.charAt(++i);
      if (literal !== '*' && literal !== '\\') {
        fail(path, 'a backslash may only escape "*" or "\\"');
      }
    }
    source += literal.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}

function stringTest(
  operand: unknown,
  path: string,
  opts: Options,
  build: (text: string) => (leaf: string) => boolean,
): LeafRule {
  const text = stringOperand(operand, path);
  if (text === INTRINSIC) return intrinsicRule(opts);
  const test = build(text);
  return any((leaf) => typeof leaf === 'string' && test(leaf));
}

function affixTest(op: 'prefix' | 'suffix', text: string, ignoreCase: boolean) {
  const wanted = ignoreCase ? fold(text) : text;
  return (leaf: string): boolean => {
    const value = ignoreCase ? fold(leaf) : leaf;
    return op === 'prefix' ? value.startsWith(wanted) : value.endsWith(wanted);
  };
}

function singleKey(operand: Record<string, unknown>, key: string, path: string) {
  const keys = Object.keys(operand);
  if (keys.length !== 1 || keys[0] !== key) fail(path, `expected a string or {"${key}": string}`);
  return stringOperand(operand[key], `${path}.${key}`);
}

function stringOperand(operand: unknown, path: string): string | typeof INTRINSIC {
  if (isIntrinsic(operand)) return INTRINSIC;
  if (typeof operand !== 'string') fail(path, 'expected a string');
  return operand;
}

function stringList(operand: unknown, path: string): string[] | typeof INTRINSIC {
  if (!Array.isArray(operand)) {
    const text = stringOperand(operand, path);
    return text === INTRINSIC ? INTRINSIC : [text];
  }
  if (operand.length === 0) fail(path, 'empty arrays are not allowed');
  const texts = operand.map((item, i) => stringOperand(item, `${path}[${i}]`));
  return texts.some((text) => text === INTRINSIC) ? INTRINSIC : (texts as string[]);
}

function intrinsicRule(opts: Options): LeafRule {
  return opts.intrinsics === 'match-anything' ? (leaves) => leaves.length > 0 : never;
}

function any(test: (leaf: Leaf) => boolean): LeafRule {
  return (leaves) => leaves.some(test);
}

function never(): boolean {
  return false;
}

function fold(text: string): string {
  return text.toLowerCase();
}

function isIntrinsic(value: unknown): boolean {
  if (!isPlainObject(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || (keys[0]?.startsWith('Fn::') ?? false));
}

function isLeaf(value: unknown): value is Leaf {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(path: string, message: string): never {
  throw new EventPatternError(`Invalid event pattern at ${path || '(root)'}: ${message}`);
}
