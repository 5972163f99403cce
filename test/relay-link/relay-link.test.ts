/**
 * The webhook path end to end on loopback: sandbox (signs and sends webhooks) → relay (durable log)
 * → the console core's relay link (verifies on raw bytes, dedupes, applies in one transaction).
 */
import { createHmac } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleCore } from '../../src/main/core/core.ts';
import { startRelayLink } from '../../src/main/core/relay/relay-link.ts';
import { startRelay, type RelayHandle } from '../../src/relay/index.ts';
import type { RelayStream } from '../../src/relay/protocol/index.ts';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.ts';
import { waitFor } from '../support/wait-for.ts';

const key = 'ork_relaylnk.relay-link-secret-0123456789';
const admin = 'relay-link-admin';
const secret = 'whsec_relay_link_test';
const previousSecret = 'whsec_previous_one';

let dir: string;
let relay: RelayHandle;
let sandbox: Sandbox;
let core: ConsoleCore;
let link: RelayStream;
let channel: { id: string; ingressUrl: string; deviceToken: string };


async function sandboxAdmin(path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${sandbox.url}${path}`, { method: 'POST', headers: { Authorization: `Bearer ${admin}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.ok, `${path} → ${res.status}`).toBe(true);
  return (await res.json()) as Record<string, unknown>;
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

const rejections = (): Array<{ reason: string; delivery_id: string | null }> => core.replica.stmt('SELECT reason, delivery_id FROM relay_rejections ORDER BY id').all() as Array<{ reason: string; delivery_id: string | null }>;
const inboxCount = (): number => (core.replica.stmt('SELECT count(*) AS n FROM inbox').get() as { n: number }).n;
const activityEvents = (): string[] => (core.replica.stmt('SELECT event FROM activity ORDER BY at').all() as Array<{ event: string }>).map((r) => r.event);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'relay-link-'));
  relay = await startRelay({ port: 0, store: join(dir, 'relay.db'), adminToken: admin });
  const created = await fetch(`${relay.url}/v1/channels`, { method: 'POST', headers: { Authorization: `Bearer ${admin}`, 'Content-Type': 'application/json' }, body: '{}' });
  channel = (await created.json()) as typeof channel;
  sandbox = await startSandbox({ dataFile: join(dir, 'sandbox.db'), keys: [key], adminToken: admin, seed: 'demo', webhook: { url: channel.ingressUrl, secret, retryBaseMs: 20 } });
  core = new ConsoleCore({ dbFile: join(dir, 'replica.db'), api: { url: sandbox.url, key }, transport: 'bridge', appVersion: 'test', holdMs: 0 });
  core.start();
  const first = await core.runOnce(30_000);
  expect(first).toBeTruthy();
  link = startRelayLink(core, { url: relay.url, channelId: channel.id, deviceToken: channel.deviceToken, secrets: [secret, previousSecret] });
});

afterAll(async () => {
  await link?.close();
  await core?.close();
  await sandbox?.close();
  await relay?.close();
});

