/**
 * End to end, a tenant with a few hundred PENDING bookings (sandbox seeded with 3,000: more than two
 * of the queue's 200-row windows, so paging is walked through): the approval queue and the bookings
 * list stay small in the DOM while the whole list is walked by keyboard and by scrolling, and the
 * queue, bookings and import wizard screens are screenshotted at 1280×800 in English and Spanish ×
 * light and dark and checked with axe-core. (It walked 2,192 rows before: 75–170 s for the same
 * assertions; the DOM bound does not depend on the length once the list is several windows long.)
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translate, translator, type Language } from '../../src/renderer/src/i18n/translate.ts';
import { launchBrowser, screenshot, seriousAxeViolations, startStack, type Stack } from './harness.ts';
import { waitFor } from '../support/wait-for.ts';

let browser: Browser;
let stack: Stack;
beforeAll(async () => {
  browser = await launchBrowser();
  stack = await startStack({ seed: { bookings: 3_000, offerings: 30 } });
}, 240_000);
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

async function open(lang: Language, theme: 'light' | 'dark', hash = '#/queue'): Promise<Page> {
  await stack.console.core.handlers['settings.set']({ language: lang, theme, undoSeconds: 0 });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: theme });
  page.setDefaultTimeout(60_000);
  await page.goto(stack.openUrl);
  await page.locator(`html[lang="${lang}"][data-theme="${theme}"]`).waitFor({ state: 'attached' });
  if (hash !== '#/queue') await page.evaluate(`location.hash = ${JSON.stringify(hash)}`);
  return page;
}

const badCsv = ['slug,title,product_type,base_price,currency', 'Bad Slug,Loft,space,10,USD', 'e2e-ok,Fine,space,"12,5,0",USD'].join('\n');
const csvHead = 'slug,title,product_type,base_price,currency,weekday,start_time,end_time,capacity';
const goodCsv = [csvHead, 'shot-alpha,Alpha Loft,space,120,USD,Mon,9:00,17:00,2', 'shot-beta,Beta Room,space,80,USD,,,,'].join('\r\n');
/** Committed once before the tour, so the batch status step has a batch to open in every language. */
const committedCsv = [csvHead, 'shot-gamma,Gamma Studio,space,90,USD,Tue,10:00,16:00,1', 'shot-delta,Delta Class,class,20,USD,Sat,8:00,9:30,12'].join('\r\n');

describe('queue, bookings and import wizard at 1280×800, English and Spanish × light and dark', () => {
  it('has no serious axe violation on any of them, and only the main area scrolls (never the window)', { timeout: 600_000 }, async () => {
    const h = stack.console.core.handlers;
    const checked = await h['import.check']({ fileName: 'committed.csv', contentBase64: Buffer.from(committedCsv).toString('base64') });
    await h['import.commit']({ token: checked.token });
    const problems: string[] = [];
    const windowScroll: Array<[string, number]> = [];
    for (const [lang, theme] of [['en', 'light'], ['en', 'dark'], ['es', 'light'], ['es', 'dark']] as const) {
      const t = translator(lang, lang === 'en' ? 'en-US' : 'es-ES');
      const page = await open(lang, theme);
      const main = page.getByRole('main');
      const check = async (name: string) => {
        await waitFor(async () => (await page.locator('.state-loading').count()) === 0, 'the screen to finish loading', 30_000);
        await screenshot(page, `lists-${name}-${lang}-${theme}`);
        // Only the main area scrolls: the window itself never does (the app frame would slide up).
        windowScroll.push([`${name}-${lang}-${theme}`, (await page.evaluate('document.scrollingElement.scrollTop')) as number]);
        for (const v of await seriousAxeViolations(page)) problems.push(`${name}-${lang}-${theme}: ${v.id} (${v.impact}) ${v.help} ${JSON.stringify(v.nodes.map((n) => n.target))}`);
      };
      await main.getByRole('row').nth(1).waitFor();
      await check('queue');
      await page.evaluate(`location.hash = '#/bookings'`);
      await main.getByRole('row').nth(2).waitFor();
      await check('bookings');

      await page.evaluate(`location.hash = '#/catalogue/import'`);
      await main.getByRole('heading', { name: t('import.step1') }).waitFor();
      await main.locator('summary', { hasText: t('import.columnGuide') }).click();
      await main.getByRole('cell').first().waitFor();
      await check('import-start');
      const file = main.getByLabel(t('import.chooseFile'));
      await file.setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(badCsv) });
      await main.getByRole('heading', { name: t('import.step4') }).scrollIntoViewIfNeeded();
      await main.locator('#imp-blocked').waitFor();
      await check('import-errors');
      await file.setInputFiles({ name: 'good.csv', mimeType: 'text/csv', buffer: Buffer.from(goodCsv) });
      const commit = main.getByRole('button', { name: t('import.commit', { n: 2 }) });
      await expect.poll(() => commit.isEnabled()).toBe(true);
      await main.getByRole('heading', { name: t('import.preview') }).scrollIntoViewIfNeeded();
      await check('import-preview');
      await main.getByRole('button', { name: t('import.openBatch', { file: 'committed.csv' }) }).click();
      await main.getByRole('heading', { name: t('import.batchTitle', { file: 'committed.csv' }) }).waitFor();
      await check('import-status');
      await page.close();
    }
    expect(problems).toEqual([]);
    expect(windowScroll.filter(([, y]) => y !== 0)).toEqual([]);
  });
});

