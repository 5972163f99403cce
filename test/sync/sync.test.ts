/**
 * The sync engine against the real sandbox over HTTP, through the contract only (createCore +
 * dispatchCall; what is stored is read from the replica file): initial + incremental sync, offline
 * intents replayed later, idempotent replays, conflicts and their three choices, 429 / 5xx / dropped
 * connections, a revoked key, and a console restart mid-queue.
 */
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConsoleCoreOptions } from '../../src/main/core/index.ts';
import { countRows, openCore, readReplica, storedIntent, type TestCore } from '../support/core.ts';
import { LOSE_ANSWER, startRecordingProxy, type RecordingProxy } from '../support/recording-proxy.ts';
import type { SandboxFixture } from '../support/sandbox.ts';
import { waitFor } from '../support/wait-for.ts';
import { KEY, sandbox } from './helpers.ts';

interface RemoteBooking {
  id: string;
  status: string;
  version: number;
  items: Array<{ id: string; startsAt: string; endsAt: string }>;
}

let s: SandboxFixture;
const cores: TestCore[] = [];
const proxies: RecordingProxy[] = [];

function open(extra: Partial<ConsoleCoreOptions> = {}, file = 'replica.db'): TestCore {
  const c = openCore({ dbFile: join(s.dir, file), api: { url: s.url, key: KEY }, transport: 'bridge', appVersion: 'test', holdMs: 0, retryCapMs: 4000, ...extra });
  cores.push(c);
  return c;
}

async function closeAll(): Promise<void> {
  for (const c of cores.splice(0)) await c.core.close();
}

async function serverBooking(id: string, key = KEY): Promise<RemoteBooking> {
  return s.getJson<RemoteBooking>(`/api/bookings/${id}`, key);
}

async function effectsFor(keys: string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>(keys.map((k) => [k, 0]));
  for (const e of await s.effects()) if (counts.has(e.idempotencyKey)) counts.set(e.idempotencyKey, counts.get(e.idempotencyKey)! + 1);
  return counts;
}

async function intent(c: TestCore, id: string): Promise<{ state: string; attempts: number }> {
  const found = (await c.call('intents.list')).find((i) => i.id === id);
  if (!found) throw new Error(`intent ${id} is not listed`);
  return found;
}

const rowsSeen = (c: TestCore, resource: string): number => readReplica(c.dbFile, (db) => (db.prepare('SELECT rows_seen AS n FROM sync_state WHERE resource = ?').get(resource) as { n: number } | undefined)?.n ?? 0);

beforeEach(async () => {
  s = await sandbox();
});

afterEach(async () => {
  await closeAll();
  for (const p of proxies.splice(0)) await p.close();
  await s.dispose();
});

