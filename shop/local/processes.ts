import { execFile, execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What the local servers share: free loopback ports, an owned temp dir, bounded commands. */

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error('no free port')),
      );
    });
  });

export interface RunAs {
  readonly uid: number;
  readonly gid: number;
}

/**
 * PostgreSQL refuses to run as root (CI and this machine run as root): then the servers run as
 * the `postgres` user the Debian package creates. Anyone else runs them as themselves.
 */
export const serverUser = (): RunAs | undefined => {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new Error(
      'running as root and there is no "postgres" user to run PostgreSQL as: run "apt-get install -y postgresql"',
    );
  }
};

const chownTree = (path: string, user: RunAs): void => {
  chownSync(path, user.uid, user.gid);
  if (statSync(path).isDirectory()) {
    for (const entry of readdirSync(path)) chownTree(join(path, entry), user);
  }
};

/** A fresh temp folder the server user owns. */
export const ownedTempDir = (prefix: string, user: RunAs | undefined): string => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (user !== undefined) chownTree(dir, user);
  return dir;
};

/** Runs a command to completion within timeoutMs; its stderr is in the error message. */
export const run = (
  file: string,
  args: readonly string[],
  user: RunAs | undefined,
  timeoutMs = 60_000,
): Promise<string> =>
  new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { timeout: timeoutMs, encoding: 'utf8', ...(user ?? {}) },
      (error, stdout, stderr) => {
        if (error === null) resolve(stdout);
        else
          reject(new Error(`${file} ${args.join(' ')} failed: ${stderr.trim() || error.message}`));
      },
    );
  });
