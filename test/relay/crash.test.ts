import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/wait-for.ts';
import { collect, createChannel, postWebhook, spawnRelay, stopChild, type RelayProcess } from './helpers.ts';

describe('relay killed with SIGKILL during ingest (SQLite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'relay-crash-'));
  const file = join(dir, 'relay.db');
  const children: RelayProcess[] = [];

  afterAll(async () => {
    for (const c of children) await stopChild(c, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('loses no event it acknowledged', { timeout: 120_000 }, async () => {
    const first = await spawnRelay(['--store', file]);
    children.push(first);
    const ch = await createChannel(first.url);
    const ingress = `${first.url}/in/${ch.id}`;

    // Loader: 16 senders post distinct deliveries until the relay dies; a delivery counts as
    // acknowledged only when it got a 2xx.
    const acknowledged = new Set<string>();
    const attempted = new Set<string>();
    let next = 0;
    let stop = false;
    const sender = async (): Promise<void> => {
      while (!stop && next < 50_000) {
        const id = `dlv_crash_${next++}`;
        attempted.add(id);
        try {
          const r = await postWebhook(ingress, `{"event":"booking.confirmed","data":{"id":"${id}","note":"caf\u00e9"}}`, id);
          if (r.status >= 200 && r.status < 300) acknowledged.add(id);
        } catch {
          stop = true; // connection refused/reset: the relay is gone
        }
      }
    };
    const senders = Array.from({ length: 16 }, sender);
    await waitFor(() => acknowledged.size >= 400, '400 acknowledged deliveries', 60_000);
    first.child.kill('SIGKILL');
    await Promise.all(senders);
    expect(first.child.signalCode ?? (await new Promise((r) => first.child.once('exit', (_c, s) => r(s))))).toBe('SIGKILL');
    expect(attempted.size).toBeGreaterThan(acknowledged.size); // some were in flight when it died

    // Restart on the same file; every acknowledged delivery must stream.
    const second = await spawnRelay(['--store', file]);
    children.push(second);
    const c = collect(second.url, ch.id, ch.deviceToken, { cursor: 0 });
    try {
      const info = (await (await fetch(`${second.url}/v1/channels/${ch.id}`, { headers: { authorization: 'Bearer test-admin-token-0123456789' } })).json()) as { lastSeq: number };
      expect(info.lastSeq).toBeGreaterThanOrEqual(acknowledged.size);
      await waitFor(() => c.events.length >= info.lastSeq, 'all stored events', 60_000);
      const streamed = new Set(c.events.map((e) => e.deliveryId!));
      const lost = [...acknowledged].filter((id) => !streamed.has(id));
      expect(lost).toEqual([]);
      expect(c.events.map((e) => e.seq)).toEqual(Array.from({ length: info.lastSeq }, (_, i) => i + 1));
      // Nothing streamed that was never sent, and each body is intact.
      for (const e of c.events) {
        expect(attempted.has(e.deliveryId!)).toBe(true);
        expect(e.body.toString()).toBe(`{"event":"booking.confirmed","data":{"id":"${e.deliveryId}","note":"caf\u00e9"}}`);
      }
    } finally {
      await c.stream.close();
    }
    expect(await stopChild(second, 'SIGTERM')).toBe(0);
    expect(second.stderr()).toContain('"msg":"shutdown_done"');
  });
});
