/**
 * How the console treats the server's refusals of queued intents, through the contract only, against
 * the real sandbox: 409, 422 and 404 land in Needs attention (never counted as sent, never blocking
 * other records); a 403 from the server (the key lacks a scope; test/sync/scopes.test.ts has what a
 * read-only key does before anything is sent) pauses sync with `keyScope` and keeps the outbox; a key
 * of another tenant wipes the replica's truth and re-syncs (docs/sync-engine.md, "Pauses"); intents
 * written by an older build survive the migrations when the replica is opened again.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../src/main/core/db/migrations.ts';
import type { BookingView } from '../../src/shared/contract/types.ts';
import { openCore, storedIntent, type TestCore } from '../support/core.ts';
import { startRecordingProxy } from '../support/recording-proxy.ts';
import { startTestSandbox, type SandboxFixture } from '../support/sandbox.ts';
import { waitFor } from '../support/wait-for.ts';

const KEY = 'ork_refusal1.refusals-rw-secret-0123456';
const HARBOR = 'ork_refusal3.refusals-harbor-secret-0123';

let s: SandboxFixture;
const cores: TestCore[] = [];
let n = 0;

beforeAll(async () => {
  s = await startTestSandbox({ seed: 'demo', keys: [KEY, `${HARBOR}@harbor`] });
});
afterEach(async () => {
  for (const c of cores.splice(0)) await c.core.close();
});
afterAll(async () => {
  await s?.dispose();
});

function open(key = KEY, dbFile = join(s.dir, `replica-${++n}.db`), url = s.url): TestCore {
  const c = openCore({ dbFile, api: { url, key }, transport: 'bridge', appVersion: 'test', holdMs: 0, retryCapMs: 2000 });
  cores.push(c);
  return c;
}

async function synced(key = KEY): Promise<TestCore> {
  const c = open(key);
  expect(await c.core.runOnce(30_000)).toMatchObject({ pulled: true, pushed: true });
  return c;
}

/** A PENDING booking no other test of this file has touched. */
async function freshPending(c: TestCore, taken: Set<string>): Promise<BookingView> {
  const b = (await c.call('queue.window', { limit: 1000 })).items.find((x) => !taken.has(x.id) && x.riskReviewStatus !== 'HELD');
  if (!b) throw new Error('the demo tenant ran out of PENDING bookings');
  taken.add(b.id);
  return b;
}
const used = new Set<string>();

describe('permanent refusals land in Needs attention', () => {
  it('409: approving a booking the customer cancelled meanwhile', async () => {
    const c = await synced();
    const target = await freshPending(c, used);
    const { intentId } = await c.call('bookings.approve', { id: target.id });
    await s.adminJson('POST', '/simulate/customer-cancel', { bookingId: target.id });
    const r = await c.core.runOnce(30_000);
    expect(r).toMatchObject({ sent: 0, conflicts: 1 });
    const [conflict, ...others] = await c.call('conflicts.list');
    expect(others).toEqual([]);
    expect(conflict).toMatchObject({ httpStatus: 409, code: 'BOOKING_NOT_PENDING', intent: { id: intentId, state: 'attention' } });
    expect((conflict!.server as { status: string }).status).toBe('CANCELLED');
    expect(await c.call('bookings.get', { id: target.id })).toMatchObject({ status: 'CANCELLED', syncState: 'attention' });
    expect((await c.call('sync.status')).conflicts).toBe(1);
    expect((await s.effects()).filter((e) => e.targetId === target.id && e.kind.includes('approve'))).toEqual([]);
  });

  it('422: a change the server finds invalid (a slug the contract lets through), without blocking another record', async () => {
    const c = await synced();
    const [offering, other] = (await c.call('offerings.list', {})).filter((o) => !o.deleted);
    const { intentId } = await c.call('offerings.patch', { id: offering!.id, fields: { slug: 'Not A Slug!' } });
    const { intentId: otherIntent } = await c.call('offerings.patch', { id: other!.id, fields: { title: `${other!.title} (renamed)` } });
    const r = await c.core.runOnce(30_000);
    expect(r).toMatchObject({ sent: 1, conflicts: 1 });
    const conflicts = await c.call('conflicts.list');
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]).toMatchObject({ httpStatus: 422, code: 'VALIDATION_FAILED', intent: { id: intentId, state: 'attention' } });
    expect((conflicts[0]!.server as { slug: string }).slug).toBe(offering!.slug);
    const intents = await c.call('intents.list');
    expect(intents.find((i) => i.id === otherIntent)?.state).toBe('done');
    // The console shows the server's truth, marked; the server kept its slug.
    expect((await c.call('offerings.list', {})).find((o) => o.id === offering!.id)).toMatchObject({ slug: offering!.slug, syncState: 'attention' });
    expect((await s.getJson<{ slug: string }>(`/api/offerings/${offering!.id}`)).slug).toBe(offering!.slug);
    expect((await s.getJson<{ title: string }>(`/api/offerings/${other!.id}`)).title).toBe(`${other!.title} (renamed)`);
  });

  it('404: a change to a record deleted on the server since the last pull', async () => {
    const c = await synced();
    const offering = (await c.call('offerings.list', {})).filter((o) => !o.deleted)[2]!;
    expect((await s.api('DELETE', `/v1/api/offerings/${offering.id}`, { key: KEY })).status).toBe(200);
    const { intentId } = await c.call('offerings.patch', { id: offering.id, fields: { title: 'Too late' } });
    const r = await c.core.runOnce(30_000);
    expect(r).toMatchObject({ sent: 0, conflicts: 1 });
    const conflicts = await c.call('conflicts.list');
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]).toMatchObject({ httpStatus: 404, code: 'NOT_FOUND', intent: { id: intentId, state: 'attention' } });
    expect((await c.call('sync.status')).conflicts).toBe(1);
    expect((await s.effects()).filter((e) => e.targetId === offering.id && e.kind === 'offering.update')).toEqual([]);
  });
});

