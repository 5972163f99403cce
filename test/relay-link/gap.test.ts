/**
 * A relay gap notice makes the console resync. The console (startConsole, as `serve` runs it) listens
 * on a relay channel connected from Settings; while it is away the relay stores a webhook, and the
 * server changes a record no webhook announces (an offering's title); then retention purges the
 * stored events. Back on the channel, the relay says "gap": the console must pull, and the changed
 * record appears — long before the periodic reconciliation (5 min) would bring it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startConsole, type RunningConsole } from '../../src/main/app.ts';
import { startRelay, type RelayHandle } from '../../src/relay/index.ts';
import { callCore } from '../support/core.ts';
import { startTestSandbox, TEST_KEY, type SandboxFixture } from '../support/sandbox.ts';
import { waitFor } from '../support/wait-for.ts';

const admin = 'gap-test-admin-token-0123';
const secret = 'whsec_gap_test';
const day = 86_400_000;

let dir: string;
let relay: RelayHandle;
let s: SandboxFixture;
let running: RunningConsole;
let clockOffset = 0;
let channel: { id: string; ingressUrl: string; deviceToken: string };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'relay-gap-'));
  relay = await startRelay({ port: 0, store: join(dir, 'relay.db'), adminToken: admin, now: () => Date.now() + clockOffset });
  const created = await fetch(`${relay.url}/v1/channels`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: '{}' });
  channel = (await created.json()) as typeof channel;
  s = await startTestSandbox({ dir, seed: { bookings: 30, offerings: 3 }, webhook: { url: channel.ingressUrl, secret, retryBaseMs: 20 } });
  running = await startConsole({ dbFile: join(dir, 'replica.db'), api: { url: s.url, key: TEST_KEY }, transport: 'bridge' });
  await waitFor(async () => (await callCore(running.core, 'sync.status')).lastSyncAt, 'the first sync');
});

afterAll(async () => {
  await running?.close();
  await s?.close();
  await relay?.close();
  await rm(dir, { recursive: true, force: true });
});

const lastSeq = async (): Promise<number> =>
  ((await (await fetch(`${relay.url}/v1/channels/${channel.id}`, { headers: { authorization: `Bearer ${admin}` } })).json()) as { lastSeq: number }).lastSeq;
const connectRelay = () => callCore(running.core, 'settings.connectRelay', { channelUrl: `${relay.url}/v1/channels/${channel.id}`, deviceToken: channel.deviceToken, webhookSecret: secret, keep: 'session' });
const approveOnServer = async (id: string): Promise<void> => {
  expect((await s.api('POST', `/v1/api/bookings/${id}/approve`, { body: {} })).status).toBe(200);
};

it('pulls after a gap notice: a record changed on the server while the console was away appears', { timeout: 90_000 }, async () => {
  await connectRelay();
  const [first, second] = (await callCore(running.core, 'queue.window', { limit: 1000 })).items;
  // One webhook through the link, so the console holds a cursor on this channel.
  await approveOnServer(first!.id);
  await waitFor(async () => (await callCore(running.core, 'activity.list', { limit: 50 })).some((a) => a.event === 'booking.confirmed' && a.bookingId === first!.id), 'the first webhook applied');

  // Away: a webhook is stored for the console, and an offering changes without any webhook.
  await callCore(running.core, 'settings.disconnectRelay');
  const seqBefore = await lastSeq();
  await approveOnServer(second!.id);
  await waitFor(async () => (await lastSeq()) > seqBefore, 'the relay to store the webhook sent while the console was away');
  const offering = (await callCore(running.core, 'offerings.list', {}))[0]!;
  const renamed = `${offering.title} — renamed while away`;
  expect((await s.api('PATCH', `/v1/api/offerings/${offering.id}`, { body: { title: renamed } })).status).toBe(200);

  // Retention passes: every stored event is purged, the one the console never got among them.
  clockOffset += 8 * day;
  expect(await relay.purgeNow()).toBeGreaterThanOrEqual(2);
  expect((await callCore(running.core, 'offerings.list', {})).find((o) => o.id === offering.id)?.title).toBe(offering.title);

  await connectRelay();
  const seen = await waitFor(async () => (await callCore(running.core, 'offerings.list', {})).find((o) => o.id === offering.id && o.title === renamed), 'the renamed offering after the gap', 20_000);
  expect(seen.syncState).toBe('synced');
  // The same pull brings the booking whose webhook was purged (bookings come after offerings).
  await waitFor(async () => (await callCore(running.core, 'bookings.get', { id: second!.id }))?.status === 'CONFIRMED', 'the booking approved while away', 20_000);
});
