/**
 * The webhook path, measured end to end on loopback: a signed delivery POSTed to the relay's ingress →
 * stored durably → streamed to the console's relay link → verified and applied to the replica in one
 * transaction → pushed as a contract event over the loopback bridge's WebSocket (what the UI receives).
 *
 * Three processes: the relay (a separate deployable), the console (core, relay link and loopback
 * bridge in one process, as `serve --engine inline` runs it: bench/_console-child.ts), and this bench,
 * which alone sends the deliveries and listens as the UI, so the sender's work never lands on the
 * console's loop and both timestamps come from one clock.
 * Load: 500 deliveries per second for WEBHOOK_SECONDS (35: the first WEBHOOK_WARMUP = 5 s are
 * warm-up, reported apart; the rest, ≥ 30 s, is the steady state), booking.confirmed with the whole
 * booking, as the sandbox sends them. Reports p50/p99 from the POST to the UI event; target steady
 * p99 ≤ 20 ms and ≤ 3× the honest floor's.
 * Two floors, each measured in the same run the same way (the same POSTs, the same listener):
 * - the honest floor, the target's (bench/_webhook-floor-child.ts): the work the path cannot avoid,
 *   done raw in one process — HTTP receive, a durable append with the relay store's own pragmas
 *   (same disk, same fsync), the 202, a raw insert into a file with the replica's settings, a
 *   WebSocket send. As the sync's floor is "the same pages fetched raw and inserted raw".
 * - the bare echo floor (bench/_console-child.ts floor): a bare HTTP server that echoes each delivery
 *   id to a bare WebSocket and stores nothing; printed with its ratio so that the cost of the fsync
 *   stays visible, but it is not what the target's ratio is taken against.
 */
import './_engine-flags.ts';
import { engineMallocEnv, engineV8Flags } from '../src/shared/node/v8-heap.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { WebSocket } from 'ws';
import { load } from './_probe.ts';

/** 500/s is the target's load; WEBHOOK_RATE compares before/after where a loaded machine cannot keep up with 500/s (not the target's figure). */
const ratePerSecond = Number(process.env['WEBHOOK_RATE'] ?? 500);
const seconds = Number(process.env['WEBHOOK_SECONDS'] ?? 35);
const warmupSeconds = Number(process.env['WEBHOOK_WARMUP'] ?? 5);
const total = ratePerSecond * seconds;
const warmupCount = ratePerSecond * warmupSeconds;
const secret = 'whsec_bench';
/** Every child this bench started: killed when it exits, also when it fails half-way (e.g. an ingress 408). */
const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});
let resets = 0;
/** Ingests the relay answered 408: a starved relay read the request's headers too late (headersTimeout). */
let timeouts = 0;
let floorResets = 0;

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

/** Latencies by delivery index: warm-up and steady state apart, each sorted. */
interface Split {
  warmup: number[];
  steady: number[];
  received: number;
}
function split(byIndex: Map<number, number>): Split {
  const warmup: number[] = [];
  const steady: number[] = [];
  for (const [i, ms] of byIndex) (i < warmupCount ? warmup : steady).push(ms);
  return { warmup: warmup.sort((a, b) => a - b), steady: steady.sort((a, b) => a - b), received: byIndex.size };
}

async function child(args: string[], script = '_console-child.ts'): Promise<{ first: Record<string, unknown>; lines: AsyncIterator<string>; stop(): void }> {
  const proc = spawn(process.execPath, [...engineV8Flags, join(import.meta.dirname, script), ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...engineMallocEnv } });
  children.add(proc);
  const lines = createInterface({ input: proc.stdout })[Symbol.asyncIterator]();
  for (let n = 0; n < 1000; n++) {
    const next = await lines.next();
    if (next.done) break;
    if (next.value.startsWith('{')) return { first: JSON.parse(next.value) as Record<string, unknown>, lines, stop: () => proc.kill('SIGTERM') };
  }
  throw new Error('console child ended without saying where it listens');
}

