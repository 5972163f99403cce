/**
 * Initial sync of 100k bookings + 5k offerings from the sandbox (in a child process):
 *  - floor: the same pages fetched raw + the same rows inserted with raw better-sqlite3 in one transaction;
 *  - core: ConsoleCore's pull (page transactions, yields, overlay checks, progress events).
 * Prints the ratio (target ≤ 1.5), the longest event-loop block during the core's sync (target ≤ 50 ms),
 * the core's RSS with 100k bookings (target ≤ 250 MB) and a few query timings.
 * Env: BENCH_BOOKINGS (100000), BENCH_OFFERINGS (5000).
 */
import './_engine-flags.ts';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { ConsoleCore } from '../src/main/core/index.ts';

const BOOKINGS = Number(process.env['BENCH_BOOKINGS'] ?? 100_000);
const OFFERINGS = Number(process.env['BENCH_OFFERINGS'] ?? 5_000);
const KEY = 'ork_benchkey.abcdefghijklmnopqrstuvwx';
const dir = mkdtempSync(join(tmpdir(), 'bench-sync-'));
const gc = (globalThis as { gc?: () => void }).gc;

async function startChild(): Promise<{ url: string; stop(): void }> {
  const child = spawn(process.execPath, [join(import.meta.dirname, '_sync-sandbox.ts'), join(dir, 'sandbox.db'), KEY, String(BOOKINGS), String(OFFERINGS)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  for await (const line of lines) {
    if (line.startsWith('{')) return { url: (JSON.parse(line) as { url: string }).url, stop: () => child.kill('SIGTERM') };
  }
  throw new Error('sandbox child ended without a URL');
}

const fmt = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

const seedStart = performance.now();
const sbx = await startChild();
console.log(`sandbox seeded with ${BOOKINGS} bookings + ${OFFERINGS} offerings in ${fmt(performance.now() - seedStart)} (child process)`);
try {
  // The floor runs in its own process (so its buffers do not count in the core's RSS); it warms the
  // server once, then measures.
  const floorRun = spawnSync(process.execPath, [join(import.meta.dirname, '_sync-floor.ts'), sbx.url, KEY, dir], { encoding: 'utf8' });
  if (floorRun.status !== 0) throw new Error(`floor failed: ${floorRun.stderr}`);
  const f = JSON.parse(floorRun.stdout.trim().split('\n').pop()!) as { ms: number; rows: number };
  console.log(`floor: ${f.rows} rows fetched raw + inserted in one raw transaction: ${fmt(f.ms)}`);

  gc?.();
  const core = new ConsoleCore({ dbFile: join(dir, 'core.db'), api: { url: sbx.url, key: KEY }, transport: 'bridge', appVersion: 'bench', holdMs: 0, ratePerMinute: 10_000_000 });
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 50);
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  const t0 = performance.now();
  const r = await core.runOnce(600_000);
  const coreMs = performance.now() - t0;
  h.disable();
  clearInterval(sampler);
  if (!r.pulled) throw new Error(`core sync failed: ${r.error}`);
  const count = (core.replica.sqlite.prepare('SELECT COUNT(*) AS n FROM bookings').get() as { n: number }).n;
  console.log(`core:  initial sync of ${count} bookings: ${fmt(coreMs)}  → ratio ${(coreMs / f.ms).toFixed(2)} (target ≤ 1.5)`);
  console.log(`longest event-loop block during the core's sync: ${(h.max / 1e6).toFixed(1)} ms (p99 ${(h.percentile(99) / 1e6).toFixed(1)} ms; target ≤ 50 ms)`);

  const time = async (label: string, fn: () => unknown): Promise<void> => {
    const t = performance.now();
    const out = (await fn()) as { total?: number; length?: number };
    console.log(`  ${label}: ${(performance.now() - t).toFixed(1)} ms (${out.total ?? out.length ?? ''})`);
  };
  for (const round of ['first call', 'again']) {
    console.log(`queries with the replica full (${round}):`);
    await time('queue.window (PENDING, oldest first: 200 rows and the counts)', () => core.handlers['queue.window']({ sort: 'waiting', risk: 'all', limit: 200 }));
    await time('bookings.list page 1 (all)', () => core.handlers['bookings.list']({ offset: 0, limit: 200 }));
    await time('bookings.list status=CONFIRMED offset 5000', () => core.handlers['bookings.list']({ status: 'CONFIRMED', offset: 5000, limit: 200 }));
    await time('bookings.list search "garcía"', () => core.handlers['bookings.list']({ search: 'garcía', offset: 0, limit: 200 }));
    await time('insights.get', () => core.handlers['insights.get']({}));
  }
  gc?.();
  const mb = (n: number): string => `${(n / 1048576).toFixed(0)} MB`;
  console.log(`core RSS with ${count} bookings: ${mb(process.memoryUsage().rss)} after sync and queries, peak during sync ${mb(rssPeak)}, before ${mb(rssBefore)} (target ≤ 250 MB; heap ${mb(process.memoryUsage().heapUsed)})`);
  await core.close();
} finally {
  sbx.stop();
  setTimeout(() => rmSync(dir, { recursive: true, force: true }), 500).unref();
}
