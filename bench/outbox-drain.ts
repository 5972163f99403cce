/**
 * Outbox drain against a rate-limited server: 10k queued intents (notes edits, one per booking) sent
 * to a sandbox limited to 1,000 requests/min per key, while the engine keeps polling as usual.
 * Figure: the share of the allowed rate the drain achieved — intents landed ÷ requests the server
 * allowed in that time (the tokens left in its bucket at the start + 1,000/min × elapsed). Target ≥ 95 %.
 * Takes about 9–10 minutes by construction. Env: BENCH_INTENTS (10000), BENCH_RATE (1000).
 */
import './_engine-flags.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsoleCore } from '../src/main/core/index.ts';
import { startSandbox } from '../src/sandbox/index.ts';

const INTENTS = Number(process.env['BENCH_INTENTS'] ?? 10_000);
const RATE = Number(process.env['BENCH_RATE'] ?? 1_000);
const key = 'ork_draining.outbox-drain-bench-key-0001';
const dir = mkdtempSync(join(tmpdir(), 'bench-drain-'));

const sandbox = await startSandbox({ dataFile: join(dir, 'sandbox.db'), keys: [key], seed: { bookings: INTENTS, offerings: 50 }, rateLimitPerMinute: 1_000_000 });
const core = new ConsoleCore({ dbFile: join(dir, 'replica.db'), api: { url: sandbox.url, key }, transport: 'bridge', appVersion: 'bench', holdMs: 0, ratePerMinute: RATE });
try {
  const first = await core.runOnce(600_000);
  if (!first.pulled) throw new Error(`initial sync failed: ${first.error}`);
  const ids = (core.replica.sqlite.prepare('SELECT id FROM bookings ORDER BY id LIMIT ?').all(INTENTS) as Array<{ id: string }>).map((r) => r.id);
  if (ids.length < INTENTS) throw new Error(`only ${ids.length} bookings to annotate`);

  // From here on the server enforces the limit under test.
  const faults = await fetch(`${sandbox.url}/_sandbox/faults`, { method: 'PUT', headers: { Authorization: `Bearer ${sandbox.adminToken}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ rateLimitPerMinute: RATE }) });
  if (!faults.ok) throw new Error(`cannot set the rate limit: ${faults.status}`);
  const probe = await fetch(`${sandbox.url}/v1/api/me`, { headers: { Authorization: `Bearer ${key}` } });
  const startTokens = Number(probe.headers.get('x-ratelimit-remaining') ?? RATE);

  core.start();
  const t0 = performance.now();
  for (const [i, id] of ids.entries()) await core.handlers['bookings.setNotes']({ id, notes: `bench note ${i}` });
  let last = performance.now();
  for (;;) {
    const status = core.status();
    if (status.outboxLength === 0) break;
    if (performance.now() - last > 60_000) {
      console.log(`  … ${status.outboxLength} intents left after ${((performance.now() - t0) / 60_000).toFixed(1)} min`);
      last = performance.now();
    }
    if (performance.now() - t0 > 30 * 60_000) throw new Error('drain did not finish in 30 minutes');
    await new Promise((r) => setTimeout(r, 200));
  }
  const minutes = (performance.now() - t0) / 60_000;
  const allowed = startTokens + RATE * minutes;
  const landed = (core.replica.sqlite.prepare("SELECT count(*) AS n FROM bookings WHERE notes LIKE 'bench note %'").get() as { n: number }).n;
  const conflicts = core.status().conflicts;
  console.log(`outbox drain: ${INTENTS} intents at a server limit of ${RATE}/min in ${minutes.toFixed(2)} min (${startTokens} tokens in the bucket at the start)`);
  console.log(`  share of the allowed rate: ${((INTENTS / allowed) * 100).toFixed(1)} % (target ≥ 95 %); notes landed in the replica: ${landed}; needs attention: ${conflicts}`);
} finally {
  await core.close();
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
}
