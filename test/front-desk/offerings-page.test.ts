/**
 * Issue #16: the Catalogue asked for `offerings.list`, every offering's whole view (6.6 MB and ~160
 * ms of the engine's loop at 20k offerings), and laid out a row for each (the window took 30 s at
 * 20k). `offerings.page` answers a page and the total, with a search over title and slug that
 * ignores case and accents. Offerings with this console's changes not yet on the server come first
 * (a pending rename is found by its new name, a pending delete is gone), then the rest by title.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCore, type TestCore } from '../support/core.ts';
import { offeringInserter } from './offerings-fixture.ts';

let dir: string;
let c: TestCore;
let created = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'offerings-page-'));
  c = openCore({ dbFile: join(dir, 'replica.db'), transport: 'bridge', appVersion: 'test', holdMs: 0 });
  const insert = offeringInserter(c.core.replica);
  c.core.replica.transaction(() => {
    for (let i = 0; i < 120; i++) insert(`off_${String(i).padStart(3, '0')}`, `room-${i}`, `Room ${String(i).padStart(3, '0')}`, null);
    insert('off_yoga', 'sesion-yoga', 'Sesión de yoga', null);
    insert('off_pct', 'discount', '100% fun_day', null);
    insert('off_gone', 'gone', 'Gone Loft', '2026-02-01T00:00:00.000Z');
  });
  await c.call('offerings.patch', { id: 'off_007', fields: { title: 'Zebra Loft' } });
  await c.call('offerings.delete', { id: 'off_008' });
  created = (await c.call('offerings.create', { fields: { title: 'Made Here', productTypeKey: 'room', basePriceCents: 500, currency: 'USD', pricingModel: 'ONE_TIME', cancellationPolicy: 'FLEXIBLE' } })).id;
});

afterAll(async () => {
  await c?.core.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('offerings.page', () => {
  it('pages the live offerings, changed ones first, with the total', async () => {
    const first = await c.call('offerings.page', { limit: 5 });
    // 120 rooms + yoga + 100% − the deleted one; the created one is new.
    expect(first.total).toBe(122);
    expect(first.items.map((o) => o.title)).toEqual(['Made Here', 'Zebra Loft', '100% fun_day', 'Room 000', 'Room 001']);
    expect(first.items.slice(0, 2).map((o) => o.syncState)).toEqual(['pending', 'pending']);
    expect(first.items[0]!.id).toBe(created);
    // The pages join up: every offering once, none deleted.
    const seen: string[] = [];
    for (let offset = 0; offset < first.total; offset += 7) seen.push(...(await c.call('offerings.page', { offset, limit: 7 })).items.map((o) => o.id));
    expect(seen).toHaveLength(122);
    expect(new Set(seen).size).toBe(122);
    expect(seen).not.toContain('off_008');
    expect(seen).not.toContain('off_gone');
    // The same offerings as the whole list.
    expect(new Set(seen)).toEqual(new Set((await c.call('offerings.list')).map((o) => o.id)));
  });

  it('searches title and slug without case or accents, pending renames by their new title, wildcards as text', async () => {
    const titles = async (search: string): Promise<string[]> => (await c.call('offerings.page', { search })).items.map((o) => o.title);
    expect(await titles('SESION')).toEqual(['Sesión de yoga']);
    expect(await titles('sesión')).toEqual(['Sesión de yoga']);
    expect(await titles('room-11')).toEqual(['Room 011', 'Room 110', 'Room 111', 'Room 112', 'Room 113', 'Room 114', 'Room 115', 'Room 116', 'Room 117', 'Room 118', 'Room 119']);
    expect(await titles('zebra')).toEqual(['Zebra Loft']);
    expect(await titles('Room 007')).toEqual([]);
    expect(await titles('0%')).toEqual(['100% fun_day']);
    expect(await titles('n_d')).toEqual(['100% fun_day']);
    expect(await titles('%')).toEqual(['100% fun_day']);
    // "room" is also Zebra Loft's slug (room-7): 118 rooms and it.
    const last = await c.call('offerings.page', { search: 'room', limit: 3, offset: 117 });
    expect([last.total, last.items.map((o) => o.title)]).toEqual([119, ['Room 118', 'Room 119']]);
  });

  it('keeps only the ids asked for (the offerings a form has picked), changed or not, with a search or without', async () => {
    const ids = ['off_119', 'off_007', 'off_008', 'off_nope', created];
    const picked = await c.call('offerings.page', { ids });
    expect([picked.total, picked.items.map((o) => o.title)]).toEqual([3, ['Made Here', 'Zebra Loft', 'Room 119']]);
    expect((await c.call('offerings.page', { ids, search: 'room 1' })).items.map((o) => o.id)).toEqual(['off_119']);
  });

  it('refuses a page larger than 500 with the field named', async () => {
    await expect(c.call('offerings.page', { limit: 5000 })).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('limit') });
  });
});
