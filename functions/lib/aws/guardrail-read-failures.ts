/**
 * A failed guardrail read as a CloudWatch metric, so that an alarm pages instead of the safe
 * fallback (dry-run, nothing enabled) holding silently: `Rebound` / `GuardrailReadFailures`,
 * dimension `GuardrailsPath` (the path the read was sent for), written in the embedded metric
 * format. CloudWatch Logs extracts it from the function's log; no PutMetricData permission.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
export const GUARDRAIL_READ_FAILURES = {
  namespace: 'Rebound',
  metricName: 'GuardrailReadFailures',
  dimension: 'GuardrailsPath',
} as const;

/** The alarm on that metric (infra/control-plane/guardrail-parameters.ts). */
export const guardrailsUnreadableAlarmName = (stage: string): string =>
  `rebound-${stage}-guardrails-unreadable`;

/** The EMF record of one failed read of `path`. */
export const guardrailReadFailureRecord = (path: string, at: Date): Record<string, unknown> => ({
  _aws: {
    Timestamp: at.getTime(),
    CloudWatchMetrics: [
      {
        Namespace: GUARDRAIL_READ_FAILURES.namespace,
        Dimensions: [[GUARDRAIL_READ_FAILURES.dimension]],
        Metrics: [{ Name: GUARDRAIL_READ_FAILURES.metricName, Unit: 'Count' }],
      },
    ],
  },
  [GUARDRAIL_READ_FAILURES.dimension]: path,
  [GUARDRAIL_READ_FAILURES.metricName]: 1,
});

/**
 * Writes the record as one line straight to stdout: Lambda wraps `console.*` output in its own
 * log format (JSON here), and CloudWatch extracts EMF only from a log event that is the record
 * itself (https://docs.aws.amazon.com/lambda/latest/dg/web-functions-emf.html).
 */
export const emitGuardrailReadFailure = (
  path: string,
  write: (line: string) => void = (line) => process.stdout.write(line),
  at: Date = new Date(),
): void => {
  write(`${JSON.stringify(guardrailReadFailureRecord(path, at))}\n`);
};
