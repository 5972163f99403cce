import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startRelay } from '../../src/relay/server.ts';
import { startBelowEphemeralPorts } from '../support/ports.ts';
import { waitFor } from '../support/wait-for.ts';
import { adminToken, collect, createChannel, postWebhook } from './helpers.ts';

describe('graceful shutdown', () => {
  const dir = mkdtempSync(join(tmpdir(), 'relay-shutdown-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the device client rides out a relay restart: backs off, reconnects, resumes without repeats', { timeout: 60_000 }, async () => {
    const file = join(dir, 'restart.db');
    // Below the ephemeral ports: the relay comes back on this port after others took free ones.
    const first = await startBelowEphemeralPorts((port) => startRelay({ store: file, adminToken, heartbeatMs: 1000, port }));
    const ch = await createChannel(first.url);
    const c = collect(first.url, ch.id, ch.deviceToken);
    try {
      await postWebhook(`${first.url}/in/${ch.id}`, '{"n":1}', 'dlv_rs_1');
      await waitFor(() => c.events.length === 1, 'first event');
      await first.close();
      await waitFor(() => c.statuses.filter((s) => s.state === 'disconnected').length >= 2, 'failed reconnect attempts');
      const delays = c.statuses.flatMap((s) => (s.state === 'disconnected' ? [s.retryInMs] : []));
      expect(delays.length).toBeGreaterThanOrEqual(2);
      expect(delays.filter((d) => !(d > 0 && d <= 500))).toEqual([]); // bounded by maxBackoffMs

      const second = await startRelay({ store: file, adminToken, port: first.port });
      try {
        await postWebhook(`${second.url}/in/${ch.id}`, '{"n":2}', 'dlv_rs_2');
        await waitFor(() => c.events.length === 2, 'event after restart', 15_000);
        expect(c.events.map((e) => e.seq)).toEqual([1, 2]);
      } finally {
        await c.stream.close();
        await second.close();
      }
    } finally {
      await c.stream.close();
    }
  });

  it('finishes in-flight ingests, closes streams, then the store; every 2xx survives', { timeout: 60_000 }, async () => {
    const file = join(dir, 'relay.db');
    const relay = await startRelay({ store: file, adminToken, heartbeatMs: 1000 });
    const ch = await createChannel(relay.url);
    const live = collect(relay.url, ch.id, ch.deviceToken, { cursor: 0 });
    await waitFor(() => live.statuses.some((s) => s.state === 'open'), 'stream open');

    const acknowledged = new Set<string>();
    const refused: number[] = [];
    let next = 0;
    let stop = false;
    const sender = async (): Promise<void> => {
      while (!stop && next < 20_000) {
        const id = `dlv_sd_${next++}`;
        try {
          const r = await postWebhook(`${relay.url}/in/${ch.id}`, `{"id":"${id}"}`, id);
          if (r.status >= 200 && r.status < 300) acknowledged.add(id);
          else refused.push(r.status);
        } catch {
          stop = true;
        }
      }
    };
    const senders = Array.from({ length: 12 }, sender);
    await waitFor(() => acknowledged.size >= 200, '200 acknowledged');
    await relay.close();
    stop = true;
    await Promise.all(senders);
    // Refusals during shutdown are 503 (retryable), never a 2xx for something not stored. (Whether a
    // request met the closing relay or a closed port is a race, so there may be none: none may be other.)
    expect(refused.filter((status) => status !== 503)).toEqual([]);
    await waitFor(() => live.statuses.some((s) => s.state === 'disconnected' && s.code === 1001), 'stream closed with 1001');
    await live.stream.close();

    const again = await startRelay({ store: file, adminToken });
    const c = collect(again.url, ch.id, ch.deviceToken, { cursor: 0 });
    try {
      const info = (await (await fetch(`${again.url}/v1/channels/${ch.id}`, { headers: { authorization: `Bearer ${adminToken}` } })).json()) as { lastSeq: number };
      await waitFor(() => c.events.length >= info.lastSeq, 'all stored events');
      const streamed = new Set(c.events.map((e) => e.deliveryId));
      expect([...acknowledged].filter((id) => !streamed.has(id))).toEqual([]);
    } finally {
      await c.stream.close();
      await again.close();
    }
  });
});