describe('relay link', () => {
  it('applies booking.confirmed from an approval made elsewhere, with an activity entry', async () => {
    const pending = (await core.handlers['queue.list']({}))[0]!;
    const approved = await api('POST', `/bookings/${pending.id}/approve`);
    expect(approved.status).toBe(200);
    await waitFor(() => core.replica.stmt('SELECT status FROM bookings WHERE id = ?').get(pending.id) as { status: string } | undefined, 'booking row').then(() => undefined);
    await waitFor(() => (core.replica.stmt('SELECT status FROM bookings WHERE id = ?').get(pending.id) as { status: string }).status === 'CONFIRMED', 'CONFIRMED from the webhook');
    expect(activityEvents()).toContain('booking.confirmed');
  });

  it('applies all the other webhook events the sandbox raises', async () => {
    const booking = (await core.handlers['queue.list']({}))[0]!;
    await sandboxAdmin('/_sandbox/simulate/dispute', { bookingId: booking.id, reason: 'Room was not clean' });
    const offering = (await core.handlers['offerings.list']({}))[0]!;
    await sandboxAdmin('/_sandbox/simulate/review', { offeringId: offering.id, rating: 5 });
    await sandboxAdmin('/_sandbox/simulate/kyb', {});
    await sandboxAdmin('/_sandbox/webhook/test', {});
    await sandboxAdmin('/_sandbox/simulate/customer-cancel', { bookingId: booking.id });
    await waitFor(() => ['dispute.opened', 'review.created', 'tenant.kyb_verified', 'webhook.test', 'booking.cancelled'].every((e) => activityEvents().includes(e)), 'every event applied');
    const disputes = await core.handlers['disputes.list']({});
    expect(disputes.map((d) => d.bookingId)).toContain(booking.id);
    expect(core.tenant()?.kybStatus).toBe('VERIFIED');
    expect((await core.handlers['offerings.list']({})).find((o) => o.id === offering.id)?.reviewCount).toBeGreaterThan(0);
    expect((core.replica.stmt('SELECT status FROM bookings WHERE id = ?').get(booking.id) as { status: string }).status).toBe('CANCELLED');
  });

  it('never applies forged, altered or truncated deliveries, and logs why', async () => {
    const before = inboxCount();
    const body = JSON.stringify({ event: 'webhook.test', data: { message: 'forged', sentAt: new Date().toISOString() } });
    const forged = createHmac('sha256', 'not-the-secret').update(body).digest('hex');
    const real = createHmac('sha256', secret).update(body).digest('hex');
    expect(await ingress(body, { 'X-Orkestr-Signature': forged, 'X-Orkestr-Delivery-Id': 'dlv_forged' })).toBeLessThan(300);
    expect(await ingress(body.replace('forged', 'Forged'), { 'X-Orkestr-Signature': real, 'X-Orkestr-Delivery-Id': 'dlv_altered' })).toBeLessThan(300);
    expect(await ingress(body.slice(0, -2), { 'X-Orkestr-Signature': real, 'X-Orkestr-Delivery-Id': 'dlv_truncated' })).toBeLessThan(300);
    expect(await ingress(body, { 'X-Orkestr-Delivery-Id': 'dlv_unsigned' })).toBeLessThan(300);
    await waitFor(() => rejections().length >= 4, 'four rejections logged');
    expect(rejections().map((r) => [r.delivery_id, r.reason])).toEqual(
      expect.arrayContaining([
        ['dlv_forged', 'bad-signature'],
        ['dlv_altered', 'bad-signature'],
        ['dlv_truncated', 'bad-signature'],
        ['dlv_unsigned', 'missing-signature'],
      ]),
    );
    expect(inboxCount()).toBe(before);
  });

  it('logs a signed delivery it cannot apply and keeps applying the ones after it', async () => {
    const poison = Buffer.from(JSON.stringify({ event: 'booking.confirmed', data: { bookingId: 'bkg_poison', booking: { id: 'bkg_poison', status: 'CONFIRMED', items: [{ id: { not: 'a string' }, startsAt: 'x', endsAt: 'y' }] } } }));
    const after = Buffer.from(JSON.stringify({ event: 'webhook.test', data: { message: 'after the poison', sentAt: 'x' } }));
    const sign = (b: Buffer): string => createHmac('sha256', secret).update(b).digest('hex');
    expect(await ingress(poison.toString('utf8'), { 'X-Orkestr-Signature': sign(poison), 'X-Orkestr-Delivery-Id': 'dlv_poison' })).toBeLessThan(300);
    expect(await ingress(after.toString('utf8'), { 'X-Orkestr-Signature': sign(after), 'X-Orkestr-Delivery-Id': 'dlv_after_poison' })).toBeLessThan(300);
    await waitFor(() => (core.replica.stmt('SELECT 1 FROM inbox WHERE delivery_id = ?').get('dlv_after_poison') ? true : false), 'the delivery after the poison');
    const poisonRow = rejections().find((r) => r.delivery_id === 'dlv_poison');
    expect(poisonRow?.reason).toMatch(/^could not apply/);
    expect(core.replica.stmt('SELECT 1 FROM inbox WHERE delivery_id = ?').get('dlv_poison')).toBeUndefined();
  });

  it('accepts the previous secret during a rotation, and applies a replay under a new delivery id only once', async () => {
    const body = Buffer.from('{ "data" : {"message":"rotación ✓", "sentAt":"2026-11-22T10:00:00.000Z"},\n  "event":"webhook.test" }');
    const signature = createHmac('sha256', previousSecret).update(body).digest('hex');
    const before = inboxCount();
    const rejectedBefore = rejections().length;
    expect(await ingress(body.toString('utf8'), { 'X-Orkestr-Signature': signature, 'X-Orkestr-Delivery-Id': 'dlv_rotation_1' })).toBeLessThan(300);
    expect(await ingress(body.toString('utf8'), { 'X-Orkestr-Signature': signature, 'X-Orkestr-Delivery-Id': 'dlv_rotation_replay' })).toBeLessThan(300);
    // A marker delivery after both: once it is applied, the two before it have been handled too.
    const marker = Buffer.from(JSON.stringify({ event: 'webhook.test', data: { message: 'marker', sentAt: 'x' } }));
    expect(await ingress(marker.toString('utf8'), { 'X-Orkestr-Signature': createHmac('sha256', secret).update(marker).digest('hex'), 'X-Orkestr-Delivery-Id': 'dlv_marker' })).toBeLessThan(300);
    await waitFor(() => inboxCount() === before + 2, 'the rotation delivery and the marker');
    expect(rejections().length).toBe(rejectedBefore);
    const ids = (core.replica.stmt('SELECT delivery_id FROM inbox').all() as Array<{ delivery_id: string }>).map((r) => r.delivery_id);
    expect(ids).toContain('dlv_rotation_1');
    expect(ids).not.toContain('dlv_rotation_replay');
  });
});
