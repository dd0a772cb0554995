import type { Cart } from '../cart/store.js';
import type { Product } from '../catalog/repository.js';
import type { Order } from '../orders/checkout.js';

/** The server-rendered pages: plain HTML, every interpolated value escaped. */

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
export const escapeHtml = (value: unknown): string =>
  String(value).replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);

export const money = (cents: number): string => `$${(cents / 100).toFixed(2)}`;

/**
 * The pages, each linking the stylesheet at `stylesheetHref` (its content-hashed name under
 * /static/: shop/http/static-assets.ts). The markup carries no inline style or script.
 */
export const htmlPages = (stylesheetHref: string) => {
  const layout = (title: string, body: string): string => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} · Rebound shop</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${escapeHtml(stylesheetHref)}">
</head><body><header><a href="/">Catalog</a> · <a href="/cart">Cart</a>
<form class="search" action="/" method="get"><input name="q" placeholder="Search" aria-label="Search"></form></header>
<main>${body}</main></body></html>`;

  const catalogPage = (products: readonly Product[], nextHref: string | undefined): string =>
    layout(
      'Catalog',
      `<h1>Catalog</h1><table><tr><th>SKU</th><th>Name</th><th>Category</th><th>Price</th></tr>
  ${products
    .map(
      (p) =>
        `<tr><td>${escapeHtml(p.sku)}</td><td><a href="/products/${encodeURIComponent(p.sku)}">${escapeHtml(p.name)}</a></td><td>${escapeHtml(p.category)}</td><td>${money(p.priceCents)}</td></tr>`,
    )
    .join(
      '\n',
    )}</table>${nextHref === undefined ? '' : `<p><a href="${escapeHtml(nextHref)}" rel="next">Next page</a></p>`}`,
    );

  const productPage = (p: Product): string =>
    layout(
      p.name,
      `<h1>${escapeHtml(p.name)}</h1><p>${escapeHtml(p.description)}</p>
  <p>Price: <strong>${money(p.priceCents)}</strong> · ${p.stock > 0 ? `${p.stock} in stock` : 'out of stock'}</p>
  <form action="/cart" method="post"><input type="hidden" name="sku" value="${escapeHtml(p.sku)}">
  <label>Quantity <input name="quantity" type="number" min="1" value="1"></label>
  <button type="submit">Add to cart</button></form>`,
    );

  const cartPage = (cart: Cart, idempotencyKey: string): string => {
    const lines = Object.entries(cart);
    return layout(
      'Cart',
      `<h1>Cart</h1>${
        lines.length === 0
          ? '<p>Your cart is empty.</p>'
          : `<table><tr><th>SKU</th><th>Quantity</th></tr>${lines
              .map(([sku, qty]) => `<tr><td>${escapeHtml(sku)}</td><td>${qty}</td></tr>`)
              .join('')}</table>
  <form action="/checkout" method="post"><input type="hidden" name="idempotencyKey" value="${escapeHtml(idempotencyKey)}">
  <button type="submit">Place order</button></form>`
      }`,
    );
  };

  const orderPage = (order: Order): string =>
    layout(
      `Order ${order.id}`,
      `<h1>Order ${escapeHtml(order.id)}</h1><table><tr><th>SKU</th><th>Quantity</th><th>Price</th></tr>${order.lines
        .map(
          (l) =>
            `<tr><td>${escapeHtml(l.sku)}</td><td>${l.quantity}</td><td>${money(l.priceCents)}</td></tr>`,
        )
        .join('')}</table><p>Total: <strong>${money(order.totalCents)}</strong></p>`,
    );

  const messagePage = (title: string, message: string): string =>
    layout(title, `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>`);

  return { catalogPage, productPage, cartPage, orderPage, messagePage };
};
