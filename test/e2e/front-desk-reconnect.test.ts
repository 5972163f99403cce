/**
 * Nothing waits once the server is back (#13, "Done when"), end to end: the sandbox (Orkestr API) ←
 * the core ← the loopback bridge → Chromium. The server is really stopped; ten approvals are queued by
 * keyboard in the queue while it is away; the outage lasts until every intent's next attempt, by its
 * own back-off, is well over three seconds away (what a long outage leaves behind, reached by real
 * failed attempts rather than by editing the outbox); then the server starts again on its port and
 * all ten must be on it within three seconds of it answering.
 *
 * Its own stack and file: the server goes away here, which the other front-desk tests must not see.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { QueueRow } from '../../src/shared/contract/types.ts';
import { translator } from '../../src/renderer/src/i18n/translate.ts';
import { readReplica } from '../support/core.ts';
import { waitFor } from '../support/wait-for.ts';
import { launchBrowser, orkestr, screenshot, startStack, type Stack } from './harness.ts';

/** The bound: queued intents reach the server within this long of it answering again. */
const boundMs = 3_000;
/** How far ahead every intent's own next attempt must be before the server returns (well past the bound). */
const outageLeadMs = 6_000;
const t = translator('en', 'en-US');

let browser: Browser;
let stack: Stack;

beforeAll(async () => {
  browser = await launchBrowser();
  stack = await startStack({ seed: 'demo' });
}, 240_000);
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

const flagged = (r: QueueRow) => r.held || r.slot.state === 'full';
const confirmedOnServer = async (ids: string[]): Promise<number> => {
  let n = 0;
  for (const id of ids) if (((await orkestr(stack.sandbox, 'GET', `/bookings/${id}`)).body as { status: string }).status === 'CONFIRMED') n++;
  return n;
};
/** The outbox rows of these bookings' approvals, as stored in the replica file. */
const stored = (bookingIds: string[]) =>
  readReplica(join(stack.dir, 'replica.db'), (db) =>
    db
      .prepare(`SELECT target_id, state, attempts, next_attempt_at, last_error FROM outbox WHERE kind = 'booking.approve' AND target_id IN (${bookingIds.map(() => '?').join(',')})`)
      .all(...bookingIds) as Array<{ target_id: string; state: string; attempts: number; next_attempt_at: string | null; last_error: string | null }>,
  );

describe('after the server returns', () => {
  it('ten approvals queued by keyboard while it was away reach it within 3 s of it answering again', { timeout: 300_000 }, async () => {
    const h = stack.console.core.handlers;
    await h['settings.set']({ undoSeconds: 0, language: 'en', theme: 'light' });
    const rows = (await h['queue.window']({ limit: 1000, sort: 'waiting', risk: 'all' })).items;
    const lead = rows.findIndex((r) => !flagged(r));
    const expected = rows.filter((r) => !flagged(r)).slice(0, 10).map((r) => r.id);
    expect(expected).toHaveLength(10);

    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(60_000);
    await page.goto(stack.openUrl);
    await page.locator('.queue-list tbody tr').first().waitFor();

    // The server goes away; the console notices on its own.
    await stack.sandbox.close();
    await waitFor(async () => (await h['sync.status']({})).connection === 'offline', 'the console to say it is offline', 60_000);
    await page.getByText(t('queue.sync.offline')).waitFor();

    // Ten approvals by keyboard (a approves and moves on to the next booking safe to approve).
    for (let i = 0; i < lead; i++) await page.keyboard.press('j');
    for (let i = 0; i < 10; i++) await page.keyboard.press('a');
    await waitFor(() => stored(expected).length === 10, 'ten approvals in the outbox', 60_000);
    expect(stored(expected).map((r) => r.target_id).sort()).toEqual([...expected].sort());

    // A long outage: every intent failed to reach the server, and its back-off now ends far past the bound.
    await waitFor(
      () => {
        const now = Date.now();
        return stored(expected).every((r) => r.state === 'queued' && r.last_error?.startsWith('NETWORK:') && r.next_attempt_at !== null && Date.parse(r.next_attempt_at) - now > outageLeadMs);
      },
      `every intent's next attempt more than ${outageLeadMs} ms away`,
      180_000,
    );
    await screenshot(page, 'front-desk-reconnect-offline');

    // The server returns on its port; the clock starts once it answers.
    await stack.sandbox.restart();
    expect((await orkestr(stack.sandbox, 'GET', '/me')).status).toBe(200);
    const back = Date.now();
    let onServer = 0;
    const inTime = await waitFor(async () => (onServer = await confirmedOnServer(expected)) === 10, 'ten approvals on the server', boundMs).then(
      () => true,
      () => false,
    );
    const took = Date.now() - back;
    expect(inTime, `${onServer} of 10 queued approvals on the server ${took} ms after it answered again (bound ${boundMs} ms: the outbox must not wait out its back-off)`).toBe(true);
    await page.getByText(t('queue.sync.live')).waitFor();
    await screenshot(page, 'front-desk-reconnect-back');
  });
});
