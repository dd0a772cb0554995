import type { Severity } from '../severity.js';
import type { Decision } from './decision.js';
import type { Incident } from './incident.js';
import type { Signal } from './signal.js';

/** One alert as published to the alerts topic: email for everyone, SMS for critical only. */
export interface Alert {
  readonly severity: Severity;
  /** The `kind` message attribute: `incident-opened`, `incident-update`, `incident-resolved`, `runbook-succeeded`, `escalation`, `approval-request`. */
  readonly kind: AlertKind;
  readonly incidentId: string;
  /** SNS subject: printable ASCII, at most 99 characters. */
  readonly subject: string;
  /** Plain-text email body. */
  readonly email: string;
  /** One GSM-7 segment (≤ 160 characters), or null when no page is due. */
  readonly sms: string | null;
}

export const ALERT_KINDS = [
  'incident-opened',
  'incident-update',
  'incident-resolved',
  'runbook-succeeded',
  'escalation',
  'approval-request',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** Live state of the affected resource, from Describe calls made within a time budget. */
export interface ResourceState {
  /** "rebound-prod-web: 3 InService / desired 3 (min 3, max 9)", one fact per line. */
  readonly lines: readonly string[];
  /** Set when enrichment failed or ran out of time: the alert says so and goes out anyway. */
  readonly unavailable?: string;
}

/** What triage knows when it renders an alert for a signal. */
export interface TriageAlertInput {
  readonly incident: Incident;
  readonly signal: Signal;
  readonly decision: Decision;
  /** Whether this alert may page (SMS): critical, and the incident has not paged yet. */
  readonly page: boolean;
  readonly kind: AlertKind;
  readonly resourceState?: ResourceState;
  /** Console link of the runbook execution started for this signal, if any. */
  readonly executionArn?: string;
  /** The input the runbook was started with: the command to run it by hand reuses it. */
  readonly runbookInput?: Readonly<Record<string, string>>;
}
