import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The shop's static files (shop/static/), named by their content: `shop.css` is published as
 * `shop.<hash>.css`. A page links the name of the file it was rendered with, so during a rolling
 * update the old and the new instances' pages each find their own stylesheet in the assets
 * bucket, and CloudFront and browsers may keep a file for a year: a change is a new name.
 * The shop serves them itself under /static/ (locally; behind CloudFront, /static/* goes to the
 * bucket: infra/constructs/edge.ts), and infra/constructs/shop-static-assets.ts uploads the same
 * names.
 */

/** Where the files are in the source tree; the bundle ships them too (SHOP_STATIC_DIR). */
export const STATIC_SOURCE_DIR = fileURLToPath(new URL('../static/', import.meta.url));

/** The URL path the pages link them under: the prefix CloudFront routes to the bucket. */
export const STATIC_URL_PREFIX = '/static/';

/** Content-named, hence never changed in place: cacheable for a year, immutable (RFC 8246). */
export const STATIC_CACHE_CONTROL = 'public, max-age=31536000, immutable';

const CONTENT_TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export interface StaticAsset {
  /** `shop.<hash>.css`: the name pages link and the bucket holds (under static/). */
  readonly hashedName: string;
  readonly contentType: string;
  readonly content: Buffer;
}

/** `shop.css` → `shop.<first 12 hex digits of its SHA-256>.css`. */
export const hashedName = (name: string, content: Buffer): string => {
  const extension = path.extname(name);
  const hash = createHash('sha256').update(content).digest('hex').slice(0, 12);
  return `${path.basename(name, extension)}.${hash}${extension}`;
};

/** Every file of `dir`, by its source name (`shop.css`). A file of an unknown type is an error. */
export const loadStaticAssets = (dir: string): ReadonlyMap<string, StaticAsset> => {
  const assets = new Map<string, StaticAsset>();
  for (const name of readdirSync(dir).sort()) {
    const contentType = CONTENT_TYPES[path.extname(name)];
    if (contentType === undefined) {
      throw new Error(`${path.join(dir, name)}: no content type known for this kind of file`);
    }
    const content = readFileSync(path.join(dir, name));
    assets.set(name, { hashedName: hashedName(name, content), contentType, content });
  }
  return assets;
};
