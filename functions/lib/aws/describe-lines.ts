/** What the resource enricher's lookups return: lines of an alert's live-state section. */
export type Lines = string[];

/** At most this many members (replicas, shards, targets) are listed. */
export const MAX_MEMBERS = 12;

/** Thrown inside a lookup when the resource does not exist; becomes `unavailable`. */
export class NotFound extends Error {}

/** `3 InService, 1 Pending`: how many of each value, `unknown` for a missing one. */
export const count = (values: readonly (string | undefined)[]): string => {
  const counts = new Map<string, number>();
  for (const value of values)
    counts.set(value ?? 'unknown', (counts.get(value ?? 'unknown') ?? 0) + 1);
  return [...counts].map(([value, n]) => `${n} ${value}`).join(', ');
};