/** The queue's body rows in the DOM, and the most there ever were since `watchRows` (a MutationObserver in the page). */
const rowsSelector = '.queue-list tbody tr';
async function watchRows(page: Page): Promise<void> {
  await page.evaluate(`(() => {
    window.__maxRows = document.querySelectorAll(${JSON.stringify(rowsSelector)}).length;
    new MutationObserver(() => {
      window.__maxRows = Math.max(window.__maxRows, document.querySelectorAll(${JSON.stringify(rowsSelector)}).length);
    }).observe(document.querySelector('.queue-list tbody'), { childList: true });
  })()`);
}
const maxRows = (page: Page) => page.evaluate('window.__maxRows') as Promise<number>;
/** aria-rowindex, customer text and whether it holds the focus, for the highlighted row. */
const activeRow = (page: Page) =>
  page.evaluate(`(() => {
    const row = document.querySelector('.queue-list tbody tr[aria-current="true"]');
    return row && { rowIndex: Number(row.getAttribute('aria-rowindex')), text: row.textContent, focused: document.activeElement === row, count: document.querySelectorAll('.queue-list tbody tr[aria-current="true"]').length };
  })()`) as Promise<{ rowIndex: number; text: string; focused: boolean; count: number } | null>;
/** Whether the highlighted row is inside the visible part of the list (below the sticky headers). */
const activeInView = (page: Page) =>
  page.evaluate(`(() => {
    const box = document.querySelector('.queue-list').getBoundingClientRect();
    const head = document.querySelector('.queue-list thead').getBoundingClientRect();
    const row = document.querySelector('.queue-list tbody tr[aria-current="true"]').getBoundingClientRect();
    return row.top >= head.bottom - 1 && row.bottom <= box.bottom + 1;
  })()`) as Promise<boolean>;

