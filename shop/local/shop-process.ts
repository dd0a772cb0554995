import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './processes.js';

/**
 * The shop's server (shop/server.ts, the process systemd runs) in a child process on a free
 * loopback port, for the benchmark and the tests that need a real process: one that can be
 * stopped cleanly, or killed with SIGKILL as a crash would.
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const START_TIMEOUT_MS = 60_000;

export interface ShopProcess {
  readonly port: number;
  /** Settles when the process ends, with its exit status (`null` when a signal ended it). */
  readonly exited: Promise<number | null>;
  /** The error lines it logged so far (stdout, JSON lines at level error). */
  errors(): string[];
  /** The server's /metrics counters. */
  metrics(): Promise<Record<string, number>>;
  /** `kill -9`: no shutdown, open connections reset, as when the process crashes. */
  kill(): Promise<void>;
  /** SIGTERM: the server closes and exits (SIGKILL after 5 s). */
  stop(): Promise<void>;
}

/** `npm run shop` in its own process: with `redisUrl` the cache is on, without it reads go to the replica. */
export const startShopProcess = async (settings: {
  readonly primaryUrl: string;
  readonly replicaUrl: string;
  readonly redisUrl?: string;
}): Promise<ShopProcess> => {
  const port = await freePort();
  const errors: string[] = [];
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'shop/server.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      SHOP_DATABASE_URL: settings.primaryUrl,
      SHOP_REPLICA_URLS: settings.replicaUrl,
      SHOP_REDIS_URL: settings.redisUrl ?? '',
      SHOP_PORT: String(port),
    },
    // The request log lines are written (as in production) but not kept; errors are.
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = once(child, 'exit').then(
    () => child.exitCode,
    () => child.exitCode,
  );
  // After 'exit', output may still be in the pipes: 'close' comes once they are read.
  const closed = once(child, 'close').catch(() => undefined);
  let partial = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    errors.push(...lines.filter((line) => line.includes('"level":"error"')));
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (
    !(await fetch(`${url}/health`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      if (child.exitCode !== null) await closed;
      const status = child.exitCode === null ? '' : ` (exit status ${child.exitCode})`;
      throw new Error(
        `the shop server did not start${status}: ${[stderr.trim(), ...errors].filter((text) => text !== '').join('\n') || 'no answer on /health'}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    port,
    exited,
    errors: () => [...errors],
    metrics: async () => (await (await fetch(`${url}/metrics`)).json()) as Record<string, number>,
    kill: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
};
