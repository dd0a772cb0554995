import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { CatalogQuery } from '../catalog/repository.js';
import { isTransientDbError } from '../db/retry.js';
import { CheckoutError, type CheckoutLine } from '../orders/checkout.js';
import type { Shop } from '../shop.js';
import { htmlPages } from './html.js';
import { CATALOG_READ, serverTiming } from './server-timing.js';
import { sessionId } from './session.js';
import {
  loadStaticAssets,
  STATIC_CACHE_CONTROL,
  STATIC_SOURCE_DIR,
  STATIC_URL_PREFIX,
} from './static-assets.js';

/**
 * The HTTP layer: a JSON API under /api and the same features as server-rendered pages.
 * Fastify logs one structured (pino JSON) line per request with its route and duration.
 */

const STATUS_OF: Record<CheckoutError['reason'], number> = {
  'out-of-stock': 409,
  'unknown-product': 404,
  'key-reused': 422,
  empty: 400,
};

const CHECKOUT_ROUTES = new Set(['POST /api/checkout', 'POST /checkout']);

class BadRequest extends Error {
  readonly statusCode = 400;
}

const intParam = (name: string, value: unknown, min: number, max: number): number | undefined => {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new BadRequest(`${name} must be an integer from ${min} to ${max}`);
  return n;
};

const strParam = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, 100) : undefined;

const catalogQuery = (q: Record<string, unknown>): CatalogQuery => ({
  category: strParam(q.category),
  search: strParam(q.q),
  after: strParam(q.after),
  minPriceCents: intParam('minPrice', q.minPrice, 0, 10_000_000),
  maxPriceCents: intParam('maxPrice', q.maxPrice, 0, 10_000_000),
  limit: intParam('limit', q.limit, 1, 100) ?? 20,
});

const linesOf = (value: unknown): CheckoutLine[] => {
  if (!Array.isArray(value)) throw new BadRequest('lines must be an array of { sku, quantity }');
  return value.map((line: { sku?: unknown; quantity?: unknown }) => {
    const sku = strParam(line?.sku);
    const quantity = intParam('quantity', line?.quantity, 1, 1_000);
    if (sku === undefined || quantity === undefined)
      throw new BadRequest('each line needs a sku and a quantity from 1 to 1000');
    return { sku, quantity };
  });
};

