import { type ParsedGuardrails, parseGuardrails } from '../core/guardrails.js';
import { emitCount } from './embedded-metric.js';

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

/** One failed read of `path`, written in the embedded metric format. */
export const emitGuardrailReadFailure = (
  path: string,
  write?: (line: string) => void,
  at?: Date,
): void => {
  emitCount(
    {
      namespace: GUARDRAIL_READ_FAILURES.namespace,
      metricName: GUARDRAIL_READ_FAILURES.metricName,
      dimensions: { [GUARDRAIL_READ_FAILURES.dimension]: path },
    },
    write,
    at,
  );
};

/**
 * What a reader of the guardrails under `readPath` goes on with when SSM could not be read
 * (`why`): the safe side (dry-run, nothing enabled), the first problem line saying why, and
 * the failure reported (@default the GuardrailReadFailures metric, whose alarm pages).
 */
export const guardrailsAfterReadFailure = (
  readPath: string,
  why: string,
  report: (path: string) => void = emitGuardrailReadFailure,
): ParsedGuardrails => {
  report(readPath);
  const safe = parseGuardrails({});
  return {
    guardrails: safe.guardrails,
    problems: [`guardrails unreadable: ${why.slice(0, 300)}`, ...safe.problems],
  };
};
