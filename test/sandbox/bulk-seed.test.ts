// The large-tenant fixture (src/sandbox/bulk-seed.ts): what benches and scale tests stand on. Seeded
// small here (the shape does not depend on the size); the sandbox serves it like any other data file.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { bulkSeedCopy, seedBulk } from '../../src/sandbox/index.ts';
import { startTestSandbox } from '../support/sandbox.ts';

const dir = mkdtempSync(join(tmpdir(), 'bulk-seed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const NOW = Date.parse('2026-06-15T15:00:00Z');
const options = { bookings: 20_000, offerings: 300, nowMs: NOW };

interface Row {
  id: string;
  status: string;
  first_start: string;
  doc: string;
}
const rowsOf = (file: string): Row[] => {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT id, status, first_start, doc FROM bookings ORDER BY seq').all() as Row[];
  } finally {
    db.close();
  }
};

const digest = (rows: Row[]): string => createHash('sha256').update(rows.map((r) => `${r.id}|${r.status}|${r.first_start}|${r.doc}`).join('\n')).digest('hex');

describe('bulk seed', () => {
  const first = join(dir, 'a.db');
  const result = seedBulk(first, options);
  const rows = rowsOf(first);

  it('writes exactly what it says, with a realistic spread', () => {
    expect(result).toMatchObject({ bookings: 20_000, offerings: 300 });
    expect(rows).toHaveLength(20_000);
    const by = (s: string): number => rows.filter((r) => r.status === s).length;
    expect(by('PENDING')).toBe(result.pending);
    // ≥ 100k PENDING at 1M: about 11% of the bookings.
    expect(by('PENDING') / rows.length).toBeGreaterThan(0.1);
    expect(by('COMPLETED')).toBeGreaterThan(by('CANCELLED'));
    expect(by('REFUNDED')).toBeGreaterThan(0);
    // Years of history and the coming months, every PENDING one in the future.
    const starts = rows.map((r) => Date.parse(r.first_start));
    expect(NOW - Math.min(...starts)).toBeGreaterThan(2.9 * 365 * 86_400_000);
    expect(Math.max(...starts) - NOW).toBeGreaterThan(80 * 86_400_000);
    expect(rows.filter((r) => r.status === 'PENDING').every((r) => Date.parse(r.first_start) > NOW)).toBe(true);
    // Accented customer names, as a real tenant has them.
    const garcia = rows.filter((r) => (JSON.parse(r.doc) as { customer: { name: string } }).customer.name.endsWith('García'));
    expect(garcia.length).toBeGreaterThan(100);
  });

  it('gives the same rows for the same options on the same day, and refuses an existing file', () => {
    const second = join(dir, 'b.db');
    seedBulk(second, options);
    expect(digest(rowsOf(second))).toBe(digest(rows));
    expect(() => seedBulk(second, options)).toThrow(/already exists/);
  });

  it('is served by the sandbox like any data file, and copies come from one cached seed', async () => {
    const cache = join(dir, 'cache');
    const made = bulkSeedCopy(cache, join(dir, 'copy1.db'), options);
    const reused = bulkSeedCopy(cache, join(dir, 'copy2.db'), options);
    expect(made.seeded?.bookings).toBe(20_000);
    expect(reused.seeded).toBeNull();
    expect(digest(rowsOf(join(dir, 'copy2.db')))).toBe(digest(rows));

    const sbx = await startTestSandbox({ dataFile: join(dir, 'copy2.db') });
    try {
      const pending = await sbx.listAll<{ id: string; customer: { name: string } }>('/api/bookings?status=PENDING');
      expect(pending.map((b) => b.id).sort()).toEqual(rows.filter((r) => r.status === 'PENDING').map((r) => r.id).sort());
      const offerings = await sbx.listAll<{ id: string }>('/api/offerings?status=ALL');
      expect(offerings).toHaveLength(300);
    } finally {
      await sbx.dispose();
    }
  });
});
