/**
 * The Bookings screen's row actions, end to end (sandbox ← core ← bridge → Chromium), by role and
 * accessible name. At 1024×768 (and at a wide size), in English and Spanish (longer labels), light
 * and dark, every row's action control lies wholly inside the table's visible box and the viewport:
 * nothing is cut off at the right edge and the table never scrolls sideways. The actions are reached
 * by keyboard, and a cancel (which refunds the customer) stays behind its confirmation with the refund
 * shown: no single key in the row or its menu sends it.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { translator, type Language } from '../../src/renderer/src/i18n/translate.ts';
import { waitFor } from '../support/wait-for.ts';
import { axeViolations, launchBrowser, screenshot, startStack, type Stack } from './harness.ts';

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
afterEach(async () => {
  for (const context of browser.contexts()) for (const page of context.pages()) await page.close();
});

async function openBookings(lang: Language, theme: 'light' | 'dark', size: { width: number; height: number }): Promise<Page> {
  await stack.console.core.handlers['settings.set']({ language: lang, theme, undoSeconds: 0 });
  const page = await browser.newPage({ viewport: size, colorScheme: theme });
  page.setDefaultTimeout(60_000);
  await page.goto(stack.openUrl);
  await page.locator(`html[lang="${lang}"][data-theme="${theme}"]`).waitFor({ state: 'attached' });
  await page.evaluate(`location.hash = '#/bookings'`);
  await page.locator('.bookings-list tbody tr button').first().waitFor();
  await waitFor(async () => (await page.locator('.bookings-list .skeleton').count()) === 0, 'the rows in view loaded', 30_000);
  return page;
}

/** Every button in the rendered rows that is not wholly inside the table's visible box (scrollbars excluded) and the viewport. */
async function cutOff(page: Page): Promise<string[]> {
  return (await page.evaluate(`(() => {
    const box = document.querySelector('.bookings-list');
    const r = box.getBoundingClientRect();
    const left = r.left + box.clientLeft, right = left + box.clientWidth;
    const out = [];
    if (box.scrollWidth > box.clientWidth) out.push('the table scrolls sideways: ' + box.scrollWidth + ' > ' + box.clientWidth);
    for (const b of box.querySelectorAll('tbody tr button')) {
      const q = b.getBoundingClientRect();
      if (q.left < left - 0.5 || q.right > right + 0.5 || q.right > window.innerWidth) out.push((b.getAttribute('aria-label') || b.textContent) + ': ' + Math.round(q.left) + '..' + Math.round(q.right) + ' outside ' + Math.round(left) + '..' + Math.round(right));
    }
    return out;
  })()`)) as string[];
}

describe('the Bookings screen at 1024 px and wide', () => {
  it('every row action lies wholly inside the visible table in English and Spanish, light and dark; axe-core finds nothing', { timeout: 300_000 }, async () => {
    const problems: string[] = [];
    for (const [width, height] of [
      [1024, 768],
      [1600, 900],
    ] as const) {
      for (const [lang, theme] of [['en', 'light'], ['en', 'dark'], ['es', 'light'], ['es', 'dark']] as const) {
        const page = await openBookings(lang, theme, { width, height });
        const name = `bookings-${width}-${lang}-${theme}`;
        await screenshot(page, name);
        expect(await page.locator('.bookings-list tbody tr button').count()).toBeGreaterThan(3);
        for (const c of await cutOff(page)) problems.push(`${name}: ${c}`);
        for (const v of await axeViolations(page)) problems.push(`${name}: ${v.id} (${v.impact}) ${v.help} ${JSON.stringify(v.nodes.map((n) => n.target))}`);
        await page.close();
      }
    }
    expect(problems).toEqual([]);
  });

  it('a row’s actions are reached by keyboard, and cancelling a CONFIRMED booking shows its refund first and sends nothing on the way', { timeout: 120_000 }, async () => {
    const h = stack.console.core.handlers;
    const t = translator('es', 'es-ES');
    const page = await openBookings('es', 'light', { width: 1024, height: 768 });
    const confirmed = (await h['bookings.list']({ status: 'CONFIRMED', offset: 0, limit: 1 })).items[0]!;
    await page.getByRole('search').getByRole('combobox').first().selectOption('CONFIRMED');
    const row = page.locator('.bookings-list tbody tr').filter({ has: page.locator(`a[href="#/booking/${encodeURIComponent(confirmed.id)}"]`) });
    await row.waitFor();
    // From the row's link, Tab reaches the row's actions; Enter opens them as a menu with the focus on its first item.
    await row.getByRole('link', { name: confirmed.customer.name }).focus();
    await page.keyboard.press('Tab');
    const trigger = row.getByRole('button', { name: t('bookings.rowActions', { name: confirmed.customer.name }) });
    await expect.poll(() => page.evaluate('document.activeElement.getAttribute("aria-label")')).toBe(t('bookings.rowActions', { name: confirmed.customer.name }));
    expect(await trigger.getAttribute('aria-haspopup')).toBe('menu');
    await page.keyboard.press('Enter');
    const menu = page.getByRole('menu', { name: t('bookings.rowActions', { name: confirmed.customer.name }) });
    await menu.waitFor();
    await screenshot(page, 'bookings-row-menu-es-light');
    expect(await axeViolations(page)).toEqual([]);
    const items = await menu.getByRole('menuitem').allInnerTexts();
    expect(items).toEqual([t('palette.open'), `${t('cancel.action')}…`]);
    // Esc closes the menu and gives the focus back to its button; nothing was sent.
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'detached' });
    await expect.poll(() => page.evaluate('document.activeElement.getAttribute("aria-label")')).toBe(t('bookings.rowActions', { name: confirmed.customer.name }));
    // Again, down to the cancel: it opens the confirmation with the refund, and no key on the way sent anything.
    await page.keyboard.press('ArrowDown');
    await menu.waitFor();
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => page.evaluate('document.activeElement.textContent')).toBe(`${t('cancel.action')}…`);
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: t('cancel.title', { name: confirmed.customer.name }) });
    await dialog.getByTestId('refund-preview').waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect((await h['intents.list']({})).filter((i) => i.targetId === confirmed.id)).toEqual([]);
    expect((await h['bookings.get']({ id: confirmed.id }))?.status).toBe('CONFIRMED');
  });
});
