import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridge, type Bridge } from '../../src/main/bridge/bridge.ts';
import { packageRoot } from '../../src/main/app.ts';
import { EngineSupervisor, forkNodeEngine } from '../../src/main/engine/supervisor.ts';
import { en } from '../../src/renderer/src/i18n/en.ts';
import { es } from '../../src/renderer/src/i18n/es.ts';
import { startTestSandbox, type SandboxFixture } from '../support/sandbox.ts';
import { launchBrowser, screenshot, seriousAxeViolations, testKey } from './harness.ts';
import { waitFor } from '../support/wait-for.ts';

// The console as `serve` runs it: the core in its own process under the supervisor, the bridge in
// this one, a real Chromium. Crashes are real SIGKILLs of the engine's process.

let dir: string;
let sandbox: SandboxFixture;
let supervisor: EngineSupervisor;
let bridge: Bridge;
let browser: Browser;
/** When set, new engine processes run this file instead (one that dies at once: a crash loop). */
let crashingEntry: string | null = null;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'orkestr-engine-e2e-'));
  sandbox = await startTestSandbox({ dir, keys: [testKey], seed: 'demo' });
  supervisor = new EngineSupervisor({
    spawn: () => forkNodeEngine(crashingEntry ?? undefined),
    start: { dbFile: join(dir, 'replica.db'), api: { url: sandbox.url, key: testKey }, transport: 'bridge' },
    maxCrashes: 2,
    restartDelayMs: () => 100,
  });
  await supervisor.start();
  bridge = await startBridge({ host: supervisor, staticDir: join(packageRoot(), 'out', 'renderer') });
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await bridge?.close();
  await supervisor?.close();
  await sandbox?.close();
});

async function open(colorScheme: 'light' | 'dark', language: 'en' | 'es'): Promise<Page> {
  expect(await supervisor.call('settings.set', { language })).toMatchObject({ ok: true });
  const page = await browser.newPage({ viewport: { width: 1366, height: 860 }, colorScheme });
  page.setDefaultTimeout(60_000);
  await page.goto(bridge.openUrl);
  await page.getByRole('row').nth(1).waitFor();
  return page;
}

describe('the engine in its own process, seen from the browser', () => {
  it('tells the user when the engine crashed and came back, and the queue keeps working', async () => {
    const page = await open('light', 'en');
    const pid = supervisor.pid!;
    process.kill(pid, 'SIGKILL');
    const notice = page.getByRole('status').filter({ hasText: 'The console engine restarted at' });
    await notice.waitFor();
    expect(await notice.textContent()).toContain('signal SIGKILL');
    expect(supervisor.pid).not.toBe(pid);
    // The queue still answers (its rows come from the new engine).
    await page.getByRole('row').nth(1).waitFor();
    await screenshot(page, 'engine-restarted-light-en');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await notice.getByRole('button', { name: en['common.dismiss'] }).click();
    await notice.waitFor({ state: 'detached' });
    await page.close();
  });

  it('stops restarting a crash loop, says so, and starts again from the banner', { timeout: 180_000 }, async () => {
    const crashing = join(dir, 'crashing-engine.mjs');
    await writeFile(crashing, 'process.exit(7);\n');
    const page = await open('dark', 'es');
    crashingEntry = crashing;
    process.kill(supervisor.pid!, 'SIGKILL');
    const alert = page.getByRole('alert').filter({ hasText: es['banner.engineFailed'] });
    await alert.waitFor();
    expect(await alert.textContent()).toContain('código de salida 7');
    await screenshot(page, 'engine-failed-dark-es');
    expect(await seriousAxeViolations(page)).toEqual([]);
    crashingEntry = null;
    await alert.getByRole('button', { name: es['banner.engineRestart'] }).click();
    await alert.waitFor({ state: 'detached' });
    await waitFor(() => supervisor.status().state === 'running', 'the engine started from the banner');
    await page.getByRole('row').nth(1).waitFor();
    await page.close();
  });

  it('shows a crash loop that ended before the page heard of it, and an answer older than the news does not hide it', { timeout: 180_000 }, async () => {
    const crashing = join(dir, 'crashing-engine.mjs');
    await writeFile(crashing, 'process.exit(7);\n');
    await supervisor.call('settings.set', { language: 'en' });
    const page = await browser.newPage({ viewport: { width: 1366, height: 860 } });
    page.setDefaultTimeout(60_000);
    // The page's event socket reaches the bridge only when we say: as on a loaded machine where the
    // socket connects after the first answers. Events sent before then never reach this page.
    let connectSocket!: () => void;
    const socketHeld = new Promise<void>((resolve) => (connectSocket = resolve));
    await page.routeWebSocket(/\/api\/events/, async (ws) => {
      await socketHeld;
      ws.connectToServer();
    });
    // The page's first `session.info` is held too, so its first read of the engine's state (answered
    // at once: "running") settles after the crash loop has ended.
    let releaseSessionInfo!: () => void;
    const sessionInfoHeld = new Promise<void>((resolve) => (releaseSessionInfo = resolve));
    let heldOnce = false;
    await page.route('**/api/call', async (route) => {
      const body = route.request().postDataJSON() as { method?: string };
      if (body.method === 'session.info' && !heldOnce) {
        heldOnce = true;
        await sessionInfoHeld;
      }
      if (body.method === 'engine.restart') {
        // The answer ("restarting") reaches the page only after the engine is running again.
        const response = await route.fetch();
        await waitFor(() => supervisor.status().state === 'running', 'the engine started from the banner');
        await route.fulfill({ response });
        return;
      }
      await route.continue();
    });
    const firstEngineRead = page.waitForResponse((r) => r.url().endsWith('/api/call') && (r.request().postDataJSON() as { method?: string }).method === 'engine.status');
    await page.goto(bridge.openUrl);
    expect(await (await firstEngineRead).json()).toMatchObject({ ok: true, result: { state: 'running' } });
    crashingEntry = crashing;
    process.kill(supervisor.pid!, 'SIGKILL');
    await waitFor(() => supervisor.status().state === 'failed', 'the supervisor to give up');
    connectSocket();
    releaseSessionInfo();
    const alert = page.getByRole('alert').filter({ hasText: en['banner.engineFailed'] });
    await alert.waitFor({ timeout: 20_000 });
    expect(await alert.textContent()).toContain('exit code 7');
    crashingEntry = null;
    await alert.getByRole('button', { name: en['banner.engineRestart'] }).click();
    await waitFor(() => supervisor.status().state === 'running', 'the engine started from the banner');
    // The "restarting" answer to that click is older than the "running" news: it must not bring the
    // banner back once the answer has arrived.
    await page.waitForResponse((r) => r.url().endsWith('/api/call') && (r.request().postDataJSON() as { method?: string }).method === 'engine.restart');
    await page.getByRole('row').nth(1).waitFor();
    // Two frames: the answer has been applied and drawn.
    await page.evaluate('new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))');
    expect(await page.getByRole('status').filter({ hasText: en['banner.engineRestarting'] }).count()).toBe(0);
    await page.close();
  });
});
