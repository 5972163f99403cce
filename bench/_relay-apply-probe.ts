// Diagnostic for bench/webhook-path.ts (#16), not run by `npm run bench`: the console's side alone, in
// one process with no network. Signed booking.confirmed deliveries are applied to a fresh replica
// (the core started as app.ts starts it, so its checkpoint thread runs) at 500/s in batches of 2, as
// the relay stream hands them over, once with a commit per batch (applyRelayedBatch) and once grouped
// as the relay link does (RelayGroupCommit), alternating. Prints CPU per delivery (all threads) and
// wall per delivery: above 2 ms a variant did not keep up with 500/s.
// `node bench/_relay-apply-probe.ts [rounds=2] [deliveries=6000]`
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsoleCore } from '../src/main/core/index.ts';
import { RelayGroupCommit } from '../src/main/core/relay-link/group-commit.ts';
import { applyRelayedBatch, applyWithCursor } from '../src/main/core/relay-link/relay-link.ts';
import { load } from './_probe.ts';
import { relayedDelivery, type RelayedDelivery } from './_relayed-delivery.ts';

const secret = 'whsec_bench';
const rounds = Number(process.argv[2] ?? 2);
const n = Number(process.argv[3] ?? 6000);
const perBatch = 2;
const warm = 600;

const delivery = (i: number): RelayedDelivery => relayedDelivery(i, secret);

async function run(variant: 'per batch' | 'grouped'): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'relay-apply-probe-'));
  const core = new ConsoleCore({ dbFile: join(dir, 'replica.db'), transport: 'bridge', appVersion: 'bench' });
  core.start();
  const events = Array.from({ length: n }, (_, i) => delivery(i));
  const group = new RelayGroupCommit(core.replica, 'relay.cursor', { committed: () => {}, rewind: () => {} });
  const apply = (batch: typeof events): void => {
    if (variant === 'per batch') applyRelayedBatch(core, [secret], batch);
    else group.run(batch.at(-1)!.seq, () => applyWithCursor(core.replica, [secret], batch, { tables: new Set(), ids: new Set(), activities: [], needsPull: false }));
  };
  for (let i = 0; i < warm; i += perBatch) apply(events.slice(i, i + perBatch));
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  for (let i = warm; i < n; i += perBatch) {
    const wait = start + ((i - warm) * 1000) / 500 - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    apply(events.slice(i, i + perBatch));
  }
  group.commit();
  const cpu = process.cpuUsage(cpu0);
  const wall = performance.now() - start;
  const m = n - warm;
  await core.close();
  rmSync(dir, { recursive: true, force: true });
  return `${variant.padEnd(9)} CPU ${((cpu.user + cpu.system) / 1000 / m).toFixed(3)} ms/delivery (user ${(cpu.user / 1000 / m).toFixed(3)}, system ${(cpu.system / 1000 / m).toFixed(3)}), wall ${(wall / m).toFixed(3)} ms/delivery`;
}

console.log(`start: ${load()}`);
for (let r = 0; r < rounds; r++) for (const v of ['per batch', 'grouped'] as const) console.log(await run(v));
console.log(`end: ${load()}`);