/** `echo`: the bare floor (_console-child.ts floor); `durable`: the honest one (_webhook-floor-child.ts). */
async function measureFloor(kind: 'echo' | 'durable'): Promise<Split> {
  const c = kind === 'echo' ? await child(['floor']) : await child([], '_webhook-floor-child.ts');
  const { port, wsPort } = c.first as { port: number; wsPort: number };
  const ws = new WebSocket(`ws://127.0.0.1:${wsPort}`);
  await new Promise((r) => ws.once('open', r));
  const sent = new Map<string, { i: number; t0: number }>();
  const byIndex = new Map<number, number>();
  ws.on('message', (data) => {
    const { id } = JSON.parse(String(data)) as { id: string };
    const s = sent.get(id);
    if (s) byIndex.set(s.i, performance.now() - s.t0);
  });
  const url = `http://127.0.0.1:${port}/in`;
  await drive(async (i) => {
    const { body } = bookingBody(i);
    const id = `dlv_floor_${i}`;
    sent.set(id, { i, t0: performance.now() });
    const send = (): Promise<Response> => fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Orkestr-Delivery-Id': id }, body });
    // Retried like the path's deliveries (a starved server's full accept queue resets connections).
    await send().catch(() => {
      floorResets++;
      return send();
    });
  });
  for (let n = 0; n < 200 && byIndex.size < total; n++) await new Promise((r) => setTimeout(r, 25));
  ws.close();
  c.stop();
  return split(byIndex);
}

/** The next JSON line a child prints (its other lines are logs). */
async function nextJson<T>(lines: AsyncIterator<string>): Promise<T | null> {
  for (let n = 0; n < 1000; n++) {
    const next = await lines.next();
    if (next.done) return null;
    if (next.value.startsWith('{')) return JSON.parse(next.value) as T;
  }
  return null;
}

