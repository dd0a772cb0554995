import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv } from '../../shop/config.js';
import { type PostgresPair, startPostgresPair } from '../../shop/local/postgres.js';
import { silentLogger } from '../../shop/logger.js';
import { createShop } from '../../shop/shop.js';

type SslRow = { ssl: boolean; version: string };
const SSL_OF_THIS_CONNECTION = 'SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()';

/**
 * TLS to PostgreSQL as on RDS (rds.force_ssl): the servers present a certificate from a CA the
 * shop is given by SHOP_DATABASE_CA_FILE, as the RDS CA bundle is on the web tier.
 */
describe('the shop on PostgreSQL over TLS', () => {
  let postgres: PostgresPair;
  const elsewhere = mkdtempSync(join(tmpdir(), 'shop-tls-'));
  beforeAll(async () => {
    postgres = await startPostgresPair({ tls: true });
  });
  afterAll(async () => {
    await postgres?.stop();
    rmSync(elsewhere, { recursive: true, force: true });
  });

  const shopWith = (caFile: string) => {
    const url = (port: number) => `postgres://postgres@127.0.0.1:${port}/shop`;
    const config = configFromEnv({
      SHOP_DATABASE_URL: url(postgres.primary.port),
      SHOP_REPLICA_URLS: url(postgres.replica.port),
      SHOP_DATABASE_CA_FILE: caFile,
    });
    return createShop(config, silentLogger, { retry: { attempts: 1, baseMs: 1, capMs: 1 } });
  };

  it('reads from the replica and writes to the primary over verified TLS', async () => {
    // Prepare
    const shop = shopWith(postgres.caFile as string);

    // Act
    const replica = await shop.db.read<SslRow>(SSL_OF_THIS_CONNECTION);
    const primary = await shop.db.readPrimary<SslRow>(SSL_OF_THIS_CONNECTION);
    await shop.close();

    // Assess
    expect(replica).toEqual([{ ssl: true, version: expect.stringMatching(/^TLSv1\.[23]$/) }]);
    expect(primary).toEqual([{ ssl: true, version: expect.stringMatching(/^TLSv1\.[23]$/) }]);
  });

  it('refuses a server whose certificate does not chain to the given CA', async () => {
    // Prepare: a CA the servers' certificate was not signed by.
    const other = await startPostgresPair({ tls: true });
    const foreignCa = join(elsewhere, 'foreign-ca.pem');
    writeFileSync(foreignCa, readFileSync(other.caFile as string));
    await other.stop();
    const shop = shopWith(foreignCa);

    // Act
    const read = shop.db.readPrimary(SSL_OF_THIS_CONNECTION);

    // Assess
    await expect(read).rejects.toThrow(
      /self-signed certificate in certificate chain|unable to verify/,
    );
    await shop.close();
  });
});
