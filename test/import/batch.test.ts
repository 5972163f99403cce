/**
 * A committed import batch against the sandbox, through the contract (the sandbox's state read over
 * HTTP): a refusal pauses the batch and fix-and-resume lands it; availability is reported as not on
 * the server (v1 cannot receive it); `import.rollback` undoes on the server what the batch did there
 * (an offering it updated gets its previous values back, one it created is deleted).
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
  expect(await c.core.runOnce(30_000)).toMatchObject({ pulled: true });
});
afterAll(async () => {
  await c?.core.close();
  await s?.dispose();
});

const b64 = (lines: string[]): string => Buffer.from(lines.join('\n')).toString('base64');

it('a slug the server has taken pauses the batch; fixed and resumed, it lands; availability stays local', { timeout: 90_000 }, async () => {
  // "taken" appears on the server after the console's last pull: the import plans a create, the server refuses it.
  expect((await s.api('POST', '/v1/api/offerings', { body: { title: 'Taken', slug: 'taken', productTypeKey: 'space', basePriceCents: 100, currency: 'USD' } })).status).toBe(201);
  const csv = [
    'slug,title,product_type,status,base_price,currency,weekday,start_time,end_time,slot_minutes,capacity',
    'alpha,Alpha,space,,10,USD,Mon,9:00,12:00,60,2',
    'taken,Taken again,space,,10,USD,,,,,',
    'gamma,Gamma,class,,5.5,USD,Fri,18:00,19:00,60,10',
  ];
  const checked = await c.call('import.check', { fileName: 'e2e.csv', contentBase64: b64(csv) });
  expect(checked.view.preview.counts.offerings).toMatchObject({ create: 3 });
  const { batchId } = await c.call('import.commit', { token: checked.token });
  expect(await c.core.runOnce(30_000)).toMatchObject({ sent: 2, conflicts: 1 });

  const status = (await c.call('import.status', { batchId }))!;
  expect(status.items.map((i) => [i.slug, i.state])).toEqual([
    ['alpha', 'sent'],
    ['taken', 'refused'],
    ['gamma', 'sent'],
  ]);
  expect(status.items[1]?.error).toMatch(/SLUG_TAKEN/);
  expect((await s.getJson<RemoteOffering & { status: string }>('/api/offerings/alpha'))).toMatchObject({ slug: 'alpha', status: 'DRAFT', basePriceCents: 1000 });

  const verified = await c.call('import.verifyAvailability', { batchId });
  expect(verified.checks.map((x) => [x.slug, x.pendingCreate, x.onServer, x.missing.length, x.error])).toEqual([
    ['alpha', false, 0, 1, null],
    ['gamma', false, 0, 1, null],
  ]);

  expect(await c.call('import.resume', { batchId, fixes: { taken: { slug: 'taken-2' } } })).toMatchObject({ retried: 1 });
  expect(await c.core.runOnce(30_000)).toMatchObject({ sent: 1, conflicts: 0 });
  expect((await c.call('import.status', { batchId }))?.counts).toMatchObject({ sent: 3, refused: 0 });
  expect(await s.getJson<RemoteOffering>('/api/offerings/taken-2')).toMatchObject({ title: 'Taken again' });
});

it('a rollback reverts the offerings the import patched and deletes the ones it created, on the server', { timeout: 90_000 }, async () => {
  expect(await c.core.runOnce(30_000)).toMatchObject({ pulled: true });
  // One of the seeded offerings (published, untouched by the test above).
  const original = (await s.listAll<RemoteOffering & { status: string }>('/api/offerings')).filter((o) => o.status === 'PUBLISHED')[0]!;
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
