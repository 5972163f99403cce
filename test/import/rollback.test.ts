/**
 * `import.rollback` undoes on the server what a committed import did there: an offering it updated
 * gets its previous values back, one it created is deleted. Through the contract, with the sandbox's
 * state read over HTTP.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openCore, type TestCore } from '../support/core.ts';
import { startTestSandbox, TEST_KEY, type SandboxFixture } from '../support/sandbox.ts';

interface RemoteOffering {
  id: string;
  slug: string;
  title: string;
  productTypeKey: string;
  basePriceCents: number;
  currency: string;
  deletedAt: string | null;
}

let s: SandboxFixture;
let c: TestCore;

beforeAll(async () => {
  s = await startTestSandbox({ seed: { bookings: 10, offerings: 3 } });
  c = openCore({ dbFile: join(s.dir, 'replica.db'), api: { url: s.url, key: TEST_KEY }, transport: 'bridge', appVersion: 'test', holdMs: 0 });
});
afterAll(async () => {
  await c?.core.close();
  await s?.dispose();
});

it('reverts the offerings an import patched and deletes the ones it created, on the server', { timeout: 90_000 }, async () => {
  expect(await c.core.runOnce(30_000)).toMatchObject({ pulled: true });
  const original = (await s.listAll<RemoteOffering>('/api/offerings?status=ALL'))[0]!;
  const price = (cents: number): string => (cents / 100).toFixed(2);
  const csv = [
    'slug,title,product_type,base_price,currency',
    `${original.slug},${original.title} (imported),${original.productTypeKey},${price(original.basePriceCents + 500)},${original.currency}`,
    `rollback-new,Rollback New,space,42.00,USD`,
  ].join('\n');
  const checked = await c.call('import.check', { fileName: 'catalogue.csv', contentBase64: Buffer.from(csv).toString('base64') });
  expect(checked.view.ok).toBe(true);
  expect(checked.view.preview.counts.offerings).toMatchObject({ create: 1, update: 1 });
  const committed = await c.call('import.commit', { token: checked.token });
  expect(await c.core.runOnce(30_000)).toMatchObject({ pushed: true, sent: 2, conflicts: 0 });

  // The import is on the server.
  const patched = await s.getJson<RemoteOffering>(`/api/offerings/${original.id}`);
  expect(patched).toMatchObject({ title: `${original.title} (imported)`, basePriceCents: original.basePriceCents + 500 });
  const created = (await s.listAll<RemoteOffering>('/api/offerings?status=ALL')).find((o) => o.slug === 'rollback-new');
  expect(created).toMatchObject({ title: 'Rollback New', deletedAt: null });

  expect(await c.call('import.rollback', { batchId: committed.batchId })).toMatchObject({ reverts: 1, deletes: 1 });
  expect(await c.core.runOnce(30_000)).toMatchObject({ pushed: true, conflicts: 0 });

  // …and undone there: the previous values back, the created offering deleted.
  expect(await s.getJson<RemoteOffering>(`/api/offerings/${original.id}`)).toMatchObject({ title: original.title, basePriceCents: original.basePriceCents, deletedAt: null });
  const live = await s.listAll<RemoteOffering>('/api/offerings?status=ALL');
  expect(live.some((o) => o.slug === 'rollback-new')).toBe(false);
  expect((await s.api('GET', `/v1/api/offerings/${created!.id}`)).status).toBe(404);
  const withDeleted = await s.listAll<RemoteOffering>('/api/offerings?status=ALL&includeDeleted=true');
  expect(withDeleted.find((o) => o.id === created!.id)?.deletedAt).toEqual(expect.any(String));
  // The console agrees with the server.
  const shown = await c.call('offerings.list', {});
  expect(shown.find((o) => o.id === original.id)?.title).toBe(original.title);
  expect(shown.some((o) => o.slug === 'rollback-new')).toBe(false);
  expect((await c.call('import.batches')).find((b) => b.id === committed.batchId)?.state).toBe('rolled_back');
});
