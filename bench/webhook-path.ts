/**
 * The webhook path, measured end to end on loopback: a signed delivery POSTed to the relay's ingress →
 * stored durably → streamed to the console's relay link → verified and applied to the replica in one
 * transaction → pushed as a contract event over the loopback bridge's WebSocket (what the UI receives).
 *
 * The relay runs in a process of its own (it is a separate deployable); the console core, its relay
 * link and the loopback bridge share one process, as in `serve`.
 * Load: 500 deliveries per second for 10 s (booking.confirmed with the whole booking, as the sandbox
 * sends them). Reports p50/p99 latency from the POST to the UI event; target p99 ≤ 20 ms.
 * Floor, measured in the same run: the same POSTs answered by a bare HTTP server and echoed to a bare
 * WebSocket client (what any relay→UI path costs at least on this machine).
 */
import { spawn } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { WebSocket, WebSocketServer } from 'ws';
import { startBridge } from '../src/main/bridge/bridge.ts';
import { ConsoleCore } from '../src/main/core/index.ts';
import { startRelayLink } from '../src/main/core/relay-link/relay-link.ts';

const ratePerSecond = 500;
const seconds = 10;
const total = ratePerSecond * seconds;
const secret = 'whsec_bench';
let resets = 0;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function bookingBody(i: number): { id: string; body: string } {
  const id = `bkg_bench${String(i).padStart(8, '0')}`;
  const at = new Date(Date.UTC(2026, 11, 1, 9) + i * 3_600_000).toISOString();
  const booking = {
    id,
    status: 'CONFIRMED',
    offeringId: 'off_bench',
    offeringTitle: 'Bench Room',
    customer: { id: `cus_${i}`, name: `Customer ${i}`, email: `c${i}@example.com`, timezone: 'Europe/Madrid' },
    items: [{ id: `bki_${i}`, offeringId: 'off_bench', startsAt: at, endsAt: at, quantity: 1, priceCents: 1000 }],
    payments: [],
    subtotalCents: 1000,
    discountCents: 0,
    taxCents: 0,
    totalCents: 1000,
    currency: 'USD',
    couponCode: null,
    riskScore: 3,
    riskReviewStatus: 'NONE',
    notes: '',
    refundPercent: null,
    cancelReason: null,
    cancelledBy: null,
    createdAt: at,
    updatedAt: at,
    version: 2,
  };
  return { id, body: JSON.stringify({ event: 'booking.confirmed', data: { bookingId: id, status: 'CONFIRMED', version: 2, updatedAt: at, booking } }) };
}

/** Sends `total` POSTs at a steady rate; `onSent(i, t0)` records the send time. */
async function drive(post: (i: number) => Promise<void>): Promise<void> {
  const started = performance.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / ratePerSecond;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inflight.push(post(i));
  }
  await Promise.all(inflight);
}

