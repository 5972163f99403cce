/**
 * Issue #16: the queue's offering filter asked for `offerings.list`, whole views of every offering
 * (6.6 MB at 20k offerings, ~0.8 s of the core's thread at load, during the 1M cold start).
 * `offerings.options` answers only what a filter shows, id and title of the live offerings, with the
 * console's own intents laid over them as the list does: the same offerings, in the same order.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCore, type TestCore } from '../support/core.ts';
import { offeringInserter } from './offerings-fixture.ts';

let dir: string;
let c: TestCore;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'offering-options-'));
  c = openCore({ dbFile: join(dir, 'replica.db'), transport: 'bridge', appVersion: 'test', holdMs: 0 });
  const insert = offeringInserter(c.core.replica);
  c.core.replica.transaction(() => {
    insert('off_1', 'zeta', 'Zeta Room', null);
    insert('off_2', 'alpha', 'alpha studio', null);
    insert('off_3', 'beta', 'Béta Hall', null);
    insert('off_4', 'gone', 'Gone Loft', '2026-02-01T00:00:00.000Z');
    insert('off_5', 'doomed', 'Doomed Loft', null);
  });
});

afterAll(async () => {
  await c?.core.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('offerings.options', () => {
  it('lists id and title of the offerings the list shows, in its order, with this console’s intents laid over', async () => {
    await c.call('offerings.patch', { id: 'off_1', fields: { title: 'Aardvark Room' } });
    await c.call('offerings.delete', { id: 'off_5' });
    const created = await c.call('offerings.create', { fields: { title: 'Made Here', productTypeKey: 'room', basePriceCents: 500, currency: 'USD', pricingModel: 'ONE_TIME', cancellationPolicy: 'FLEXIBLE' } });
    const options = await c.call('offerings.options');
    const list = await c.call('offerings.list');
    expect(options).toEqual(list.map((o) => ({ id: o.id, title: o.title })));
    expect(options.map((o) => o.title)).toEqual(expect.arrayContaining(['Aardvark Room', 'alpha studio', 'Béta Hall', 'Made Here']));
    expect(options).toHaveLength(4);
    expect(options.map((o) => o.id)).toContain(created.id);
  });
});
