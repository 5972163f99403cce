/**
 * The sync engine against the real sandbox over HTTP: initial + incremental sync, offline intents
 * replayed later, idempotent replays, conflicts and their three choices, 429 / 5xx / dropped
 * connections, a revoked key, and a console restart mid-queue.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ContractEvents, EventName } from '../../src/shared/contract/types.ts';
import { ConsoleCore, type ConsoleCoreOptions } from '../../src/main/core/core.ts';
import { KEY, listAll, sandbox, waitFor, type TestSandbox } from './helpers.ts';

interface RemoteBooking {
  id: string;
  status: string;
  version: number;
  items: Array<{ id: string; startsAt: string; endsAt: string }>;
}

let s: TestSandbox;
const cores: ConsoleCore[] = [];

function openCore(extra: Partial<ConsoleCoreOptions> = {}, file = 'replica.db'): ConsoleCore {
  const core = new ConsoleCore({ dbFile: join(s.dir, file), api: { url: s.url, key: KEY }, transport: 'bridge', appVersion: 'test', holdMs: 0, retryCapMs: 4000, ...extra });
  cores.push(core);
  return core;
}

async function closeAll(): Promise<void> {
  for (const c of cores.splice(0)) await c.close();
}

function record(core: ConsoleCore): Array<{ event: EventName; payload: unknown }> {
  const events: Array<{ event: EventName; payload: unknown }> = [];
  core.on((event, payload) => events.push({ event, payload }));
  return events;
}

async function serverBooking(id: string, key = KEY): Promise<RemoteBooking> {
  return s.api<RemoteBooking>(`/api/bookings/${id}`, key);
}

async function effectsFor(keys: string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>(keys.map((k) => [k, 0]));
  for (const e of await s.effects()) if (counts.has(e.idempotencyKey)) counts.set(e.idempotencyKey, counts.get(e.idempotencyKey)! + 1);
  return counts;
}

function intentKey(core: ConsoleCore, intentId: string): string {
  return core.outbox.get(intentId)!.idempotency_key;
}

beforeEach(async () => {
  s = await sandbox();
});

afterEach(async () => {
  await closeAll();
  await s.close();
});

describe('pull', () => {
  it('initial sync copies every booking, offering and coupon; incremental sync brings only changes', async () => {
    const core = openCore();
    const events = record(core);
    const r = await core.runOnce(30_000);
    expect(r).toMatchObject({ pulled: true, pushed: true });
    const server = await listAll<RemoteBooking>(s, '/api/bookings');
    const count = (t: string): number => (core.replica.sqlite.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n;
    expect(count('bookings')).toBe(server.length);
    expect(count('offerings')).toBe((await listAll(s, '/api/offerings?status=ALL&includeDeleted=true')).length);
    expect(count('coupons')).toBe((await listAll(s, '/api/coupons?includeDeleted=true')).length);
    expect(count('availability_rules')).toBeGreaterThan(0);
    expect(core.tenant()?.subdomain).toBe('atlas');
    expect(events.some((e) => e.event === 'sync.status' && (e.payload as ContractEvents['sync.status']).connection === 'syncing')).toBe(true);
    for (const b of server.slice(0, 50)) expect(core.bookingDetail(b.id)?.serverStatus).toBe(b.status);

    // A change on the server: a customer cancels a PENDING booking; a new booking arrives.
    const pending = server.find((b) => b.status === 'PENDING')!;
    await s.admin('POST', '/simulate/customer-cancel', { bookingId: pending.id });
    const created = await s.admin<{ id?: string; booking?: { id: string } }>('POST', '/simulate/booking', {});
    const newId = created.id ?? created.booking!.id;
    const before = core.replica.getSyncState('bookings').rowsSeen;
    expect((await core.runOnce(30_000)).pulled).toBe(true);
    expect(core.replica.getSyncState('bookings').rowsSeen - before).toBe(2);
    expect(core.bookingDetail(pending.id)?.status).toBe('CANCELLED');
    expect(core.bookingDetail(newId)?.status).toBe('PENDING');
  });

  it('polls PENDING bookings and announces new ones with queue.new', async () => {
    const core = openCore({ pollIntervalMs: 100, reconcileIntervalMs: 60_000 });
    const events = record(core);
    core.start();
    await waitFor('initial sync', () => core.replica.getSyncState('bookings').complete && core.status().lastSyncAt);
    const created = await s.admin<{ id?: string; booking?: { id: string } }>('POST', '/simulate/booking', {});
    const newId = created.id ?? created.booking!.id;
    await waitFor('queue.new', () => events.some((e) => e.event === 'queue.new' && (e.payload as ContractEvents['queue.new']).bookingIds.includes(newId)));
    expect(core.queue().some((b) => b.id === newId)).toBe(true);
  });

  it('a killed initial sync resumes from the stored cursor', async () => {
    const core = openCore();
    // Simulate a sync killed after the first page: keep only the first page's cursor.
    const page = await s.api<{ data: RemoteBooking[]; nextCursor: string }>('/api/bookings?limit=100');
    core.replica.transaction(() => {
      for (const b of page.data) core.replica.applyRemoteBooking(b as never);
      core.replica.setSyncState('bookings', { cursor: page.nextCursor, addRows: page.data.length });
    });
    await core.runOnce(30_000);
    const total = (await listAll(s, '/api/bookings')).length;
    // rows_seen counts rows fetched: 100 before + the rest, never the first 100 again.
    expect(core.replica.getSyncState('bookings').rowsSeen).toBe(total);
    expect((core.replica.sqlite.prepare('SELECT COUNT(*) AS n FROM bookings').get() as { n: number }).n).toBe(total);
  });
});

describe('push', () => {
  it('an approval made offline is replayed later, exactly once', async () => {
    const core = openCore();
    await core.runOnce(30_000);
    await core.close();
    // Offline: the server is unreachable (a closed port).
    const offline = openCore({ api: { url: 'http://127.0.0.1:9', key: KEY } });
    const target = offline.queue()[0]!;
    const intentId = offline.approve(target.id)!;
    expect(offline.bookingDetail(target.id)).toMatchObject({ status: 'CONFIRMED', serverStatus: 'PENDING', syncState: 'pending' });
    const r = await offline.runOnce(1500);
    expect(r.pushed).toBe(false);
    expect(offline.status().connection).toBe('offline');
    expect(offline.status().outboxLength).toBe(1);
    await offline.close();
    // Back online.
    const online = openCore();
    const r2 = await online.runOnce(30_000);
    expect(r2).toMatchObject({ pulled: true, pushed: true });
    expect((await serverBooking(target.id)).status).toBe('CONFIRMED');
    expect(online.bookingDetail(target.id)).toMatchObject({ status: 'CONFIRMED', serverStatus: 'CONFIRMED', syncState: 'synced' });
    expect((await effectsFor([intentKey(online, intentId)])).get(intentKey(online, intentId))).toBe(1);
  });

  it('replaying an intent twice (crash before the answer was stored) makes one server effect', async () => {
    const core = openCore();
    await core.runOnce(30_000);
    const target = core.queue()[0]!;
    const intentId = core.approve(target.id)!;
    await core.runOnce(30_000);
    expect(core.outbox.get(intentId)!.state).toBe('done');
    // As if the process died after sending but before recording the answer: the intent is queued again.
    core.replica.sqlite.prepare("UPDATE outbox SET state = 'queued' WHERE id = ?").run(intentId);
    core.replica.refreshBookingOverlay(target.id);
    const r = await core.runOnce(30_000);
    expect(r.sent).toBe(1);
    expect(core.outbox.get(intentId)!.state).toBe('done');
    const key = intentKey(core, intentId);
    expect((await effectsFor([key])).get(key)).toBe(1);
    expect((await s.effects()).filter((e) => e.targetId === target.id)).toHaveLength(1);
  });

  it('approve of an already-confirmed booking converges', async () => {
    const core = openCore();
    await core.runOnce(30_000);
    const target = core.queue()[0]!;
    const intentId = core.approve(target.id)!;
    // Someone else approves it on the server first.
    const res = await fetch(`${s.url}/v1/api/bookings/${target.id}/approve`, { method: 'POST', headers: { authorization: `Bearer ${KEY}` } });
    expect(res.status).toBe(200);
    await core.runOnce(30_000);
    expect(core.outbox.get(intentId)!.state).toBe('done');
    expect(core.conflicts()).toHaveLength(0);
  });

  it('a booking cancelled on the server while approved offline → one needs-attention entry; each choice works', async () => {
    const core = openCore();
    await core.runOnce(30_000);
    const [a, b, c] = core.queue();
    const ids = { discard: core.approve(a!.id)!, retry: core.approve(b!.id)!, takeServer: core.approve(c!.id)! };
    for (const t of [a, b, c]) await s.admin('POST', '/simulate/customer-cancel', { bookingId: t!.id });
    // Another intent on an unrelated booking is not blocked by the conflicts.
    const other = core.queue().find((x) => ![a, b, c].some((t) => t!.id === x.id))!;
    const otherIntent = core.approve(other.id)!;
    const r = await core.runOnce(30_000);
    expect(r.conflicts).toBe(3);
    expect(core.outbox.get(otherIntent)!.state).toBe('done');
    const conflicts = core.conflicts();
    expect(conflicts).toHaveLength(3);
    const byIntent = new Map(conflicts.map((x) => [x.intent.id, x]));
    const cd = byIntent.get(ids.discard)!;
    expect(cd).toMatchObject({ httpStatus: 409, code: 'BOOKING_NOT_PENDING' });
    expect((cd.server as { status: string }).status).toBe('CANCELLED');
    expect((cd.local as { status: string }).status).toBe('CONFIRMED');
    expect(core.bookingDetail(a!.id)).toMatchObject({ status: 'CANCELLED', syncState: 'attention' });
    expect(core.status().conflicts).toBe(3);

    // discard: the intent is dropped, the booking shows the server's truth.
    expect(await core.handlers['conflicts.resolve']({ id: cd.id, choice: 'discard' })).toEqual({ resolved: true });
    expect(core.outbox.get(ids.discard)!.state).toBe('discarded');
    expect(core.bookingDetail(a!.id)).toMatchObject({ status: 'CANCELLED', syncState: 'synced' });

    // takeServer: same, with the record re-read from the server.
    await core.handlers['conflicts.resolve']({ id: byIntent.get(ids.takeServer)!.id, choice: 'takeServer' });
    expect(core.outbox.get(ids.takeServer)!.state).toBe('discarded');
    expect(core.bookingDetail(c!.id)).toMatchObject({ status: 'CANCELLED', serverStatus: 'CANCELLED', syncState: 'synced' });

    // retry: sent again under a new key; the server still refuses → a new single entry.
    await core.handlers['conflicts.resolve']({ id: byIntent.get(ids.retry)!.id, choice: 'retry' });
    expect(core.outbox.get(ids.retry)!.state).toBe('queued');
    await core.runOnce(30_000);
    const left = core.conflicts();
    expect(left).toHaveLength(1);
    expect(left[0]!.intent.id).toBe(ids.retry);
    expect(core.status().conflicts).toBe(1);
    // No refused attempt changed anything on the server.
    expect((await s.effects()).filter((e) => [a, b, c].some((t) => t!.id === e.targetId && e.kind.includes('approve')))).toHaveLength(0);
  });

  it('reschedule to a taken or closed slot lands in needs attention with the server truth', async () => {
    const core = openCore();
    await core.runOnce(30_000);
    const target = core.queue()[0]!;
    const item = target.items[0]!;
    // 03:00 local on some day: outside any opening hours.
    const day = new Date(Date.parse(item.startsAt) + 7 * 86_400_000).toISOString().slice(0, 10);
    const intentId = core.reschedule(target.id, item.id, `${day}T07:59:00.000Z`, `${day}T08:29:00.000Z`);
    expect(core.bookingDetail(target.id)!.items[0]!.startsAt).toBe(`${day}T07:59:00.000Z`);
    await core.runOnce(30_000);
    const state = core.outbox.get(intentId)!.state;
    if (state === 'attention') {
      const [c] = core.conflicts();
      expect(c!.code).toMatch(/SLOT_/);
      expect(core.bookingDetail(target.id)!.items[0]!.startsAt).toBe(item.startsAt);
    } else {
      expect(state).toBe('done');
      expect((await serverBooking(target.id)).items[0]!.startsAt).toBe(`${day}T07:59:00.000Z`);
    }
  });

  it('offerings and coupons created offline get their server ids; queued patches follow', async () => {
    const core = openCore();
    await core.runOnce(30_000);
    const created = await core.handlers['offerings.create']({ fields: { title: 'Offline Loft', productTypeKey: 'space', basePriceCents: 5000, currency: 'USD' } });
    await core.handlers['offerings.patch']({ id: created.id, fields: { title: 'Offline Loft XL' } });
    const coupon = await core.handlers['coupons.create']({ fields: { code: 'offline10', kind: 'PERCENT', amount: 10 } });
    await core.handlers['coupons.delete']({ id: coupon.id });
    const r = await core.runOnce(30_000);
    expect(r).toMatchObject({ pushed: true, conflicts: 0 });
    const serverId = core.outbox.resolveId(created.id);
    expect(serverId).toMatch(/^off_/);
    const remote = await s.api<{ title: string }>(`/api/offerings/${serverId}`);
    expect(remote.title).toBe('Offline Loft XL');
    expect((await core.handlers['offerings.list']({})).find((o) => o.id === serverId)).toMatchObject({ title: 'Offline Loft XL', syncState: 'synced' });
    const cid = core.outbox.resolveId(coupon.id);
    expect(cid).toMatch(/^cpn_/);
    expect((await core.handlers['coupons.list']({ includeDeleted: true })).find((c) => c.id === cid)).toMatchObject({ code: 'OFFLINE10', deleted: true });
  });

  it('an undone intent never reaches the server', async () => {
    const core = openCore({ holdMs: 60_000 });
    await core.runOnce(30_000);
    const target = core.queue()[0]!;
    const { intentId } = await core.handlers['bookings.approve']({ id: target.id });
    expect((await core.handlers['intents.list']({})).find((i) => i.id === intentId)?.state).toBe('held');
    expect(await core.handlers['intents.undo']({ id: intentId! })).toEqual({ undone: true });
    await core.runOnce(5_000);
    expect((await serverBooking(target.id)).status).toBe('PENDING');
    expect(core.queue().some((b) => b.id === target.id)).toBe(true);
  });
});

describe('faults', { timeout: 120_000 }, () => {
  async function approveMany(core: ConsoleCore, n: number): Promise<string[]> {
    return core.queue().slice(0, n).map((b) => core.approve(b.id)!);
  }

  async function expectExactlyOnce(core: ConsoleCore, intents: string[]): Promise<void> {
    for (const id of intents) expect(core.outbox.get(id)!.state).toBe('done');
    const keys = intents.map((id) => intentKey(core, id));
    const counts = await effectsFor(keys);
    for (const k of keys) expect(counts.get(k)).toBe(1);
  }

  it('survives a 429 storm (another client drains the same key) and obeys Retry-After', async () => {
    const core = openCore();
    await core.runOnce(30_000);
    const intents = await approveMany(core, 8);
    await s.admin('PUT', '/faults', { rateLimitPerMinute: 120 });
    // Someone else burns the key's whole bucket.
    let limited = 0;
    for (let i = 0; i < 400 && limited < 3; i++) {
      const res = await fetch(`${s.url}/v1/api/me`, { headers: { authorization: `Bearer ${KEY}` } });
      await res.arrayBuffer();
      if (res.status === 429) limited++;
    }
    expect(limited).toBeGreaterThan(0);
    const r = await core.runOnce(60_000);
    expect(r.pushed).toBe(true);
    await expectExactlyOnce(core, intents);
    // The core met the empty bucket (a 429 with Retry-After blocked the shared budget).
    expect(core.engine.api!.budget.blockedUntil).toBeGreaterThan(0);
  });

  it('5xx answers (errorRate 0.5) are retried until every intent lands once', async () => {
    const core = openCore();
    await core.runOnce(30_000);
    const intents = await approveMany(core, 10);
    await s.admin('PUT', '/faults', { errorRate: 0.5 });
    const r = await core.runOnce(60_000);
    expect(r.pushed).toBe(true);
    await expectExactlyOnce(core, intents);
    expect(intents.reduce((n, id) => n + core.outbox.get(id)!.attempts, 0)).toBeGreaterThan(intents.length);
  });

  it('dropped connections (the answer is lost after the server acted) never apply an intent twice', async () => {
    const core = openCore();
    await core.runOnce(30_000);
    const intents = await approveMany(core, 10);
    await s.admin('PUT', '/faults', { dropRate: 0.5 });
    const r = await core.runOnce(60_000);
    expect(r.pushed).toBe(true);
    await s.admin('DELETE', '/faults');
    await expectExactlyOnce(core, intents);
    expect(intents.reduce((n, id) => n + core.outbox.get(id)!.attempts, 0)).toBeGreaterThan(intents.length);
  });

  it('a revoked key pauses sync with a reason, keeps the outbox, and resumes with a new key', async () => {
    const core = openCore({ pollIntervalMs: 100 });
    await core.runOnce(30_000);
    const me = await s.api<{ keyId: string }>('/api/me');
    await s.admin('POST', `/keys/${me.keyId}/revoke`);
    core.start();
    const target = core.queue()[0]!;
    const intentId = core.approve(target.id)!;
    await waitFor('paused', () => core.status().connection === 'paused');
    expect(core.status().reason).toMatch(/rejected|revoked/i);
    expect(core.status().reasonCode).toBe('keyRejected');
    expect(core.status().outboxLength).toBe(1);
    expect(core.outbox.get(intentId)!.state).toBe('queued');
    const fresh = await s.admin<{ token: string }>('POST', '/keys', {});
    const session = await core.handlers['settings.connect']({ apiUrl: s.url, apiKey: fresh.token, keep: 'session' });
    expect(session.mode).toBe('connected');
    await waitFor('drained', () => core.outbox.get(intentId)!.state === 'done');
    expect(core.status().connection).not.toBe('paused');
    expect((await serverBooking(target.id, fresh.token)).status).toBe('CONFIRMED');
  });

  it('a console restarted mid-queue drains the rest exactly once', async () => {
    const core = openCore({ pollIntervalMs: 50 });
    await core.runOnce(30_000);
    const intents = await approveMany(core, 12);
    await s.admin('PUT', '/faults', { latencyMs: 60 });
    core.start();
    await waitFor('some sent', () => intents.some((id) => core.outbox.get(id)!.state === 'done'));
    await core.close();
    const reopened = openCore();
    const left = intents.filter((id) => reopened.outbox.get(id)!.state !== 'done');
    expect(left.length).toBeGreaterThan(0);
    await s.admin('DELETE', '/faults');
    const r = await reopened.runOnce(30_000);
    expect(r.pushed).toBe(true);
    await expectExactlyOnce(reopened, intents);
  });
});