describe('refusals that stop sync', () => {
  it('403 from the server (the key lost write after /me said it had it) pauses sync with keyScope and keeps the intent; a key that may write resumes', async () => {
    // The refusal is answered by a proxy: /me said read + write, the server refuses the push itself.
    const proxy = await startRecordingProxy(s.url);
    try {
      const c = open(KEY, join(s.dir, `replica-${++n}.db`), proxy.url);
      expect(await c.core.runOnce(30_000)).toMatchObject({ pulled: true, pushed: true });
      const target = await freshPending(c, used);
      const { intentId } = await c.call('bookings.approve', { id: target.id });
      proxy.inject({ method: 'POST', path: /\/approve$/ }, { status: 403, body: { error: { code: 'FORBIDDEN_SCOPE', message: 'This key lacks the "write" scope.' } } });
      const r = await c.core.runOnce(30_000);
      expect(r.pushed).toBe(false);
      expect(await c.call('sync.status')).toMatchObject({ connection: 'paused', reasonCode: 'keyScope', outboxLength: 1, conflicts: 0 });
      expect((await c.call('intents.list')).find((i) => i.id === intentId)?.state).toBe('queued');
      expect(await c.call('conflicts.list')).toEqual([]);
      expect((await s.getJson<{ status: string }>(`/api/bookings/${target.id}`)).status).toBe('PENDING');

      c.core.start();
      await c.call('settings.connect', { apiUrl: s.url, apiKey: KEY, keep: 'session' });
      await waitFor(async () => (await c.call('intents.list')).find((i) => i.id === intentId)?.state === 'done', 'the kept intent sent with the new key');
      expect((await c.call('sync.status')).connection).not.toBe('paused');
      expect((await s.getJson<{ status: string }>(`/api/bookings/${target.id}`)).status).toBe('CONFIRMED');
    } finally {
      await proxy.close();
    }
  });

  it('a key of another tenant wipes the truth, re-syncs the new tenant, and the old intents come back 404 into Needs attention', async () => {
    const c = await synced();
    const atlasBookings = await s.listAll<{ id: string }>('/api/bookings');
    expect((await c.call('bookings.list', { offset: 0, limit: 1 })).total).toBe(atlasBookings.length);
    const target = await freshPending(c, used);
    // Queued while offline from the console's point of view (nothing pushes until runOnce).
    const { intentId } = await c.call('bookings.approve', { id: target.id });

    const session = await c.call('settings.connect', { apiUrl: s.url, apiKey: HARBOR, keep: 'session' });
    expect(session.tenant?.subdomain).toBe('harbor');
    // Wiped at once: atlas's truth is never shown as harbor's.
    expect((await c.call('bookings.list', { offset: 0, limit: 1 })).total).toBe(0);
    expect(await c.call('offerings.list', {})).toEqual([]);
    expect((await c.call('queue.window', { limit: 1000 })).items).toEqual([]);
    expect((await c.call('sync.status')).lastSyncAt).toBeNull();
    // The outbox is kept.
    expect((await c.call('intents.list')).find((i) => i.id === intentId)?.state).toBe('queued');

    const r = await c.core.runOnce(30_000);
    expect(r).toMatchObject({ pulled: true, sent: 0, conflicts: 1 });
    const harborBookings = await s.listAll<{ id: string }>('/api/bookings', HARBOR);
    expect(harborBookings.length).toBeGreaterThan(0);
    const list = await c.call('bookings.list', { offset: 0, limit: 500 });
    expect(list.total).toBe(harborBookings.length);
    expect(new Set(list.items.map((b) => b.id))).toEqual(new Set(harborBookings.map((b) => b.id)));
    const [conflict] = await c.call('conflicts.list');
    expect(conflict).toMatchObject({ httpStatus: 404, intent: { id: intentId, state: 'attention' } });
    // Nothing reached atlas's booking under harbor's key.
    expect((await s.getJson<{ status: string }>(`/api/bookings/${target.id}`)).status).toBe('PENDING');
  });
});