describe('pull', () => {
  it('initial sync copies every booking, offering and coupon; incremental sync brings only changes', async () => {
    const c = open();
    const r = await c.core.runOnce(30_000);
    expect(r).toMatchObject({ pulled: true, pushed: true });
    const server = await s.listAll<RemoteBooking>('/api/bookings');
    expect(countRows(c.dbFile, 'bookings')).toBe(server.length);
    expect((await c.call('bookings.list', { offset: 0, limit: 1 })).total).toBe(server.length);
    expect(countRows(c.dbFile, 'offerings')).toBe((await s.listAll('/api/offerings?status=ALL&includeDeleted=true')).length);
    expect(countRows(c.dbFile, 'coupons')).toBe((await s.listAll('/api/coupons?includeDeleted=true')).length);
    expect(countRows(c.dbFile, 'availability_rules')).toBeGreaterThan(0);
    expect((await c.call('session.info')).tenant?.subdomain).toBe('atlas');
    expect(c.eventsOf('sync.status').some((st) => st.connection === 'syncing')).toBe(true);
    const sample = server.slice(0, 50);
    expect(sample).toHaveLength(50);
    for (const b of sample) expect((await c.call('bookings.get', { id: b.id }))?.serverStatus).toBe(b.status);

    // A change on the server: a customer cancels a PENDING booking; a new booking arrives.
    const pending = server.find((b) => b.status === 'PENDING')!;
    await s.adminJson('POST', '/simulate/customer-cancel', { bookingId: pending.id });
    const created = await s.adminJson<{ id?: string; booking?: { id: string } }>('POST', '/simulate/booking', {});
    const newId = created.id ?? created.booking!.id;
    const before = rowsSeen(c, 'bookings');
    expect((await c.core.runOnce(30_000)).pulled).toBe(true);
    expect(rowsSeen(c, 'bookings') - before).toBe(2);
    expect((await c.call('bookings.get', { id: pending.id }))?.status).toBe('CANCELLED');
    expect((await c.call('bookings.get', { id: newId }))?.status).toBe('PENDING');
  });

  it('polls PENDING bookings and announces new ones with queue.new', async () => {
    const c = open({ pollIntervalMs: 100, reconcileIntervalMs: 60_000 });
    c.core.start();
    await waitFor(async () => (await c.call('sync.status')).lastSyncAt, 'initial sync');
    const created = await s.adminJson<{ id?: string; booking?: { id: string } }>('POST', '/simulate/booking', {});
    const newId = created.id ?? created.booking!.id;
    await waitFor(() => c.eventsOf('queue.new').some((e) => e.bookingIds.includes(newId)), 'queue.new');
    expect((await c.call('queue.window', { limit: 1000 })).items.some((b) => b.id === newId)).toBe(true);
  });

  it('an initial sync cut off after its first page resumes from the stored cursor', async () => {
    // More bookings than one page (500), and a server that fails every later page for a while.
    await s.dispose();
    s = await sandbox({ seed: { bookings: 1200, offerings: 4 } });
    const proxy = await startRecordingProxy(s.url);
    proxies.push(proxy);
    const later = /\/v1\/api\/bookings\?limit=500&cursor=/;
    proxy.inject({ method: 'GET', path: later }, { status: 503, body: { error: { code: 'UNAVAILABLE', message: 'injected' } } }, 1000);
    const cut = open({ api: { url: proxy.url, key: KEY } });
    expect((await cut.core.runOnce(3000)).pulled).toBe(false);
    expect(rowsSeen(cut, 'bookings')).toBe(500);
    await closeAll();

    proxy.clear();
    const since = proxy.requests.length;
    const resumed = open({ api: { url: proxy.url, key: KEY } });
    expect((await resumed.core.runOnce(30_000)).pulled).toBe(true);
    const total = (await s.listAll('/api/bookings')).length;
    expect(total).toBe(1200);
    // rows_seen counts rows fetched: 500 before + the rest, never the first 500 again.
    expect(rowsSeen(resumed, 'bookings')).toBe(total);
    expect(countRows(resumed.dbFile, 'bookings')).toBe(total);
    const bookingReads = proxy.requests.slice(since).filter((r) => r.path.startsWith('/v1/api/bookings?limit='));
    expect(bookingReads.length).toBeGreaterThan(0);
    expect(bookingReads[0]!.path).toMatch(later);
  });
});

