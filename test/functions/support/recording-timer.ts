import type { RecoveryCheck, RecoveryTimer } from '../../../functions/lib/core/ports.js';

/** A recovery timer that records what was scheduled and cancelled, in order. */
export class RecordingTimer implements RecoveryTimer {
  readonly scheduled: RecoveryCheck[] = [];
  readonly cancelled: string[] = [];
  async schedule(check: RecoveryCheck) {
    this.scheduled.push(check);
  }
  async cancel(name: string) {
    this.cancelled.push(name);
  }
}
