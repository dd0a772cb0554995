/**
 * Alert severities and the SNS message attribute that carries them. Shared by the publishers
 * (functions) and the subscriptions' filter policies (infra), which must agree to the letter.
 */
export const SEVERITIES = ['critical', 'warning'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Message attribute every alert carries; SMS subscriptions accept only `critical`. */
export const SEVERITY_ATTRIBUTE = 'severity';
