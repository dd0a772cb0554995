import { parseArgs } from 'node:util';

/** The arguments of `npm run shop:local`, checked before anything starts. */

export const USAGE = `usage: npm run shop:local -- [--skus N] [--port P]
  --skus N   catalog size to seed (default 1000000)
  --port P   the shop's HTTP port on 127.0.0.1 (default 8080; 0 picks a free one)`;

export interface LocalOptions {
  readonly skus: number;
  readonly port: number;
}

/** The options, or an error line that says which value was wrong. */
export const parseLocalArgs = (
  argv: readonly string[],
): LocalOptions | { readonly error: string } | 'help' => {
  let values: { skus?: string; port?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        skus: { type: 'string' },
        port: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    return { error: (error as Error).message };
  }
  if (values.help === true) return 'help';
  const skus = Number(values.skus ?? '1000000');
  if (!Number.isInteger(skus) || skus < 1 || skus > 10_000_000) {
    return { error: `--skus ${values.skus} must be an integer from 1 to 10000000` };
  }
  const port = Number(values.port ?? '8080');
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    return { error: `--port ${values.port} must be a port number` };
  return { skus, port };
};