describe('intents written by an older build', () => {
  it('are migrated with the replica, not dropped: opened by this build, they are listed and sent once', async () => {
    // A replica as the first shipped schema (migration 0001) left it, with two intents queued by that
    // build: the outbox rows as it wrote them (intent row format 1).
    const dbFile = join(s.dir, `old-${++n}.db`);
    const [first] = migrations;
    expect(first!.name).toBe('0001_replica');
    const old = new Database(dbFile);
    old.pragma('journal_mode = WAL');
    old.exec('CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
    first!.up(old);
    old.prepare('INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)').run(first!.name, '2026-01-01T00:00:00.000Z');
    const pending = (await s.listAll<{ id: string; riskReviewStatus: string }>('/api/bookings?status=PENDING')).filter((b) => !used.has(b.id) && b.riskReviewStatus !== 'HELD');
    const [a, b] = pending;
    used.add(a!.id);
    used.add(b!.id);
    const insert = old.prepare(
      `INSERT INTO outbox (id, idempotency_key, kind, target_id, method, path, body, payload, base_version, state, created_at, hold_until, attempts, schema_version)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, 'queued', '2026-01-01T00:00:00.000Z', NULL, 0, 1)`,
    );
    insert.run('11111111-1111-4111-8111-111111111111', '11111111-1111-4111-8111-111111111111', 'booking.approve', a!.id, 'POST', `/api/bookings/${a!.id}/approve`, '{}', '{}');
    insert.run('22222222-2222-4222-8222-222222222222', '22222222-2222-4222-8222-222222222222', 'booking.cancel', b!.id, 'POST', `/api/bookings/${b!.id}/cancel`, '{"reason":"no_availability"}', '{"reason":"no_availability"}');
    old.close();

    const c = open(KEY, dbFile);
    const intents = await c.call('intents.list');
    expect(intents.map((i) => [i.kind, i.targetId, i.state]).sort()).toEqual(
      [
        ['booking.approve', a!.id, 'queued'],
        ['booking.cancel', b!.id, 'queued'],
      ].sort(),
    );
    expect((await c.call('sync.status')).outboxLength).toBe(2);
    const r = await c.core.runOnce(30_000);
    expect(r).toMatchObject({ pulled: true, pushed: true, sent: 2, conflicts: 0 });
    expect((await s.getJson<{ status: string }>(`/api/bookings/${a!.id}`)).status).toBe('CONFIRMED');
    expect((await s.getJson<{ status: string }>(`/api/bookings/${b!.id}`)).status).toBe('CANCELLED');
    const effects = await s.effects();
    for (const id of ['11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222']) {
      expect(storedIntent(dbFile, id)).toMatchObject({ state: 'done', schema_version: 1 });
      expect(effects.filter((e) => e.idempotencyKey === id)).toHaveLength(1);
    }
  });
});
