/**
 * The CLI twin (issue #14) as real processes against the sandbox over HTTP and real replica files:
 * bookings list/show, queue, notes, cancel (with its refund preview), outbox list/withdraw, conflicts
 * list/resolve, status with the local overlay, a read-only key, `sync --once` exit codes (1 for a server
 * it cannot reach within --timeout, 3 for refusals) and "run sync first" on a missing replica.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BookingView, CancelPreview, IntentView, OfferingView, QueueWindow } from '../../src/shared/contract/types.ts';
import { runCli as run } from '../support/cli.ts';
import { countRows, openCore } from '../support/core.ts';
import { startTestSandbox, type SandboxFixture } from '../support/sandbox.ts';

const KEY = 'ork_clitwin1.cli-twin-rw-secret-0123456';
const READ_ONLY = 'ork_clitwin2.cli-twin-ro-secret-0123456';

let s: SandboxFixture;
let n = 0;

beforeAll(async () => {
  s = await startTestSandbox({ seed: 'demo', keys: [KEY, `${READ_ONLY}:read`] });
});
afterAll(async () => {
  await s?.dispose();
});

/** A replica synced in this process (faster than a CLI sync), closed before the CLI opens it. */
async function syncedReplica(key = KEY, url = s.url): Promise<string> {
  const dbFile = join(s.dir, `twin-${++n}.db`);
  const c = openCore({ dbFile, api: { url, key }, transport: 'bridge', appVersion: 'test', holdMs: 0 });
  try {
    expect(await c.core.runOnce(30_000)).toMatchObject({ pulled: true, pushed: true });
  } finally {
    await c.core.close();
  }
  return dbFile;
}

function json<T>(r: { code: number | null; stdout: string; stderr: string }): T {
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as T;
}

const used = new Set<string>();
async function serverBooking(status: string, pick: (b: ServerBooking) => boolean = () => true): Promise<ServerBooking> {
  const list = await s.listAll<ServerBooking>(`/api/bookings?status=${status}`);
  const b = list.find((x) => !used.has(x.id) && x.riskReviewStatus !== 'HELD' && pick(x));
  if (!b) throw new Error(`no ${status} booking left in the demo tenant`);
  used.add(b.id);
  return b;
}
interface ServerBooking {
  id: string;
  status: string;
  riskReviewStatus: string | null;
  refundPercent: number | null;
  items: Array<{ startsAt: string }>;
}

