import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../shop/http/app.js';
import { silentLogger } from '../../shop/logger.js';
import { createShop, type Shop } from '../../shop/shop.js';
import {
  redisReady,
  replicaCaughtUp,
  type ShopServers,
  startShopServers,
} from '../support/shop-servers.js';

describe('the shop when a replica or the whole cache is lost (real servers)', () => {
  let servers: ShopServers;
  let shop: Shop;
  let app: FastifyInstance;

  beforeAll(async () => {
    servers = await startShopServers();
    await replicaCaughtUp(servers);
    shop = createShop(servers.config, silentLogger, {
      retry: { attempts: 3, baseMs: 10, capMs: 50 },
    });
    app = buildApp(shop);
    await redisReady(shop.redis);
  });
  afterAll(async () => {
    await app.close();
    await shop.close();
    await servers.stop();
  });

  it('reads the catalog from the replica while it is up', async () => {
    // Act
    const page = await app.inject({ url: '/api/products?category=toys&limit=4' });

    // Assess
    expect(page.statusCode).toBe(200);
    expect(shop.metrics.replicaQueries).toBeGreaterThan(0);
    expect(shop.metrics.primaryQueries).toBe(0);
  });

  it('a lost replica: reads fall back to the primary, /ready says which node is down, /health stays 200', async () => {
    // Prepare
    await servers.postgres.stopNode(servers.postgres.replica);
    const before = shop.metrics.primaryQueries;

    // Act
    const product = await app.inject({ url: '/api/products/SKU-0000101' });
    const ready = await app.inject({ url: '/ready' });
    const health = await app.inject({ url: '/health' });

    // Assess
    expect(product.statusCode).toBe(200);
    expect(product.json().sku).toBe('SKU-0000101');
    expect(shop.metrics.primaryQueries).toBeGreaterThan(before);
    expect(ready.statusCode).toBe(200);
    expect(ready.json().database.primary).toBe('ok');
    expect(ready.json().database.replicas['replica-1']).toMatch(/^down: /);
    expect(health.statusCode).toBe(200);
  });

  it('Redis down: the catalog comes from the database, carts degrade to PostgreSQL, and the shop still sells', async () => {
    // Prepare
    await servers.redis.stop();

    // Act

    const product = await app.inject({ url: '/api/products/SKU-0000102' });
    const added = await app.inject({
      method: 'POST',
      url: '/api/cart/items',
      payload: { sku: 'SKU-0000102', quantity: 3 },
    });
    const cookie = String(added.headers['set-cookie']).split(';')[0] as string;
    const cart = await app.inject({ url: '/api/cart', headers: { cookie } });
    const sold = await app.inject({
      method: 'POST',
      url: '/api/checkout',
      headers: { cookie, 'idempotency-key': 'redis-down-0001' },
    });
    const ready = await app.inject({ url: '/ready' });

    // Assess
    expect(product.statusCode).toBe(200);
    expect(shop.cache.state).toBe('cold');
    expect(shop.metrics.cacheBypasses).toBeGreaterThan(0);
    expect(added.statusCode).toBe(200);
    expect(cart.json()).toEqual({ items: { 'SKU-0000102': 3 } });
    expect(sold.statusCode).toBe(201);
    expect(sold.json().order.lines).toEqual([
      { sku: 'SKU-0000102', quantity: 3, priceCents: expect.any(Number) },
    ]);
    expect(ready.statusCode).toBe(200);
    expect(ready.json().redis).toMatch(/^down: /);
  });
});
