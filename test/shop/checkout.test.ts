import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../shop/http/app.js';
import { silentLogger } from '../../shop/logger.js';
import { createShop, type Shop } from '../../shop/shop.js';
import { redisReady, type ShopServers, startShopServers } from '../support/shop-servers.js';

const count = async (servers: ShopServers, sql: string, params: unknown[] = []): Promise<number> =>
  Number((await servers.admin.query<{ n: string }>(sql, params)).rows[0]?.n);

describe('checkout on the real primary', () => {
  let servers: ShopServers;
  let shop: Shop;
  let app: FastifyInstance;

  beforeAll(async () => {
    servers = await startShopServers({ stock: 5 });
    shop = createShop(servers.config, silentLogger);
    app = buildApp(shop);
    await redisReady(shop.redis);
  });
  afterAll(async () => {
    await app.close();
    await shop.close();
    await servers.stop();
  });

  const checkout = (key: string, lines: unknown) =>
    app.inject({
      method: 'POST',
      url: '/api/checkout',
      headers: { 'idempotency-key': key },
      payload: { lines },
    });

  it('20 concurrent retries of one checkout make one order and decrement the stock once', async () => {
    // Act
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        checkout('retry-key-0001', [{ sku: 'SKU-0000001', quantity: 2 }]),
      ),
    );

    // Assess
    const ids = new Set(responses.map((r) => r.json().order.id));
    expect(ids.size).toBe(1);
    expect(responses.filter((r) => r.statusCode === 201)).toHaveLength(1);
    expect(
      responses.filter((r) => r.statusCode === 200 && r.json().replayed === true),
    ).toHaveLength(19);
    expect(
      await count(servers, "SELECT count(*) AS n FROM order_lines WHERE sku = 'SKU-0000001'"),
    ).toBe(1);
    expect(await count(servers, "SELECT stock AS n FROM inventory WHERE sku = 'SKU-0000001'")).toBe(
      3,
    );
  });

  it('30 concurrent buyers of 5 units: 5 orders, 25 refusals, stock 0 and never negative', async () => {
    // Act
    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        checkout(`buyer-key-${String(i).padStart(4, '0')}`, [{ sku: 'SKU-0000002', quantity: 1 }]),
      ),
    );

    // Assess
    expect(responses.filter((r) => r.statusCode === 201)).toHaveLength(5);
    expect(
      responses.filter((r) => r.statusCode === 409 && r.json().error === 'out-of-stock'),
    ).toHaveLength(25);
    expect(await count(servers, "SELECT stock AS n FROM inventory WHERE sku = 'SKU-0000002'")).toBe(
      0,
    );
    expect(
      await count(servers, "SELECT count(*) AS n FROM order_lines WHERE sku = 'SKU-0000002'"),
    ).toBe(5);
    expect(shop.metrics.checkoutFailures).toBeGreaterThanOrEqual(25);
  });

  it('orders lines of several SKUs atomically: one line out of stock leaves every stock untouched', async () => {
    // Act
    const refused = await checkout('atomic-key-0001', [
      { sku: 'SKU-0000010', quantity: 1 },
      { sku: 'SKU-0000011', quantity: 6 },
    ]);

    // Assess
    expect(refused.statusCode).toBe(409);
    expect(await count(servers, "SELECT stock AS n FROM inventory WHERE sku = 'SKU-0000010'")).toBe(
      5,
    );
    expect(
      await count(
        servers,
        "SELECT count(*) AS n FROM idempotency_keys WHERE key = 'atomic-key-0001'",
      ),
    ).toBe(0);
  });

  it('refuses a key reused for another cart, an unknown SKU, a missing key and an empty cart', async () => {
    // Prepare
    await checkout('reused-key-0001', [{ sku: 'SKU-0000020', quantity: 1 }]);

    // Act
    const reused = await checkout('reused-key-0001', [{ sku: 'SKU-0000021', quantity: 1 }]);
    const unknown = await checkout('unknown-key-0001', [{ sku: 'SKU-9999999', quantity: 1 }]);
    const noKey = await app.inject({
      method: 'POST',
      url: '/api/checkout',
      payload: { lines: [] },
    });
    const empty = await checkout('empty-key-00001', []);

    // Assess
    expect(reused.statusCode).toBe(422);
    expect(unknown.statusCode).toBe(404);
    expect(noKey.statusCode).toBe(400);
    expect(empty.statusCode).toBe(400);
  });

  it('checks out the session cart through the pages and shows the order', async () => {
    // Act
    const added = await app.inject({
      method: 'POST',
      url: '/cart',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'sku=SKU-0000030&quantity=2',
    });
    const cookie = String(added.headers['set-cookie']).split(';')[0] as string;
    const cart = await app.inject({ url: '/cart', headers: { cookie } });
    const key = /name="idempotencyKey" value="([^"]+)"/.exec(cart.body)?.[1];
    const placed = await app.inject({
      method: 'POST',
      url: '/checkout',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `idempotencyKey=${key}`,
    });
    const order = await app.inject({ url: String(placed.headers.location) });
    const emptied = await app.inject({ url: '/api/cart', headers: { cookie } });

    // Assess
    expect(added.statusCode).toBe(303);
    expect(cart.body).toContain('SKU-0000030');
    expect(placed.statusCode).toBe(303);
    expect(order.statusCode).toBe(200);
    expect(order.body).toMatch(/<td>SKU-0000030<\/td><td>2<\/td>/);
    expect(emptied.json()).toEqual({ items: {} });
  });
});
