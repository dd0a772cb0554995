import { type ChildProcess, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../../shop/local/processes.js';

/**
 * A real local AWS API (moto_server, moto 5) for request-shape tests: the SDK's requests go
 * over the wire and moto parses them as AWS would. Started on a free port, reachable within a
 * bounded wait, stopped by its own process id.
 */

export interface MotoServer {
  readonly endpoint: string;
  /** What SDK clients pointed at the server need. */
  readonly clientConfig: {
    readonly region: string;
    readonly endpoint: string;
    readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  };
  stop(): Promise<void>;
}

export const MOTO_INSTALL_HINT =
  'moto_server is not installed (or not on PATH): run "pip install \'moto[server]\'"';

const STARTUP_TIMEOUT_MS = 30_000;

export const startMotoServer = async (): Promise<MotoServer> => {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn('moto_server', ['-p', String(port)], { stdio: 'ignore' });
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    const failed = await Promise.race([spawnError, sleep(250).then(() => undefined)]);
    if (failed !== undefined) {
      throw new Error(
        (failed as NodeJS.ErrnoException).code === 'ENOENT' ? MOTO_INSTALL_HINT : failed.message,
      );
    }
    const reachable = await fetch(`${endpoint}/moto-api/`).then(
      (response) => response.ok,
      () => false,
    );
    if (reachable) break;
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(
        `moto_server did not answer on ${endpoint} within ${STARTUP_TIMEOUT_MS / 1000} s`,
      );
    }
  }
  return {
    endpoint,
    clientConfig: {
      region: 'us-east-1',
      endpoint,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    },
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill();
      await Promise.race([exited, sleep(5_000)]);
    },
  };
};
