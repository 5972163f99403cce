import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRelay, type RelayHandle } from '../../src/relay/server.ts';
import { getTestPostgres, type TestPostgres } from '../support/postgres.ts';
import { waitFor } from '../support/wait-for.ts';
import { adminToken, collect, createChannel, postMany, postWebhook } from './helpers.ts';

const total = 10_000;

describe.each(['sqlite', 'sqlite-thread', 'postgres'] as const)('offline device on %s', (kind) => {
  let relay: RelayHandle;
  let pgServer: TestPostgres | undefined;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'relay-offline-'));
    if (kind === 'postgres') pgServer = await getTestPostgres();
    relay = await startRelay({ store: pgServer?.url ?? join(dir, 'relay.db'), adminToken, heartbeatMs: 1000, sqliteWriterThread: kind === 'sqlite-thread' });
  });

  afterAll(async () => {
    await relay?.close();
    await pgServer?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`receives all ${total} events that arrived while it was away, in order, none twice`, { timeout: 180_000 }, async () => {
    const ch = await createChannel(relay.url);
    const ingress = `${relay.url}/in/${ch.id}`;
    // Online for the first event, then offline.
    const first = collect(relay.url, ch.id, ch.deviceToken);
    await postWebhook(ingress, '{"event":"webhook.test","data":{}}', 'dlv_first');
    await waitFor(() => first.events.length === 1, 'first event');
    await first.stream.close();
    const cursor = first.stream.cursor();
    expect(cursor).toBe(1);

    const items = Array.from({ length: total }, (_, i) => ({ body: `{"event":"booking.confirmed","data":{"i":${i}}}`, deliveryId: `dlv_off_${i}` }));
    const results = await postMany(ingress, items, 32);
    expect(results.filter((r) => r.status !== 202)).toEqual([]);
    // Every seq handed out once: 2 … total + 1.
    expect(new Set(results.map((r) => r.seq)).size).toBe(total);

    const seen: number[] = [];
    const ids = new Set<string>();
    let duplicates = 0;
    const back = collect(relay.url, ch.id, ch.deviceToken, {
      cursor: cursor!,
      onEvent: (ev) => {
        seen.push(ev.seq);
        if (ids.has(ev.deliveryId!)) duplicates++;
        ids.add(ev.deliveryId!);
      },
    });
    try {
      await waitFor(() => seen.length >= total, `${total} events after reconnect`, 120_000);
      expect(duplicates).toBe(0);
      expect(seen.length).toBe(total);
      for (let i = 0; i < total; i++) if (seen[i] !== i + 2) throw new Error(`out of order at ${i}: seq ${seen[i]}`);
      expect(ids).toEqual(new Set(items.map((it) => it.deliveryId)));
      // bodies belong to their delivery ids
      for (const ev of back.events.slice(0, 50)) {
        const i = Number(ev.deliveryId!.slice('dlv_off_'.length));
        expect(ev.body.toString()).toBe(items[i]!.body);
      }
      // The relay stored the device's cursor from its acks.
      await waitFor(async () => {
        const info = (await (await fetch(`${relay.url}/v1/channels/${ch.id}`, { headers: { authorization: `Bearer ${adminToken}` } })).json()) as { devices: Array<{ ackedSeq: number }> };
        return info.devices[0]!.ackedSeq === total + 1;
      }, 'stored cursor');
    } finally {
      await back.stream.close();
    }
  });
});
