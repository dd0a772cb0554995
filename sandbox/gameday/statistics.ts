/**
 * A CloudWatch statistic over one period's samples: Maximum, Minimum, Sum, SampleCount, and
 * Average for the rest (the simulator's samples carry no distribution, so a percentile reads as
 * the average). Undefined when the period has no sample.
 */
export const statisticOf = (statistic: string, values: readonly number[]): number | undefined => {
  if (values.length === 0) return undefined;
  switch (statistic) {
    case 'Maximum':
      return Math.max(...values);
    case 'Minimum':
      return Math.min(...values);
    case 'Sum':
      return values.reduce((a, b) => a + b, 0);
    case 'SampleCount':
      return values.length;
    default:
      return values.reduce((a, b) => a + b, 0) / values.length;
  }
};
