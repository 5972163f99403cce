/**
 * A live event goes to a caught-up device straight from the commit that stored it, not read back from
 * the log the relay has just written (issue #16's webhook path: one SELECT per committed batch on the
 * relay's loop, about a tenth of its CPU at 500 webhooks/s). Real relay, real SQLite file (writer
 * thread, as the CLI runs it), a real device socket on loopback that never acks (each ack lets the
 * relay read the log once, for the events its window held back); the store's readEvents is counted,
 * not replaced.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startRelay, type RelayHandle } from '../../src/relay/index.ts';
import { openSqliteStore } from '../../src/relay/store-sqlite.ts';
import type { RelayStore } from '../../src/relay/store.ts';
import { waitFor } from '../support/wait-for.ts';
import { adminToken, createChannel, postWebhook } from './helpers.ts';

interface EventFrame {
  type: 'event';
  seq: number;
  deliveryId: string;
  headers: Record<string, string>;
  body: string;
}

describe('relay: live events to a caught-up device', () => {
  const dir = mkdtempSync(join(tmpdir(), 'relay-live-'));
  let relay: RelayHandle | null = null;
  let device: WebSocket | null = null;
  afterAll(async () => {
    device?.terminate();
    await relay?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('are sent from the commit that stored them, without reading the log again, in order and once', { timeout: 60_000 }, async () => {
    const store = openSqliteStore(join(dir, 'relay.db'), { writerThread: true });
    let reads = 0;
    const counted: RelayStore = {
      ...store,
      readEvents: (...args) => {
        reads++;
        return store.readEvents(...args);
      },
    };
    // No heartbeat during the test: each one pumps (a safety net that reads the log).
    relay = await startRelay({ port: 0, store: counted, adminToken, heartbeatMs: 600_000 });
    const channel = await createChannel(relay.url);
    const events: EventFrame[] = [];
    device = new WebSocket(channel.streamUrl, { headers: { authorization: `Bearer ${channel.deviceToken}` } });
    device.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString('utf8')) as { type: string };
      if (frame.type === 'event') events.push(frame as EventFrame);
    });
    // The first event also waits for the connection's own catch-up read, which is not under test.
    expect((await postWebhook(channel.ingressUrl, '{"n":0}', 'dlv_live_0')).status).toBe(202);
    await waitFor(() => events.length === 1, 'the first event');

    reads = 0;
    for (let n = 1; n <= 20; n++) expect((await postWebhook(channel.ingressUrl, `{"n":${n}}`, `dlv_live_${n}`)).status).toBe(202);
    await waitFor(() => events.length === 21, 'all 21 events');

    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
    expect(events.map((e) => Buffer.from(e.body, 'base64').toString('utf8'))).toEqual(Array.from({ length: 21 }, (_, n) => `{"n":${n}}`));
    expect(events[5]!.deliveryId).toBe('dlv_live_5');
    expect(events[5]!.headers['x-orkestr-event']).toBe('booking.confirmed');
    expect(reads).toBe(0);
  });
});
