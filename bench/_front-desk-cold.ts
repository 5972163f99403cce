/**
 * One cold start for bench/front-desk.ts, in a fresh process: prints how long after this process
 * began the first window of the queue was ready to show (JSON on stdout).
 *  - `core FILE`: the console core opens the replica as the engine does (startConsole: the tables of
 *    local state checked for damage on open, the rest in the background after start) and answers
 *    session.info and queue.window (the first 100 rows with their slot checks and the queue's counts)
 *    through dispatch, as the UI's first screen asks;
 *  - `core-full-check FILE`: the same with the whole file checked on open (one-shot commands' way,
 *    and every open's before #16), to show what the background check saves;
 *  - `floor FILE`: the least any reader can do: open the file and read the first 100 PENDING rows and
 *    their items by the index.
 */
const [mode, file] = process.argv.slice(2);
if (!file || (mode !== 'core' && mode !== 'core-full-check' && mode !== 'floor')) throw new Error('usage: _front-desk-cold.ts core|core-full-check|floor FILE');

if (mode === 'core' || mode === 'core-full-check') {
  const { createCore } = await import('../src/main/core/index.ts');
  const { dispatchCall } = await import('../src/main/dispatch.ts');
  const loaded = performance.now();
  const cpu0 = process.cpuUsage();
  const core = createCore({ dbFile: file, transport: 'bridge', appVersion: 'bench', integrityCheck: mode === 'core' ? 'background' : 'on-open' });
  const session = await dispatchCall(core, 'session.info', {});
  const queue = await dispatchCall(core, 'queue.window', { sort: 'waiting', limit: 100 });
  const ms = performance.now();
  if (!session.ok || !queue.ok) throw new Error(JSON.stringify(session.ok ? queue : session).slice(0, 500));
  const w = queue.result as { items: unknown[]; total: number };
  // readyMs: from the core's creation (modules loaded) to the first window answered.
  const cpu = process.cpuUsage(cpu0);
  // cpuMs: this thread's CPU time for the same span (on a loaded machine wall time includes waiting for a core).
  console.log(JSON.stringify({ ms, readyMs: ms - loaded, cpuMs: (cpu.user + cpu.system) / 1000, startupMs: loaded, rows: w.items.length, total: w.total }));
  await core.close();
} else {
  const { default: Database } = await import('better-sqlite3');
  const loaded = performance.now();
  const cpu0 = process.cpuUsage();
  const db = new Database(file, { readonly: true });
  const rows = db.prepare("SELECT * FROM bookings WHERE status = 'PENDING' ORDER BY created_at, id LIMIT 100").all() as Array<{ id: string }>;
  const items = db.prepare(`SELECT * FROM booking_items WHERE booking_id IN (${rows.map(() => '?').join(',')})`).all(...rows.map((r) => r.id));
  const ms = performance.now();
  const cpu = process.cpuUsage(cpu0);
  console.log(JSON.stringify({ ms, readyMs: ms - loaded, cpuMs: (cpu.user + cpu.system) / 1000, startupMs: loaded, rows: rows.length, items: items.length }));
  db.close();
}