describe('orkestr-console: the CLI twin', { timeout: 240_000 }, () => {
  it('every new command answers --help; wrong usage exits 2; a missing replica says to run sync first', async () => {
    for (const name of ['bookings', 'queue', 'notes', 'outbox', 'intents', 'conflicts', 'cancel', 'status']) {
      const help = await run([name, '--help']);
      expect(help.code, name).toBe(0);
      expect(help.stdout).toContain(`orkestr-console ${name}`);
    }
    const missing = join(s.dir, 'never-synced.db');
    for (const args of [['status', '--db', missing], ['ics', '--db', missing, '--out', '-'], ['bookings', 'list', '--db', missing], ['queue', '--db', missing]]) {
      const r = await run(args);
      expect({ args, code: r.code }).toEqual({ args, code: 1 });
      expect(r.stderr).toContain(`no replica at ${missing}: run sync first`);
    }
    const db = await syncedReplica();
    expect((await run(['bookings', '--db', db])).code).toBe(2);
    expect((await run(['bookings', 'list', '--db', db, '--status', 'LOST'])).code).toBe(2);
    expect((await run(['bookings', 'list', '--db', db, '--limit', '0'])).code).toBe(2);
    expect((await run(['conflicts', 'resolve', 'cfl_x', '--db', db])).code).toBe(2);
    expect((await run(['outbox', 'withdraw', '--db', db])).code).toBe(2);
  });

  it('offerings list pages the Catalogue and searches title and slug without case or accents', async () => {
    const db = await syncedReplica();
    const onServer = await s.listAll<{ id: string; title: string; slug: string }>('/api/offerings?status=ALL');
    const first = json<{ items: OfferingView[]; total: number }>(await run(['offerings', 'list', '--db', db, '--limit', '2', '--json']));
    expect(first.total).toBe(onServer.length);
    expect(first.items).toHaveLength(2);
    const rest = json<{ items: OfferingView[] }>(await run(['offerings', 'list', '--db', db, '--offset', '2', '--limit', '500', '--json']));
    expect([...first.items, ...rest.items].map((o) => o.id).sort()).toEqual(onServer.map((o) => o.id).sort());
    const one = onServer[0]!;
    const found = await run(['offerings', 'list', '--db', db, '--search', one.title.toUpperCase()]);
    expect(found.code, found.stderr).toBe(0);
    expect(found.stdout).toContain(`${one.id}  `);
    expect(found.stdout).toMatch(/\d+ of \d+ offerings?\n$/);
    expect((await run(['offerings', 'list', '--db', db, '--limit', '501'])).code).toBe(2);
    expect((await run(['offerings', 'show', '--db', db])).code).toBe(2);
  });

  it('bookings list filters and pages; show prints the customer notes as theirs; queue lists PENDING oldest first', async () => {
    const db = await syncedReplica();
    const pendingOnServer = await s.listAll<ServerBooking>('/api/bookings?status=PENDING');
    const page = json<{ items: BookingView[]; total: number }>(await run(['bookings', 'list', '--db', db, '--status', 'pending', '--limit', '5', '--json']));
    expect(page.total).toBe(pendingOnServer.length);
    expect(page.items).toHaveLength(5);
    expect(page.items.every((b) => b.status === 'PENDING')).toBe(true);
    const someone = page.items[0]!;
    const found = json<{ items: BookingView[] }>(await run(['bookings', 'list', '--db', db, '--search', someone.customer.email, '--json']));
    expect(found.items.map((b) => b.id)).toContain(someone.id);
    const text = await run(['bookings', 'list', '--db', db, '--offering', someone.offeringId, '--from', '2000-01-01', '--limit', '3']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/\d+ of \d+ bookings?\n$/);

    const show = await run(['bookings', 'show', someone.id, '--db', db]);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain(`booking:        ${someone.id}`);
    expect(show.stdout).toMatch(/customer notes: /);
    expect((await run(['bookings', 'show', 'bkg_nope', '--db', db])).code).toBe(1);

    const queue = json<QueueWindow>(await run(['queue', '--db', db, '--limit', '1000', '--json']));
    expect(queue.total).toBe(pendingOnServer.length);
    const created = queue.items.map((r) => r.createdAt);
    expect(created).toEqual([...created].sort());
  });

  it('approve leaves the queue at once and status counts it; notes are set and shown; outbox lists and withdraws only what was not sent', async () => {
    const db = await syncedReplica();
    const before = json<{ replica: { pending: number } }>(await run(['status', '--db', db, '--json']));
    const [first] = json<QueueWindow>(await run(['queue', '--db', db, '--json'])).items;
    const approve = await run(['approve', first!.id, '--db', db]);
    expect(approve.code, approve.stderr).toBe(0);
    const approveId = approve.stdout.trim();
    const after = json<{ replica: { pending: number }; outboxLength: number }>(await run(['status', '--db', db, '--json']));
    expect(after.replica.pending).toBe(before.replica.pending - 1);
    expect(after.outboxLength).toBe(1);
    expect(json<QueueWindow>(await run(['queue', '--db', db, '--limit', '1000', '--json'])).items.map((r) => r.id)).not.toContain(first!.id);

    const setNotes = await run(['notes', first!.id, '--text', 'Arriving at 9:15, two bikes', '--db', db]);
    expect(setNotes.code, setNotes.stderr).toBe(0);
    const shown = await run(['notes', first!.id, '--db', db]);
    expect(shown.stdout).toContain('customer notes (');
    expect(shown.stdout).toContain('Arriving at 9:15, two bikes');

    const list = json<IntentView[]>(await run(['outbox', 'list', '--db', db, '--json']));
    expect(list.map((i) => i.kind).sort()).toEqual(['booking.approve', 'booking.notes']);
    const withdraw = await run(['outbox', 'withdraw', approveId, '--db', db]);
    expect(withdraw.code, withdraw.stderr).toBe(0);
    expect(json<IntentView[]>(await run(['intents', 'list', '--db', db, '--json'])).map((i) => i.kind)).toEqual(['booking.notes']);
    expect(json<{ replica: { pending: number } }>(await run(['status', '--db', db, '--json'])).replica.pending).toBe(before.replica.pending);
    const again = await run(['outbox', 'withdraw', approveId, '--db', db]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('only an action that has not been sent can be withdrawn');
  });

  it('cancel --preview prints the refund and queues nothing; the cancel sent by sync gets that refund from the server', async () => {
    const db = await syncedReplica();
    // A CONFIRMED booking starting in more than two days: far from any policy's boundary.
    const target = await serverBooking('CONFIRMED', (b) => b.items.length > 0 && Date.parse(b.items[0]!.startsAt) > Date.now() + 50 * 3600_000);
    const outbox = countRows(db, 'outbox');
    const preview = await run(['cancel', target.id, '--preview', '--db', db]);
    expect(preview.code, preview.stderr).toBe(0);
    const percent = /refund: (\d+) %/.exec(preview.stdout)?.[1];
    expect(percent, preview.stdout).toBeDefined();
    expect(preview.stdout).toContain('nothing queued');
    expect(countRows(db, 'outbox')).toBe(outbox);

    const cancel = await run(['cancel', target.id, '--reason', 'customer_request', '--db', db, '--json']);
    const out = json<{ preview: CancelPreview; intentId: string }>(cancel);
    expect(out.preview.refundPercent).toBe(Number(percent));
    expect(out.intentId).toMatch(/^[0-9a-f-]{36}$/);
    const sync = await run(['sync', '--once', '--api', s.url, '--key', KEY, '--db', db]);
    expect(sync.code, sync.stderr + sync.stdout).toBe(0);
    const server = await s.getJson<ServerBooking>(`/api/bookings/${target.id}`);
    expect(server).toMatchObject({ status: 'CANCELLED', refundPercent: Number(percent) });
  });

  it('approve of a COMPLETED booking says so; a read-only key refuses approve with the reason and leaves the outbox as it was', async () => {
    const db = await syncedReplica();
    const completed = await serverBooking('COMPLETED');
    const r = await run(['approve', completed.id, '--db', db]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Booking ${completed.id} is COMPLETED; it cannot be approved`);
    expect(r.stdout + r.stderr).not.toContain('already');

    const ro = await syncedReplica(READ_ONLY);
    const pending = await serverBooking('PENDING');
    const before = countRows(ro, 'outbox');
    const refused = await run(['approve', pending.id, '--db', ro]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('This API key is read-only (it lacks the write scope).');
    expect(countRows(ro, 'outbox')).toBe(before);
    const status = await run(['status', '--db', ro]);
    expect(status.stdout).toContain('api key:     read-only');
  });

  it('sync --once exits 3 when the server refuses a queued action; conflicts list and resolve it', async () => {
    const db = await syncedReplica();
    const target = await serverBooking('PENDING');
    expect((await run(['approve', target.id, '--db', db])).code).toBe(0);
    await s.adminJson('POST', '/simulate/customer-cancel', { bookingId: target.id });
    const sync = await run(['sync', '--once', '--api', s.url, '--key', KEY, '--db', db]);
    expect(sync.code, sync.stdout + sync.stderr).toBe(3);
    expect(sync.stderr).toContain('the server refused 1 queued action');
    const conflicts = json<Array<{ id: string; code: string }>>(await run(['conflicts', 'list', '--db', db, '--json']));
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]!.code).toBe('BOOKING_NOT_PENDING');
    const resolve = await run(['conflicts', 'resolve', conflicts[0]!.id, '--discard', '--db', db]);
    expect(resolve.code, resolve.stderr).toBe(0);
    expect(json<unknown[]>(await run(['conflicts', 'list', '--db', db, '--json']))).toEqual([]);
    expect((await run(['conflicts', 'resolve', conflicts[0]!.id, '--discard', '--db', db])).code).toBe(1);
  });

  it('sync --once --timeout 5 against a stopped server gives up (bounded: killed at 15 s), exit 1, saying the queued actions are kept', async () => {
    const other = await startTestSandbox({ seed: 'demo', keys: [KEY] });
    try {
      const db = await syncedReplica(KEY, other.url);
      const first = (await other.listAll<ServerBooking>('/api/bookings?status=PENDING')).find((b) => b.riskReviewStatus !== 'HELD');
      expect((await run(['approve', first!.id, '--db', db])).code).toBe(0);
      await other.close();
      const r = await run(['sync', '--once', '--timeout', '5', '--api', other.url, '--key', KEY, '--db', db], { timeoutMs: 15_000 });
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stderr).toContain(`sync: contacting ${other.url}`);
      expect(r.stderr).toMatch(/sync: offline: The Orkestr server cannot be reached/);
      expect(r.stderr).toContain('1 queued action is kept in the replica and sent by the next sync');
      expect(countRows(db, 'outbox')).toBe(1);
    } finally {
      await other.dispose();
    }
  });
});
