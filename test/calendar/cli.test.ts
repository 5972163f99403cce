/** `orkestr-console ics` and `orkestr-console feeds`, run through the CLI's own main() (exit codes 0/1/2). */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runMain } from '../support/cli.ts';
import { Replica } from '../../src/main/core/replica/replica.ts';
import { hashToken } from '../../src/main/core/calendar/feeds.ts';
import { parseBoth } from './helpers.ts';

let dir: string;
let db: string;

const run = runMain;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cal-cli-'));
  db = join(dir, 'replica.db');
  const replica = Replica.open(db);
  replica.transaction(() => {
    const statuses = ['CONFIRMED', 'PENDING', 'CANCELLED', 'COMPLETED'];
    for (let n = 1; n <= 4; n++) {
      const start = Date.parse('2026-06-01T09:00:00.000Z') + n * 86_400_000;
      replica.applyRemoteBooking({
        id: `bkg_${n}`,
        status: statuses[n - 1],
        offeringId: n % 2 ? 'off_a' : 'off_b',
        offeringTitle: n % 2 ? 'Room A' : 'Room B',
        customer: { id: `cus_${n}`, name: `José Müller-Łukasiewicz 東京 ${n}`, email: 'x@example.com', timezone: null },
        items: [{ id: `bki_${n}`, offeringId: n % 2 ? 'off_a' : 'off_b', startsAt: new Date(start).toISOString(), endsAt: new Date(start + 3_600_000).toISOString(), quantity: 1, priceCents: 100 }],
        notes: '',
        createdAt: '2026-05-01T00:00:00.000Z',
        updatedAt: '2026-05-02T00:00:00.000Z',
        version: n,
      } as never);
    }
    replica.setMeta('tenant', JSON.stringify({ id: 'tnt_1', name: 'Atlas Studios', subdomain: 'atlas' }));
  });
  replica.close();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ics command', () => {
  it('writes a parseable file, identical on a second run', async () => {
    const out = join(dir, 'a.ics');
    const r = await run('ics', '--db', db, '--out', out);
    expect(r.code).toBe(0);
    expect(r.err).toContain('wrote 3 events');
    const text = readFileSync(out, 'utf8');
    const cal = parseBoth(text);
    expect(cal.name).toBe('Atlas Studios bookings');
    expect(cal.events.map((e) => e.uid)).toEqual(['bki_1@orkestr-console', 'bki_3@orkestr-console', 'bki_4@orkestr-console']);
    const out2 = join(dir, 'b.ics');
    expect((await run('ics', '--db', db, '--out', out2)).code).toBe(0);
    expect(readFileSync(out2).equals(readFileSync(out))).toBe(true);
  });

  it('applies --include-pending, --offering, --from/--to and --status', async () => {
    const uids = async (...extra: string[]): Promise<string[]> => {
      const out = join(dir, `f${Math.random().toString(36).slice(2)}.ics`);
      const r = await run('ics', '--db', db, '--out', out, ...extra);
      expect(r.code, r.err).toBe(0);
      return parseBoth(readFileSync(out, 'utf8')).events.map((e) => e.uid.split('@')[0] ?? '');
    };
    expect(await uids('--include-pending')).toEqual(['bki_1', 'bki_2', 'bki_3', 'bki_4']);
    const pending = parseBoth(readFileSync(join(dir, 'a.ics'), 'utf8'));
    expect(pending.events.every((e) => e.status !== 'TENTATIVE')).toBe(true);
    expect(await uids('--include-pending', '--offering', 'off_b')).toEqual(['bki_2', 'bki_4']);
    expect(await uids('--offering', 'off_a', '--offering', 'off_b', '--from', '2026-06-03', '--to', '2026-06-04T12:00:00Z')).toEqual(['bki_3']);
    expect(await uids('--status', 'cancelled')).toEqual(['bki_3']);
  });

  it('writes to standard output with --out -', async () => {
    const chunks: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => {
      chunks.push(String(c));
      return true;
    });
    try {
      expect((await run('ics', '--db', db, '--out', '-')).code).toBe(0);
    } finally {
      write.mockRestore();
    }
    expect(chunks.join('')).toBe(readFileSync(join(dir, 'a.ics'), 'utf8'));
  });

  it('exits 2 on bad usage and 1 on a missing replica', async () => {
    expect((await run('ics', '--help')).code).toBe(0);
    expect((await run('ics', '--help')).out).toContain('--include-pending');
    expect((await run('ics', '--db', db)).code).toBe(2);
    expect((await run('ics', '--db', db, '--out', join(dir, 'x.ics'), '--from', 'yesterday')).code).toBe(2);
    expect((await run('ics', '--db', db, '--out', join(dir, 'x.ics'), '--from', '2026-06-05', '--to', '2026-06-01')).code).toBe(2);
    expect((await run('ics', '--db', db, '--out', join(dir, 'x.ics'), '--status', 'LOST')).code).toBe(2);
    expect((await run('ics', '--db', db, '--out', join(dir, 'x.ics'), '--bogus')).code).toBe(2);
    const missing = await run('ics', '--db', join(dir, 'nope.db'), '--out', join(dir, 'x.ics'));
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('no replica');
    expect(existsSync(join(dir, 'nope.db'))).toBe(false);
    expect((await run('ics', '--db', db, '--out', join(dir, 'no-such-dir', 'x.ics'))).code).toBe(1);
  });
});

