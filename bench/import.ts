/**
 * `node bench/import.ts`: the importer's whole pipeline (decode, parse, map, validate, plan, one
 * staged commit writing outbox intents + local rules in steps) on 100k offering rows, each with one weekly
 * availability rule, against a floor measured in the same run on the same file: raw csv-parse
 * (streamed, default options) + raw better-sqlite3 inserts of the same rows (offering + rule) into a
 * fresh replica in one transaction. Target: ratio ≤ 2. Runs alternate; medians are reported.
 * Then memory: the 50 MB hostile catalogue of test/import/big-file.test.ts (quoted line breaks, CRLF,
 * two errors at its very end) checked streamed; peak heapUsed, target < 300 MB. In between, the same
 * 100k file through a core's contract with a call probe (longest loop block, call p99: ≤ 50 ms).
 */
import './_engine-flags.ts';
import { createReadStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse';
import { analyzeImport, commitImportStaged, importCsv } from '../src/main/core/import/index.ts';
import { ConsoleCore } from '../src/main/core/index.ts';
import { load, printProbe, startProbe, type Call } from './_probe.ts';
import { ReplicaImportSink } from '../src/main/core/import/replica-sink.ts';
import { Replica } from '../src/main/core/replica/replica.ts';
import { generateCatalogue } from '../test/import/generate.ts';

const ROWS = Number(process.env['IMPORT_BENCH_ROWS'] ?? 100_000);
const RUNS = Number(process.env['IMPORT_BENCH_RUNS'] ?? 3);
const dir = mkdtempSync(join(tmpdir(), 'orkestr-import-bench-'));
const gc = (globalThis as { gc?: () => void }).gc;

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function floor(file: string, db: string): Promise<{ parseMs: number; insertMs: number; total: number; cpu: number }> {
  const c0 = cpuMs();
  const t0 = performance.now();
  const records: string[][] = [];
  const parser = createReadStream(file).pipe(parse({ relax_column_count: true }));
  for await (const r of parser) records.push(r as string[]);
  const t1 = performance.now();
  const replica = Replica.open(db);
  const insO = replica.sqlite.prepare(
    `INSERT INTO offerings (id, slug, title, description, status, product_type_key, base_price_cents, currency, tax_rate_bps, pricing_model, cancellation_policy, created_at, updated_at)
     VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`,
  );
  const insR = replica.sqlite.prepare('INSERT INTO availability_rules (id, offering_id, day_of_week, start_time, end_time, slot_minutes, capacity, valid_from, valid_until) VALUES (?,?,?,?,?,?,?,?,?)');
  const now = new Date().toISOString();
  replica.sqlite.transaction(() => {
    for (let i = 1; i < records.length; i++) {
      const c = records[i]!;
      const id = `off_${i}`;
      insO.run(id, c[0], c[1], c[8], c[3], c[2], Math.round(Number(c[5]) * 100), c[6], Number(c[7]), c[4], 'MODERATE', now, now);
      insR.run(`avr_${i}`, id, 1, c[10], c[11], Number(c[12]), Number(c[13]), c[14] || null, c[15] || null);
    }
  })();
  replica.close();
  const t2 = performance.now();
  return { parseMs: t1 - t0, insertMs: t2 - t1, total: t2 - t0, cpu: cpuMs() - c0 };
}

async function ours(file: string, db: string): Promise<{ analyzeMs: number; commitMs: number; total: number; longestSyncMs: number; longestSyncCpuMs: number; cpu: number }> {
  const c0 = cpuMs();
  const t0 = performance.now();
  const replica = Replica.open(db);
  const sink = new ReplicaImportSink(replica);
  // The longest stretch between two progress callbacks or turns of the loop (a rough figure; the
  // probed run below measures the loop itself).
  let last = performance.now();
  let lastCpu = cpuMs();
  let longest = 0;
  let longestCpu = 0;
  const tick = (): void => {
    const now = performance.now();
    const cpu = cpuMs();
    longest = Math.max(longest, now - last);
    longestCpu = Math.max(longestCpu, cpu - lastCpu);
    last = now;
    lastCpu = cpu;
  };
  const analysis = await analyzeImport({ kind: 'file', path: file }, { existing: sink.loadExisting(), onProgress: tick });
  const t1 = performance.now();
  if (!analysis.ok) throw new Error(`bench file rejected: ${analysis.view.issues.slice(0, 3).map((i) => i.message).join('; ')}`);
  tick();
  const commit = await commitImportStaged(analysis, sink, { onProgress: tick, afterStep: tick });
  const t2 = performance.now();
  if (commit.created !== ROWS) throw new Error(`expected ${ROWS} creates, got ${commit.created}`);
  replica.close();
  const cpu = cpuMs() - c0;
  return { cpu, analyzeMs: t1 - t0, commitMs: t2 - t1, total: t2 - t0, longestSyncMs: longest, longestSyncCpuMs: longestCpu };
}

/**
 * The same file through the contract (`import.check` with the file's bytes, then `import.commit`)
 * of a core on a fresh replica, with contract calls due every 20 ms meanwhile: the longest block of
 * the loop and the calls' p99 (targets ≤ 50 ms), and the commit's progress events.
 */
async function probed(file: string, db: string): Promise<void> {
  const core = new ConsoleCore({ dbFile: db, transport: 'bridge', appVersion: 'bench' });
  const h = core.handlers;
  const commitEvents: number[] = [];
  const off = core.on((event, payload) => {
    if (event === 'import.progress' && (payload as { phase: string }).phase === 'commit') commitEvents.push(performance.now());
  });
  const contentBase64 = readFileSync(file).toString('base64');
  const calls: Call[] = [
    ['sync.status', () => h['sync.status']({})],
    ['settings.get', () => h['settings.get']({})],
    ['import.batches', () => h['import.batches']({})],
  ];
  // Floor: the same probe for 2 s while the core does nothing (on a shared machine, the scheduler's share).
  const idle = startProbe(calls);
  await new Promise((resolve) => setTimeout(resolve, 2000));
  printProbe('  floor (idle core, same probe, 2 s)', idle.stop());
  gc?.();
  const probe = startProbe(calls);
  const t0 = performance.now();
  const checked = await h['import.check']({ fileName: 'catalogue.csv', contentBase64 });
  const t1 = performance.now();
  const r = await h['import.commit']({ token: checked.token });
  const t2 = performance.now();
  const report = probe.stop();
  off();
  await core.close();
  if (r.created !== ROWS) throw new Error(`expected ${ROWS} creates through the contract, got ${r.created}`);
  console.log(`through the contract (import.check + import.commit, ${load()}): check ${(t1 - t0).toFixed(0)} ms, commit ${(t2 - t1).toFixed(0)} ms, ${commitEvents.length} commit progress events`);
  printProbe('  during the check and the commit', report);
}

/**
 * Floor B: the same raw csv-parse + raw inserts of exactly the rows the importer wrote (outbox
 * intents with their body and payload, local rules), copied out of the importer's database. The
 * difference to floor A is the cost of the outbox format (bigger rows, four indexes), not overhead.
 */
async function floorOwnRows(file: string, from: string, db: string, parseMs: number): Promise<{ insertMs: number; total: number }> {
  const src = Replica.open(from);
  const outboxRows = src.sqlite.prepare('SELECT id, idempotency_key, kind, target_id, method, path, body, payload, base_version, state, created_at, hold_until, attempts FROM outbox ORDER BY seq').raw().all() as unknown[][];
  const ruleRows = src.sqlite.prepare('SELECT batch_id, offering_id, slug, day_of_week, start_time, end_time, slot_minutes, capacity, valid_from, valid_until FROM import_rules ORDER BY id').raw().all() as unknown[][];
  src.close();
  void file;
  const t0 = performance.now();
  const replica = Replica.open(db);
  const insO = replica.sqlite.prepare('INSERT INTO outbox (id, idempotency_key, kind, target_id, method, path, body, payload, base_version, state, created_at, hold_until, attempts) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)');
  const insR = replica.sqlite.prepare('INSERT INTO import_rules (batch_id, offering_id, slug, day_of_week, start_time, end_time, slot_minutes, capacity, valid_from, valid_until) VALUES (?,?,?,?,?,?,?,?,?,?)');
  replica.sqlite.transaction(() => {
    for (const r of outboxRows) insO.run(...r);
    for (const r of ruleRows) insR.run(...r);
  })();
  replica.close();
  const insertMs = performance.now() - t0;
  return { insertMs, total: parseMs + insertMs };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** Peak heap while checking the 50 MB file (sampled every 16 progress callbacks and at the end). */
async function bigFileHeap(): Promise<void> {
  const MB = 1024 * 1024;
  const file = join(dir, 'big.csv');
  const g = await generateCatalogue(file, { targetBytes: 50 * MB, rulesPerOffering: 7, descriptionBytes: 300, tailErrors: true, crlf: true });
  const replica = Replica.open(join(dir, 'big.db'));
  try {
    gc?.();
    const base = process.memoryUsage().heapUsed;
    let peak = base;
    let callbacks = 0;
    const { analysis } = await importCsv({ kind: 'file', path: file }, new ReplicaImportSink(replica), {
      onProgress: () => {
        if (++callbacks % 16 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
      },
    });
    peak = Math.max(peak, process.memoryUsage().heapUsed);
    const errors = analysis.view.issues.filter((i) => i.severity === 'error').length;
    console.log(
      `50 MB file (${g.rows} rows, ${errors} errors at its end, nothing written): peak heapUsed ${(peak / MB).toFixed(0)} MB (${((peak - base) / MB).toFixed(0)} MB over the heap before) (target < 300 MB: ${peak < 300 * MB ? 'OK' : 'OVER TARGET'})`,
    );
  } finally {
    replica.close();
  }
}

try {
  const file = join(dir, 'catalogue.csv');
  const g = await generateCatalogue(file, { offerings: ROWS, rulesPerOffering: 1, descriptionBytes: 40 });
  console.log(load());
  console.log(`file: ${g.rows} rows (${ROWS} offerings, 1 availability rule each), ${(statSync(file).size / 1048576).toFixed(1)} MiB`);
  const f: Array<Awaited<ReturnType<typeof floor>>> = [];
  const o: Array<Awaited<ReturnType<typeof ours>>> = [];
  const b: Array<Awaited<ReturnType<typeof floorOwnRows>>> = [];
  for (let run = 0; run < RUNS; run++) {
    gc?.();
    f.push(await floor(file, join(dir, `floor-${run}.db`)));
    gc?.();
    o.push(await ours(file, join(dir, `ours-${run}.db`)));
    gc?.();
    b.push(await floorOwnRows(file, join(dir, `ours-${run}.db`), join(dir, `floor-b-${run}.db`), f[run]!.parseMs));
    console.log(`run ${run + 1}: floor ${f[run]!.total.toFixed(0)} ms (parse ${f[run]!.parseMs.toFixed(0)} + insert ${f[run]!.insertMs.toFixed(0)}; cpu ${f[run]!.cpu.toFixed(0)}), importer ${o[run]!.total.toFixed(0)} ms (check ${o[run]!.analyzeMs.toFixed(0)} + commit ${o[run]!.commitMs.toFixed(0)}; cpu ${o[run]!.cpu.toFixed(0)})`);
  }
  const floorMs = median(f.map((x) => x.total));
  const oursMs = median(o.map((x) => x.total));
  const ratio = oursMs / floorMs;
  console.log(`floor (raw csv-parse + raw better-sqlite3 inserts, one transaction): ${floorMs.toFixed(0)} ms`);
  console.log(`importer (decode + parse + map + validate + plan + commit with outbox intents): ${oursMs.toFixed(0)} ms`);
  console.log(`  check ${median(o.map((x) => x.analyzeMs)).toFixed(0)} ms, commit ${median(o.map((x) => x.commitMs)).toFixed(0)} ms, ${(ROWS / (oursMs / 1000)).toFixed(0)} rows/s`);
  console.log(`  longest stretch between progress callbacks / commit steps: ${median(o.map((x) => x.longestSyncMs)).toFixed(0)} ms wall, ${median(o.map((x) => x.longestSyncCpuMs)).toFixed(0)} ms CPU (a rough figure: the probed run below measures the loop)`);
  const floorB = median(b.map((x) => x.total));
  console.log(`floor B (raw csv-parse + raw inserts of the importer's own rows: outbox intents + local rules): ${floorB.toFixed(0)} ms (insert ${median(b.map((x) => x.insertMs)).toFixed(0)} ms)`);
  console.log(`ratio importer / floor B (the importer's overhead over its own writes): ${(oursMs / floorB).toFixed(2)}`);
  const cpuRatio = median(o.map((x) => x.cpu)) / median(f.map((x) => x.cpu));
  console.log(`ratio importer / floor, wall clock: ${ratio.toFixed(2)} (target ≤ 2) ${ratio <= 2 ? 'OK' : 'OVER TARGET'}`);
  console.log(`ratio importer / floor, CPU time (user+sys; steadier on a shared machine): ${cpuRatio.toFixed(2)} (floor ${median(f.map((x) => x.cpu)).toFixed(0)} ms, importer ${median(o.map((x) => x.cpu)).toFixed(0)} ms)`);
  await probed(file, join(dir, 'probed.db'));
  await bigFileHeap();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
