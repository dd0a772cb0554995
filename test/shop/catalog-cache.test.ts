import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../shop/http/app.js';
import { CATALOG_READ, serverTimingDuration } from '../../shop/http/server-timing.js';
import { silentLogger } from '../../shop/logger.js';
import { createShop, type Shop } from '../../shop/shop.js';
import {
  redisReady,
  replicaCaughtUp,
  type ShopServers,
  startShopServers,
} from '../support/shop-servers.js';

describe('catalog cache-aside on real PostgreSQL and Redis', () => {
  let servers: ShopServers;
  let shop: Shop;
  let app: FastifyInstance;

  beforeAll(async () => {
    servers = await startShopServers();
    await replicaCaughtUp(servers);
    shop = createShop(servers.config, silentLogger);
    app = buildApp(shop);
    await redisReady(shop.redis);
  });
  afterAll(async () => {
    await app.close();
    await shop.close();
    await servers.stop();
  });

  it('misses, then hits: the second read of a product sends no query to the replica', async () => {
    // Act
    const first = await app.inject({ url: '/api/products/SKU-0000007' });
    const queriesAfterMiss = shop.metrics.replicaQueries;
    const second = await app.inject({ url: '/api/products/SKU-0000007' });

    // Assess
    expect(first.statusCode).toBe(200);
    expect(second.json()).toEqual(first.json());
    expect(first.json()).toMatchObject({ sku: 'SKU-0000007', stock: 1_000 });
    expect(shop.metrics.replicaQueries).toBe(queriesAfterMiss);
    expect(shop.metrics.cacheHits).toBeGreaterThanOrEqual(1);
    // The read's own duration, for browsers' developer tools and npm run bench:shop.
    for (const response of [first, second])
      expect(
        serverTimingDuration(response.headers['server-timing'] as string, CATALOG_READ),
      ).toBeGreaterThan(0);
    expect(
      (await servers.redis.primary) && (await shop.redis?.ttl('product:SKU-0000007')),
    ).toBeGreaterThan(260);
  });

  it('sets TTLs spread by jitter within ±10 % of 300 s', () => {
    // Act
    const ttls = Array.from({ length: 200 }, () => shop.cache.ttlSeconds());

    // Assess
    expect(Math.min(...ttls)).toBeGreaterThanOrEqual(270);
    expect(Math.max(...ttls)).toBeLessThanOrEqual(330);
    expect(new Set(ttls).size).toBeGreaterThan(10);
  });

  it('stampede: 50 concurrent misses of one key send one query to the database', async () => {
    // Prepare
    const before = shop.metrics.replicaQueries;

    // Act
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => app.inject({ url: '/api/products/SKU-0000042' })),
    );

    // Assess
    expect(responses.every((r) => r.statusCode === 200 && r.json().sku === 'SKU-0000042')).toBe(
      true,
    );
    expect(shop.metrics.replicaQueries - before).toBe(1);
  });

  it('invalidates a product and the list pages when its price changes', async () => {
    // Prepare: both cached.
    await app.inject({ url: '/api/products/SKU-0000003' });
    await app.inject({ url: '/api/products?limit=5' });

    // Act
    const change = await app.inject({
      method: 'PUT',
      url: '/api/products/SKU-0000003/price',
      headers: { authorization: 'Bearer test-admin-token' },
      payload: { priceCents: 4242 },
    });
    await replicaCaughtUp(servers);
    const product = await app.inject({ url: '/api/products/SKU-0000003' });
    const list = await app.inject({ url: '/api/products?limit=5' });

    // Assess
    expect(change.statusCode).toBe(200);
    expect(product.json().priceCents).toBe(4242);
    expect(
      list.json().products.find((p: { sku: string }) => p.sku === 'SKU-0000003').priceCents,
    ).toBe(4242);
  });

  it('refuses a price change without the admin token', async () => {
    // Act
    const change = await app.inject({
      method: 'PUT',
      url: '/api/products/SKU-0000003/price',
      payload: { priceCents: 1 },
    });

    // Assess
    expect(change.statusCode).toBe(403);
  });

  it('lists with filters, keyset paging and search', async () => {
    // Act
    const page1 = (await app.inject({ url: '/api/products?category=books&limit=3' })).json();
    const page2 = (
      await app.inject({ url: `/api/products?category=books&limit=3&after=${page1.next}` })
    ).json();
    const cheap = (await app.inject({ url: '/api/products?maxPrice=2000&limit=100' })).json();
    const search = (await app.inject({ url: '/api/products?q=Kettle&limit=100' })).json();
    const bad = await app.inject({ url: '/api/products?limit=1000' });

    // Assess
    expect(page1.products).toHaveLength(3);
    expect(
      [...page1.products, ...page2.products].every(
        (p: { category: string }) => p.category === 'books',
      ),
    ).toBe(true);
    expect(page2.products[0].sku > page1.products[2].sku).toBe(true);
    expect(cheap.products.length).toBeGreaterThan(0);
    expect(cheap.products.every((p: { priceCents: number }) => p.priceCents <= 2000)).toBe(true);
    expect(search.products.length).toBeGreaterThan(0);
    expect(search.products.every((p: { name: string }) => p.name.includes('Kettle'))).toBe(true);
    expect(bad.statusCode).toBe(400);
  });
});
