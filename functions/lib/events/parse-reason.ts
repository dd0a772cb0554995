/** Reasons end up in logs and alerts: bounded, one line, naming the field and the problem. */
export const MAX_REASON_LENGTH = 600;
const MAX_REPORTED_ISSUES = 5;

/** A Standard Schema issue, as Powertools' ParseError carries them in `cause`. */
export interface SchemaIssue {
  readonly message: string;
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }>;
}

const isSchemaIssue = (value: unknown): value is SchemaIssue =>
  typeof value === 'object' && value !== null && typeof Reflect.get(value, 'message') === 'string';

/** The issues behind a Powertools ParseError (its `cause`), or none when it has another cause. */
export const issuesOf = (error: Error): SchemaIssue[] =>
  Array.isArray(error.cause) ? error.cause.filter(isSchemaIssue) : [];

export const boundReason = (reason: string): string => {
  const line = reason.replace(/\s+/g, ' ');
  return line.length <= MAX_REASON_LENGTH ? line : `${line.slice(0, MAX_REASON_LENGTH - 1)}…`;
};

/** A value quoted for a reason: JSON, at most 60 characters. */
export const quote = (value: unknown): string => {
  if (value === undefined) return '(missing)';
  const json = JSON.stringify(value) ?? String(value);
  return json.length <= 60 ? json : `${json.slice(0, 59)}…`;
};

const pathOf = (issue: SchemaIssue, prefix: string): string => {
  const keys = (issue.path ?? []).map((segment) =>
    typeof segment === 'object' ? String(segment.key) : String(segment),
  );
  const path = [prefix, ...keys].filter((key) => key !== '').join('.');
  return path === '' ? '(event)' : path;
};

/** `detail.state.value: Invalid option…; resources: Too big…`. */
export const describeIssues = (issues: readonly SchemaIssue[], prefix = ''): string => {
  const described = issues
    .slice(0, MAX_REPORTED_ISSUES)
    .map((issue) => `${pathOf(issue, prefix)}: ${issue.message}`);
  const more = issues.length - described.length;
  return described.join('; ') + (more > 0 ? `; and ${more} more issue(s)` : '');
};