export const buildApp = (shop: Shop, options: { logger?: boolean } = {}): FastifyInstance => {
  const app = Fastify({ logger: options.logger ?? false });
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );
  // Every request's duration by route (the route pattern, not the URL: a bounded set) for the
  // CloudWatch metrics; a checkout answered 5xx is a customer who could not buy.
  app.addHook('onResponse', async (request, reply) => {
    const route = `${request.method} ${request.routeOptions.url ?? '(no route)'}`;
    shop.metrics.recordLatency(route, reply.elapsedTime);
    if (reply.statusCode >= 500 && CHECKOUT_ROUTES.has(route)) shop.metrics.checkoutErrors += 1;
  });
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    if (error instanceof CheckoutError) {
      shop.metrics.checkoutFailures += 1;
      return reply
        .code(STATUS_OF[error.reason])
        .send({ error: error.reason, message: error.message });
    }
    // The database still unreachable after the retries: 503 and Retry-After, so clients (and
    // the load balancer's metrics) see an outage to wait out, not a bug.
    if (isTransientDbError(error)) {
      request.log.error({ err: error }, 'database unavailable after retries');
      return reply
        .code(503)
        .header('retry-after', '1')
        .send({ error: 'unavailable', message: 'try again shortly' });
    }
    const status = error.statusCode ?? 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    return reply.code(status).send({
      error: status >= 500 ? 'unavailable' : 'bad-request',
      message: status >= 500 ? 'try again shortly' : error.message,
    });
  });

  const listProducts = (query: CatalogQuery) =>
    shop.cache.list(JSON.stringify(query), () => shop.catalog.list(query));
  /** One product, cache-aside; the read's duration goes in the Server-Timing header. */
  const product = async (sku: string, reply: FastifyReply) => {
    const started = performance.now();
    const found = await shop.cache.product(
      sku,
      async () => (await shop.catalog.product(sku)) ?? null,
    );
    reply.header('server-timing', serverTiming(CATALOG_READ, performance.now() - started));
    return found;
  };
  const placeOrder = async (session: string, key: string, lines: CheckoutLine[]) => {
    const placed = await shop.checkout.place({ idempotencyKey: key, sessionId: session, lines });
    shop.metrics.checkouts += 1;
    await shop.carts.clear(session);
    return placed;
  };
  const cartLines = async (session: string) =>
    Object.entries(await shop.carts.get(session)).map(([sku, quantity]) => ({ sku, quantity }));

  // Shallow: the process answers. The target group's check: a database outage must not make
  // the Auto Scaling group replace every instance.
  app.get('/health', async () => ({ status: 'ok' }));

  // Deep: every dependency, for people and the game day.
  app.get('/ready', async (_request, reply) => {
    const database = await shop.db.probe();
    const redis =
      shop.redis === undefined
        ? 'absent'
        : await shop.redis.ping().then(
            () => 'ok',
            (e: Error) => `down: ${e.message}`,
          );
    const ready = database.primary === 'ok';
    return reply.code(ready ? 200 : 503).send({ ready, database, redis, cache: shop.cache.state });
  });

  app.get('/metrics', async () => shop.metrics.snapshot());

  app.get('/api/products', async (request) =>
    listProducts(catalogQuery(request.query as Record<string, unknown>)),
  );

  app.get('/api/products/:sku', async (request, reply) => {
    const found = await product((request.params as { sku: string }).sku, reply);
    return found === null ? reply.code(404).send({ error: 'not-found' }) : found;
  });

  app.put('/api/products/:sku/price', async (request, reply) => {
    if (
      shop.config.adminToken === undefined ||
      request.headers.authorization !== `Bearer ${shop.config.adminToken}`
    ) {
      return reply.code(403).send({ error: 'forbidden' });
    }
    const { sku } = request.params as { sku: string };
    const price = intParam(
      'priceCents',
      (request.body as { priceCents?: unknown } | undefined)?.priceCents,
      0,
      10_000_000,
    );
    if (price === undefined) throw new BadRequest('priceCents is required');
    if (!(await shop.catalog.setPrice(sku, price)))
      return reply.code(404).send({ error: 'not-found' });
    await shop.cache.invalidateProduct(sku);
    return { sku, priceCents: price };
  });

  app.get('/api/cart', async (request, reply) => ({
    items: await shop.carts.get(sessionId(request, reply)),
  }));

  app.post('/api/cart/items', async (request, reply) => {
    const [line] = linesOf([request.body]);
    return {
      items: await shop.carts.setQuantity(
        sessionId(request, reply),
        (line as CheckoutLine).sku,
        (line as CheckoutLine).quantity,
      ),
    };
  });

  app.post('/api/checkout', async (request, reply) => {
    const key = request.headers['idempotency-key'];
    if (typeof key !== 'string' || !/^[\w-]{8,100}$/.test(key)) {
      throw new BadRequest('an Idempotency-Key header (8-100 letters, digits, - or _) is required');
    }
    const session = sessionId(request, reply);
    const body = request.body as { lines?: unknown } | undefined;
    const lines = body?.lines === undefined ? await cartLines(session) : linesOf(body.lines);
    const { order, replayed } = await placeOrder(session, key, lines);
    return reply.code(replayed ? 200 : 201).send({ order, replayed });
  });

  app.get('/api/orders/:id', async (request, reply) => {
    const order = await shop.checkout.order((request.params as { id: string }).id);
    return order === undefined ? reply.code(404).send({ error: 'not-found' }) : order;
  });

  // The static files under their content-hashed names, as CloudFront serves them from the
  // assets bucket (infra/constructs/shop-static-assets.ts); here for local runs and tests.
  const assets = loadStaticAssets(shop.config.staticDir ?? STATIC_SOURCE_DIR);
  const stylesheet = assets.get('shop.css');
  if (stylesheet === undefined) throw new Error('shop/static/shop.css is missing');
  const pages = htmlPages(`${STATIC_URL_PREFIX}${stylesheet.hashedName}`);
  const byHashedName = new Map([...assets.values()].map((asset) => [asset.hashedName, asset]));
  app.get(`${STATIC_URL_PREFIX}:name`, async (request, reply) => {
    const asset = byHashedName.get((request.params as { name: string }).name);
    return asset === undefined
      ? reply.code(404).send({ error: 'not-found' })
      : reply
          .header('cache-control', STATIC_CACHE_CONTROL)
          .type(asset.contentType)
          .send(asset.content);
  });

  const html = (reply: FastifyReply, body: string, status = 200) =>
    reply.code(status).type('text/html; charset=utf-8').send(body);

  app.get('/', async (request, reply) => {
    const query = catalogQuery(request.query as Record<string, unknown>);
    const page = await listProducts(query);
    const next =
      page.next === undefined
        ? undefined
        : `/?${new URLSearchParams({ ...(query.category ? { category: query.category } : {}), ...(query.search ? { q: query.search } : {}), after: page.next })}`;
    return html(reply, pages.catalogPage(page.products, next));
  });

  app.get('/products/:sku', async (request, reply) => {
    const found = await product((request.params as { sku: string }).sku, reply);
    return found === null
      ? html(reply, pages.messagePage('Not found', 'No such product.'), 404)
      : html(reply, pages.productPage(found));
  });

  app.get('/cart', async (request, reply) =>
    html(reply, pages.cartPage(await shop.carts.get(sessionId(request, reply)), randomUUID())),
  );

  app.post('/cart', async (request, reply) => {
    const [line] = linesOf([request.body]);
    await shop.carts.setQuantity(
      sessionId(request, reply),
      (line as CheckoutLine).sku,
      (line as CheckoutLine).quantity,
    );
    return reply.redirect('/cart', 303);
  });

  app.post('/checkout', async (request, reply) => {
    const key =
      strParam((request.body as { idempotencyKey?: unknown } | undefined)?.idempotencyKey) ??
      randomUUID();
    const session = sessionId(request, reply);
    try {
      const { order } = await placeOrder(session, key, await cartLines(session));
      return reply.redirect(`/orders/${order.id}`, 303);
    } catch (error) {
      if (!(error instanceof CheckoutError)) throw error;
      shop.metrics.checkoutFailures += 1;
      return html(
        reply,
        pages.messagePage('Checkout failed', error.message),
        STATUS_OF[error.reason],
      );
    }
  });

  app.get('/orders/:id', async (request, reply) => {
    const order = await shop.checkout.order((request.params as { id: string }).id);
    return order === undefined
      ? html(reply, pages.messagePage('Not found', 'No such order.'), 404)
      : html(reply, pages.orderPage(order));
  });

  return app;
};
