import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../shop/local/processes.js';
import { type ShopServers, startShopServers } from '../support/shop-servers.js';

/** `npm run shop` (shop/server.ts), the process systemd runs: its own process, real servers. */

const startServer = (env: Record<string, string>) => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'shop/server.ts'], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { out: '', err: '' };
  child.stdout.on('data', (chunk: Buffer) => {
    output.out += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output.err += chunk.toString();
  });
  return { child, output };
};

describe('the shop server process', () => {
  let servers: ShopServers;

  beforeAll(async () => {
    servers = await startShopServers({ skus: 20 });
  });
  afterAll(async () => {
    await servers.stop();
  });

  it('refuses a wrong setting with one line and exit code 2', async () => {
    // Act
    const { child, output } = startServer({ SHOP_DATABASE_URL: 'mysql://db/shop' });
    const [code] = await once(child, 'exit');

    // Assess
    expect(code).toBe(2);
    expect(output.err.trim()).toBe(
      'error: SHOP_DATABASE_URL="mysql://db/shop" must start with postgres:// or postgresql://',
    );
  });

  it('applies migrations, serves, logs JSON lines, and stops on SIGTERM', async () => {
    // Prepare
    const port = await freePort();
    const { child, output } = startServer({
      SHOP_DATABASE_URL: servers.config.primaryUrl,
      SHOP_REPLICA_URLS: servers.config.replicaUrls.join(','),
      SHOP_REDIS_URL: servers.config.redisUrl ?? '',
      SHOP_PORT: String(port),
    });
    const deadline = Date.now() + 30_000;
    let health: Response | undefined;
    while (health === undefined) {
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error(`the server did not start:\n${output.err}`);
      health = await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined);
      if (health === undefined) await new Promise((resolve) => setTimeout(resolve, 200));
    }

    // Act
    const product = (await fetch(`http://127.0.0.1:${port}/api/products/SKU-0000003`).then((r) =>
      r.json(),
    )) as { sku: string };
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = await exited;

    // Assess
    const lines = output.out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(health.status).toBe(200);
    expect(product.sku).toBe('SKU-0000003');
    expect(lines).toContainEqual(
      expect.objectContaining({ component: 'shop', msg: 'migrations applied', applied: [] }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({
        msg: 'request completed',
        res: expect.objectContaining({ statusCode: 200 }),
      }),
    );
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'stopping', signal: 'SIGTERM' }));
    expect(code).toBe(0);
  });
});
