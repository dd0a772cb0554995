/**
 * Alert severities and the SNS message attribute that carries them. Shared by the publishers
 * (functions) and the subscriptions' filter policies (infra), which must agree to the letter.
 */
export const SEVERITIES = ['critical', 'warning'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Message attribute every alert carries; SMS subscriptions accept only `critical`. */
export const SEVERITY_ATTRIBUTE = 'severity';

/**
 * Message attribute saying whether an alert should page (`yes`: it carries an SMS text). One
 * page per incident: updates of a critical incident are critical but do not page again.
 */
export const PAGE_ATTRIBUTE = 'page';
export const PAGE_VALUES = { page: 'yes', noPage: 'no' } as const;
