/**
 * Issue #16: searching a common name over a large replica returns the first window and a count that
 * stops at searchCountCap ("1,000+"), never every match; a rare name still gets its exact count and
 * its best matches first. Real SQLite file, real FTS5 index kept by the product's triggers, called
 * through the contract.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCore, type TestCore } from '../support/core.ts';

let dir: string;
let c: TestCore;
const GARCIAS = 1200;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'search-cap-'));
  c = openCore({ dbFile: join(dir, 'replica.db'), transport: 'bridge', appVersion: 'test' });
  const insert = c.core.replica.sqlite.prepare(
    `INSERT INTO bookings (id, status, offering_id, offering_title, customer_id, customer_name, customer_email, subtotal_cents, discount_cents, tax_cents, total_cents, currency, starts_at, created_at, updated_at, version)
     VALUES (?, 'CONFIRMED', 'off_1', ?, 'cus_1', ?, ?, 1000, 0, 0, 1000, 'USD', '2026-01-01T10:00:00.000Z', '2025-12-01T10:00:00.000Z', '2025-12-01T10:00:00.000Z', 1)`,
  );
  c.core.replica.transaction(() => {
    // The best "rossi" match comes first in the table, so "newest first" would put it last.
    insert.run('bkg_rossi_best', 'Rossi Hall', 'Marco Rossi', 'rossi@example.com');
    for (let i = 0; i < GARCIAS; i++) insert.run(`bkg_garcia_${String(i).padStart(5, '0')}`, 'Soho Loft', 'Ana García', `ana.garcia${i}@example.com`);
    for (let i = 0; i < 3; i++) insert.run(`bkg_rossi_${i}`, 'Soho Loft', 'Giulia Rossi', `giulia${i}@example.com`);
  });
});

afterAll(async () => {
  await c?.core.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('search over many matches', () => {
  it('a common name: the newest window and a count capped at 1,000, marked capped', async () => {
    const r = await c.call('bookings.search', { text: 'GARCIA', limit: 20 });
    expect(r.capped).toBe(true);
    expect(r.total).toBe(1000);
    expect(r.items.map((b) => b.id)).toEqual(Array.from({ length: 20 }, (_, i) => `bkg_garcia_${String(GARCIAS - 1 - i).padStart(5, '0')}`));
  });

  it('a rare name: the exact count, best match first', async () => {
    const r = await c.call('bookings.search', { text: 'rossi', limit: 20 });
    expect(r.capped).toBe(false);
    expect(r.total).toBe(4);
    expect(r.items[0]!.id).toBe('bkg_rossi_best');
    expect(r.items.map((b) => b.id).sort()).toEqual(['bkg_rossi_0', 'bkg_rossi_1', 'bkg_rossi_2', 'bkg_rossi_best']);
  });

  it('nothing found, and text with no word in it', async () => {
    expect(await c.call('bookings.search', { text: 'nobody', limit: 20 })).toEqual({ items: [], total: 0, capped: false, indexing: null });
    expect(await c.call('bookings.search', { text: '"*-', limit: 20 })).toEqual({ items: [], total: 0, capped: false, indexing: null });
  });
});
