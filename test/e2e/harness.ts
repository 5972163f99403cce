import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startBridge, type Bridge } from '../../src/main/bridge/bridge.ts';
import { packageRoot, startConsole, type RunningConsole } from '../../src/main/app.ts';
import type { SandboxOptions } from '../../src/sandbox/index.ts';
import { startTestSandbox, type SandboxFixture } from '../support/sandbox.ts';
import { waitFor } from '../support/wait-for.ts';

/** Chromium flags for this closed network: without the background-networking ones it floods it. */
export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export function chromiumPath(): string {
  const candidates = [process.env['CHROMIUM_PATH'], '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => Boolean(p));
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error('Chromium not found: install Debian\'s chromium (apt-get install chromium) or set CHROMIUM_PATH');
  return found;
}

/** A fresh browser (Playwright gives every launch a new temporary profile). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: chromiumArgs, headless: true });
}

export const testKey = 'ork_e2etest1.e2e-secret-0123456789abcdef';
export const adminToken = 'e2e-admin-token';

export interface Stack {
  dir: string;
  /** Close it to take the server away; `restart()` brings it back on the same port and data. */
  sandbox: SandboxFixture;
  console: RunningConsole;
  bridge: Bridge;
  /** The URL a user opens: carries the token. */
  openUrl: string;
  close(): Promise<void>;
}

/** The real thing on loopback: sandbox (Orkestr API) ← core (replica + sync) ← bridge → browser. */
export async function startStack(options: { seed?: SandboxOptions['seed']; rateLimitPerMinute?: number; extraKeys?: string[] } = {}): Promise<Stack> {
  const dir = await mkdtemp(join(tmpdir(), 'orkestr-e2e-'));
  const sandbox = await startTestSandbox({ dir, keys: [testKey, ...(options.extraKeys ?? [])], adminToken, seed: options.seed ?? 'demo', ...(options.rateLimitPerMinute ? { rateLimitPerMinute: options.rateLimitPerMinute } : {}) });
  const running = await startConsole({ dbFile: join(dir, 'replica.db'), api: { url: sandbox.url, key: testKey }, transport: 'bridge' });
  await waitFor(() => running.core.status().lastSyncAt, 'the first sync with the sandbox', 120_000);
  const staticDir = join(packageRoot(), 'out', 'renderer');
  if (!existsSync(join(staticDir, 'index.html'))) throw new Error('The renderer is not built: run `npm run build` first (npm test does).');
  const bridge = await startBridge({ host: running.core, staticDir });
  const stack: Stack = {
    dir,
    sandbox,
    console: running,
    bridge,
    openUrl: bridge.openUrl,
    async close() {
      await bridge.close();
      await running.close();
      await stack.sandbox.close();
    },
  };
  return stack;
}

/** A sandbox's address and admin token (the fixture's, or the demo tenant's own). */
type SandboxAddress = { url: string; adminToken: string };

/** Calls the sandbox's own control surface (faults, simulate, clock…). */
export async function sandboxAdmin(sandbox: SandboxAddress, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${sandbox.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${sandbox.adminToken}`, 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${await res.text()}`);
  return res.status === 204 ? null : res.json();
}

/** Orkestr API call as an integration would make it. */
export async function orkestr(sandbox: SandboxAddress, method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${sandbox.url}/v1/api${path}`, {
    method,
    headers: { Authorization: `Bearer ${testKey}`, 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null };
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown; failureSummary?: string }>;
}

/** Runs axe-core on the page and returns the serious and critical violations. */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  return (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Runs axe-core on the page and returns every violation, minor and moderate included. */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated through the DevTools protocol: the console's CSP (script-src 'self') rightly refuses inline tags.
  await page.evaluate(axeSource);
  // A string, not a function: this runs in the page, whose DOM types the Node test config does not load.
  const violations = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((result) =>
    result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target, failureSummary: n.failureSummary })) })))`)) as AxeViolation[];
  return violations;
}

export const screenshotDir = join(packageRoot(), 'test-results', 'screenshots');

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(screenshotDir, { recursive: true });
  const file = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  return file;
}
