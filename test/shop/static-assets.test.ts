import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../shop/http/app.js';
import { hashedName, STATIC_SOURCE_DIR } from '../../shop/http/static-assets.js';
import { silentLogger } from '../../shop/logger.js';
import { createShop, type Shop } from '../../shop/shop.js';
import { type ShopServers, startShopServers } from '../support/shop-servers.js';

/**
 * The pages link the stylesheet by its content-hashed name, the name the assets bucket holds
 * (infra/constructs/shop-static-assets.ts), and the shop serves that name itself for local
 * runs. Real servers: the catalog page reads the catalog.
 */

const stylesheet = readFileSync(path.join(STATIC_SOURCE_DIR, 'shop.css'));
const href = `/static/${hashedName('shop.css', stylesheet)}`;

describe('the shop static files (real servers)', () => {
  let servers: ShopServers;
  let shop: Shop;
  let app: FastifyInstance;

  beforeAll(async () => {
    servers = await startShopServers({ skus: 20 });
    shop = createShop(servers.config, silentLogger);
    app = buildApp(shop);
  });
  afterAll(async () => {
    await app.close();
    await shop.close();
    await servers.stop();
  });

  it('links the stylesheet by its content-hashed name, with no inline style', async () => {
    // Act
    const pages = await Promise.all(
      ['/', '/cart', '/products/SKU-0000001'].map((url) => app.inject({ url })),
    );

    // Assess
    for (const page of pages) {
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain(`<link rel="stylesheet" href="${href}">`);
      expect(page.body).toMatch(/^(?![\s\S]*<style)(?![\s\S]*\sstyle=)/);
    }
  });

  it('serves that name, cacheable for a year, and nothing under an unhashed name', async () => {
    // Act
    const asset = await app.inject({ url: href });
    const unhashed = await app.inject({ url: '/static/shop.css' });

    // Assess
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.rawPayload.equals(stylesheet)).toBe(true);
    expect(unhashed.statusCode).toBe(404);
  });
});
