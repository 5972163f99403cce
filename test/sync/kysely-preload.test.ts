// The query builder (kysely) is loaded on first use; a synchronous require() of it held the engine's
// loop 180-280 ms when the first list call came during a sync (bench/scale.ts). start() loads it in
// the background, and the first query must then use that module instead of requiring its own copy.
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { openCore, type TestCore } from '../support/core.ts';

let dir = '';
let core: TestCore | null = null;

afterEach(async () => {
  await core?.core.close();
  core = null;
  rmSync(dir, { recursive: true, force: true });
});

it('after start() the first list call requires no copy of kysely on the loop', async () => {
  dir = mkdtempSync(join(tmpdir(), 'orkestr-kysely-'));
  // An unreachable server: the core starts offline, nothing else loads the builder meanwhile.
  core = openCore({ dbFile: join(dir, 'replica.db'), api: { url: 'http://127.0.0.1:9', key: 'ork_test01.secret-0123456789abcdef' }, transport: 'bridge', appVersion: 'test', holdMs: 0 });
  const cjsEntry = createRequire(import.meta.url).resolve('kysely');
  core.core.start();
  // The same module the core imports: resolved once it is loaded; the core's assignment follows it.
  await import('kysely');
  await new Promise((resolve) => setImmediate(resolve));
  await core.call('bookings.list', { offset: 0, limit: 50 });
  expect(require.cache[cjsEntry]).toBeUndefined();
});
