/**
 * Relay benchmark (`npm run bench -- relay`, or `node bench/relay.ts`).
 *
 * For each store (SQLite file; throwaway PostgreSQL cluster with fsync on) the relay runs as its own
 * process (the CLI), and this process is both the sender and the device:
 *  1. latency: 500 events/s for 10 s, paced; per event, time from the sender's POST to the device's
 *     onEvent (ingest → durable → notify → stream), p50/p99/max, plus the POST's own 2xx time;
 *  2. throughput: 5,000 events as fast as 64 concurrent senders can post them.
 * Then, on PostgreSQL, two relay nodes on the one store: 3. cross-node latency, ingress on node A to a
 * device streaming from node B (NOTIFY), one event at a time (test/relay/multinode.test.ts asserts
 * that it arrives; how fast is this figure).
 * Floor, measured in the same run: a bare Node HTTP server answering 202 on loopback (same client:
 * node:http, keep-alive, at most 64 sockets — the paced sender queues beyond that).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectRelayStream } from '../src/relay/protocol/index.ts';
import { getTestPostgres } from '../test/support/postgres.ts';

const adminToken = 'bench-admin-token-0123456789';
const root = join(import.meta.dirname, '..');
const rate = 500;
const seconds = 10;
const burst = 5000;

function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}
const ms = (v: number): string => `${v.toFixed(2)} ms`;

/** CPU time (user + system, ms) a process has used so far — a figure that a busy machine distorts less than wall time. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (100/s)
}

async function spawnRelay(store: string, extra: string[] = []): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [join(root, 'bin', 'orkestr-console.mjs'), 'relay', '--port', '0', '--admin-token', adminToken, '--store', store, ...extra], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  for (let i = 0; i < 600 && !/listening at (\S+)/.test(out); i++) await new Promise((r) => setTimeout(r, 50));
  const m = /listening at (http:\/\/\S+)/.exec(out);
  if (!m) throw new Error('relay did not start');
  return { child, url: m[1]! };
}

let transportErrors = 0;

async function post(url: string, body: string, id: string): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await postOnce(url, body, id);
    } catch (error) {
      // a reset socket under heavy machine load: count it and retry like a webhook sender would
      transportErrors++;
      if (attempt >= 5) throw error;
    }
  }
}

// node:http with a keep-alive pool: a lighter sender than fetch, so more of the machine is left to the relay.
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

function postOnce(url: string, body: string, id: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-orkestr-delivery-id': id, 'x-orkestr-signature': '0'.repeat(64), 'x-orkestr-event': 'booking.confirmed' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const bodyFor = (i: number): string => JSON.stringify({ event: 'booking.confirmed', data: { bookingId: `bkg_${i}`, status: 'CONFIRMED', totalCents: 12_500, currency: 'USD', note: 'x'.repeat(400) } });

async function floor(): Promise<{ p50: number; p99: number; throughput: number }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(202, { 'content-type': 'application/json' }).end('{"seq":1}'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/in/x`;
  const times: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const t = performance.now();
    await post(url, bodyFor(i), `f${i}`);
    times.push(performance.now() - t);
  }
  const t0 = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: 64 }, async () => {
    while (next < burst) await post(url, bodyFor(next), `g${next++}`);
  }));
  const throughput = burst / ((performance.now() - t0) / 1000);
  server.close();
  return { p50: pct(times, 50), p99: pct(times, 99), throughput };
}

async function run(kind: string, store: string): Promise<void> {
  const relay = await spawnRelay(store);
  try {
    const ch = (await (await fetch(`${relay.url}/v1/channels`, { method: 'POST', headers: { authorization: `Bearer ${adminToken}` } })).json()) as { id: string; deviceToken: string };
    const ingress = `${relay.url}/in/${ch.id}`;
    const sentAt = new Map<string, number>();
    const e2e: number[] = [];
    let received = 0;
    const stream = connectRelayStream({
      url: relay.url,
      channelId: ch.id,
      deviceToken: ch.deviceToken,
      onEvent: (ev) => {
        received++;
        const t = sentAt.get(ev.deliveryId!);
        if (t !== undefined) e2e.push(performance.now() - t);
      },
    });
    for (let i = 0; i < 200; i++) await new Promise((r) => setTimeout(r, 10));

    // 1. paced latency
    const total = rate * seconds;
    const acks: number[] = [];
    const pending: Promise<void>[] = [];
    const start = performance.now();
    for (let i = 0; i < total; i++) {
      const due = start + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const id = `dlv_lat_${i}`;
      const t = performance.now();
      sentAt.set(id, t);
      pending.push(post(ingress, bodyFor(i), id).then((status) => {
        if (status !== 202) throw new Error(`HTTP ${status}`);
        acks.push(performance.now() - t);
      }));
    }
    await Promise.all(pending);
    const achieved = total / ((performance.now() - start) / 1000);
    for (let i = 0; i < 3000 && received < total; i++) await new Promise((r) => setTimeout(r, 10));
    console.log(`${kind}: paced ${total} events at ${achieved.toFixed(0)}/s (target ${rate}/s): ingest 2xx p50 ${ms(pct(acks, 50))} p99 ${ms(pct(acks, 99))}; ` +
      `ingest→device p50 ${ms(pct(e2e, 50))} p99 ${ms(pct(e2e, 99))} max ${ms(Math.max(...e2e))}; delivered ${received}/${total}`);

    // 2. burst throughput
    const before = received;
    const cpu0 = cpuMs(relay.child.pid!);
    const t0 = performance.now();
    let next = 0;
    await Promise.all(Array.from({ length: 64 }, async () => {
      while (next < burst) {
        const i = next++;
        const status = await post(ingress, bodyFor(i), `dlv_burst_${i}`);
        if (status !== 202) throw new Error(`HTTP ${status}`);
      }
    }));
    const ingestSecs = (performance.now() - t0) / 1000;
    const relayCpu = cpuMs(relay.child.pid!) - cpu0;
    for (let i = 0; i < 6000 && received < before + burst; i++) await new Promise((r) => setTimeout(r, 10));
    const drainSecs = (performance.now() - t0) / 1000;
    console.log(`${kind}: burst ${burst} events, 64 senders: ingest ${(burst / ingestSecs).toFixed(0)} events/s (durable 2xx); all delivered to the device after ${drainSecs.toFixed(2)} s (${(burst / drainSecs).toFixed(0)} events/s end to end); relay CPU ${(relayCpu / burst).toFixed(3)} ms/event`);
    await stream.close();
  } finally {
    relay.child.kill('SIGTERM');
    await new Promise((r) => relay.child.once('exit', r));
  }
}

/** Ingress on node A → a device on node B, one event at a time: the NOTIFY path between relay nodes. */
async function crossNode(store: string): Promise<void> {
  // Heartbeats far apart: only NOTIFY can deliver within the measurement.
  const a = await spawnRelay(store, ['--heartbeat', '10m']);
  const b = await spawnRelay(store, ['--heartbeat', '10m']);
  try {
    const ch = (await (await fetch(`${a.url}/v1/channels`, { method: 'POST', headers: { authorization: `Bearer ${adminToken}` } })).json()) as { id: string; deviceToken: string };
    let received = 0;
    const stream = connectRelayStream({ url: b.url, channelId: ch.id, deviceToken: ch.deviceToken, onEvent: () => void received++ });
    for (let i = 0; i < 200; i++) await new Promise((r) => setTimeout(r, 10));
    const latencies: number[] = [];
    for (let i = 0; i < 50; i++) {
      const t = performance.now();
      const status = await post(`${a.url}/in/${ch.id}`, bodyFor(i), `dlv_cross_${i}`);
      if (status !== 202) throw new Error(`HTTP ${status}`);
      for (let w = 0; w < 3000 && received <= i; w++) await new Promise((r) => setTimeout(r, 1));
      latencies.push(performance.now() - t);
    }
    await stream.close();
    const max = Math.max(...latencies);
    console.log(`postgres, two nodes: ingress on A → device on B p50 ${ms(pct(latencies, 50))} p99 ${ms(pct(latencies, 99))} max ${ms(max)} (target < 3 s: ${max < 3000 ? 'OK' : 'OVER TARGET'}); delivered ${received}/50`);
  } finally {
    for (const node of [a, b]) {
      node.child.kill('SIGTERM');
      await new Promise((r) => node.child.once('exit', r));
    }
  }
}

const f = await floor();
console.log(`floor (bare Node HTTP 202 on loopback, same client): sequential p50 ${ms(f.p50)} p99 ${ms(f.p99)}; 64 senders ${f.throughput.toFixed(0)} req/s`);
console.log('target: ingest→device p99 well under 100 ms at 500 events/s on loopback');
const dir = mkdtempSync(join(tmpdir(), 'relay-bench-'));
try {
  await run('sqlite (WAL, synchronous=FULL, writer thread)', join(dir, 'relay.db'));
  const pg = await getTestPostgres({ durable: true });
  try {
    await run('postgres (fsync on, one node)', pg.url);
    await crossNode(pg.url);
  } finally {
    await pg.stop();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(`transport errors retried: ${transportErrors}; machine load average at the end: ${load}`);
agent.destroy();
