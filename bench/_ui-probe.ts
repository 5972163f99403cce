/**
 * Diagnostic for bench/ui.ts at 1M (#16), not a bench: opens a copy of BENCH_UI_REPLICA as ui.ts does,
 * logs every contract call the page makes (method, time in the core's handler, answer size, time since
 * the page's navigation), for one cold start and for PRESSES key presses 'a' in the queue; with
 * PROBE_TRACE=FILE, a Chromium performance trace of the presses.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startBridge } from '../src/main/bridge/bridge.ts';
import { packageRoot } from '../src/main/app.ts';
import { ConsoleCore } from '../src/main/core/index.ts';
import { chromiumArgs, chromiumPath } from '../test/e2e/harness.ts';
import { timeHandlers } from './_handler-timing.ts';
import { watchActiveRowLeaving } from './_page-marks.ts';

const given = process.env['BENCH_UI_REPLICA'];
if (!given) throw new Error('BENCH_UI_REPLICA=FILE');
const presses = Number(process.env['PRESSES'] ?? 5);
const dir = mkdtempSync(join(tmpdir(), 'ui-probe-'));
for (const suffix of ['', '-wal']) if (existsSync(given + suffix)) copyFileSync(given + suffix, join(dir, `replica.db${suffix}`));
console.log(`load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
const core = new ConsoleCore({ dbFile: join(dir, 'replica.db'), api: { url: 'http://127.0.0.1:9', key: 'ork_benchkey.abcdefghijklmnopqrstuvwx' }, transport: 'bridge', appVersion: 'bench', integrityCheck: 'background' });
core.replica.setMeta('mode', 'connected');
let t0 = performance.now();
const log: string[] = [];
timeHandlers(core, (c) => {
  const size = JSON.stringify(c.out ?? null).length;
  log.push(`${(c.start - t0).toFixed(0).padStart(6)} ms  ${c.name.padEnd(22)} ${c.ms.toFixed(1).padStart(7)} ms (cpu ${c.cpuMs.toFixed(1)})  ${(size / 1000).toFixed(1).padStart(8)} kB  ${JSON.stringify(c.input).slice(0, 120)}`);
});
core.start();
const bridge = await startBridge({ host: core, staticDir: join(packageRoot(), 'out', 'renderer') });
const browser = await chromium.launch({ executablePath: chromiumPath(), args: chromiumArgs, headless: true });
try {
  const context = await browser.newContext({ viewport: { width: 1366, height: 860 } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  const trace = process.env['PROBE_TRACE'];
  const chunks: unknown[] = [];
  if (trace) {
    cdp.on('Tracing.dataCollected', (e: { value: unknown[] }) => chunks.push(...e.value));
    await cdp.send('Tracing.start', { categories: 'devtools.timeline,disabled-by-default-devtools.timeline,disabled-by-default-devtools.timeline.frame,v8.execute,disabled-by-default-v8.cpu_profiler,blink.user_timing,loading,netlog', transferMode: 'ReportEvents' });
  }
  t0 = performance.now();
  await page.goto(bridge.openUrl);
  await page.locator('tbody tr.row-active').waitFor({ timeout: 120_000 });
  console.log(`rows at ${(performance.now() - t0).toFixed(0)} ms (bench process clock)`);
  await new Promise((r) => setTimeout(r, 4000));
  console.log('--- cold start calls');
  console.log(log.splice(0).join('\n'));
  for (let i = 0; i < presses; i++) {
    await new Promise((r) => setTimeout(r, 1500));
    t0 = performance.now();
    await page.evaluate(watchActiveRowLeaving);
    await page.keyboard.press('a');
    await new Promise((r) => setTimeout(r, 1200));
    const p = (await page.evaluate('window.__press')) as { start: number; dom: number; painted: number };
    console.log(`--- press ${i + 1}: dom ${(p.dom - p.start).toFixed(1)} ms, painted ${(p.painted - p.start).toFixed(1)} ms`);
    console.log(log.splice(0).join('\n'));
  }
  if (trace) {
    const ended = new Promise<void>((r) => cdp.once('Tracing.tracingComplete', () => r()));
    await cdp.send('Tracing.end');
    await ended;
    writeFileSync(trace, JSON.stringify({ traceEvents: chunks }));
    console.log(`trace: ${trace}`);
  }
} finally {
  await browser.close();
  await bridge.close();
  await core.close();
  rmSync(dir, { recursive: true, force: true });
}
