import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { redisServerPath } from './binaries.js';
import { freePort } from './processes.js';

/**
 * A Redis primary and a replica on loopback, as ElastiCache's replication group has them.
 * No persistence: the cache and the sessions are rebuilt from nothing, as after a cold start.
 */

export interface RedisNode {
  readonly name: string;
  readonly port: number;
  readonly url: string;
}

export interface RedisPair {
  readonly primary: RedisNode;
  readonly replica: RedisNode;
  /** `REPLICAOF NO ONE` on the replica: it becomes a primary that takes writes. */
  promoteReplica(): Promise<void>;
  stopNode(node: RedisNode): Promise<void>;
  stop(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 10_000;

const ping = async (port: number): Promise<boolean> => {
  const client = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
};

export const startRedisPair = async (): Promise<RedisPair> => {
  const server = redisServerPath();
  const children = new Map<RedisNode, ChildProcess>();
  const startNode = async (name: string, extra: string[]): Promise<RedisNode> => {
    const port = await freePort();
    const node = { name, port, url: `redis://127.0.0.1:${port}` };
    const child = spawn(
      server,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extra],
      { stdio: 'ignore' },
    );
    children.set(node, child);
    const deadline = Date.now() + STARTUP_TIMEOUT_MS;
    while (!(await ping(port))) {
      if (child.exitCode !== null)
        throw new Error(`redis-server ${name} exited with ${child.exitCode}`);
      if (Date.now() > deadline)
        throw new Error(
          `redis-server ${name} did not answer on port ${port} within ${STARTUP_TIMEOUT_MS / 1000} s`,
        );
      await sleep(100);
    }
    return node;
  };
  const stopNode = async (node: RedisNode) => {
    const child = children.get(node);
    children.delete(node);
    if (child === undefined || child.exitCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await Promise.race([exited, sleep(5_000)]);
  };
  const primary = await startNode('primary', []);
  const replica = await startNode('replica', ['--replicaof', '127.0.0.1', String(primary.port)]);
  return {
    primary,
    replica,
    promoteReplica: async () => {
      const client = new Redis({ port: replica.port, host: '127.0.0.1' });
      try {
        await client.call('REPLICAOF', 'NO', 'ONE');
      } finally {
        client.disconnect();
      }
    },
    stopNode,
    stop: async () => {
      for (const node of [...children.keys()]) await stopNode(node);
    },
  };
};
