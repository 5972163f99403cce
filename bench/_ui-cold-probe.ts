/**
 * Diagnostic for bench/ui.ts's cold start at 1M (#16), not a bench: opens a copy of BENCH_UI_REPLICA
 * as ui.ts does (its queue asked once first, as ui.ts does), then for RUNS fresh browser contexts
 * prints the page's timeline up to the interactive queue: script loaded, each contract call (page
 * clock: sent → answered, and its time in the core's handler), long tasks, rows in the DOM, painted.
 */
import './_engine-flags.ts';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startBridge } from '../src/main/bridge/bridge.ts';
import { packageRoot } from '../src/main/app.ts';
import { ConsoleCore } from '../src/main/core/index.ts';
import { chromiumArgs, chromiumPath } from '../test/e2e/harness.ts';
import { timeHandlers } from './_handler-timing.ts';
import { markQueueReady } from './_page-marks.ts';

const given = process.env['BENCH_UI_REPLICA'];
if (!given) throw new Error('BENCH_UI_REPLICA=FILE');
const runs = Number(process.env['RUNS'] ?? 3);
const dir = mkdtempSync(join(tmpdir(), 'ui-cold-probe-'));
for (const suffix of ['', '-wal']) if (existsSync(given + suffix)) copyFileSync(given + suffix, join(dir, `replica.db${suffix}`));
const core = new ConsoleCore({ dbFile: join(dir, 'replica.db'), api: { url: 'http://127.0.0.1:9', key: 'ork_benchkey.abcdefghijklmnopqrstuvwx' }, transport: 'bridge', appVersion: 'bench', ratePerMinute: 10_000_000, integrityCheck: 'background' });
core.replica.setMeta('mode', 'connected');
const log: Array<{ name: string; ms: number; cpu: number }> = [];
timeHandlers(core, (c) => log.push({ name: c.name, ms: c.ms, cpu: c.cpuMs }));
core.start();
const bridge = await startBridge({ host: core, staticDir: join(packageRoot(), 'out', 'renderer') });
const browser = await chromium.launch({ executablePath: chromiumPath(), args: chromiumArgs, headless: true });
try {
  await core.handlers['queue.window']({ sort: 'waiting', risk: 'all', limit: 1 });
  const painted: number[] = [];
  for (let i = 0; i < runs; i++) {
    console.log(`--- cold start ${i + 1}, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    log.length = 0;
    const context = await browser.newContext({ viewport: { width: 1366, height: 860 } });
    const page = await context.newPage();
    await page.addInitScript(`(() => {
      window.__calls = []; window.__long = [];
      const real = window.fetch.bind(window);
      window.fetch = (url, init) => {
        const rec = { method: (String(init && init.body).match(/"method":"([^"]+)"/) || [])[1] || String(url), start: performance.now(), end: 0, bytes: 0 };
        window.__calls.push(rec);
        return real(url, init).then((r) => { rec.end = performance.now(); return r; });
      };
      new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push([e.startTime, e.duration]); }).observe({ type: 'longtask', buffered: true });
    })()`);
    await page.addInitScript(markQueueReady);
    await page.goto(bridge.openUrl);
    await page.locator('tbody tr.row-active').waitFor({ timeout: 120_000 });
    await new Promise((r) => setTimeout(r, 3000));
    const r = (await page.evaluate(`(() => {
      const n = performance.getEntriesByType('navigation')[0];
      const res = performance.getEntriesByType('resource').filter((e) => !e.name.endsWith('/api/call')).map((e) => [e.name.split('/').pop(), Math.round(e.startTime), Math.round(e.responseEnd), e.encodedBodySize]);
      return { q: window.__queueReady, calls: window.__calls, long: window.__long, dcl: n.domContentLoadedEventEnd, resp: n.responseEnd, res };
    })()`)) as { q: { dom: number; painted: number }; calls: Array<{ method: string; start: number; end: number }>; long: Array<[number, number]>; dcl: number; resp: number; res: unknown[] };
    console.log(`html ${r.resp.toFixed(0)} ms, DCL ${r.dcl.toFixed(0)} ms, rows in DOM ${r.q.dom.toFixed(0)} ms, painted ${r.q.painted.toFixed(0)} ms`);
    console.log(`resources ${JSON.stringify(r.res)}`);
    for (const c of r.calls) console.log(`  call ${c.method.padEnd(20)} ${c.start.toFixed(0).padStart(6)} → ${c.end.toFixed(0).padStart(6)}`);
    console.log(`  core: ${log.map((l) => `${l.name} ${l.ms.toFixed(0)}/${l.cpu.toFixed(0)}cpu`).join(', ')}`);
    console.log(`  long tasks: ${r.long.map(([s, d]) => `${s.toFixed(0)}+${d.toFixed(0)}`).join(', ')}`);
    painted.push(r.q.painted);
    await context.close();
  }
  console.log(`painted: ${painted.map((p) => p.toFixed(0)).join(' / ')}`);
} finally {
  await browser.close();
  await bridge.close();
  await core.close();
  rmSync(dir, { recursive: true, force: true });
}
