/**
 * Two relay processes (the CLI, real child processes) on one real PostgreSQL, put through what a
 * production database does to them: a restart under traffic, a backend terminated by an operator,
 * and one relay node frozen (SIGSTOP) while it holds a channel's row lock. Each time: no process
 * dies, the answers meanwhile are 503 + Retry-After, service comes back by itself, and every event
 * that was acknowledged (2xx) is in the log exactly once, in a gap-free sequence.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestPostgres, type TestPostgres } from '../support/postgres.ts';
import { waitFor } from '../support/wait-for.ts';
import { createChannel, sign, spawnRelay, stopChild, type RelayProcess } from './helpers.ts';

interface Outcome {
  status: number | 'reset';
  retryAfter: string | null;
}

async function post(url: string, body: string, deliveryId: string): Promise<Outcome> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-orkestr-signature': sign(Buffer.from(body)), 'x-orkestr-delivery-id': deliveryId },
      body,
      signal: AbortSignal.timeout(60_000),
    });
    await res.arrayBuffer();
    return { status: res.status, retryAfter: res.headers.get('retry-after') };
  } catch {
    return { status: 'reset', retryAfter: null };
  }
}

/** Every stored event of a channel, straight from the database. */
async function storedEvents(db: pg.Client, channelId: string): Promise<Array<{ seq: number; deliveryId: string }>> {
  const r = await db.query<{ seq: string; delivery_id: string }>('SELECT seq, delivery_id FROM relay_events WHERE channel_id = $1 ORDER BY seq', [channelId]);
  return r.rows.map((row) => ({ seq: Number(row.seq), deliveryId: row.delivery_id }));
}

function expectGapFree(events: Array<{ seq: number }>): void {
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
}

const alive = (node: RelayProcess): boolean => node.child.exitCode === null && node.child.signalCode === null;

