/**
 * Initial sync of 100k bookings + 5k offerings from the sandbox (in a child process):
 *  - floor: the same pages fetched raw + the same rows inserted with raw better-sqlite3 in one transaction;
 *  - core: ConsoleCore's pull (page transactions, yields, overlay checks, progress events).
 * Prints the ratio (target ≤ 1.5), the longest event-loop block during the core's sync (target ≤ 50 ms),
 * the core's RSS with 100k bookings (target ≤ 250 MB) and a few query timings.
 * Env: BENCH_BOOKINGS (100000), BENCH_OFFERINGS (5000).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { ConsoleCore } from '../src/main/core/core.ts';

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

async function floor(url: string): Promise<{ ms: number; rows: number }> {
  const t0 = performance.now();
  const pages: unknown[][] = [];
  for (const path of ['/v1/api/offerings?status=ALL&includeDeleted=true', '/v1/api/coupons?includeDeleted=true', '/v1/api/bookings']) {
    let cursor: string | null = null;
    for (let i = 0; i < 100_000; i++) {
      const res = await fetch(`${url}${path}${path.includes('?') ? '&' : '?'}limit=500${cursor ? `&cursor=${cursor}` : ''}`, { headers: { authorization: `Bearer ${KEY}` } });
      const body = (await res.json()) as { data: unknown[]; nextCursor: string | null; hasMore: boolean };
      pages.push(body.data);
      cursor = body.nextCursor;
      if (!body.hasMore) break;
    }
  }
  const db = new Database(join(dir, 'floor.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(`CREATE TABLE rec (id TEXT PRIMARY KEY, a TEXT, b TEXT, c TEXT, d TEXT, e TEXT, f TEXT, g INTEGER, h INTEGER, i INTEGER, j INTEGER, k TEXT, l TEXT, m TEXT, n INTEGER);
           CREATE TABLE item (id TEXT PRIMARY KEY, booking_id TEXT, s TEXT, e TEXT, q INTEGER, p INTEGER);
           CREATE TABLE pay (id TEXT PRIMARY KEY, booking_id TEXT, a INTEGER, c TEXT, s TEXT, t TEXT)`);
  const ins = db.prepare('INSERT OR REPLACE INTO rec VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)');
  const insItem = db.prepare('INSERT OR REPLACE INTO item VALUES (?,?,?,?,?,?)');
  const insPay = db.prepare('INSERT OR REPLACE INTO pay VALUES (?,?,?,?,?,?)');
  let rows = 0;
  db.transaction(() => {
    for (const page of pages) {
      for (const raw of page as Array<Record<string, unknown>>) {
        const c = (raw['customer'] ?? {}) as Record<string, unknown>;
        ins.run(String(raw['id']), String(raw['status'] ?? ''), String(raw['offeringId'] ?? raw['slug'] ?? ''), String(raw['offeringTitle'] ?? raw['title'] ?? ''), String(c['name'] ?? ''), String(c['email'] ?? ''), String(raw['currency'] ?? ''), Number(raw['totalCents'] ?? 0), Number(raw['taxCents'] ?? 0), Number(raw['subtotalCents'] ?? 0), Number(raw['riskScore'] ?? 0), String(raw['notes'] ?? ''), String(raw['createdAt'] ?? ''), String(raw['updatedAt'] ?? ''), Number(raw['version'] ?? 0));
        for (const it of (raw['items'] ?? []) as Array<Record<string, unknown>>) insItem.run(String(it['id']), String(raw['id']), String(it['startsAt']), String(it['endsAt']), Number(it['quantity'] ?? 1), Number(it['priceCents'] ?? 0));
        for (const p of (raw['payments'] ?? []) as Array<Record<string, unknown>>) insPay.run(String(p['id']), String(raw['id']), Number(p['amountCents'] ?? 0), String(p['currency'] ?? ''), String(p['status'] ?? ''), String(p['createdAt'] ?? ''));
        rows++;
      }
    }
  })();
  db.close();
  return { ms: performance.now() - t0, rows };
}

const fmt = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

const seedStart = performance.now();
const sbx = await startChild();
console.log(`sandbox seeded with ${BOOKINGS} bookings + ${OFFERINGS} offerings in ${fmt(performance.now() - seedStart)} (child process)`);
try {
  // Warm the server's caches/JIT once so neither side pays for it.
  await floor(sbx.url);
  rmSync(join(dir, 'floor.db'), { force: true });
  const f = await floor(sbx.url);
  console.log(`floor: ${f.rows} rows fetched raw + inserted in one raw transaction: ${fmt(f.ms)}`);

  gc?.();
  const core = new ConsoleCore({ dbFile: join(dir, 'core.db'), api: { url: sbx.url, key: KEY }, transport: 'bridge', appVersion: 'bench', holdMs: 0, ratePerMinute: 10_000_000 });
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  const t0 = performance.now();
  const r = await core.runOnce(600_000);
  const coreMs = performance.now() - t0;
  h.disable();
  if (!r.pulled) throw new Error(`core sync failed: ${r.error}`);
  const count = (core.replica.sqlite.prepare('SELECT COUNT(*) AS n FROM bookings').get() as { n: number }).n;
  console.log(`core:  initial sync of ${count} bookings: ${fmt(coreMs)}  → ratio ${(coreMs / f.ms).toFixed(2)} (target ≤ 1.5)`);
  console.log(`longest event-loop block during the core's sync: ${(h.max / 1e6).toFixed(1)} ms (p99 ${(h.percentile(99) / 1e6).toFixed(1)} ms; target ≤ 50 ms)`);

  const time = async (label: string, fn: () => unknown): Promise<void> => {
    const t = performance.now();
    const out = (await fn()) as { total?: number; length?: number };
    console.log(`  ${label}: ${(performance.now() - t).toFixed(1)} ms (${out.total ?? out.length ?? ''})`);
  };
  console.log('queries with the replica full:');
  await time('queue.list (PENDING, oldest first)', () => core.handlers['queue.list']({}));
  await time('bookings.list page 1 (all)', () => core.handlers['bookings.list']({ offset: 0, limit: 200 }));
  await time('bookings.list status=CONFIRMED offset 5000', () => core.handlers['bookings.list']({ status: 'CONFIRMED', offset: 5000, limit: 200 }));
  await time('bookings.list search "garcía"', () => core.handlers['bookings.list']({ search: 'garcía', offset: 0, limit: 200 }));
  await time('insights.get', () => core.handlers['insights.get']({}));
  gc?.();
  console.log(`core RSS with ${count} bookings: ${(process.memoryUsage().rss / 1048576).toFixed(0)} MB (target ≤ 250 MB; heap ${(process.memoryUsage().heapUsed / 1048576).toFixed(0)} MB)`);
  await core.close();
} finally {
  sbx.stop();
  setTimeout(() => rmSync(dir, { recursive: true, force: true }), 500).unref();
}
