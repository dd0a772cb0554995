import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { parseLocalArgs } from '../../shop/local/cli-args.js';

describe('npm run shop:local', () => {
  it.each([
    [[], { skus: 1_000_000, port: 8080 }],
    [['--skus', '500', '--port', '0'], { skus: 500, port: 0 }],
    [['--skus', '0'], { error: '--skus 0 must be an integer from 1 to 10000000' }],
    [['--port', 'x'], { error: '--port x must be a port number' }],
    [['--nope'], { error: expect.stringContaining("Unknown option '--nope'") }],
    [['--help'], 'help'],
  ])('reads %j', (argv, expected) => {
    // Act + Assess
    expect(parseLocalArgs(argv)).toEqual(expected);
  });

  it('starts the servers, serves a ready shop, and stops everything on SIGINT', async () => {
    // Prepare
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'shop/local/cli.ts', '--skus', '50', '--port', '0'],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    const deadline = Date.now() + 60_000;
    while (!/the shop is at (http:\S+)/.test(err)) {
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error(`shop:local did not start:\n${err}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const url = /the shop is at (http:\S+)/.exec(err)?.[1] as string;

    // Act
    const ready = await fetch(`${url}/ready`).then((r) => r.json());
    const page = await fetch(`${url}/?limit=3`).then((r) => r.text());
    const exited = once(child, 'exit');
    child.kill('SIGINT');
    const [code] = await exited;

    // Assess
    expect(ready).toEqual({
      ready: true,
      database: { primary: 'ok', replicas: { 'replica-1': 'ok' } },
      redis: 'ok',
      cache: 'warm',
    });
    expect(page).toContain('SKU-0000001');
    expect(err).toContain('seeding 50 SKUs');
    expect(err).toContain('stopped; temp folders removed');
    expect(code).toBe(0);
  });
});
