/**
 * The `Server-Timing` response header (W3C Server Timing: `name;dur=milliseconds`): how long
 * the catalog read inside a request took (cache or database), shown by browsers' developer
 * tools and read by `npm run bench:shop` beside the request's own latency.
 */

export const CATALOG_READ = 'catalog';

export const serverTiming = (name: string, durationMs: number): string =>
  `${name};dur=${durationMs.toFixed(3)}`;

/** The `dur` of metric `name` in a Server-Timing header, or undefined when absent. */
export const serverTimingDuration = (
  header: string | undefined,
  name: string,
): number | undefined => {
  for (const metric of (header ?? '').split(',')) {
    const [metricName, ...params] = metric.split(';').map((part) => part.trim());
    if (metricName !== name) continue;
    const dur = params.find((param) => param.startsWith('dur='));
    const value = Number(dur?.slice('dur='.length));
    return dur === undefined || !Number.isFinite(value) ? undefined : value;
  }
  return undefined;
};