describe('a run with a deadline', () => {
  it('says offline, not "error", when its deadline cuts off an attempt the server never answers', async () => {
    // The first connection is dropped and later ones are never answered, so the deadline of runOnce
    // ends an attempt in flight (CI once saw "error" here, with the abort's message, after an offline run).
    let connections = 0;
    const sockets = new Set<Socket>();
    const server = createServer(() => {});
    server.on('connection', (socket) => {
      sockets.add(socket);
      if (connections++ === 0) socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const c = open({ api: { url: `http://127.0.0.1:${port}`, key: KEY } }, 'deadline.db');
      const r = await c.core.runOnce(1500);
      expect(r.pulled).toBe(false);
      expect(connections).toBeGreaterThanOrEqual(2);
      expect(await c.call('sync.status')).toMatchObject({ connection: 'offline' });
    } finally {
      for (const socket of sockets) socket.destroy();
      server.close();
    }
  });
});

describe('push', () => {
  it('an approval made offline is replayed later, exactly once', async () => {
    const first = open();
    await first.core.runOnce(30_000);
    await closeAll();
    // Offline: the server is unreachable (a closed port).
    const offline = open({ api: { url: 'http://127.0.0.1:9', key: KEY } });
    const target = (await offline.call('queue.window', { limit: 1000 })).items[0]!;
    const { intentId } = await offline.call('bookings.approve', { id: target.id });
    expect(await offline.call('bookings.get', { id: target.id })).toMatchObject({ status: 'CONFIRMED', serverStatus: 'PENDING', syncState: 'pending' });
    const r = await offline.core.runOnce(1500);
    expect(r.pushed).toBe(false);
    expect(await offline.call('sync.status')).toMatchObject({ connection: 'offline', outboxLength: 1 });
    await closeAll();
    // Back online.
    const online = open();
    const r2 = await online.core.runOnce(30_000);
    expect(r2).toMatchObject({ pulled: true, pushed: true });
    expect((await serverBooking(target.id)).status).toBe('CONFIRMED');
    expect(await online.call('bookings.get', { id: target.id })).toMatchObject({ status: 'CONFIRMED', serverStatus: 'CONFIRMED', syncState: 'synced' });
    const key = storedIntent(online.dbFile, intentId!).idempotency_key;
    expect((await effectsFor([key])).get(key)).toBe(1);
  });

  it('an answer lost after the server acted: the intent is sent again under its key and makes one server effect', async () => {
    const proxy = await startRecordingProxy(s.url);
    proxies.push(proxy);
    const c = open({ api: { url: proxy.url, key: KEY } });
    await c.core.runOnce(30_000);
    const target = (await c.call('queue.window', { limit: 1000 })).items[0]!;
    proxy.inject({ method: 'POST', path: new RegExp(`/bookings/${target.id}/approve$`) }, LOSE_ANSWER);
    const { intentId } = await c.call('bookings.approve', { id: target.id });
    const r = await c.core.runOnce(30_000);
    expect(r).toMatchObject({ pushed: true, sent: 1 });
    expect(await intent(c, intentId!)).toMatchObject({ state: 'done', attempts: 2 });
    const sends = proxy.requests.filter((q) => q.method === 'POST' && q.path.endsWith(`/bookings/${target.id}/approve`));
    expect(sends.map((q) => q.injected)).toEqual([0, null]);
    const key = storedIntent(c.dbFile, intentId!).idempotency_key;
    expect((await effectsFor([key])).get(key)).toBe(1);
    expect((await s.effects()).filter((e) => e.targetId === target.id)).toHaveLength(1);
  });

  it('approve of an already-confirmed booking converges', async () => {
    const c = open();
    await c.core.runOnce(30_000);
    const target = (await c.call('queue.window', { limit: 1000 })).items[0]!;
    const { intentId } = await c.call('bookings.approve', { id: target.id });
    // Someone else approves it on the server first.
    expect((await s.api('POST', `/v1/api/bookings/${target.id}/approve`)).status).toBe(200);
    await c.core.runOnce(30_000);
    expect((await intent(c, intentId!)).state).toBe('done');
    expect(await c.call('conflicts.list')).toHaveLength(0);
  });

  it('a booking cancelled on the server while approved offline → one needs-attention entry; each choice works', async () => {
    const c = open();
    await c.core.runOnce(30_000);
    const [a, b, t] = (await c.call('queue.window', { limit: 1000 })).items;
    const ids = {
      discard: (await c.call('bookings.approve', { id: a!.id })).intentId!,
      retry: (await c.call('bookings.approve', { id: b!.id })).intentId!,
      takeServer: (await c.call('bookings.approve', { id: t!.id })).intentId!,
    };
    for (const x of [a, b, t]) await s.adminJson('POST', '/simulate/customer-cancel', { bookingId: x!.id });
    // Another intent on an unrelated booking is not blocked by the conflicts.
    const other = (await c.call('queue.window', { limit: 1000 })).items.find((x) => ![a, b, t].some((y) => y!.id === x.id))!;
    const otherIntent = (await c.call('bookings.approve', { id: other.id })).intentId!;
    const r = await c.core.runOnce(30_000);
    expect(r.conflicts).toBe(3);
    expect((await intent(c, otherIntent)).state).toBe('done');
    const conflicts = await c.call('conflicts.list');
    expect(conflicts).toHaveLength(3);
    const byIntent = new Map(conflicts.map((x) => [x.intent.id, x]));
    const cd = byIntent.get(ids.discard)!;
    expect(cd).toMatchObject({ httpStatus: 409, code: 'BOOKING_NOT_PENDING' });
    expect((cd.server as { status: string }).status).toBe('CANCELLED');
    expect((cd.local as { status: string }).status).toBe('CONFIRMED');
    expect(await c.call('bookings.get', { id: a!.id })).toMatchObject({ status: 'CANCELLED', syncState: 'attention' });
    expect((await c.call('sync.status')).conflicts).toBe(3);

    // discard: the intent is dropped, the booking shows the server's truth.
    expect(await c.call('conflicts.resolve', { id: cd.id, choice: 'discard' })).toEqual({ resolved: true });
    expect((await intent(c, ids.discard)).state).toBe('discarded');
    expect(await c.call('bookings.get', { id: a!.id })).toMatchObject({ status: 'CANCELLED', syncState: 'synced' });

    // takeServer: same, with the record re-read from the server.
    await c.call('conflicts.resolve', { id: byIntent.get(ids.takeServer)!.id, choice: 'takeServer' });
    expect((await intent(c, ids.takeServer)).state).toBe('discarded');
    expect(await c.call('bookings.get', { id: t!.id })).toMatchObject({ status: 'CANCELLED', serverStatus: 'CANCELLED', syncState: 'synced' });

    // retry: sent again under a new key; the server still refuses → a new single entry.
    await c.call('conflicts.resolve', { id: byIntent.get(ids.retry)!.id, choice: 'retry' });
    expect((await intent(c, ids.retry)).state).toBe('queued');
    await c.core.runOnce(30_000);
    const left = await c.call('conflicts.list');
    expect(left).toHaveLength(1);
    expect(left[0]!.intent.id).toBe(ids.retry);
    expect((await c.call('sync.status')).conflicts).toBe(1);
    // No refused attempt changed anything on the server.
    expect((await s.effects()).filter((e) => [a, b, t].some((x) => x!.id === e.targetId && e.kind.includes('approve')))).toHaveLength(0);
  });

  it('reschedule to a slot the server refuses lands in needs attention with the server truth', async () => {
    const c = open();
    await c.core.runOnce(30_000);
    const target = (await c.call('queue.window', { limit: 1000 })).items[0]!;
    const item = target.items[0]!;
    // 25 hours long: it spans two local days in any time zone, which the server always refuses.
    const startsAt = new Date(Date.parse(item.startsAt) + 7 * 86_400_000).toISOString();
    const endsAt = new Date(Date.parse(startsAt) + 25 * 3_600_000).toISOString();
    const { intentId } = await c.call('bookings.reschedule', { id: target.id, itemId: item.id, startsAt, endsAt });
    expect((await c.call('bookings.get', { id: target.id }))!.items[0]!.startsAt).toBe(startsAt);
    const r = await c.core.runOnce(30_000);
    expect(r).toMatchObject({ sent: 0, conflicts: 1 });
    expect((await intent(c, intentId!)).state).toBe('attention');
    const [conflict] = await c.call('conflicts.list');
    expect(conflict).toMatchObject({ httpStatus: 409, code: 'SLOT_UNAVAILABLE' });
    expect((await c.call('bookings.get', { id: target.id }))!.items[0]!.startsAt).toBe(item.startsAt);
    expect((await serverBooking(target.id)).items[0]!.startsAt).toBe(item.startsAt);
  });

  it('offerings and coupons created offline get their server ids; queued patches follow', async () => {
    const c = open();
    await c.core.runOnce(30_000);
    const created = await c.call('offerings.create', { fields: { title: 'Offline Loft', productTypeKey: 'space', basePriceCents: 5000, currency: 'USD' } });
    expect(created.id).toMatch(/^tmp_/);
    await c.call('offerings.patch', { id: created.id, fields: { title: 'Offline Loft XL' } });
    const coupon = await c.call('coupons.create', { fields: { code: 'offline10', kind: 'PERCENT', amount: 10 } });
    await c.call('coupons.delete', { id: coupon.id });
    const r = await c.core.runOnce(30_000);
    expect(r).toMatchObject({ pushed: true, conflicts: 0 });
    const offerings = await c.call('offerings.list', {});
    expect(offerings.some((o) => o.id === created.id)).toBe(false);
    const loft = offerings.filter((o) => o.title === 'Offline Loft XL');
    expect(loft).toHaveLength(1);
    expect(loft[0]).toMatchObject({ id: expect.stringMatching(/^off_/), syncState: 'synced' });
    expect((await s.getJson<{ title: string }>(`/api/offerings/${loft[0]!.id}`)).title).toBe('Offline Loft XL');
    const coupons = (await c.call('coupons.list', { includeDeleted: true })).filter((x) => x.code === 'OFFLINE10');
    expect(coupons).toHaveLength(1);
    expect(coupons[0]).toMatchObject({ id: expect.stringMatching(/^cpn_/), deleted: true });
  });

  it('an undone intent never reaches the server', async () => {
    const c = open({ holdMs: 60_000 });
    await c.core.runOnce(30_000);
    const target = (await c.call('queue.window', { limit: 1000 })).items[0]!;
    const { intentId } = await c.call('bookings.approve', { id: target.id });
    expect((await intent(c, intentId!)).state).toBe('held');
    expect(await c.call('intents.undo', { id: intentId! })).toEqual({ undone: true });
    await c.core.runOnce(5_000);
    expect((await serverBooking(target.id)).status).toBe('PENDING');
    expect((await c.call('queue.window', { limit: 1000 })).items.some((b) => b.id === target.id)).toBe(true);
  });
});

describe('faults', { timeout: 120_000 }, () => {
  async function approveMany(c: TestCore, n: number): Promise<string[]> {
    const queue = (await c.call('queue.window', { limit: 1000 })).items.slice(0, n);
    expect(queue).toHaveLength(n);
    const ids: string[] = [];
    for (const b of queue) ids.push((await c.call('bookings.approve', { id: b.id })).intentId!);
    return ids;
  }

  async function expectExactlyOnce(c: TestCore, intents: string[]): Promise<void> {
    for (const id of intents) expect((await intent(c, id)).state).toBe('done');
    const keys = intents.map((id) => storedIntent(c.dbFile, id).idempotency_key);
    const counts = await effectsFor(keys);
    expect(keys.filter((k) => counts.get(k) !== 1)).toEqual([]);
  }

  async function totalAttempts(c: TestCore, intents: string[]): Promise<number> {
    let n = 0;
    for (const id of intents) n += (await intent(c, id)).attempts;
    return n;
  }

  it('survives a 429 storm (another client drains the same key): every intent lands once', async () => {
    const c = open();
    await c.core.runOnce(30_000);
    const intents = await approveMany(c, 8);
    await s.admin('PUT', '/_sandbox/faults', { rateLimitPerMinute: 120 });
    // Someone else burns the key's whole bucket.
    let limited = 0;
    for (let i = 0; i < 400 && limited < 3; i++) {
      const res = await fetch(`${s.url}/v1/api/me`, { headers: { authorization: `Bearer ${KEY}` } });
      await res.arrayBuffer();
      if (res.status === 429) limited++;
    }
    expect(limited).toBeGreaterThan(0);
    // (When the console sends again after a 429 is asserted in retry-after.test.ts.)
    const r = await c.core.runOnce(60_000);
    expect(r.pushed).toBe(true);
    await expectExactlyOnce(c, intents);
  });

  it('5xx answers (errorRate 0.5) are retried until every intent lands once', async () => {
    const c = open();
    await c.core.runOnce(30_000);
    const intents = await approveMany(c, 10);
    await s.admin('PUT', '/_sandbox/faults', { errorRate: 0.5 });
    const r = await c.core.runOnce(60_000);
    expect(r.pushed).toBe(true);
    await expectExactlyOnce(c, intents);
    expect(await totalAttempts(c, intents)).toBeGreaterThan(intents.length);
  });

  it('dropped connections (the answer is lost after the server acted) never apply an intent twice', async () => {
    const c = open();
    await c.core.runOnce(30_000);
    const intents = await approveMany(c, 10);
    await s.admin('PUT', '/_sandbox/faults', { dropRate: 0.5 });
    const r = await c.core.runOnce(60_000);
    expect(r.pushed).toBe(true);
    await s.admin('DELETE', '/_sandbox/faults');
    await expectExactlyOnce(c, intents);
    expect(await totalAttempts(c, intents)).toBeGreaterThan(intents.length);
  });

  it('a revoked key pauses sync with a reason, keeps the outbox, and resumes with a new key', async () => {
    const c = open({ pollIntervalMs: 100 });
    await c.core.runOnce(30_000);
    const me = await s.getJson<{ keyId: string }>('/api/me');
    await s.adminJson('POST', `/keys/${me.keyId}/revoke`);
    c.core.start();
    const target = (await c.call('queue.window', { limit: 1000 })).items[0]!;
    const { intentId } = await c.call('bookings.approve', { id: target.id });
    await waitFor(async () => (await c.call('sync.status')).connection === 'paused', 'paused');
    const status = await c.call('sync.status');
    expect(status.reason).toMatch(/rejected|revoked/i);
    expect(status).toMatchObject({ reasonCode: 'keyRejected', outboxLength: 1 });
    // A send the pause overtook may still be on its way back; then the intent waits in the queue.
    await waitFor(async () => (await intent(c, intentId!)).state === 'queued', 'the refused send back in the queue');
    const fresh = await s.adminJson<{ token: string }>('POST', '/keys', {});
    const session = await c.call('settings.connect', { apiUrl: s.url, apiKey: fresh.token, keep: 'session' });
    expect(session.mode).toBe('connected');
    await waitFor(async () => (await intent(c, intentId!)).state === 'done', 'drained');
    expect((await c.call('sync.status')).connection).not.toBe('paused');
    expect((await serverBooking(target.id, fresh.token)).status).toBe('CONFIRMED');
  });

  it('a console restarted mid-queue drains the rest exactly once', async () => {
    const c = open({ pollIntervalMs: 50 });
    await c.core.runOnce(30_000);
    const intents = await approveMany(c, 12);
    await s.admin('PUT', '/_sandbox/faults', { latencyMs: 60 });
    c.core.start();
    await waitFor(() => intents.some((id) => storedIntent(c.dbFile, id).state === 'done'), 'some sent');
    await closeAll();
    const reopened = open();
    const left = intents.filter((id) => storedIntent(reopened.dbFile, id).state !== 'done');
    expect(left.length).toBeGreaterThan(0);
    await s.admin('DELETE', '/_sandbox/faults');
    const r = await reopened.core.runOnce(30_000);
    expect(r.pushed).toBe(true);
    await expectExactlyOnce(reopened, intents);
  });
});
