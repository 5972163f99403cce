/**
 * The key's scopes honoured by the core (issue #14), through the contract against the real sandbox:
 * a read-only key is refused every write with READ_ONLY and the reason, and nothing new enters the
 * outbox; a key whose scopes shrink after intents were queued keeps them, marked blocked by the key,
 * sends nothing, and they go out once a key with `write` is connected.
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MethodName } from '../../src/shared/contract/types.ts';
import { countRows, openCore, type TestCore } from '../support/core.ts';
import { startTestSandbox, type SandboxFixture } from '../support/sandbox.ts';

const KEY = 'ork_scopes01.scopes-rw-secret-01234567';
const READ_ONLY = 'ork_scopes02.scopes-ro-secret-01234567';
const SHRINKS = 'ork_scopes03.scopes-shrinking-secret-0123';

let s: SandboxFixture;
const cores: TestCore[] = [];
let n = 0;

beforeAll(async () => {
  s = await startTestSandbox({ seed: 'demo', keys: [KEY, `${READ_ONLY}:read`, SHRINKS] });
});
afterEach(async () => {
  for (const c of cores.splice(0)) await c.core.close();
});
afterAll(async () => {
  await s?.dispose();
});

function open(key: string): TestCore {
  const c = openCore({ dbFile: join(s.dir, `scopes-${++n}.db`), api: { url: s.url, key }, transport: 'bridge', appVersion: 'test', holdMs: 0, retryCapMs: 2000 });
  cores.push(c);
  return c;
}

describe('a read-only key', () => {
  it('refuses every write method with READ_ONLY and the reason, and the outbox stays as it was', async () => {
    const c = open(READ_ONLY);
    expect(await c.core.runOnce(30_000)).toMatchObject({ pulled: true, pushed: true });
    const session = await c.call('session.info');
    expect(session).toMatchObject({ scopes: ['read'], writable: false, readOnlyReason: 'This API key is read-only (it lacks the write scope).' });
    const pending = (await c.call('queue.window', { limit: 1000 })).items[0];
    const confirmed = (await c.call('bookings.list', { status: 'CONFIRMED', offset: 0, limit: 1 })).items[0];
    const offering = (await c.call('offerings.list', {}))[0];
    const coupon = (await c.call('coupons.list', {}))[0];
    expect(pending && confirmed && offering && coupon).toBeTruthy();
    const before = countRows(c.dbFile, 'outbox');
    const calls: Array<[MethodName, unknown]> = [
      ['bookings.approve', { id: pending!.id }],
      ['bookings.cancel', { id: confirmed!.id, reason: 'customer_request' }],
      ['bookings.reschedule', { id: confirmed!.id, itemId: confirmed!.items[0]!.id, startsAt: '2030-01-01T10:00:00Z', endsAt: '2030-01-01T11:00:00Z' }],
      ['bookings.setNotes', { id: pending!.id, notes: 'x' }],
      ['offerings.create', { fields: { title: 'New', productTypeKey: 'space', basePriceCents: 100, currency: 'USD' } }],
      ['offerings.patch', { id: offering!.id, fields: { title: 'Renamed' } }],
      ['offerings.delete', { id: offering!.id }],
      ['coupons.create', { fields: { code: 'NEWCODE', kind: 'PERCENT', amount: 10 } }],
      ['coupons.patch', { id: coupon!.id, fields: { active: false } }],
      ['coupons.delete', { id: coupon!.id }],
      ['import.commit', { token: 'any-token' }],
      ['import.resume', { batchId: 'imp_any' }],
      ['import.rollback', { batchId: 'imp_any' }],
      ['conflicts.resolve', { id: 'cfl_any', choice: 'retry' }],
    ];
    for (const [method, input] of calls) {
      const error = await c.callError(method, input);
      expect({ method, code: error.code, message: error.message }).toEqual({ method, code: 'READ_ONLY', message: 'This API key is read-only (it lacks the write scope).' });
    }
    expect(countRows(c.dbFile, 'outbox')).toBe(before);
    // Reads and local housekeeping still answer.
    expect((await c.call('bookings.cancelPreview', { id: confirmed!.id }))?.bookingId).toBe(confirmed!.id);
    expect(await c.call('conflicts.resolve', { id: 'cfl_any', choice: 'discard' })).toEqual({ resolved: false });
  });
});

describe('a key whose scopes shrink after intents were queued', () => {
  it('keeps them queued and blocked by the key, sends nothing, and sends them once a key with write is connected', async () => {
    const c = open(SHRINKS);
    expect(await c.core.runOnce(30_000)).toMatchObject({ pulled: true, pushed: true });
    const target = (await c.call('queue.window', { limit: 1000 })).items.find((b) => b.riskReviewStatus !== 'HELD')!;
    const { intentId } = await c.call('bookings.approve', { id: target.id });
    expect((await c.call('intents.list')).find((i) => i.id === intentId)?.blockedBy).toBeNull();

    await s.adminJson('POST', '/keys', { token: SHRINKS, scopes: ['read'] });
    const r = await c.core.runOnce(30_000);
    expect(r).toMatchObject({ pulled: true, pushed: false, sent: 0, conflicts: 0, blocked: 1 });
    expect(r.error).toContain('read-only');
    expect((await c.call('session.info')).writable).toBe(false);
    // The window hears it from the pull itself (its header and buttons follow session.changed).
    expect(c.eventsOf('session.changed').at(-1)).toMatchObject({ writable: false, scopes: ['read'] });
    expect((await c.call('intents.list')).find((i) => i.id === intentId)).toMatchObject({ state: 'queued', blockedBy: 'key' });
    expect((await c.call('sync.status')).outboxLength).toBe(1);
    expect((await s.getJson<{ status: string }>(`/api/bookings/${target.id}`)).status).toBe('PENDING');
    expect((await s.effects()).filter((e) => e.targetId === target.id)).toEqual([]);

    await c.call('settings.connect', { apiUrl: s.url, apiKey: KEY, keep: 'session' });
    expect((await c.call('session.info')).writable).toBe(true);
    expect(await c.core.runOnce(30_000)).toMatchObject({ pulled: true, pushed: true, sent: 1, blocked: 0 });
    expect((await c.call('intents.list')).find((i) => i.id === intentId)).toMatchObject({ state: 'done', blockedBy: null });
    expect((await s.getJson<{ status: string }>(`/api/bookings/${target.id}`)).status).toBe('CONFIRMED');
  });
});
