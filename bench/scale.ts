/**
 * `npm run bench -- scale`: the 1M parts of issue #16, alone (they take minutes).
 *  1. The large tenant (src/sandbox/bulk-seed.ts): SCALE_BOOKINGS (1,000,000) + SCALE_OFFERINGS (20,000),
 *     seeded once into a cache folder (SCALE_CACHE, default <tmp>/orkestr-bench-cache) and copied.
 *  2. Floor: the same pages fetched raw and inserted raw in one transaction (bench/_sync-floor.ts,
 *     one run: FLOOR_RUNS=1; the sandbox file is read once beforehand so neither side meets a cold disk).
 *  3. The core's initial sync in this process, with contract calls made every 20 ms meanwhile
 *     (bench/_probe.ts): ratio to floor (target ≤ 1.5), longest loop block (≤ 50 ms), call p99
 *     (≤ 50 ms), RSS peak (≤ 300 MB).
 *  4. Queries on the full replica and the RSS after them (≤ 300 MB).
 */
import './_engine-flags.ts';
import { spawn, spawnSync } from 'node:child_process';
import { engineMallocEnv } from '../src/shared/node/v8-heap.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ConsoleCore } from '../src/main/core/index.ts';
import { bulkSeedCopy } from '../src/sandbox/bulk-seed.ts';
import { load, printProbe, startProbe, type Call } from './_probe.ts';

/** `env` without the engine's malloc settings (the bench itself runs with them, as the engine does). */
function withoutEngineMallocEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const key of Object.keys(engineMallocEnv)) delete out[key];
  return out;
}

const BOOKINGS = Number(process.env['SCALE_BOOKINGS'] ?? 1_000_000);
const OFFERINGS = Number(process.env['SCALE_OFFERINGS'] ?? 20_000);
const CACHE = process.env['SCALE_CACHE'] ?? join(tmpdir(), 'orkestr-bench-cache');
const KEY = 'ork_benchkey.abcdefghijklmnopqrstuvwx';
const dir = mkdtempSync(join(tmpdir(), 'bench-scale-'));
const gc = (globalThis as { gc?: () => void }).gc;
const fmt = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const mb = (n: number): string => `${(n / 1048576).toFixed(0)} MB`;

console.log(`start: ${load()}`);
const dataFile = join(dir, 'sandbox.db');
const seeded = bulkSeedCopy(CACHE, dataFile, { bookings: BOOKINGS, offerings: OFFERINGS });
if (seeded.seeded) {
  const s = seeded.seeded;
  console.log(`seeded ${s.bookings} bookings (${s.pending} PENDING, ${s.from} → ${s.to}) + ${s.offerings} offerings in ${fmt(s.ms)} (cached in ${CACHE}); ${load()}`);
}
console.log(`copied the seeded file in ${fmt(seeded.copyMs)}`);
spawnSync('cat', [dataFile], { stdio: ['ignore', 'ignore', 'inherit'] });

async function startChild(): Promise<{ url: string; stop(): void }> {
  const child = spawn(process.execPath, [join(import.meta.dirname, '_sync-sandbox.ts'), dataFile, KEY, '0', '0'], { stdio: ['ignore', 'pipe', 'inherit'], env: withoutEngineMallocEnv(process.env) });
  const lines = createInterface({ input: child.stdout });
  for await (const line of lines) {
    if (line.startsWith('{')) return { url: (JSON.parse(line) as { url: string }).url, stop: () => child.kill('SIGTERM') };
  }
  throw new Error('sandbox child ended without a URL');
}

