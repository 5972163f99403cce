/**
 * A rule acting on a booking that reaches the replica by webhook, wired as production: sandbox (signs
 * webhooks) → relay → the console's relay link (startConsole). There is no booking.created event: the
 * new PENDING booking arrives inside a booking.rescheduled delivery (it was moved by someone else
 * before the console's next poll). The approval must reach the server within 2 s of the booking's
 * arrival in the replica (a bound on a wait, not a sleep); the global pause stops it.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsole, type RunningConsole } from '../../src/main/app.ts';
import { startRelay, type RelayHandle } from '../../src/relay/index.ts';
import { callCore, readReplica } from '../support/core.ts';
import { startTestSandbox, type SandboxFixture } from '../support/sandbox.ts';
import { waitFor } from '../support/wait-for.ts';
import type { ServerBooking } from './helpers.ts';

const key = 'ork_rulehook.rules-webhook-secret-0123456789';
const admin = 'rules-webhook-admin';
const secret = 'whsec_rules_webhook_test';

let dir: string;
let relay: RelayHandle;
let sandbox: SandboxFixture;
let running: RunningConsole;
let offering: string;

/** The server's view of a booking. */
async function serverStatus(id: string): Promise<string> {
  return (await sandbox.getJson<ServerBooking>(`/api/bookings/${id}`, key)).status;
}

/**
 * A new PENDING, not held booking on `offering` that the console first hears of by webhook: a customer
 * books (no webhook for PENDING), and someone moves it to another free slot (booking.rescheduled, with
 * the booking). The other free slot is found by booking it and cancelling that booking.
 */
async function newPendingByWebhook(): Promise<ServerBooking> {
  let booking: ServerBooking | null = null;
  for (let attempt = 0; attempt < 20 && !booking; attempt++) {
    const b = await sandbox.adminJson<ServerBooking>('POST', '/simulate/booking', { offeringId: offering });
    if (b.riskReviewStatus !== 'HELD') booking = b;
  }
  expect(booking, 'a simulated booking that is not held for review').not.toBeNull();
  const other = await sandbox.adminJson<ServerBooking>('POST', '/simulate/booking', { offeringId: offering });
  expect((await sandbox.api('POST', `/v1/api/bookings/${other.id}/cancel`, { key, body: { reason: 'slot for a move' } })).status).toBe(200);
  const slot = other.items[0]!;
  const moved = await sandbox.api('PATCH', `/v1/api/bookings/${booking!.id}`, { key, body: { itemId: booking!.items[0]!.id, startsAt: slot.startsAt, endsAt: slot.endsAt } });
  expect(moved.status, moved.text).toBe(200);
  return booking!;
}

/** Waits until the booking is in the replica; returns when that was seen. */
async function arrival(id: string): Promise<number> {
  await waitFor(async () => (await callCore(running.core, 'bookings.get', { id })) !== null, `booking ${id} in the replica`);
  return Date.now();
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rules-webhook-'));
  relay = await startRelay({ port: 0, store: join(dir, 'relay.db'), adminToken: admin });
  const created = await fetch(`${relay.url}/v1/channels`, { method: 'POST', headers: { Authorization: `Bearer ${admin}`, 'Content-Type': 'application/json' }, body: '{}' });
  const channel = (await created.json()) as { id: string; ingressUrl: string; deviceToken: string };
  sandbox = await startTestSandbox({ dir, keys: [key], adminToken: admin, seed: { bookings: 120, offerings: 3 }, webhook: { url: channel.ingressUrl, secret, retryBaseMs: 20 } });
  running = await startConsole({
    dbFile: join(dir, 'replica.db'),
    api: { url: sandbox.url, key },
    transport: 'bridge',
    relay: { url: relay.url, channelId: channel.id, deviceToken: channel.deviceToken, secrets: [secret] },
  });
  await waitFor(async () => (await callCore(running.core, 'sync.status')).lastSyncAt, 'the first sync');
  offering = (await callCore(running.core, 'offerings.list', {})).find((o) => o.status === 'PUBLISHED')!.id;
  // The undo window would hold the approval back 5 s; this test measures the rule's own path.
  await callCore(running.core, 'settings.set', { undoSeconds: 0 });
  await callCore(running.core, 'rules.add', { rule: { name: 'Webhook arrivals', offeringIds: [offering], conditions: { notHeld: true }, action: 'approve' } });
}, 120_000);

afterAll(async () => {
  await running?.close();
  await sandbox?.dispose();
  await relay?.close();
});

describe('rules on webhook arrivals', () => {
  it('approves a new PENDING booking that arrived by webhook within 2 s of its arrival', async () => {
    const booking = await newPendingByWebhook();
    const arrived = await arrival(booking.id);
    await waitFor(async () => (await serverStatus(booking.id)) === 'CONFIRMED', 'the rule approval on the server', Math.max(0, 2000 - (Date.now() - arrived)));
    const detail = await callCore(running.core, 'bookings.get', { id: booking.id });
    const summaries = detail?.history.map((h) => h.summary) ?? [];
    expect(summaries.some((s) => s.startsWith('Booking rescheduled'))).toBe(true);
    expect(summaries.some((s) => s.startsWith('Approved by rule "Webhook arrivals": offeringIds'))).toBe(true);
  });

  it('does nothing while paused, and acts on what is still pending when resumed', async () => {
    await callCore(running.core, 'rules.setPaused', { paused: true });
    const booking = await newPendingByWebhook();
    await arrival(booking.id);
    // Fence: a full pull after the arrival ends with a rules pass (the sync engine's afterPull).
    const before = (await callCore(running.core, 'sync.status')).lastSyncAt;
    expect((await callCore(running.core, 'sync.now')).started).toBe(true);
    await waitFor(async () => (await callCore(running.core, 'sync.status')).lastSyncAt !== before, 'a full pull after the arrival');
    expect((await callCore(running.core, 'intents.list')).filter((i) => i.targetId === booking.id)).toEqual([]);
    expect(readReplica(join(dir, 'replica.db'), (db) => db.prepare('SELECT count(*) AS n FROM rule_runs WHERE booking_id = ?').get(booking.id))).toEqual({ n: 0 });
    expect(await serverStatus(booking.id)).toBe('PENDING');

    const resumed = await callCore(running.core, 'rules.setPaused', { paused: false });
    expect(resumed.paused).toBe(false);
    expect((await callCore(running.core, 'intents.list')).filter((i) => i.targetId === booking.id).map((i) => i.kind)).toEqual(['booking.approve']);
    await waitFor(async () => (await serverStatus(booking.id)) === 'CONFIRMED', 'the approval after resuming');
  });
});
