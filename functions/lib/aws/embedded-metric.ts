/**
 * One count in the CloudWatch embedded metric format (EMF): CloudWatch Logs extracts the metric
 * from the function's log, so no PutMetricData permission is needed.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
export interface CountMetric {
  readonly namespace: string;
  readonly metricName: string;
  /** Dimension name → value; every value becomes a member of the record's root node. */
  readonly dimensions: Readonly<Record<string, string>>;
  /**
   * The dimension sets CloudWatch aggregates by (each a list of names from `dimensions`).
   * @default one set of every dimension
   */
  readonly dimensionSets?: readonly (readonly string[])[];
}

/** The EMF record of one occurrence (value 1) of `metric` at `at`. */
export const countRecord = (metric: CountMetric, at: Date): Record<string, unknown> => ({
  _aws: {
    Timestamp: at.getTime(),
    CloudWatchMetrics: [
      {
        Namespace: metric.namespace,
        Dimensions: metric.dimensionSets ?? [Object.keys(metric.dimensions)],
        Metrics: [{ Name: metric.metricName, Unit: 'Count' }],
      },
    ],
  },
  ...metric.dimensions,
  [metric.metricName]: 1,
});

/**
 * Writes the record as one line straight to stdout: Lambda wraps `console.*` output in its own
 * log format (JSON here), and CloudWatch extracts EMF only from a log event that is the record
 * itself (https://docs.aws.amazon.com/lambda/latest/dg/web-functions-emf.html).
 */
export const emitCount = (
  metric: CountMetric,
  write: (line: string) => void = (line) => process.stdout.write(line),
  at: Date = new Date(),
): void => {
  write(`${JSON.stringify(countRecord(metric, at))}\n`);
};