const sbx = await startChild();
try {
  // The floor runs as a plain Node process would: without the engine's malloc bounds
  // (engineMallocEnv), which cost time; a floor run with them came out ~13% slower and flattered the ratio.
  const floorRun = spawnSync(process.execPath, [join(import.meta.dirname, '_sync-floor.ts'), sbx.url, KEY, dir], { encoding: 'utf8', env: { ...withoutEngineMallocEnv(process.env), FLOOR_RUNS: '1' } });
  if (floorRun.status !== 0) throw new Error(`floor failed: ${floorRun.stderr}`);
  const f = JSON.parse(floorRun.stdout.trim().split('\n').pop()!) as { ms: number; rows: number };
  console.log(`floor: ${f.rows} rows fetched raw + inserted in one raw transaction: ${fmt(f.ms)}; ${load()}`);
  for (const name of ['floor.db', 'floor.db-wal', 'floor.db-shm']) rmSync(join(dir, name), { force: true });

  gc?.();
  const core = new ConsoleCore({ dbFile: join(dir, 'core.db'), api: { url: sbx.url, key: KEY }, transport: 'bridge', appVersion: 'bench', holdMs: 0, ratePerMinute: 10_000_000 });
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  // rss() alone: the full process.memoryUsage() walks the heap's spaces (≈ 1 s of this thread's CPU
  // over a 200k sync at 20 samples a second, charged to the core). Its parts are read once a second.
  let parts = '';
  let partsAt = 0;
  const sampler = setInterval(() => {
    const rss = process.memoryUsage.rss();
    if (rss > rssPeak && performance.now() - partsAt > 1000) {
      const m = process.memoryUsage();
      partsAt = performance.now();
      parts = `heap ${mb(m.heapUsed)} of ${mb(m.heapTotal)}, external ${mb(m.external)}, array buffers ${mb(m.arrayBuffers)}`;
    }
    rssPeak = Math.max(rssPeak, rss);
  }, 50);
  const h = core.handlers;
  // Where the time and the memory go: one line as each phase of the sync begins, and one for each
  // stall of the loop over STALL_MS (60 ms) with the phase it fell in (the probe gives only the longest).
  let phase = '';
  const STALL_MS = Number(process.env['SCALE_STALL_MS'] ?? 60);
  let lastBeat = performance.now();
  const beat = setInterval(() => {
    const now = performance.now();
    if (now - lastBeat > STALL_MS) console.log(`  loop stalled ${(now - lastBeat).toFixed(0)} ms at ${fmt(now - t0)} (phase ${phase || '(none)'}); ${load()}`);
    lastBeat = now;
  }, 10);
  core.on((event, payload) => {
    const p = event === 'sync.status' ? ((payload as { progress?: { phase: string } | null }).progress?.phase ?? '') : phase;
    if (p === phase) return;
    phase = p;
    console.log(`  phase ${p || '(none)'} at ${fmt(performance.now() - t0)}: RSS ${mb(process.memoryUsage.rss())}, peak ${mb(rssPeak)}`);
  });
  // Calls a front desk makes while the first sync runs (light ones; the windowed lists are measured
  // after it, on the full replica).
  const calls: Call[] = [
    ['sync.status', () => h['sync.status']({})],
    ['session.info', () => h['session.info']({})],
    ['settings.get', () => h['settings.get']({})],
    ['intents.list', () => h['intents.list']({})],
    ['conflicts.list', () => h['conflicts.list']({})],
    ['bookings.list limit 50', () => h['bookings.list']({ offset: 0, limit: 50 })],
  ];
  const probe = startProbe(calls);
  // CPU of this thread (the engine's loop) and of the whole process (with the pull's apply worker
  // and the checkpoint worker): less distorted by a busy machine than the latencies.
  const cpu0 = { thread: process.threadCpuUsage(), process: process.cpuUsage() };
  const t0 = performance.now();
  // A 1M sync takes minutes (much longer on a loaded machine): print the figures so far every minute.
  const interim = setInterval(() => {
    const n = (core.replica.sqlite.prepare('SELECT max(rowid) AS n FROM bookings').get() as { n: number | null }).n ?? 0; // ≈ rows: an index lookup, not a count
    console.log(`… ${fmt(performance.now() - t0)}: ${n} bookings in the replica, RSS peak ${mb(rssPeak)}; ${load()}`);
    printProbe('    so far', probe.peek());
  }, 60_000);
  const r = await core.runOnce(1_800_000);
  const coreMs = performance.now() - t0;
  const report = probe.stop();
  const cpuS = (u: NodeJS.CpuUsage): string => `${((u.user + u.system) / 1e6).toFixed(1)} s`;
  const cpuLine = `CPU during the sync: engine thread ${cpuS(process.threadCpuUsage(cpu0.thread))}, whole process ${cpuS(process.cpuUsage(cpu0.process))}`;
  clearInterval(sampler);
  clearInterval(interim);
  clearInterval(beat);
  if (!r.pulled) throw new Error(`core sync failed: ${r.error}`);
  const count = (core.replica.sqlite.prepare('SELECT COUNT(*) AS n FROM bookings').get() as { n: number }).n;
  console.log(`core: initial sync of ${count} bookings + ${OFFERINGS} offerings: ${fmt(coreMs)} → ratio ${(coreMs / f.ms).toFixed(2)} to floor (target ≤ 1.5 ${coreMs / f.ms <= 1.5 ? 'OK' : 'OVER'}); ${load()}`);
  printProbe('during sync', report);
  console.log(cpuLine);
  console.log(`core RSS peak during sync: ${mb(rssPeak)} (before ${mb(rssBefore)}; target ≤ 300 MB ${rssPeak <= 300 * 1048576 ? 'OK' : 'OVER'}; near the peak: ${parts})`);

  const time = async (label: string, fn: () => unknown): Promise<void> => {
    const t = performance.now();
    const out = (await fn()) as { total?: number; length?: number };
    console.log(`  ${label}: ${(performance.now() - t).toFixed(1)} ms (${out.total ?? out.length ?? ''})`);
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
  };
  for (const round of ['first call', 'again']) {
    console.log(`queries on the full replica (${round}):`);
    await time('queue.window (the first 200 rows and the counts, as the UI asks)', () => h['queue.window']({ sort: 'waiting', risk: 'all', limit: 200 }));
    await time('bookings.list page 1 (all)', () => h['bookings.list']({ offset: 0, limit: 200 }));
    await time('bookings.list search "garcía"', () => h['bookings.list']({ search: 'garcía', offset: 0, limit: 200 }));
    await time('insights.get', () => h['insights.get']({}));
  }
  gc?.();
  const after = process.memoryUsage().rss;
  console.log(`core RSS after sync and queries: ${mb(after)}, peak ${mb(rssPeak)} (target ≤ 300 MB ${Math.max(after, rssPeak) <= 300 * 1048576 ? 'OK' : 'OVER'}; heap ${mb(process.memoryUsage().heapUsed)})`);
  await core.close();
} finally {
  sbx.stop();
  console.log(`end: ${load()}`);
  // Awaited, not an unref'd timer: the process exits first and left 0.6 GB (200k) to 2.8 GB (1M) of
  // copies behind per run. A second lets the sandbox child close its file.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  rmSync(dir, { recursive: true, force: true });
}