async function measurePath(): Promise<Split & { applied: number; consoleCpuMs: number; relayCpuMs: number }> {
  // The relay runs in its own process, as deployed (SQLite writes in its writer thread, batched).
  const relayProc = spawn(process.execPath, [join(import.meta.dirname, '_relay-child.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(relayProc);
  type Started = { url: string; channel: { id: string; ingressUrl: string; deviceToken: string } };
  const relayLines = createInterface({ input: relayProc.stdout })[Symbol.asyncIterator]();
  const started = await nextJson<Started>(relayLines);
  if (!started) throw new Error('relay child ended without a URL');
  const channel = started.channel;
  const console_ = await child([started.url, channel.id, channel.deviceToken, secret]);
  const bridge = console_.first as { port: number; token: string; url: string };
  const ws = new WebSocket(`ws://127.0.0.1:${bridge.port}/api/events?token=${bridge.token}`, { origin: bridge.url });
  await new Promise((r) => ws.once('open', r));
  const sent = new Map<string, { i: number; t0: number }>();
  const byIndex = new Map<number, number>();
  ws.on('message', (data) => {
    const { event, payload } = JSON.parse(String(data)) as { event: string; payload: { id?: string } };
    if (event !== 'activity.new' || !payload.id) return;
    const s = sent.get(payload.id.replace(/^act_/, ''));
    if (s) byIndex.set(s.i, performance.now() - s.t0);
  });
  await drive(async (i) => {
    const { body } = bookingBody(i);
    const id = `dlv_${randomUUID()}`;
    const signature = createHmac('sha256', secret).update(body).digest('hex');
    sent.set(id, { i, t0: performance.now() });
    const send = (): Promise<Response> => fetch(channel.ingressUrl, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Orkestr-Signature': signature, 'X-Orkestr-Delivery-Id': id, 'X-Orkestr-Event': 'booking.confirmed' }, body });
    // Like Orkestr's own sender, retry a delivery whose connection broke (same delivery id: the relay dedupes).
    let res = await send().catch(() => {
      resets++;
      return send();
    });
    // Orkestr's sender retries a 408 too (same delivery id: stored once); on a loaded machine it happens.
    for (let n = 0; n < 3 && res.status === 408; n++) {
      timeouts++;
      res = await send();
    }
    if (res.status >= 300) throw new Error(`ingress answered ${res.status}`);
  });
  for (let n = 0; n < 400 && byIndex.size < total; n++) await new Promise((r) => setTimeout(r, 25));
  ws.close();
  console_.stop();
  const done = await nextJson<{ applied: number; cpuMs: number }>(console_.lines);
  relayProc.kill('SIGTERM');
  const relayDone = await nextJson<{ cpuMs: number }>(relayLines);
  return { ...split(byIndex), applied: done?.applied ?? 0, consoleCpuMs: done?.cpuMs ?? NaN, relayCpuMs: relayDone?.cpuMs ?? NaN };
}

console.log(`start: ${load()}`);
console.log('measuring the bare floor (echo)…');
const floor = await measureFloor('echo');
console.log(`measuring the honest floor (durable append + raw insert)… (${load()})`);
const durableFloor = await measureFloor('durable');
console.log(`measuring the webhook path… (${load()})`);
const path = await measurePath();
const fmt = (n: number): string => `${n.toFixed(1)} ms`;
const line = (xs: number[]): string => `p50 ${fmt(percentile(xs, 50))}, p99 ${fmt(percentile(xs, 99))}, max ${fmt(xs.at(-1) ?? NaN)}`;
console.log(`webhook path at ${ratePerSecond}/s for ${seconds} s (${total} deliveries; warm-up = first ${warmupSeconds} s), relay on SQLite, sent from this bench's own process:`);
console.log(`  bare floor (HTTP → WebSocket echo, stores nothing)  warm-up ${line(floor.warmup)}`);
console.log(`                                                    steady  ${line(floor.steady)} (${floor.received}/${total} received)`);
console.log(`  honest floor (HTTP → fsync'd append with the relay's pragmas → raw insert with the replica's → WebSocket)`);
console.log(`                                                    warm-up ${line(durableFloor.warmup)}`);
console.log(`                                                    steady  ${line(durableFloor.steady)} (${durableFloor.received}/${total} received)`);
console.log(`  relay → replica → UI event (console child)        warm-up ${line(path.warmup)}`);
console.log(`                                                    steady  ${line(path.steady)} (${path.received}/${total} received, ${path.applied} bookings applied)`);
console.log(`  connections reset and retried: ${resets} (floors: ${floorResets}); ingests answered 408 and retried: ${timeouts}`);
// CPU per delivery: the work each delivery cost, not how long it waited for a core. It still moves with
// the run: a console that lags applies bigger batches (fewer commits per delivery), so it is lower in a
// run that fell behind; compare runs that kept up (steady p50 of milliseconds) with each other.
console.log(`  CPU per delivery (all threads, from ready to stop): console ${(path.consoleCpuMs / total).toFixed(3)} ms, relay ${(path.relayCpuMs / total).toFixed(3)} ms`);
const p99 = percentile(path.steady, 99);
const ratio = p99 / percentile(durableFloor.steady, 99);
const bareRatio = p99 / percentile(floor.steady, 99);
console.log(`  steady p99 target ≤ 20 ms${ratePerSecond === 500 ? '' : ` (the target is at 500/s; this run: ${ratePerSecond}/s)`}: ${p99 <= 20 ? 'met' : 'NOT met'}`);
// The target's ratio is to the honest floor (the same work done raw, as the sync's floor); the ratio to
// the bare echo is printed beside it, so that nobody reads one for the other.
// A floor that itself waited tens of milliseconds measured the machine's load, not the work: a ratio
// to it says little (it can even come out below 1), so it is not judged then.
const floorSwamped = percentile(durableFloor.steady, 99) > 20;
const verdict = floorSwamped ? 'not judged: the honest floor itself is over 20 ms, the machine was too busy' : ratio <= 3 ? 'met' : 'NOT met';
console.log(`  ratio of steady p99s: to the honest floor ${ratio.toFixed(2)} (target ≤ 3: ${verdict}); to the bare echo floor ${bareRatio.toFixed(2)} (not the target's floor)`);
console.log(`end: ${load()}`);
if (path.received < total || path.applied < total) process.exitCode = 1;