describe('relay processes on PostgreSQL under database faults', () => {
  let pgServer: TestPostgres;
  let nodeA: RelayProcess;
  let nodeB: RelayProcess;
  let db: pg.Client;
  let observer: pg.Client;

  beforeAll(async () => {
    pgServer = await getTestPostgres();
    nodeA = await spawnRelay(['--store', pgServer.url, '--heartbeat', '2s']);
    nodeB = await spawnRelay(['--store', pgServer.url, '--heartbeat', '2s']);
    db = new pg.Client({ connectionString: pgServer.url });
    db.on('error', () => {}); // the restart test ends this connection too; it is replaced below
    await db.connect();
    await connectObserver();
  }, 120_000);

  const connectObserver = async (): Promise<void> => {
    observer = new pg.Client({ connectionString: pgServer.url });
    observer.on('error', () => {});
    await observer.connect();
  };

  afterAll(async () => {
    if (nodeA) nodeA.child.kill('SIGCONT');
    await db?.end();
    await observer?.end();
    if (nodeA) await stopChild(nodeA);
    if (nodeB) await stopChild(nodeB);
    await pgServer?.stop();
  });

  /**
   * Backends waiting for a row lock, oldest first. Asked on a connection of its own: inside the
   * transaction that holds the lock, pg_stat_activity would show the snapshot of its first read.
   */
  const lockWaiters = async (): Promise<number[]> =>
    (
      await observer.query<{ pid: number }>(
        "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE '%FOR UPDATE%' AND pid <> pg_backend_pid() ORDER BY query_start",
      )
    ).rows.map((r) => r.pid);

  const reconnectDb = async (): Promise<void> => {
    await db.end();
    db = new pg.Client({ connectionString: pgServer.url });
    db.on('error', () => {});
    await db.connect();
    await observer?.end();
    await connectObserver();
  };

  it('survives `pg_ctl restart -m fast` under traffic: 503 meanwhile, back by itself, no acknowledged event lost', { timeout: 240_000 }, async () => {
    const channels = [await createChannel(nodeA.url), await createChannel(nodeB.url)];
    const acknowledged = new Map<string, string>(); // deliveryId → channelId
    const refusals: Outcome[] = [];
    let restarted = false;
    let afterRestart = 0;
    let n = 0;
    // Senders like Orkestr's: each delivery is retried until a 2xx (bounded), on alternating nodes.
    const sender = async (w: number): Promise<void> => {
      for (let k = 0; k < 2000 && !(restarted && afterRestart >= 200); k++) {
        const i = n++;
        const ch = channels[i % 2]!;
        const id = `dlv_rs_${w}_${i}`;
        for (let attempt = 0; attempt < 200; attempt++) {
          const node = (i + attempt) % 2 === 0 ? nodeA : nodeB;
          if (!alive(node)) return;
          const out = await post(`${node.url}/in/${ch.id}`, `{"i":${i}}`, id);
          if (out.status === 202 || out.status === 200) {
            acknowledged.set(id, ch.id);
            if (restarted) afterRestart++;
            break;
          }
          refusals.push(out);
          if (out.status === 'reset') return;
          await new Promise((r) => setTimeout(r, 50)); // back-off between retries (pacing, not an assertion)
        }
      }
    };
    const senders = Array.from({ length: 6 }, (_, w) => sender(w));
    await waitFor(() => acknowledged.size >= 150, 'traffic before the restart', 60_000);
    await pgServer.serverCtl('restart');
    restarted = true;
    await Promise.all(senders);

    expect(alive(nodeA), nodeA.stderr().slice(-2000)).toBe(true);
    expect(alive(nodeB), nodeB.stderr().slice(-2000)).toBe(true);
    expect(afterRestart).toBeGreaterThanOrEqual(200);
    // Meanwhile: only 503 with Retry-After, never a reset connection or a 500.
    for (const r of refusals) expect(r).toEqual({ status: 503, retryAfter: expect.stringMatching(/^\d+$/) });

    await reconnectDb();
    for (const ch of channels) {
      const events = await storedEvents(db, ch.id);
      expectGapFree(events);
      expect(new Set(events.map((e) => e.deliveryId)).size).toBe(events.length);
      const ids = new Set(events.map((e) => e.deliveryId));
      for (const [id, channelId] of acknowledged) if (channelId === ch.id) expect(ids.has(id), id).toBe(true);
    }
    await waitFor(async () => (await fetch(`${nodeA.url}/healthz`)).status === 200 && (await fetch(`${nodeB.url}/healthz`)).status === 200, 'both nodes healthy', 60_000);
  });

  it("survives pg_terminate_backend of its backend while it waits for a channel lock: 503 for that event, then service", { timeout: 120_000 }, async () => {
    const ch = await createChannel(nodeA.url);
    await db.query('BEGIN');
    await db.query('SELECT 1 FROM relay_channels WHERE id = $1 FOR UPDATE', [ch.id]);
    const pending = post(`${nodeA.url}/in/${ch.id}`, '{"term":1}', 'dlv_term');
    try {
      const waiting = await waitFor(async () => {
        return (await lockWaiters())[0];
      }, "node A's backend waiting for the lock", 30_000);
      await db.query('SELECT pg_terminate_backend($1)', [waiting]);
    } finally {
      await db.query('COMMIT');
    }
    const out = await pending;
    expect(out).toEqual({ status: 503, retryAfter: expect.stringMatching(/^\d+$/) });
    expect(alive(nodeA), nodeA.stderr().slice(-2000)).toBe(true);
    await waitFor(async () => (await post(`${nodeA.url}/in/${ch.id}`, '{"term":1}', 'dlv_term')).status === 202, 'the retry stored', 30_000);
    expect(await storedEvents(db, ch.id)).toEqual([{ seq: 1, deliveryId: 'dlv_term' }]);
  });

  it('a node frozen (SIGSTOP) while it holds a channel lock stalls nobody for long; it recovers after SIGCONT', { timeout: 240_000 }, async () => {
    const hot = await createChannel(nodeA.url);
    const cold = await createChannel(nodeA.url);
    // Make node A take the hot channel's row lock and freeze with it: hold the lock ourselves, queue
    // A's ingest and then B's behind it, stop A, let go. A's backend gets the lock and sits "idle in
    // transaction" with it (A cannot send its next statement); B's waits behind it.
    await db.query('BEGIN');
    await db.query('SELECT 1 FROM relay_channels WHERE id = $1 FOR UPDATE', [hot.id]);
    const fromA = post(`${nodeA.url}/in/${hot.id}`, '{"frozen":1}', 'dlv_frozen');
    let hotOnB: Promise<Outcome>;
    let backendA: number;
    try {
      backendA = (await waitFor(async () => (await lockWaiters())[0], "node A's backend waiting for the lock", 30_000));
      hotOnB = post(`${nodeB.url}/in/${hot.id}`, '{"hot":1}', 'dlv_hot_b');
      await waitFor(async () => (await lockWaiters()).length === 2, "node B's backend waiting too", 30_000);
      nodeA.child.kill('SIGSTOP');
    } finally {
      await db.query('COMMIT');
    }
    try {
      await waitFor(async () => {
        const r = await observer.query<{ state: string }>('SELECT state FROM pg_stat_activity WHERE pid = $1', [backendA]);
        return r.rows[0]?.state === 'idle in transaction';
      }, "A's backend idle in transaction, holding the lock", 30_000);
      // While A stays frozen: node B stores an event of another channel although its batch of the
      // hot channel is stuck, and the hot one too once the database has ended A's transaction
      // (idle_in_transaction_session_timeout) instead of waiting for A to wake up.
      expect(await post(`${nodeB.url}/in/${cold.id}`, '{"cold":1}', 'dlv_cold')).toMatchObject({ status: 202 });
      expect(await hotOnB).toMatchObject({ status: 202 });
      expect(nodeA.child.signalCode).toBeNull();
    } finally {
      nodeA.child.kill('SIGCONT');
    }
    // A wakes up to a dead connection: it must answer (503), live on, and store again.
    const out = await fromA;
    expect(out).toEqual({ status: 503, retryAfter: expect.stringMatching(/^\d+$/) });
    expect(alive(nodeA), nodeA.stderr().slice(-2000)).toBe(true);
    await waitFor(async () => (await post(`${nodeA.url}/in/${hot.id}`, '{"frozen":1}', 'dlv_frozen')).status === 202, 'A storing again', 30_000);
    const events = await storedEvents(db, hot.id);
    expectGapFree(events);
    expect(events.map((e) => e.deliveryId)).toEqual(['dlv_hot_b', 'dlv_frozen']);
  });
});
