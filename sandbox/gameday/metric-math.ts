/**
 * The part of CloudWatch metric math the shop's alarms use, evaluated one timestamp at a time:
 * numbers, the ids of the alarm's metric queries, arithmetic (+ - * /), comparisons
 * (> >= < <= == !=, 1 for true and 0 for false), AND and OR, and the functions IF(condition,
 * then, else) and MAX([a, b, …]) (CloudWatch user guide, "Metric math syntax and functions").
 * Anything else is refused when the expression is parsed: the game day would rather stop than
 * guess what an alarm it cannot evaluate does.
 *
 * Missing data: an operator or IF with a metric that has no datapoint at the timestamp yields
 * none (metric math aligns its series on timestamps); MAX takes the series that have one.
 */

/** The metric queries' values at one timestamp, by id; undefined: no datapoint. */
export type MetricValues = Readonly<Record<string, number | undefined>>;

export interface MetricMath {
  /** The metric query ids the expression reads. */
  readonly ids: ReadonlySet<string>;
  readonly evaluate: (values: MetricValues) => number | undefined;
}

/** An expression the game day does not evaluate (a function or syntax the shop does not use). */
export class UnsupportedExpressionError extends Error {
  override readonly name = 'UnsupportedExpressionError';
}

type Node = (values: MetricValues) => number | undefined;

const TOKEN = /\s*(\d+(?:\.\d+)?|[A-Za-z_][A-Za-z0-9_]*|>=|<=|==|!=|[-+*/()<>,[\]])/y;

const tokenize = (expression: string): string[] => {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < expression.length) {
    if (expression.slice(TOKEN.lastIndex).trim() === '') break;
    const at = TOKEN.lastIndex;
    const match = TOKEN.exec(expression);
    if (match?.[1] === undefined)
      throw new UnsupportedExpressionError(
        `cannot read metric math "${expression}" at "${expression.slice(at).trim()}"`,
      );
    tokens.push(match[1]);
  }
  return tokens;
};

const both =
  (left: Node, right: Node, op: (a: number, b: number) => number): Node =>
  (values) => {
    const a = left(values);
    const b = right(values);
    return a === undefined || b === undefined ? undefined : op(a, b);
  };

const BINARY: Readonly<Record<string, (a: number, b: number) => number>> = {
  OR: (a, b) => (a !== 0 || b !== 0 ? 1 : 0),
  AND: (a, b) => (a !== 0 && b !== 0 ? 1 : 0),
  '>': (a, b) => (a > b ? 1 : 0),
  '>=': (a, b) => (a >= b ? 1 : 0),
  '<': (a, b) => (a < b ? 1 : 0),
  '<=': (a, b) => (a <= b ? 1 : 0),
  '==': (a, b) => (a === b ? 1 : 0),
  '!=': (a, b) => (a !== b ? 1 : 0),
  '+': (a, b) => a + b,
  '-': (a, b) => a - b,
  '*': (a, b) => a * b,
  '/': (a, b) => a / b,
};
/** Operators by precedence, loosest first. */
const LEVELS: readonly (readonly string[])[] = [
  ['OR'],
  ['AND'],
  ['>', '>=', '<', '<=', '==', '!='],
  ['+', '-'],
  ['*', '/'],
];

export const parseMetricMath = (expression: string): MetricMath => {
  const tokens = tokenize(expression);
  const ids = new Set<string>();
  let next = 0;
  const peek = () => tokens[next];
  const unsupported = (what: string) =>
    new UnsupportedExpressionError(
      `the game day does not evaluate ${what} in metric math "${expression}" (it knows IF, MAX, AND, OR, comparisons and arithmetic)`,
    );
  const expect = (token: string) => {
    if (tokens[next] !== token)
      throw unsupported(`"${tokens[next] ?? 'the end'}" (expected "${token}")`);
    next += 1;
  };

  const binary = (level: number): Node => {
    const operators = LEVELS[level];
    if (operators === undefined) return unary();
    let left = binary(level + 1);
    for (let op = peek(); op !== undefined && operators.includes(op); op = peek()) {
      next += 1;
      const fn = BINARY[op];
      if (fn === undefined) throw unsupported(`the operator ${op}`);
      left = both(left, binary(level + 1), fn);
    }
    return left;
  };

  const unary = (): Node => {
    if (peek() === '-') {
      next += 1;
      const inner = unary();
      return (values) => {
        const value = inner(values);
        return value === undefined ? undefined : -value;
      };
    }
    return primary();
  };

  const list = (): Node[] => {
    expect('[');
    const items = [binary(0)];
    while (peek() === ',') {
      next += 1;
      items.push(binary(0));
    }
    expect(']');
    return items;
  };

  const call = (name: string): Node => {
    expect('(');
    if (name === 'IF') {
      const condition = binary(0);
      expect(',');
      const then = binary(0);
      expect(',');
      const otherwise = binary(0);
      expect(')');
      return (values) => {
        const test = condition(values);
        if (test === undefined) return undefined;
        return test !== 0 ? then(values) : otherwise(values);
      };
    }
    if (name === 'MAX') {
      const items = list();
      expect(')');
      return (values) => {
        const present = items
          .map((item) => item(values))
          .filter((value): value is number => value !== undefined);
        return present.length === 0 ? undefined : Math.max(...present);
      };
    }
    throw unsupported(`the function ${name}`);
  };

  const primary = (): Node => {
    const token = peek();
    if (token === undefined) throw unsupported('an expression that ends early');
    next += 1;
    if (token === '(') {
      const inner = binary(0);
      expect(')');
      return inner;
    }
    if (/^\d/.test(token)) {
      const value = Number(token);
      return () => value;
    }
    if (/^[A-Z][A-Z0-9_]*$/.test(token)) return call(token);
    // Query ids start with a lowercase letter (botocore cloudwatch MetricDataQuery.Id).
    if (/^[a-z][A-Za-z0-9_]*$/.test(token)) {
      ids.add(token);
      return (values) => values[token];
    }
    throw unsupported(`"${token}"`);
  };

  const root = binary(0);
  if (next < tokens.length) throw unsupported(`"${tokens[next]}"`);
  return { ids, evaluate: root };
};
