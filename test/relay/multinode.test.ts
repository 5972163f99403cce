import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRelay, type RelayHandle } from '../../src/relay/server.ts';
import { getTestPostgres, type TestPostgres } from '../support/postgres.ts';
import { waitFor } from '../support/wait-for.ts';
import { addDevice, adminToken, collect, createChannel, postMany, postWebhook, spawnRelay, stopChild, type RelayProcess } from './helpers.ts';

/** Two relay processes on one PostgreSQL: node A is the CLI in a child process, node B runs in this process. */
describe('two relay processes on one PostgreSQL', () => {
  let pgServer: TestPostgres;
  let nodeA: RelayProcess;
  let nodeB: RelayHandle;

  beforeAll(async () => {
    pgServer = await getTestPostgres();
    // Both nodes' heartbeats (the stream's polling safety net) are far longer than the waits below
    // (20 s), so delivery within them can only come from NOTIFY. How fast it is is a figure, not an
    // assertion: `npm run bench -- relay` prints the cross-node latency beside its target.
    nodeA = await spawnRelay(['--store', pgServer.url, '--heartbeat', '10m']);
    nodeB = await startRelay({ store: pgServer.url, adminToken, heartbeatMs: 600_000 });
  });

  afterAll(async () => {
    await nodeB?.close();
    if (nodeA) await stopChild(nodeA);
    await pgServer?.stop();
  });

  it('ingress on node A reaches a device streaming from node B through NOTIFY, and the reverse', async () => {
    const ch = await createChannel(nodeA.url);
    const onB = collect(nodeB.url, ch.id, ch.deviceToken);
    const dev2 = await addDevice(nodeB.url, ch.id);
    const onA = collect(nodeA.url, ch.id, dev2.deviceToken);
    try {
      await waitFor(() => onB.statuses.some((s) => s.state === 'open') && onA.statuses.some((s) => s.state === 'open'), 'streams open');
      expect(await postWebhook(`${nodeA.url}/in/${ch.id}`, '{"event":"booking.confirmed","data":{"via":"A"}}', 'dlv_mn_1')).toEqual({ status: 202, seq: 1 });
      await waitFor(() => onB.events.length === 1, 'event on node B', 20_000);
      expect(onB.events[0]!.body.toString()).toBe('{"event":"booking.confirmed","data":{"via":"A"}}');

      expect(await postWebhook(`${nodeB.url}/in/${ch.id}`, '{"event":"booking.cancelled","data":{"via":"B"}}', 'dlv_mn_2')).toEqual({ status: 202, seq: 2 });
      await waitFor(() => onA.events.length === 2 && onB.events.length === 2, 'event 2 on both nodes', 20_000);
      expect(onA.events.map((e) => e.deliveryId)).toEqual(['dlv_mn_1', 'dlv_mn_2']);

      // The same delivery retried against the other node is stored once.
      expect(await postWebhook(`${nodeB.url}/in/${ch.id}`, '{"event":"booking.confirmed","data":{"via":"A"}}', 'dlv_mn_1')).toEqual({ status: 200, seq: 1, duplicate: true });
    } finally {
      await onB.stream.close();
      await onA.stream.close();
    }
  });

  it('concurrent ingress on both nodes gives one gap-free sequence, streamed in order', { timeout: 60_000 }, async () => {
    const ch = await createChannel(nodeB.url);
    const c = collect(nodeB.url, ch.id, ch.deviceToken);
    const n = 400;
    const items = Array.from({ length: n }, (_, i) => ({ body: `{"i":${i}}`, deliveryId: `dlv_both_${i}` }));
    try {
      const [ra, rb] = await Promise.all([
        postMany(`${nodeA.url}/in/${ch.id}`, items.filter((_, i) => i % 2 === 0), 8),
        postMany(`${nodeB.url}/in/${ch.id}`, items.filter((_, i) => i % 2 === 1), 8),
      ]);
      const seqs = [...ra, ...rb].map((r) => r.seq!).sort((x, y) => x - y);
      expect(seqs).toEqual(Array.from({ length: n }, (_, i) => i + 1));
      await waitFor(() => c.events.length >= n, 'all events on B', 30_000);
      expect(c.events.map((e) => e.seq)).toEqual(seqs);
      expect(new Set(c.events.map((e) => e.deliveryId)).size).toBe(n);
    } finally {
      await c.stream.close();
    }
  });

  it('revoking a device on node A disconnects its stream on node B', async () => {
    const ch = await createChannel(nodeA.url);
    const dev = await addDevice(nodeA.url, ch.id);
    const c = collect(nodeB.url, ch.id, dev.deviceToken);
    await waitFor(() => c.statuses.some((s) => s.state === 'open'), 'open on B');
    const res = await fetch(`${nodeA.url}/v1/channels/${ch.id}/devices/${dev.deviceId}`, { method: 'DELETE', headers: { authorization: `Bearer ${adminToken}` } });
    expect(res.status).toBe(204);
    await waitFor(() => c.statuses.some((s) => s.state === 'refused'), 'refused on B', 20_000);
    await c.stream.close();
  });

  it('node B recovers its LISTEN connection after the database kills it, and catches up', { timeout: 60_000 }, async () => {
    const ch = await createChannel(nodeA.url);
    const c = collect(nodeB.url, ch.id, ch.deviceToken);
    try {
      await waitFor(() => c.statuses.some((s) => s.state === 'open'), 'open on B');
      const admin = new pg.Client({ connectionString: pgServer.url });
      await admin.connect();
      try {
        const killed = await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query ILIKE 'LISTEN orkestr_relay%' AND pid <> pg_backend_pid()");
        expect(killed.rowCount).toBeGreaterThanOrEqual(2); // one per node
      } finally {
        await admin.end();
      }
      // Posted while the LISTEN links are down or just back: the resync re-read delivers it.
      expect((await postWebhook(`${nodeA.url}/in/${ch.id}`, '{"after":"kill"}', 'dlv_after_kill')).status).toBe(202);
      await waitFor(() => c.events.length === 1, 'event after LISTEN reconnect', 15_000);
      await waitFor(async () => (await fetch(`${nodeB.url}/healthz`)).status === 200, 'B healthy again', 15_000);
      // and live push works again
      expect((await postWebhook(`${nodeA.url}/in/${ch.id}`, '{"live":true}', 'dlv_live_again')).status).toBe(202);
      await waitFor(() => c.events.length === 2, 'live event after reconnect', 20_000);
    } finally {
      await c.stream.close();
    }
  });

  it('both nodes report healthy on the shared store', async () => {
    for (const url of [nodeA.url, nodeB.url]) {
      const r = await fetch(`${url}/healthz`);
      expect(r.status).toBe(200);
      expect(await r.text()).toBe('ok');
    }
  });
});
