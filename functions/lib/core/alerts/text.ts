import { collapseWhitespace, toGsm7, transliterate, truncateEnd } from '../../sms.js';

/**
 * Text safety for every alert (triage, runbook outcomes, approvals): whatever an event or a
 * person put in a value, it comes out well-formed, on one line and bounded. Pure; never throws.
 */

/** Input is cut to this many UTF-16 units before any per-character work (10 KB summaries…). */
export const MAX_INPUT = 4000;

/** SNS rejects subjects of 100 characters or more ("less than 100 characters long"). */
export const SNS_SUBJECT_MAX_LENGTH = 99;

const isPrintableAscii = (character: string): boolean => {
  const code = character.codePointAt(0) ?? 0;
  return character.length === 1 && code >= 0x20 && code <= 0x7e;
};

/** Printable ASCII, one line, at most `max` (default 99) characters: safe as an SNS Subject. */
export const toSnsSubject = (text: string, max = SNS_SUBJECT_MAX_LENGTH): string =>
  truncateEnd(collapseWhitespace(transliterate(text, isPrintableAscii)), max);

/** One line of email text: well-formed, no control or format characters, bounded. */
export const emailLine = (value: string, max = 500): string =>
  truncateEnd(
    collapseWhitespace(
      String(value)
        .slice(0, MAX_INPUT)
        .toWellFormed()
        .replace(/[\p{Cc}\p{Cf}]/gu, ' '),
    ),
    max,
  );

/** One line of GSM 03.38 basic characters, bounded. */
export const smsText = (value: string, max: number): string =>
  truncateEnd(collapseWhitespace(toGsm7(String(value).slice(0, MAX_INPUT))), max);

/** `2026-11-26 03:04:12 UTC`. */
export const formatUtc = (epochSeconds: number): string =>
  `${new Date(epochSeconds * 1000).toISOString().slice(0, 19).replace('T', ' ')} UTC`;

/** `2026-11-26 03:04:12 UTC`, or the sanitised text when it is not a date. */
export const formatTime = (iso: string): string => {
  const millis = Date.parse(iso);
  if (Number.isNaN(millis)) return emailLine(iso, 64);
  return formatUtc(Math.floor(millis / 1000));
};

/** `90 s`, `5 min`. */
export const formatDuration = (seconds: number): string =>
  seconds < 120 ? `${Math.round(seconds)} s` : `${Math.round(seconds / 60)} min`;
