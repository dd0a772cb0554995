/** Triage's PARSE step: what an incoming event may look like, and how to read it. */
export { idempotencyKeyOf } from './idempotency.js';
export { parseIncomingEvent } from './parse.js';
export type { ParseResult, ReboundEvent } from './rebound-event.js';