describe('the approval queue of a tenant with several windows of pending bookings', () => {
  const limit = 60;

  it('keeps the DOM small while scrolled from top to bottom, keeps the focused row focused, and shows the last booking at the bottom', { timeout: 300_000 }, async () => {
    const queue = (await stack.console.core.handlers['queue.window']({ sort: 'waiting', risk: 'all', limit: 1000 })).items;
    expect(queue.length).toBeGreaterThanOrEqual(300);
    const page = await open('en', 'light');
    const list = page.getByRole('table', { name: translate('en', 'queue.count', { n: queue.length }, 'en-US') });
    await list.getByRole('row', { name: new RegExp(queue[0]!.customer.name) }).first().waitFor();
    expect(await list.getAttribute('aria-rowcount')).toBe(String(queue.length + 1));
    await watchRows(page);
    // The keyboard target: the third booking, focused by j.
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await expect.poll(() => activeRow(page)).toMatchObject({ rowIndex: 4, focused: true, count: 1 });

    const viewport = page.locator('.queue-list');
    const box = (await viewport.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    let steps = 0;
    for (;;) {
      const atEnd = (await viewport.evaluate((el) => el.scrollTop + el.clientHeight >= el.scrollHeight - 1)) as boolean;
      if (atEnd) break;
      expect(++steps, 'scroll steps to the bottom').toBeLessThan(2000);
      await page.mouse.wheel(0, 1200);
      // Each step renders what it shows before the next one (no blank screenfuls skipped over).
      await expect.poll(async () => (await page.locator(rowsSelector).count()) > 2).toBe(true);
    }
    expect(steps).toBeGreaterThan(20);
    const last = queue[queue.length - 1]!;
    await list.locator(`tr[aria-rowindex="${queue.length + 1}"]`).filter({ hasText: last.customer.name }).waitFor();
    expect(await maxRows(page)).toBeLessThanOrEqual(limit);
    // Scrolled hundreds of rows away, the highlighted row is still in the DOM and still has the focus.
    expect(await activeRow(page)).toMatchObject({ rowIndex: 4, focused: true, count: 1 });
    await screenshot(page, 'lists-queue-scrolled-bottom');
    expect(await seriousAxeViolations(page)).toEqual([]);
    // The next key press acts where the highlight is, and brings it back into view.
    await page.keyboard.press('j');
    await expect.poll(() => activeRow(page)).toMatchObject({ rowIndex: 5, focused: true, count: 1 });
    await expect.poll(() => activeInView(page)).toBe(true);
    await page.close();
  });

  it('walks the whole queue with j: the DOM stays small, the highlighted row is focused and in view, and the last booking is reached', { timeout: 600_000 }, async () => {
    const queue = (await stack.console.core.handlers['queue.window']({ sort: 'waiting', risk: 'all', limit: 1000 })).items;
    expect(queue.length).toBeGreaterThanOrEqual(300);
    const page = await open('en', 'light');
    await page.locator(rowsSelector).first().waitFor();
    await watchRows(page);
    for (let i = 1; i < queue.length; i++) {
      await page.keyboard.press('j');
      if (i % 100 === 0) {
        await expect.poll(() => activeRow(page)).toMatchObject({ rowIndex: i + 2, focused: true, count: 1 });
        // Polled like the test above: the row is scrolled to in the frame after it is highlighted.
        await expect.poll(() => activeInView(page), { message: `row ${i + 2} in view` }).toBe(true);
      }
    }
    const last = queue[queue.length - 1]!;
    await expect.poll(() => activeRow(page)).toMatchObject({ rowIndex: queue.length + 1, focused: true, count: 1 });
    expect((await activeRow(page))!.text).toContain(last.customer.name);
    await expect.poll(() => activeInView(page)).toBe(true);
    expect(await maxRows(page)).toBeLessThanOrEqual(limit);
    // One more j stays on the last row. Declining the one above it: its row leaves and the focus
    // moves to the booking that takes its place (the last one), never to the page.
    await page.keyboard.press('j');
    await expect.poll(() => activeRow(page)).toMatchObject({ rowIndex: queue.length + 1, focused: true });
    await page.keyboard.press('k');
    await expect.poll(() => activeRow(page)).toMatchObject({ rowIndex: queue.length, focused: true });
    await page.keyboard.press('d');
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('radio').first().check();
    await dialog.getByRole('button', { name: /^Decline/ }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(async () => (await activeRow(page))?.text.includes(last.customer.name)).toBe(true);
    expect(await activeRow(page)).toMatchObject({ rowIndex: queue.length, focused: true, count: 1 });
    // x selects it, k moves up, and the selection is still there.
    await page.keyboard.press('x');
    await page.getByText('1 selected').waitFor();
    await page.keyboard.press('k');
    await expect.poll(() => activeRow(page)).toMatchObject({ rowIndex: queue.length - 1, focused: true });
    expect(await page.locator(`${rowsSelector}[aria-rowindex="${queue.length}"]`).getByRole('checkbox').isChecked()).toBe(true);
    await screenshot(page, 'lists-queue-last-row');
    await page.close();
  });
});
