/**
 * The shell checked where Electron runs (issue #15): Playwright's Electron support drives the real
 * window on the demo tenant. The queue renders; the page has no `require`/`process`; a call from a
 * forged frame (another window carrying our preload) is refused; a hostile deep link is ignored
 * while a good one opens its booking; the engine comes back after a SIGKILL.
 *
 * `npm run test:electron` (builds first). It needs the Electron binary (`npx install-electron`) and a
 * display (on a headless Linux box: `xvfb-run npm run test:electron`). Where the binary is absent,
 * as on our CI machines, every test is skipped and the reason printed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron as electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/cli.ts';
import { waitFor } from '../support/wait-for.ts';

/** The Electron binary, or why there is none. */
function electronBinary(): { path: string } | { missing: string } {
  try {
    // The electron package exports its binary's path, and throws when the binary was never downloaded.
    const path = createRequire(join(repoRoot, 'package.json'))('electron') as unknown;
    return typeof path === 'string' ? { path } : { missing: 'the electron package did not give a binary path' };
  } catch (error) {
    return { missing: (error as Error).message.split('\n')[0]! };
  }
}

const binary = electronBinary();
if ('missing' in binary) console.warn(`test:electron skipped: no Electron binary here (${binary.missing}). Run \`npx install-electron\` on a desktop, then \`npm run test:electron\`.`);

describe.skipIf('missing' in binary)('the Electron window (demo tenant)', () => {
  let app: ElectronApplication;
  let page: Page;

  beforeAll(async () => {
    const userData = await mkdtemp(join(tmpdir(), 'orkestr-electron-'));
    app = await electron.launch({
      executablePath: (binary as { path: string }).path,
      args: [join(repoRoot, 'out', 'main', 'index.js'), `--user-data-dir=${userData}`],
      env: { ...process.env, ORKESTR_API_KEY: '', ORKESTR_API_URL: '' },
      timeout: 120_000,
    });
    page = await app.firstWindow({ timeout: 120_000 });
  });

  afterAll(async () => {
    await app?.close();
  });

  it('renders the queue of the demo tenant', async () => {
    await page.getByRole('heading', { name: 'Approval queue' }).waitFor({ timeout: 120_000 });
    await page.getByRole('row').nth(1).waitFor({ timeout: 120_000 });
    expect(await page.getByRole('row').count()).toBeGreaterThan(1);
  });

  it('gives the page no require, no process, only the contract', async () => {
    const seen = await page.evaluate(() => {
      const w = globalThis as unknown as Record<string, unknown>;
      return { require: typeof w['require'], process: typeof w['process'], module: typeof w['module'], orkestr: Object.keys(w['orkestr'] as object).sort() };
    });
    expect(seen).toEqual({ require: 'undefined', process: 'undefined', module: 'undefined', orkestr: ['call', 'on'] });
  });

  it('refuses a call from a forged frame: another window carrying the same preload', async () => {
    const preload = join(repoRoot, 'out', 'preload', 'index.cjs');
    await app.evaluate(({ BrowserWindow }, preloadPath) => {
      const forged = new BrowserWindow({ show: false, webPreferences: { preload: preloadPath, sandbox: true, contextIsolation: true } });
      void forged.loadURL('data:text/html,<title>forged</title>');
    }, preload);
    const forged = await waitFor(() => app.windows().find((w) => w.url().startsWith('data:')), 'the forged window');
    await forged.waitForFunction(() => 'orkestr' in globalThis);
    const outcome = await forged.evaluate(() =>
      (globalThis as unknown as { orkestr: { call(m: string, i: unknown): Promise<unknown> } }).orkestr.call('sync.status', {}).then(
        () => 'answered',
        (e: Error) => e.message,
      ),
    );
    expect(outcome).toContain('Untrusted sender');
    await forged.close();
    // The real window still gets its answers.
    const status = await page.evaluate(() => (globalThis as unknown as { orkestr: { call(m: string, i: unknown): Promise<{ connection: string }> } }).orkestr.call('sync.status', {}));
    expect(typeof status.connection).toBe('string');
  });

  it('ignores a hostile deep link and opens a good one', async () => {
    const before = page.url();
    for (const hostile of ['orkestr-console://booking/%E0%A4%A', 'orkestr-console://booking/a%2F..%2Fb', 'orkestr-console://eval', 'javascript:alert(1)']) {
      await app.evaluate(({ app: electronApp }, url) => {
        electronApp.emit('open-url', { preventDefault: () => {} }, url);
        electronApp.emit('second-instance', {}, ['orkestr-console', url], process.cwd());
      }, hostile);
    }
    expect(page.url()).toBe(before);
    const id = await page.evaluate(async () => {
      const api = (globalThis as unknown as { orkestr: { call(m: string, i: unknown): Promise<{ items: Array<{ id: string }> }> } }).orkestr;
      return (await api.call('queue.window', { limit: 1 })).items[0]!.id;
    });
    await app.evaluate(({ app: electronApp }, url) => electronApp.emit('open-url', { preventDefault: () => {} }, url), `orkestr-console://booking/${id}`);
    await page.waitForURL(new RegExp(`#/booking/${id}$`));
  });

  it('restarts the engine after it is killed, and the window keeps working', async () => {
    const mainPid = app.process().pid!;
    const engines = (): number[] =>
      execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(mainPid)], { encoding: 'utf8' })
        .split('\n')
        .filter((l) => l.includes('--type=utility') && l.includes('node.mojom.NodeService'))
        .map((l) => Number(l.trim().split(/\s+/)[0]));
    const [first] = engines();
    expect(first).toBeGreaterThan(0);
    process.kill(first!, 'SIGKILL');
    const next = await waitFor(() => engines().find((pid) => pid !== first), 'a new engine process', 60_000);
    expect(next).not.toBe(first);
    const status = await waitFor(
      () =>
        page
          .evaluate(() => (globalThis as unknown as { orkestr: { call(m: string, i: unknown): Promise<{ state: string }> } }).orkestr.call('engine.status', {}))
          .then((s) => (s.state === 'running' ? s : null)),
      'the engine running again',
      60_000,
    );
    expect(status.state).toBe('running');
    await page.getByRole('heading', { name: 'Approval queue' }).waitFor();
  });
});
