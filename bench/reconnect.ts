/**
 * Reconnect → outbox drained (issue #13: target ≤ 3 s): the console core runs its sync engine against
 * a sandbox over loopback HTTP; the sandbox is stopped, 10 approvals are queued and fail to reach it
 * for OUTAGE_S seconds (their back-off grows as it would), then the sandbox starts again on the same
 * port and file. Figure: from the server listening again to all 10 approvals applied at the server,
 * median of RUNS outages. Also "Sync now": 10 approvals backed off by 5xx answers, the server healed,
 * then sync.now → all 10 applied. Floor: the same 10 approvals sent straight to the live server by
 * HTTP (4 at a time, as the push does). Env: BENCH_OUTAGE_S (8), BENCH_RUNS (3).
 */
import './_engine-flags.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore } from '../src/main/core/index.ts';
import { dispatchCall } from '../src/main/dispatch.ts';
import { startSandbox, type Sandbox, type SandboxOptions } from '../src/sandbox/index.ts';
import type { QueueWindow } from '../src/shared/contract/types.ts';

const OUTAGE_S = Number(process.env['BENCH_OUTAGE_S'] ?? 8);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);
const KEY = 'ork_reconnct.reconnect-bench-key-000001';
const dir = mkdtempSync(join(tmpdir(), 'bench-reconnect-'));
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
const ms = (n: number): string => `${n.toFixed(0)} ms`;
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return (s[Math.floor((s.length - 1) / 2)]! + s[Math.ceil((s.length - 1) / 2)]!) / 2;
};
const pause = (t: number): Promise<void> => new Promise((r) => setTimeout(r, t));

console.log(`machine: ${cpus().length} cores, load ${load()}`);
const options: SandboxOptions = { host: '127.0.0.1', port: 0, dataFile: join(dir, 'sandbox.db'), keys: [KEY], seed: { bookings: 3000, offerings: 40 } };
let sandbox: Sandbox = await startSandbox(options);
const port = sandbox.port;
const admin = async (method: string, path: string, body?: unknown): Promise<unknown> => {
  const res = await fetch(`${sandbox.url.replace(/\/+$/, '')}/_sandbox${path}`, { method, headers: { authorization: `Bearer ${sandbox.adminToken}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return res.json();
};
const approvalsAtServer = async (): Promise<number> => ((await admin('GET', '/effects')) as { effects: Array<{ kind: string }> }).effects.filter((e) => e.kind === 'booking.approve').length;
/** Polls the server's record every 10 ms until `n` approvals are there (bounded: 60 s). */
async function untilApproved(n: number): Promise<void> {
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; await pause(10)) if ((await approvalsAtServer()) >= n) return;
  throw new Error(`fewer than ${n} approvals at the server after 60 s`);
}

const core = createCore({ dbFile: join(dir, 'replica.db'), api: { url: sandbox.url, key: KEY }, transport: 'bridge', appVersion: 'bench', holdMs: 0 });
const call = async <T>(method: string, input: unknown = {}): Promise<T> => {
  const out = await dispatchCall(core, method, input);
  if (!out.ok) throw new Error(`${method}: ${JSON.stringify(out.error)}`);
  return out.result as T;
};
try {
  const first = await core.runOnce(120_000);
  if (!first.pulled) throw new Error(`initial sync failed: ${first.error}`);
  core.start();
  let approved = 0;
  const nextTen = async (): Promise<string[]> => (await call<QueueWindow>('queue.window', { limit: 10, risk: 'clear' })).items.map((r) => r.id);

  // Floor: 10 approvals straight to the live server, 4 at a time.
  const floors: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const ids = await nextTen();
    const t = performance.now();
    const queue = [...ids];
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let id = queue.shift(); id; id = queue.shift()) {
          const res = await fetch(`${sandbox.url.replace(/\/+$/, '')}/v1/api/bookings/${id}/approve`, { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'idempotency-key': crypto.randomUUID(), 'content-type': 'application/json' }, body: '{}' });
          await res.text();
        }
      }),
    );
    floors.push(performance.now() - t);
    approved += 10;
    await untilApproved(approved);
    await call('sync.now');
    for (const deadline = Date.now() + 30_000; (await nextTen()).some((id) => ids.includes(id)) && Date.now() < deadline; ) await pause(50);
  }

  const reconnects: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const ids = await nextTen();
    await sandbox.close();
    for (const id of ids) await call('bookings.approve', { id });
    await pause(OUTAGE_S * 1000);
    sandbox = await startSandbox({ ...options, port, seed: 'none' });
    const t = performance.now();
    approved += 10;
    await untilApproved(approved);
    reconnects.push(performance.now() - t);
  }

  const syncNows: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const ids = await nextTen();
    await admin('PUT', '/faults', { errorRate: 1 });
    for (const id of ids) await call('bookings.approve', { id });
    await pause(OUTAGE_S * 1000);
    await admin('DELETE', '/faults');
    const t = performance.now();
    await call('sync.now');
    approved += 10;
    await untilApproved(approved);
    syncNows.push(performance.now() - t);
  }
  console.log(`reconnect → outbox drained (10 intents, after ${OUTAGE_S} s unreachable), median of ${RUNS}: ${ms(median(reconnects))} (target ≤ 3,000 ms); runs ${reconnects.map(ms).join(', ')}`);
  console.log(`"Sync now" → outbox drained (10 intents backed off by 5xx for ${OUTAGE_S} s), median: ${ms(median(syncNows))}; runs ${syncNows.map(ms).join(', ')}`);
  console.log(`floor (10 approvals sent straight to the live server), median: ${ms(median(floors))}; load ${load()}`);
} finally {
  await core.close();
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
}
