// Diagnostic for bench/webhook-path.ts (#16), not run by `npm run bench`: the relay link's batch told at
// its end (as before) vs each delivery told once applied (relay-link.ts's handle), in one process, the
// real core as host (its notify work included), grouped commits as the link does; bursts of B
// deliveries every 2·B ms (500/s), alternating. Prints CPU per delivery and, per activity.new, the time
// since its batch started: the wait inside a batch, which the webhook path's UI event pays on top of
// whatever hiccup made the batch.
// `node bench/_tell-probe.ts [burst=10] [deliveries=5000] [rounds=2]`
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsoleCore } from '../src/main/core/index.ts';
import { RelayGroupCommit } from '../src/main/core/relay-link/group-commit.ts';
import { applyWithCursor } from '../src/main/core/relay-link/relay-link.ts';
import type { ActivityItem } from '../src/shared/contract/types.ts';
import { load } from './_probe.ts';
import { relayedDelivery, type RelayedDelivery } from './_relayed-delivery.ts';

const secret = 'whsec_bench';
const burst = Number(process.argv[2] ?? 10);
const n = Number(process.argv[3] ?? 5000);
const rounds = Number(process.argv[4] ?? 2);
const warm = 500;
const delivery = (i: number): RelayedDelivery => relayedDelivery(i, secret);
const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;
type Effects = { tables: Set<'bookings' | 'activity'>; ids: Set<string>; activities: ActivityItem[]; needsPull: boolean };
async function run(variant: 'batch' | 'each'): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'tell-probe-'));
  const core = new ConsoleCore({ dbFile: join(dir, 'replica.db'), transport: 'bridge', appVersion: 'bench' });
  core.start();
  const events = Array.from({ length: n }, (_, i) => delivery(i));
  const group = new RelayGroupCommit(core.replica, 'relay.cursor', { committed: () => {}, rewind: () => {} });
  let due = 0;
  const late: number[] = [];
  let measuring = false;
  core.on((event) => { if (event === 'activity.new' && measuring) late.push(performance.now() - due); });
  const tell = (e: Effects): void => {
    for (const item of e.activities) core.notifyActivity(item, { changed: false });
    if (e.tables.size > 0) core.notifyChanged([...e.tables], [...e.ids]);
  };
  const noEffects = (): Effects => ({ tables: new Set(), ids: new Set(), activities: [], needsPull: false });
  const handle = (batch: typeof events): void => {
    if (variant === 'batch') {
      const e = noEffects();
      group.run(batch.at(-1)!.seq, () => applyWithCursor(core.replica, [secret], batch, e));
      tell(e);
    } else for (const ev of batch) {
      const e = noEffects();
      group.run(ev.seq, () => applyWithCursor(core.replica, [secret], [ev], e));
      tell(e);
    }
  };
  for (let i = 0; i < warm; i += burst) handle(events.slice(i, i + burst));
  measuring = true;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  for (let i = warm; i < n; i += burst) {
    due = start + ((i - warm + burst) * 1000) / 500;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    due = performance.now(); // from the batch's start: the wait inside the batch only
    handle(events.slice(i, i + burst));
  }
  group.commit();
  const cpu = process.cpuUsage(cpu0);
  const m = n - warm;
  await core.close();
  rmSync(dir, { recursive: true, force: true });
  return `${variant.padEnd(5)} burst ${burst}: CPU ${((cpu.user + cpu.system) / 1000 / m).toFixed(3)} ms/delivery; activity.new after the batch's start p50 ${pct(late, 50).toFixed(2)} p90 ${pct(late, 90).toFixed(2)} p99 ${pct(late, 99).toFixed(2)} ms`;
}
console.log(`start: ${load()}`);
for (let r = 0; r < rounds; r++) for (const v of ['batch', 'each'] as const) console.log(await run(v));
console.log(`end: ${load()}`);
