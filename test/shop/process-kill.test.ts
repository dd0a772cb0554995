import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRoundRobinProxy } from '../../shop/local/round-robin-proxy.js';
import { startShopProcess } from '../../shop/local/shop-process.js';
import { type ShopServers, startShopServers } from '../support/shop-servers.js';

/**
 * An app process killed under load (`kill -9`), on real servers: two shop server processes
 * (shop/server.ts) behind a round-robin front that stands for the ALB, checkout load with
 * idempotency keys and client retries. Every checkout a customer started must end as exactly
 * one order, and every order must be one a customer was told about.
 */

const WORKERS = 4;
const SKUS = 50;
const STOCK = 100_000;

interface ClientBehaviour {
  /** Retry a failed attempt (connection reset, 5xx) up to 20 times, 50 ms apart. */
  readonly retries: boolean;
}

/** One checkout a customer started: its key, and what the customer was finally told. */
interface Checkout {
  readonly key: string;
  readonly startedAt: number;
  endedAt: number;
  orderId: string | undefined;
}

const attempt = async (port: number, key: string, sku: string) => {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/api/checkout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify({ lines: [{ sku, quantity: 1 }] }),
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await response.json()) as { order?: { id: string } };
    return response.status === 201 || response.status === 200 ? body.order?.id : undefined;
  } catch {
    return undefined; // the connection was reset under the request: the process died
  }
};

describe('an app process killed under load (real servers, two shop processes)', () => {
  let servers: ShopServers;

  beforeAll(async () => {
    servers = await startShopServers({ stock: STOCK, skus: SKUS });
  });
  afterAll(async () => {
    await servers.stop();
  });

  /** Two processes behind the front, checkout load, one process killed at 700 ms, 1.5 s more. */
  const killUnderLoad = async (behaviour: ClientBehaviour) => {
    const settings = {
      primaryUrl: servers.config.primaryUrl,
      replicaUrl: servers.postgres.replica.url,
      redisUrl: servers.redis.primary.url,
    };
    const shops = await Promise.all([startShopProcess(settings), startShopProcess(settings)]);
    const front = await startRoundRobinProxy(shops.map((s) => s.port));
    const checkouts: Checkout[] = [];
    let stopAt = Number.POSITIVE_INFINITY;
    const worker = async (w: number) => {
      for (let i = 0; Date.now() < stopAt; i += 1) {
        const checkout: Checkout = {
          key: `kill-${behaviour.retries ? 'r' : 'n'}-${w}-${String(i).padStart(5, '0')}`,
          startedAt: Date.now(),
          endedAt: 0,
          orderId: undefined,
        };
        checkouts.push(checkout);
        const sku = `SKU-${String(1 + ((w * 7 + i) % SKUS)).padStart(7, '0')}`;
        for (let tries = behaviour.retries ? 20 : 1; tries > 0; tries -= 1) {
          checkout.orderId = await attempt(front.port, checkout.key, sku);
          if (checkout.orderId !== undefined) break;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        checkout.endedAt = Date.now();
      }
    };
    try {
      const load = Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
      await new Promise((resolve) => setTimeout(resolve, 700));
      const killedAt = Date.now();
      await shops[0]?.kill();
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      stopAt = Date.now();
      await load;
      return { checkouts, killedAt };
    } finally {
      await front.close();
      for (const shop of shops) await shop.stop();
    }
  };

  /** What PostgreSQL holds for the keys of a run, and the stock those keys took. */
  const ordersOf = async (prefix: string) => {
    const rows = (
      await servers.admin.query<{ key: string; id: string }>(
        `SELECT k.key, o.id::text AS id FROM orders o JOIN idempotency_keys k ON k.order_id = o.id
         WHERE k.key LIKE $1`,
        [`${prefix}%`],
      )
    ).rows;
    return new Map(rows.map((r) => [r.key, r.id]));
  };

  it('kill -9 of one process mid-load: no lost or duplicated order, time to the next checkout measured', async () => {
    // Act
    const soldBefore = await sold();
    const { checkouts, killedAt } = await killUnderLoad({ retries: true });

    // Assess: every checkout a customer started got its order, once, and PostgreSQL has exactly those.
    const orders = await ordersOf('kill-r-');
    const firstAfterKill = checkouts
      .filter((c) => c.startedAt >= killedAt && c.orderId !== undefined)
      .sort((a, b) => a.endedAt - b.endedAt)[0];
    const interrupted = checkouts.filter((c) => c.startedAt < killedAt && c.endedAt > killedAt);
    const recoveredMs = Math.max(0, ...interrupted.map((c) => c.endedAt - killedAt));
    console.log(
      `process kill: ${checkouts.length} checkouts, ${interrupted.length} in flight at the kill (all answered within ${recoveredMs} ms), ` +
        `first checkout started after the kill succeeded ${(firstAfterKill?.endedAt ?? Number.NaN) - killedAt} ms after it`,
    );
    expect(checkouts.length).toBeGreaterThan(20);
    expect(checkouts.filter((c) => c.orderId === undefined)).toEqual([]);
    expect(new Map(checkouts.map((c) => [c.key, c.orderId]))).toEqual(orders);
    expect((await sold()) - soldBefore).toBe(checkouts.length);
    expect(firstAfterKill).toBeDefined();
    expect(recoveredMs).toBeLessThan(5_000);
  });

  it('shows what the retries prevent: without them the same kill leaves customers without an answer', async () => {
    // Act
    const { checkouts } = await killUnderLoad({ retries: false });

    // Assess: the requests in flight on the killed process failed for their customers (and any
    // that had committed is an order nobody was told about).
    const orders = await ordersOf('kill-n-');
    const unanswered = checkouts.filter((c) => c.orderId === undefined);
    console.log(
      `process kill without client retries: ${unanswered.length} of ${checkouts.length} checkouts got no answer, ` +
        `${unanswered.filter((c) => orders.has(c.key)).length} of them became orders nobody was told about`,
    );
    expect(unanswered.length).toBeGreaterThan(0);
  });

  const sold = async () =>
    Number(
      (
        await servers.admin.query<{ n: string }>(
          'SELECT coalesce(sum($1::int - stock), 0) AS n FROM inventory',
          [STOCK],
        )
      ).rows[0]?.n,
    );
});
