import { createRequire } from 'node:module';
import 'aws-sdk-client-mock-vitest/extend';
import type { SinonStatic } from 'sinon';
import { afterAll } from 'vitest';

// aws-sdk-client-mock stubs `send` on the client class through sinon's default sandbox. Test
// files of the `synth` project share their modules (vitest.config.ts), so a mock one file left
// in place would answer the next file's calls: every file ends with every stub restored. The
// mock library loads sinon's CommonJS build; its default sandbox is that build's, not the ESM one.
const sinon = createRequire(import.meta.url)('sinon') as SinonStatic;

afterAll(() => {
  sinon.restore();
});
