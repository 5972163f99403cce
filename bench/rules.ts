/**
 * Approval rules over a big replica: one rule (risk, not held, room in the slot, returning customer
 * or allow-list, lead time) evaluated over every PENDING booking, and the preview over 30 and 365
 * days of history. Figures: the rules' total time and their longest single pass (a pass runs in one
 * turn of the event loop: it is the longest the core is blocked), per booking; the preview's time.
 * Floor, measured in the same run: building the same PENDING bookings' views (what the queue does).
 * Targets: longest pass ≤ 250 ms; preview of 30 days ≤ 2 s. Env: BENCH_BOOKINGS (20000).
 */
import './_engine-flags.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsoleCore } from '../src/main/core/index.ts';
import { startSandbox } from '../src/sandbox/index.ts';
import type { BookingsTable } from '../src/main/core/db/schema.ts';
import { bookingViews } from '../src/main/core/bookings/views.ts';
import type { RuleInput } from '../src/shared/contract/types.ts';

const BOOKINGS = Number(process.env['BENCH_BOOKINGS'] ?? 20_000);
const key = 'ork_rulesbnc.rules-bench-key-000000001';
const dir = mkdtempSync(join(tmpdir(), 'bench-rules-'));
const sandbox = await startSandbox({ dataFile: join(dir, 'sandbox.db'), keys: [key], seed: { bookings: BOOKINGS, offerings: 40 } });
const core = new ConsoleCore({ dbFile: join(dir, 'replica.db'), api: { url: sandbox.url, key }, transport: 'bridge', appVersion: 'bench', holdMs: 0 });
try {
  const first = await core.runOnce(900_000);
  if (!first.pulled) throw new Error(`initial sync failed: ${first.error}`);
  const pendingRows = core.replica.sqlite.prepare("SELECT * FROM bookings WHERE status = 'PENDING'").all() as BookingsTable[];
  const t0 = performance.now();
  bookingViews(core.replica, pendingRows);
  const floorMs = performance.now() - t0;

  const rule: RuleInput = {
    name: 'Bench',
    conditions: { maxRiskScore: 40, notHeld: true, noOverlap: true, minCompletedBookings: 1, allowList: ['nobody@example.com'], minLeadHours: 1 },
    action: 'approve',
    enabled: false,
  };
  const added = await core.handlers['rules.add']({ rule });
  // Switching it on runs the first pass before answering; the rest run as scheduled passes. Each is timed.
  const passes: number[] = [];
  let evaluated = 0;
  let approved = 0;
  const runPending = core.rules.runPending.bind(core.rules);
  core.rules.runPending = (now?: number) => {
    const s = performance.now();
    const r = runPending(now);
    passes.push(performance.now() - s);
    evaluated += r.evaluated;
    approved += r.approved;
    return r;
  };
  const t1 = performance.now();
  await core.handlers['rules.setEnabled']({ id: added.id, enabled: true });
  for (let i = 0; i < 10_000; i++) {
    const left = (core.replica.sqlite.prepare("SELECT count(*) AS n FROM bookings b WHERE b.status = 'PENDING' AND NOT EXISTS (SELECT 1 FROM rule_runs r WHERE r.booking_id = b.id)").get() as { n: number }).n;
    if (left === 0) break;
    await new Promise((r) => setImmediate(r));
  }
  const totalMs = performance.now() - t1;
  const longest = Math.max(...passes);

  const p0 = performance.now();
  const month = await core.handlers['rules.preview']({ rule, days: 30 });
  const monthMs = performance.now() - p0;
  const p1 = performance.now();
  const year = await core.handlers['rules.preview']({ rule, days: 365 });
  const yearMs = performance.now() - p1;

  console.log(`rules over ${pendingRows.length} PENDING bookings (replica of ${BOOKINGS}): ${evaluated} evaluated, ${approved} approved (each one an outbox intent, fsynced)`);
  console.log(`  total ${totalMs.toFixed(0)} ms in ${passes.length} passes; longest pass ${longest.toFixed(0)} ms (target ≤ 250 ms); ${(totalMs / Math.max(1, evaluated)).toFixed(2)} ms a booking`);
  console.log(`  floor (building the same bookings' views): ${floorMs.toFixed(0)} ms; rules ÷ floor ${(totalMs / Math.max(1, floorMs)).toFixed(1)}×`);
  console.log(`  preview 30 days: ${month.considered} considered, ${month.matched} matched in ${monthMs.toFixed(0)} ms (target ≤ 2,000 ms); 365 days: ${year.considered} considered in ${yearMs.toFixed(0)} ms`);
} finally {
  await core.close();
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
}