async function measureFloor(): Promise<number[]> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.writeHead(202).end();
      const id = req.headers['x-orkestr-delivery-id'];
      for (const client of wss.clients) client.send(JSON.stringify({ id }));
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const ws = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
  await new Promise((r) => ws.once('open', r));
  const sent = new Map<string, number>();
  const latencies: number[] = [];
  ws.on('message', (data) => {
    const { id } = JSON.parse(String(data)) as { id: string };
    const t0 = sent.get(id);
    if (t0 !== undefined) latencies.push(performance.now() - t0);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/in`;
  await drive(async (i) => {
    const { body } = bookingBody(i);
    const id = `dlv_floor_${i}`;
    sent.set(id, performance.now());
    await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Orkestr-Delivery-Id': id }, body });
  });
  for (let n = 0; n < 200 && latencies.length < total; n++) await new Promise((r) => setTimeout(r, 25));
  ws.close();
  server.close();
  wss.close();
  return latencies.sort((a, b) => a - b);
}

async function measurePath(): Promise<{ latencies: number[]; applied: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-webhook-'));
  // The relay runs in its own process, as deployed (SQLite writes in its writer thread, batched).
  const child = spawn(process.execPath, [join(import.meta.dirname, '_relay-child.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
  type Started = { url: string; channel: { id: string; ingressUrl: string; deviceToken: string } };
  const readStarted = async (): Promise<Started> => {
    for await (const line of createInterface({ input: child.stdout })) if (line.startsWith('{')) return JSON.parse(line) as Started;
    throw new Error('relay child ended without a URL');
  };
  const started = await readStarted();
  const relay = { url: started.url, close: async () => void child.kill('SIGTERM') };
  const channel = started.channel;
  const core = new ConsoleCore({ dbFile: join(dir, 'replica.db'), transport: 'bridge', appVersion: 'bench' });
  // Started as app.ts starts it in every mode (serve, Electron): WAL checkpoints then run in the
  // checkpoint worker. Unstarted, SQLite checkpoints inside the webhook transactions' commits on this
  // thread (≈ 17 ms at p99 of the commits here), which no running console does.
  core.start();
  const link = startRelayLink(core, { url: relay.url, channelId: channel.id, deviceToken: channel.deviceToken, secrets: [secret] });
  const bridge = await startBridge({ host: core });
  const ws = new WebSocket(`ws://127.0.0.1:${bridge.port}/api/events?token=${bridge.token}`, { origin: bridge.url });
  await new Promise((r) => ws.once('open', r));
  const sent = new Map<string, number>();
  const latencies: number[] = [];
  ws.on('message', (data) => {
    const { event, payload } = JSON.parse(String(data)) as { event: string; payload: { id?: string } };
    if (event !== 'activity.new' || !payload.id) return;
    const t0 = sent.get(payload.id.replace(/^act_/, ''));
    if (t0 !== undefined) latencies.push(performance.now() - t0);
  });
  await drive(async (i) => {
    const { body } = bookingBody(i);
    const id = `dlv_${randomUUID()}`;
    const signature = createHmac('sha256', secret).update(body).digest('hex');
    sent.set(id, performance.now());
    const send = (): Promise<Response> => fetch(channel.ingressUrl, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Orkestr-Signature': signature, 'X-Orkestr-Delivery-Id': id, 'X-Orkestr-Event': 'booking.confirmed' }, body });
    // Like Orkestr's own sender, retry a delivery whose connection broke (same delivery id: the relay dedupes).
    const res = await send().catch(() => {
      resets++;
      return send();
    });
    if (res.status >= 300) throw new Error(`ingress answered ${res.status}`);
  });
  for (let n = 0; n < 400 && latencies.length < total; n++) await new Promise((r) => setTimeout(r, 25));
  const applied = (core.replica.stmt('SELECT count(*) AS n FROM bookings').get() as { n: number }).n;
  ws.close();
  await bridge.close();
  await link.close();
  await core.close();
  await relay.close();
  rmSync(dir, { recursive: true, force: true });
  return { latencies: latencies.sort((a, b) => a - b), applied };
}

console.log('measuring the floor…');
const floor = await measureFloor();
console.log('measuring the webhook path…');
const path = await measurePath();
const fmt = (n: number): string => `${n.toFixed(1)} ms`;
console.log(`webhook path at ${ratePerSecond}/s for ${seconds} s (${total} deliveries), relay on SQLite:`);
console.log(`  floor (bare HTTP → bare WebSocket): p50 ${fmt(percentile(floor, 50))}, p99 ${fmt(percentile(floor, 99))} (${floor.length}/${total} received)`);
console.log(`  relay → replica → UI event:         p50 ${fmt(percentile(path.latencies, 50))}, p99 ${fmt(percentile(path.latencies, 99))} (${path.latencies.length}/${total} received, ${path.applied} bookings applied)`);
console.log(`  connections reset and retried: ${resets}`);
console.log(`  p99 target ≤ 20 ms: ${percentile(path.latencies, 99) <= 20 ? 'met' : 'NOT met'}; p99 ratio to floor ${(percentile(path.latencies, 99) / percentile(floor, 99)).toFixed(2)}`);
if (path.latencies.length < total || path.applied < total) process.exitCode = 1;
