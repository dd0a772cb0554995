/**
 * Runs `lookup` (AWS Describe calls that honour the abort signal) for at most `timeBudgetMs`:
 * past it the calls are aborted and `fallback` answers with why. Never throws: an error is
 * `fallback`'s too. Triage's lookups must not hold up an alert or a decision (resource-enricher.ts,
 * zone-locator.ts).
 */
export const withinTimeBudget = async <T>(
  timeBudgetMs: number,
  lookup: (abortSignal: AbortSignal) => Promise<T>,
  fallback: (why: unknown) => T,
): Promise<T> => {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve(fallback(new BudgetExceeded(`no answer within ${timeBudgetMs} ms`)));
    }, timeBudgetMs);
  });
  try {
    return await Promise.race([lookup(controller.signal).catch(fallback), timeout]);
  } finally {
    clearTimeout(timer);
  }
};

/** The `why` of a lookup that ran out of time. */
export class BudgetExceeded extends Error {}
