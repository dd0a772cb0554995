import { existsSync, mkdirSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../shop/http/app.js';
import { silentLogger } from '../../shop/logger.js';
import { createShop, type Shop } from '../../shop/shop.js';
import { redisReady, type ShopServers, startShopServers } from '../support/shop-servers.js';

/** A customer in a real browser (Debian's chromium, headless) against the local shop. */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_INSTALL_HINT = `chromium not found at ${CHROMIUM}: run "apt-get install -y chromium" (or set CHROMIUM_PATH)`;
const SCREENSHOT = 'coverage/shop-order.png';

describe('the shop in a browser', () => {
  let servers: ShopServers;
  let shop: Shop;
  let app: FastifyInstance;
  let browser: Browser;
  let url: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(CHROMIUM_INSTALL_HINT);
    servers = await startShopServers({ skus: 30 });
    shop = createShop(servers.config, silentLogger);
    app = buildApp(shop);
    await redisReady(shop.redis);
    url = await app.listen({ host: '127.0.0.1', port: 0 });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await shop?.close();
    await servers?.stop();
  });

  it('browses, adds to the cart, checks out, sees the order, and takes a screenshot', async () => {
    // Prepare
    const page = await browser.newPage();

    // Act
    await page.goto(`${url}/?category=books`);
    await page
      .getByRole('link', {
        name: /Lamp|Kettle|Shovel|Novel|Speaker|Tent|Hammer|Puzzle|Camera|Blender|Chair/,
      })
      .first()
      .click();
    const sku = await page.locator('input[name="sku"]').inputValue();
    await page.getByLabel('Quantity').fill('2');
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.getByRole('button', { name: 'Place order' }).click();
    await page.waitForURL(/\/orders\/\d+$/);
    mkdirSync('coverage', { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    const orderId = page.url().split('/').at(-1);

    // Assess
    expect(await page.locator('h1').textContent()).toBe(`Order ${orderId}`);
    expect(await page.locator('td').first().textContent()).toBe(sku);
    const stock = await servers.admin.query<{ stock: number }>(
      'SELECT stock FROM inventory WHERE sku = $1',
      [sku],
    );
    expect(stock.rows[0]?.stock).toBe(998);
    expect(existsSync(SCREENSHOT)).toBe(true);
  });
});
