/**
 * The webhook path end to end on loopback: sandbox (signs and sends webhooks) → relay (durable log)
 * → the console's relay link (verifies on raw bytes, dedupes, applies in one transaction). The
 * console is started as its hosts start it (startConsole with a relay channel) and read through the
 * contract; the rejection log and the inbox are read from the replica file.
 */
import { createHmac } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsole, type RunningConsole } from '../../src/main/app.ts';
import { startRelay, type RelayHandle } from '../../src/relay/index.ts';
import { callCore, readReplica } from '../support/core.ts';
import { startTestSandbox, type SandboxFixture } from '../support/sandbox.ts';
import { waitFor } from '../support/wait-for.ts';

const key = 'ork_relaylnk.relay-link-secret-0123456789';
const admin = 'relay-link-admin';
const secret = 'whsec_relay_link_test';
const previousSecret = 'whsec_previous_one';

let dir: string;
let relay: RelayHandle;
let sandbox: SandboxFixture;
let running: RunningConsole;
let dbFile: string;
let channel: { id: string; ingressUrl: string; deviceToken: string };


async function sandboxAdmin(path: string, body: unknown): Promise<void> {
  const res = await sandbox.admin('POST', path, body);
  expect(res.status, `${path} → ${res.status}`).toBeLessThan(300);
}

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${sandbox.url}/v1/api${path}`, { method, headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Posts a delivery straight to the relay's ingress, as anyone on the internet could. */
async function ingress(body: string, headers: Record<string, string>): Promise<number> {
  const res = await fetch(channel.ingressUrl, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body });
  return res.status;
}

/** The replica's log of refused deliveries (a refusal is acknowledged to the relay: this is its only record). */
const rejections = (): Array<{ reason: string; delivery_id: string | null }> =>
  readReplica(dbFile, (db) => db.prepare('SELECT reason, delivery_id FROM relay_rejections ORDER BY id').all() as Array<{ reason: string; delivery_id: string | null }>);
const inboxIds = (): string[] => readReplica(dbFile, (db) => (db.prepare('SELECT delivery_id FROM inbox').all() as Array<{ delivery_id: string }>).map((r) => r.delivery_id));
const activityEvents = async (): Promise<string[]> => (await callCore(running.core, 'activity.list', { limit: 1000 })).map((a) => a.event);
const bookingStatus = async (id: string): Promise<string | undefined> => (await callCore(running.core, 'bookings.get', { id }))?.serverStatus;
const sign = (body: Buffer | string, with_ = secret): string => createHmac('sha256', with_).update(body).digest('hex');

/** Posts a signed delivery after others and waits until it is applied: the ones before it have been handled too. */
async function fence(id: string): Promise<void> {
  const marker = JSON.stringify({ event: 'webhook.test', data: { message: `marker ${id}`, sentAt: 'x' } });
  expect(await ingress(marker, { 'X-Orkestr-Signature': sign(marker), 'X-Orkestr-Delivery-Id': id })).toBeLessThan(300);
  await waitFor(() => inboxIds().includes(id), `the marker delivery ${id}`);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'relay-link-'));
  relay = await startRelay({ port: 0, store: join(dir, 'relay.db'), adminToken: admin });
  const created = await fetch(`${relay.url}/v1/channels`, { method: 'POST', headers: { Authorization: `Bearer ${admin}`, 'Content-Type': 'application/json' }, body: '{}' });
  channel = (await created.json()) as typeof channel;
  sandbox = await startTestSandbox({ dir, keys: [key], adminToken: admin, seed: 'demo', webhook: { url: channel.ingressUrl, secret, retryBaseMs: 20 } });
  dbFile = join(dir, 'replica.db');
  running = await startConsole({
    dbFile,
    api: { url: sandbox.url, key },
    transport: 'bridge',
    relay: { url: relay.url, channelId: channel.id, deviceToken: channel.deviceToken, secrets: [secret, previousSecret] },
  });
  await waitFor(async () => (await callCore(running.core, 'sync.status')).lastSyncAt, 'the first sync');
});

afterAll(async () => {
  await running?.close();
  await sandbox?.close();
  await relay?.close();
});

describe('relay link', () => {
  it('applies booking.confirmed from an approval made elsewhere, with an activity entry', async () => {
    const pending = (await callCore(running.core, 'queue.window', { limit: 1000 })).items[0]!;
    const approved = await api('POST', `/bookings/${pending.id}/approve`);
    expect(approved.status).toBe(200);
    await waitFor(async () => (await bookingStatus(pending.id)) === 'CONFIRMED', 'CONFIRMED from the webhook');
    expect(await activityEvents()).toContain('booking.confirmed');
  });

  it('applies all the other webhook events the sandbox raises', async () => {
    const booking = (await callCore(running.core, 'queue.window', { limit: 1000 })).items[0]!;
    await sandboxAdmin('/_sandbox/simulate/dispute', { bookingId: booking.id, reason: 'Room was not clean' });
    const offering = (await callCore(running.core, 'offerings.list', {}))[0]!;
    await sandboxAdmin('/_sandbox/simulate/review', { offeringId: offering.id, rating: 5 });
    await sandboxAdmin('/_sandbox/simulate/kyb', {});
    await sandboxAdmin('/_sandbox/webhook/test', {});
    await sandboxAdmin('/_sandbox/simulate/customer-cancel', { bookingId: booking.id });
    const expected = ['dispute.opened', 'review.created', 'tenant.kyb_verified', 'webhook.test', 'booking.cancelled'];
    await waitFor(async () => {
      const seen = await activityEvents();
      return expected.every((e) => seen.includes(e));
    }, 'every event applied');
    const disputes = await callCore(running.core, 'disputes.list');
    expect(disputes.map((d) => d.bookingId)).toContain(booking.id);
    expect((await callCore(running.core, 'session.info')).tenant?.kybStatus).toBe('VERIFIED');
    expect((await callCore(running.core, 'offerings.list', {})).find((o) => o.id === offering.id)?.reviewCount).toBeGreaterThan(0);
    expect(await bookingStatus(booking.id)).toBe('CANCELLED');
  });

  it('reviews.list shows each review.created newest first with its offering, beside the offerings\' aggregates', async () => {
    const offering = (await callCore(running.core, 'offerings.list', {})).at(-1)!;
    await sandboxAdmin('/_sandbox/simulate/review', { offeringId: offering.id, rating: 2, body: 'Too noisy in the afternoon' });
    await sandboxAdmin('/_sandbox/simulate/review', { offeringId: offering.id, rating: 4, body: 'Great light' });
    const mine = async () => (await callCore(running.core, 'reviews.list', { offeringId: offering.id })).items;
    await waitFor(async () => (await mine()).length >= 2, 'both reviews applied');
    const items = await mine();
    expect(items.find((r) => r.body === 'Great light')).toMatchObject({ offeringId: offering.id, offeringTitle: offering.title, rating: 4 });
    expect(items.find((r) => r.body === 'Too noisy in the afternoon')).toMatchObject({ offeringId: offering.id, rating: 2 });
    const times = items.map((r) => r.createdAt);
    expect(times).toEqual([...times].sort().reverse());
    const all = await callCore(running.core, 'reviews.list', {});
    expect(all.total).toBeGreaterThanOrEqual(2);
    const aggregate = all.offerings.find((o) => o.id === offering.id);
    const view = (await callCore(running.core, 'offerings.list', {})).find((o) => o.id === offering.id)!;
    expect(aggregate).toEqual({ id: offering.id, title: offering.title, ratingAverage: view.ratingAverage, reviewCount: view.reviewCount });
  });

  it('never applies forged, altered or truncated deliveries, and logs why', async () => {
    // Read from the file, the inbox shows what is committed: the link commits applied deliveries in
    // groups (up to RELAY_COMMIT_MS later), so the earlier tests' are in only after a fence.
    await fence('dlv_before_forgeries');
    const before = inboxIds();
    const body = JSON.stringify({ event: 'webhook.test', data: { message: 'forged', sentAt: new Date().toISOString() } });
    const forged = sign(body, 'not-the-secret');
    const real = sign(body);
    expect(await ingress(body, { 'X-Orkestr-Signature': forged, 'X-Orkestr-Delivery-Id': 'dlv_forged' })).toBeLessThan(300);
    expect(await ingress(body.replace('forged', 'Forged'), { 'X-Orkestr-Signature': real, 'X-Orkestr-Delivery-Id': 'dlv_altered' })).toBeLessThan(300);
    expect(await ingress(body.slice(0, -2), { 'X-Orkestr-Signature': real, 'X-Orkestr-Delivery-Id': 'dlv_truncated' })).toBeLessThan(300);
    expect(await ingress(body, { 'X-Orkestr-Delivery-Id': 'dlv_unsigned' })).toBeLessThan(300);
    await fence('dlv_after_forgeries');
    expect(rejections().map((r) => [r.delivery_id, r.reason])).toEqual(
      expect.arrayContaining([
        ['dlv_forged', 'bad-signature'],
        ['dlv_altered', 'bad-signature'],
        ['dlv_truncated', 'bad-signature'],
        ['dlv_unsigned', 'missing-signature'],
      ]),
    );
    expect(inboxIds().filter((id) => !before.includes(id))).toEqual(['dlv_after_forgeries']);
  });

  it('logs a signed delivery it cannot apply and keeps applying the ones after it', async () => {
    const poison = Buffer.from(JSON.stringify({ event: 'booking.confirmed', data: { bookingId: 'bkg_poison', booking: { id: 'bkg_poison', status: 'CONFIRMED', items: [{ id: { not: 'a string' }, startsAt: 'x', endsAt: 'y' }] } } }));
    const after = Buffer.from(JSON.stringify({ event: 'webhook.test', data: { message: 'after the poison', sentAt: 'x' } }));
    expect(await ingress(poison.toString('utf8'), { 'X-Orkestr-Signature': sign(poison), 'X-Orkestr-Delivery-Id': 'dlv_poison' })).toBeLessThan(300);
    expect(await ingress(after.toString('utf8'), { 'X-Orkestr-Signature': sign(after), 'X-Orkestr-Delivery-Id': 'dlv_after_poison' })).toBeLessThan(300);
    await waitFor(() => inboxIds().includes('dlv_after_poison'), 'the delivery after the poison');
    const poisonRow = rejections().find((r) => r.delivery_id === 'dlv_poison');
    expect(poisonRow?.reason).toMatch(/^could not apply/);
    expect(inboxIds()).not.toContain('dlv_poison');
  });

  it('accepts the previous secret during a rotation, and applies a replay under a new delivery id only once', async () => {
    const body = Buffer.from('{ "data" : {"message":"rotación ✓", "sentAt":"2026-11-22T10:00:00.000Z"},\n  "event":"webhook.test" }');
    const signature = sign(body, previousSecret);
    await fence('dlv_before_rotation'); // what came before is committed (see the forgeries' test)
    const before = inboxIds();
    const rejectedBefore = rejections().length;
    expect(await ingress(body.toString('utf8'), { 'X-Orkestr-Signature': signature, 'X-Orkestr-Delivery-Id': 'dlv_rotation_1' })).toBeLessThan(300);
    expect(await ingress(body.toString('utf8'), { 'X-Orkestr-Signature': signature, 'X-Orkestr-Delivery-Id': 'dlv_rotation_replay' })).toBeLessThan(300);
    await fence('dlv_marker');
    expect(rejections().length).toBe(rejectedBefore);
    expect(inboxIds().filter((id) => !before.includes(id)).sort()).toEqual(['dlv_marker', 'dlv_rotation_1']);
  });
});
