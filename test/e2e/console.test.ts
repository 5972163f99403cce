/**
 * End to end: a real sandbox (Orkestr API) ← the real core (replica + sync) ← the loopback bridge →
 * Debian's Chromium driven by playwright-core, selecting elements by role and accessible name.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBridge } from '../../src/main/bridge/bridge.ts';
import { packageRoot, startConsole } from '../../src/main/app.ts';
import { startSandbox } from '../../src/sandbox/index.ts';
import { adminToken, launchBrowser, orkestr, screenshot, seriousAxeViolations, startStack, testKey, waitFor, type Stack } from './harness.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

async function openConsole(url: string, colorScheme: 'light' | 'dark' = 'light'): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1366, height: 860 }, colorScheme });
  // Generous bounds for a loaded 2-core machine; nothing here asserts on time.
  page.setDefaultTimeout(60_000);
  await page.goto(url);
  await page.getByRole('heading', { name: 'Approval queue' }).waitFor({ timeout: 60_000 });
  return page;
}

async function serverBooking(stack: Stack, id: string): Promise<{ status: string }> {
  const answer = await orkestr(stack.sandbox, 'GET', `/bookings/${id}`);
  return answer.body as { status: string };
}

/** Approving may first show the overlap warning; confirm it when it does. */
async function confirmOverlapIfAsked(page: Page): Promise<void> {
  const anyway = page.getByRole('dialog').getByRole('button', { name: /approve/i });
  if (await anyway.isVisible().catch(() => false)) await anyway.click();
}

describe('first screen on the demo tenant', () => {
  it('says which tenant it is connected to and that sync is live, with no serious axe violations in either theme', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'orkestr-demo-'));
    const running = await startConsole({ dbFile: join(dir, 'replica.db'), transport: 'bridge', demoLiveSeconds: 0 });
    const bridge = await startBridge({ host: running.core, staticDir: join(packageRoot(), 'out', 'renderer') });
    try {
      expect(running.mode).toBe('demo');
      for (const scheme of ['light', 'dark'] as const) {
        const page = await openConsole(bridge.openUrl, scheme);
        await page.getByText('Connected to Atlas Studios').first().waitFor({ timeout: 60_000 });
        await page.getByText('sync is live').first().waitFor({ timeout: 60_000 });
        await page.getByRole('row').nth(1).waitFor({ timeout: 60_000 });
        await screenshot(page, `queue-demo-${scheme}`);
        expect(await seriousAxeViolations(page)).toEqual([]);
        await page.close();
      }
    } finally {
      await bridge.close();
      await running.close();
    }
  });
});

describe('approval queue against the sandbox', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ seed: 'demo' });
    await stack.console.core.handlers['settings.set']({ undoSeconds: 0 });
  });
  afterAll(async () => stack?.close());
  afterEach(async () => {
    for (const context of browser.contexts()) for (const page of context.pages()) await page.close();
  });

  it('approves by keyboard and the server has it CONFIRMED', async () => {
    const page = await openConsole(stack.openUrl);
    const queue = await stack.console.core.handlers['queue.list']({});
    const first = queue[0]!;
    await page.getByRole('row', { name: new RegExp(first.customer.name) }).first().waitFor({ timeout: 60_000 });
    await page.keyboard.press('a');
    await confirmOverlapIfAsked(page);
    await waitFor(async () => (await serverBooking(stack, first.id)).status === 'CONFIRMED', `${first.id} CONFIRMED on the server`);
  });

  it('keeps approving and declining while the server is away, shows it, and lands both when it is back', async () => {
    const page = await openConsole(stack.openUrl);
    const [a, b] = await stack.console.core.handlers['queue.list']({});
    const port = stack.sandbox.port;
    await stack.sandbox.close();

    await page.getByRole('row', { name: new RegExp(a!.customer.name) }).first().waitFor();
    await page.keyboard.press('a');
    await confirmOverlapIfAsked(page);
    await page.getByRole('row', { name: new RegExp(b!.customer.name) }).first().click({ position: { x: 5, y: 5 } }).catch(() => {});
    await page.keyboard.press('d');
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('radio', { name: 'No availability' }).check();
    await dialog.getByRole('button', { name: 'Decline' }).click();

    // The outbox holds both while the server is unreachable, and the console says it is offline.
    await waitFor(async () => (await stack.console.core.handlers['sync.status']({})).outboxLength >= 2, 'two intents in the outbox');
    await page.getByText(/offline/i).first().waitFor({ timeout: 60_000 });
    await screenshot(page, 'queue-offline');

    stack.sandbox = await startSandbox({ dataFile: join(stack.dir, 'sandbox.db'), port, keys: [testKey], adminToken });
    await stack.console.core.handlers['sync.now']({});
    await waitFor(async () => (await serverBooking(stack, a!.id)).status === 'CONFIRMED', 'the offline approval on the server', 30_000);
    await waitFor(async () => (await serverBooking(stack, b!.id)).status === 'CANCELLED', 'the offline decline on the server', 30_000);
  });

  it('turns an approval of a booking cancelled on the server meanwhile into one Needs attention entry, resolved by taking the server version', async () => {
    await stack.console.core.handlers['settings.set']({ undoSeconds: 5 });
    const page = await openConsole(stack.openUrl);
    const [target] = await stack.console.core.handlers['queue.list']({});
    await page.getByRole('row', { name: new RegExp(target!.customer.name) }).first().waitFor();
    await page.keyboard.press('a');
    await confirmOverlapIfAsked(page);
    // While the approval is still held on this machine, the customer's booking is cancelled on the server.
    const cancelled = await orkestr(stack.sandbox, 'POST', `/bookings/${target!.id}/cancel`, { reason: 'changed plans' });
    expect(cancelled.status).toBe(200);

    await waitFor(async () => (await stack.console.core.handlers['conflicts.list']({})).length === 1, 'one conflict', 30_000);
    await stack.console.core.handlers['settings.set']({ undoSeconds: 0 });
    await page.getByRole('link', { name: /needs attention/i }).first().click();
    await page.getByRole('heading', { name: /needs attention/i }).first().waitFor();
    await screenshot(page, 'needs-attention');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: /server/i }).first().click();
    await waitFor(async () => (await stack.console.core.handlers['conflicts.list']({})).length === 0, 'conflict resolved');
    const local = await stack.console.core.handlers['bookings.get']({ id: target!.id });
    expect(local?.status).toBe('CANCELLED');
    expect((await serverBooking(stack, target!.id)).status).toBe('CANCELLED');
  });
});
