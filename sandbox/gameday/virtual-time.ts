import type { Clock } from '../../functions/lib/core/ports.js';

/**
 * The game day's clock and event queue. Simulated time only moves when the queue says so, so
 * six hours of an outage play out in seconds and in the same order every time.
 *
 * Work that runs concurrently with the shop (a triage invocation, a runbook execution) is a
 * *process*: it runs until it waits on the clock (`sleep`) or ends. The loop runs the next due
 * item only once every process is waiting or done, so a process never sees the clock jump
 * under it and the order of what happens does not depend on the machine's speed.
 */

interface Due {
  readonly at: number;
  readonly seq: number;
  readonly run: () => void;
}

/** How many macrotask turns a process may take without waiting on the clock before it is a bug. */
const MAX_IDLE_TURNS = 100_000;

export class VirtualTime {
  #now: number;
  #seq = 0;
  #queue: Due[] = [];
  /** Processes running now (not waiting on the clock). */
  #running = 0;
  #failures: unknown[] = [];

  constructor(start: Date) {
    this.#now = start.getTime();
  }

  get nowMs(): number {
    return this.#now;
  }

  readonly clock: Clock = { now: () => new Date(this.#now) };

  /** Runs `run` at `atMs` (not before now). */
  at(atMs: number, run: () => void): void {
    this.#queue.push({ at: Math.max(atMs, this.#now), seq: this.#seq++, run });
    this.#queue.sort((a, b) => a.at - b.at || a.seq - b.seq);
  }

  after(ms: number, run: () => void): void {
    this.at(this.#now + ms, run);
  }

  /** Runs `run` every `periodMs` from `firstMs` on, while it returns true. */
  every(periodMs: number, firstMs: number, run: () => boolean): void {
    const tick = (at: number) =>
      this.at(at, () => {
        if (run()) tick(at + periodMs);
      });
    tick(firstMs);
  }

  /** Inside a process: resumes after `ms` of simulated time. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.#running -= 1;
      this.after(ms, () => {
        this.#running += 1;
        resolve();
      });
    });
  }

  /** Starts a process now; its failure is kept and rethrown by `runUntil`. */
  spawn(work: () => Promise<unknown>): void {
    this.#running += 1;
    work()
      .catch((error: unknown) => {
        this.#failures.push(error);
      })
      .finally(() => {
        this.#running -= 1;
      });
  }

  /** Plays the queue until `endMs` (or until `stop()` says so), then sets the clock there. */
  async runUntil(endMs: number, stop: () => boolean = () => false): Promise<void> {
    await this.#settle();
    while (!stop()) {
      const due = this.#queue[0];
      if (due === undefined || due.at > endMs) break;
      this.#queue.shift();
      this.#now = due.at;
      due.run();
      await this.#settle();
    }
    if (!stop()) this.#now = Math.max(this.#now, endMs);
  }

  async #settle(): Promise<void> {
    for (let turn = 0; this.#running > 0; turn += 1) {
      if (turn > MAX_IDLE_TURNS) throw new Error('a game-day process neither waits nor ends');
      await new Promise((resolve) => setImmediate(resolve));
    }
    const [failure] = this.#failures;
    if (failure !== undefined) {
      this.#failures = [];
      throw failure;
    }
  }
}