describe('feeds command', () => {
  it('adds, lists, rotates and revokes feeds', async () => {
    const add = await run('feeds', 'add', '--db', db, '--name', 'Front desk', '--include-pending', '--offering', 'off_a', '--json');
    expect(add.code, add.err).toBe(0);
    const created = JSON.parse(add.out) as { id: string; token: string; path: string; filters: { includePending: boolean; offeringIds: string[] } };
    expect(created.token).toMatch(/^ocf_/);
    expect(created.path).toBe(`/calendar/${created.token}.ics`);
    expect(created.filters).toMatchObject({ includePending: true, offeringIds: ['off_a'] });

    const plain = await run('feeds', 'add', '--db', db, '--name', 'Owner');
    expect(plain.code).toBe(0);
    expect(plain.out).toMatch(/token: ocf_[A-Za-z0-9_-]+/);
    expect(plain.out).toMatch(/path: {2}\/calendar\/ocf_[A-Za-z0-9_-]+\.ics/);

    const list = JSON.parse((await run('feeds', 'list', '--db', db, '--json')).out) as Array<{ id: string; name: string }>;
    expect(list.map((f) => f.name)).toEqual(['Front desk', 'Owner']);
    expect(JSON.stringify(list)).not.toContain(created.token);
    expect((await run('feeds', 'list', '--db', db)).out).toContain('Front desk');

    const rotated = JSON.parse((await run('feeds', 'rotate', created.id, '--db', db, '--json')).out) as { token: string };
    expect(rotated.token).not.toBe(created.token);
    const check = new Replica(db);
    try {
      const row = check.sqlite.prepare('SELECT token_sha256 FROM calendar_feeds WHERE id = ?').get(created.id) as { token_sha256: string };
      expect(row.token_sha256).toBe(hashToken(rotated.token));
    } finally {
      check.close();
    }

    expect((await run('feeds', 'revoke', created.id, '--db', db)).code).toBe(0);
    expect((await run('feeds', 'revoke', created.id, '--db', db)).code).toBe(1);
    expect((await run('feeds', 'rotate', created.id, '--db', db)).code).toBe(1);
    const after = JSON.parse((await run('feeds', 'list', '--db', db, '--json')).out) as Array<{ name: string }>;
    expect(after.map((f) => f.name)).toEqual(['Owner']);
    const all = JSON.parse((await run('feeds', 'list', '--db', db, '--all', '--json')).out) as Array<{ name: string; revokedAt: string | null }>;
    expect(all.find((f) => f.name === 'Front desk')?.revokedAt).toBeTruthy();
  });

  it('exits 2 on bad usage and 1 on unknown feeds or a missing replica', async () => {
    expect((await run('feeds', '--help')).code).toBe(0);
    expect((await run('feeds', '--db', db)).code).toBe(2);
    expect((await run('feeds', 'frobnicate', '--db', db)).code).toBe(2);
    expect((await run('feeds', 'add', '--db', db)).code).toBe(2); // no --name
    expect((await run('feeds', 'add', '--db', db, '--name', 'x', '--past-days', '-3')).code).toBe(2);
    expect((await run('feeds', 'rotate', '--db', db)).code).toBe(2); // no id
    const saved = process.env['ORKESTR_RELAY_DEVICE_TOKEN'];
    delete process.env['ORKESTR_RELAY_DEVICE_TOKEN'];
    try {
      expect((await run('feeds', 'publish', '--db', db, '--relay', 'http://127.0.0.1:9', '--channel', 'c')).code).toBe(2); // no device token
    } finally {
      if (saved !== undefined) process.env['ORKESTR_RELAY_DEVICE_TOKEN'] = saved;
    }
    expect((await run('feeds', 'rotate', 'cf_nope', '--db', db)).code).toBe(1);
    expect((await run('feeds', 'list', '--db', join(dir, 'nope.db'))).code).toBe(1);
  });
});
