import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../shop/http/app.js';
import { freePort } from '../../shop/local/processes.js';
import { silentLogger } from '../../shop/logger.js';
import { createShop, type Shop } from '../../shop/shop.js';

/** No database at all (nothing listens on its port): the shop says so instead of failing oddly. */
describe('the shop with its database down', () => {
  let shop: Shop;

  beforeAll(async () => {
    const nobody = await freePort();
    shop = createShop(
      {
        host: '127.0.0.1',
        port: 0,
        primaryUrl: `postgres://postgres@127.0.0.1:${nobody}/shop`,
        replicaUrls: [`postgres://postgres@127.0.0.1:${nobody}/shop`],
        redisUrl: undefined,
        adminToken: undefined,
      },
      silentLogger,
      { retry: { attempts: 2, baseMs: 1, capMs: 5 } },
    );
  });
  afterAll(async () => {
    await shop.close();
  });

  it('answers 503 with Retry-After after its retries, keeps /health at 200, and /ready at 503', async () => {
    // Prepare
    const app = buildApp(shop);
    shop.metrics.drainLatencies(); // durations are kept once read, as the EMF emitter does

    // Act
    const checkout = await app.inject({
      method: 'POST',
      url: '/api/checkout',
      headers: { 'idempotency-key': 'db-down-00001' },
      payload: { lines: [{ sku: 'SKU-0000001', quantity: 1 }] },
    });
    const catalog = await app.inject({ url: '/api/products' });
    const health = await app.inject({ url: '/health' });
    const ready = await app.inject({ url: '/ready' });

    // Assess
    expect(checkout.statusCode).toBe(503);
    expect(checkout.headers['retry-after']).toBe('1');
    expect(catalog.statusCode).toBe(503);
    expect(health.statusCode).toBe(200);
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ ready: false, redis: 'absent', cache: 'absent' });
    expect(ready.json().database.primary).toMatch(/^down: /);
    expect(shop.metrics.dbRetries).toBeGreaterThan(0);
    // For CloudWatch (shop/emf.ts): a checkout customers could not place, durations by route.
    expect(shop.metrics.checkoutErrors).toBe(1);
    expect(shop.metrics.dbErrors).toBeGreaterThan(0);
    expect([...shop.metrics.drainLatencies().keys()].sort()).toEqual([
      'GET /api/products',
      'GET /health',
      'GET /ready',
      'POST /api/checkout',
    ]);
    await app.close();
  });
});
