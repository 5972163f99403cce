/**
 * The preview pane beside the approval queue and the Today screen's keys (#13), end to end (sandbox ← core ← bridge → Chromium),
 * by role and accessible name: `p` shows it, it follows the highlighted booking (items, customer
 * notes, payments, risk and its review status, history), the queue's keys keep working with the
 * focus in it, Esc gives the focus back to the row, the choice is remembered, and at 1024×700 in
 * English and Spanish, light and dark, it never makes the queue scroll sideways and axe-core finds
 * no violation of any impact. On Today, the arrow keys walk the bookings on the timeline.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { QueueRow } from '../../src/shared/contract/types.ts';
import { translator, type Language } from '../../src/renderer/src/i18n/translate.ts';
import { waitFor } from '../support/wait-for.ts';
import { axeViolations, launchBrowser, screenshot, startStack, type Stack } from './harness.ts';

const poll = <T>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 30_000 });
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
afterEach(async () => {
  for (const context of browser.contexts()) for (const page of context.pages()) await page.close();
});

async function open(page: Page): Promise<void> {
  page.setDefaultTimeout(60_000);
  await page.goto(stack.openUrl);
  await page.locator('.queue-list tbody tr').first().waitFor();
}

const flagged = (r: QueueRow) => r.held || r.slot.state === 'full';
const pane = (page: Page, tr = t) => page.getByRole('region', { name: new RegExp(`^${tr('queue.preview.title')}`) });
const activeId = (page: Page) => page.evaluate(`document.activeElement && document.activeElement.getAttribute('aria-current')`);

describe('the preview pane beside the queue', () => {
  it('p shows the highlighted booking beside the list; j/k/a/d/r/Esc keep working with the focus in it; the choice is remembered', { timeout: 240_000 }, async () => {
    const h = stack.console.core.handlers;
    await h['settings.set']({ undoSeconds: 0, language: 'en', theme: 'light' });
    const rows = (await h['queue.window']({ limit: 1000, sort: 'waiting', risk: 'all' })).items;
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await open(page);
    // Hidden at first on a window this narrow; p (or the button) shows it.
    expect(await pane(page).count()).toBe(0);
    await page.keyboard.press('p');
    const preview = pane(page);
    await preview.waitFor();
    expect(await page.getByRole('button', { name: new RegExp(t('queue.preview.toggle')) }).getAttribute('aria-pressed')).toBe('true');
    await poll(() => preview.getByRole('heading', { level: 2 }).innerText()).toBe(t('queue.preview.titleOf', { name: rows[0]!.customer.name }));
    for (const section of ['booking.items', 'booking.notes', 'booking.risk', 'booking.payments', 'booking.history'] as const) await preview.getByRole('heading', { name: t(section) }).waitFor();
    // The booking's details arrive from the core: its review status and its history.
    const detail = (await h['bookings.get']({ id: rows[0]!.id }))!;
    const review = detail.riskReviewStatus ?? 'NONE';
    await preview.getByText(t('booking.riskReview', { status: t(`riskReview.${review}` as 'riskReview.NONE') })).waitFor();
    if (detail.history[0]) await preview.getByRole('heading', { name: t('booking.history') }).locator('xpath=..').getByRole('listitem').first().waitFor();
    const withNotes = rows.findIndex((r) => r.notes.trim() !== '');

    // j and k move the highlight, and the pane follows it.
    await page.keyboard.press('j');
    await poll(() => preview.getByRole('heading', { level: 2 }).innerText()).toBe(t('queue.preview.titleOf', { name: rows[1]!.customer.name }));
    await page.keyboard.press('k');
    await poll(() => preview.getByRole('heading', { level: 2 }).innerText()).toBe(t('queue.preview.titleOf', { name: rows[0]!.customer.name }));
    if (withNotes >= 0) {
      for (let i = 0; i < withNotes; i++) await page.keyboard.press('j');
      await preview.getByText(rows[withNotes]!.notes.trim().slice(0, 20), { exact: false }).waitFor();
      for (let i = 0; i < withNotes; i++) await page.keyboard.press('k');
    }
    await screenshot(page, 'front-desk-preview-1280');

    // With the focus in the pane, the queue's keys still act on the highlighted booking.
    await preview.focus();
    await page.keyboard.press('j');
    await poll(() => preview.getByRole('heading', { level: 2 }).innerText()).toBe(t('queue.preview.titleOf', { name: rows[1]!.customer.name }));
    await preview.focus();
    await page.keyboard.press('d');
    await page.getByRole('dialog').getByTestId('refund-preview').waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await preview.focus();
    await page.keyboard.press('r');
    await page.getByRole('dialog').waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    // Esc in the pane: the focus goes back to the highlighted row.
    await preview.focus();
    await page.keyboard.press('Escape');
    await poll(() => activeId(page)).toBe('true');
    expect(await page.locator('tbody tr[aria-current="true"]').innerText()).toContain(rows[1]!.customer.name);

    // a approves the highlighted booking from the pane, and the pane moves on with the highlight.
    const safe = rows.findIndex((r, i) => i >= 1 && !flagged(r));
    for (let i = 1; i < safe; i++) await page.keyboard.press('j');
    await poll(() => preview.getByRole('heading', { level: 2 }).innerText()).toBe(t('queue.preview.titleOf', { name: rows[safe]!.customer.name }));
    await preview.focus();
    await page.keyboard.press('a');
    await waitFor(async () => (await h['intents.list']({})).some((i) => i.kind === 'booking.approve' && i.targetId === rows[safe]!.id), 'the approval from the pane', 30_000);
    await poll(() => preview.getByRole('heading', { level: 2 }).innerText()).not.toBe(t('queue.preview.titleOf', { name: rows[safe]!.customer.name }));

    // Remembered: open after a reload; p hides it, and it stays hidden after the next one.
    await open(page);
    await pane(page).waitFor();
    await page.keyboard.press('p');
    await pane(page).waitFor({ state: 'detached' });
    await open(page);
    expect(await pane(page).count()).toBe(0);
    await context.close();
  });

  it('at 1024×700 in English and Spanish, light and dark, the open pane never makes the queue scroll sideways and axe-core finds nothing', { timeout: 300_000 }, async () => {
    const h = stack.console.core.handlers;
    const problems: string[] = [];
    const widths: Array<[string, number, number]> = [];
    for (const [lang, theme] of [['en', 'light'], ['en', 'dark'], ['es', 'light'], ['es', 'dark']] as Array<[Language, 'light' | 'dark']>) {
      const tr = translator(lang, lang === 'en' ? 'en-US' : 'es-ES');
      await h['settings.set']({ language: lang, theme });
      const context = await browser.newContext({ viewport: { width: 1024, height: 700 }, colorScheme: theme });
      const page = await context.newPage();
      await open(page);
      await page.locator(`html[lang="${lang}"]`).waitFor({ state: 'attached' });
      await page.getByRole('button', { name: new RegExp(tr('queue.preview.toggle')) }).click();
      await pane(page, tr).getByRole('heading', { name: tr('booking.history') }).waitFor();
      await waitFor(async () => (await pane(page, tr).getByText(tr('common.loading')).count()) === 0, 'the booking details in the pane', 30_000);
      widths.push([`${lang}-${theme}`, ...((await page.locator('.queue-list').evaluate((el) => [el.scrollWidth, el.clientWidth])) as [number, number])]);
      await screenshot(page, `front-desk-preview-${lang}-${theme}`);
      for (const v of await axeViolations(page)) problems.push(`${lang}-${theme}: ${v.id} (${v.impact}) ${JSON.stringify(v.nodes.map((n) => n.target))}`);
      await context.close();
    }
    expect(widths.filter(([, scroll, client]) => scroll > client)).toEqual([]);
    expect(problems).toEqual([]);
  });
});

describe('the queue’s offering filter', () => {
  it('asks the core for no offering list at a cold start; typing finds an offering by part of its name, ↓ and Enter pick it and the queue shows only its bookings (#16: a select of every offering was 1 MB and 20k options at 20k offerings)', { timeout: 120_000 }, async () => {
    const h = stack.console.core.handlers;
    await h['settings.set']({ language: 'es', theme: 'dark' });
    const tr = translator('es', 'es-ES');
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'dark' });
    const page = await context.newPage();
    await page.addInitScript(`(() => {
      window.__calls = [];
      const real = window.fetch.bind(window);
      window.fetch = (url, init) => {
        window.__calls.push((String(init && init.body).match(/"method":"([^"]+)"/) || [])[1]);
        return real(url, init);
      };
    })()`);
    await open(page);
    const rows = (await h['queue.window']({ sort: 'waiting', risk: 'all', limit: 1000 })).items;
    const wanted = rows[0]!;
    const others = rows.filter((r) => r.offeringId !== wanted.offeringId);
    expect(others.length).toBeGreaterThan(0);
    await page.locator('tbody tr.row-active').waitFor();
    expect(((await page.evaluate('window.__calls')) as string[]).filter((m) => m.startsWith('offerings.'))).toEqual([]);
    const filter = page.getByRole('combobox', { name: tr('queue.filter.offering'), exact: true });
    await filter.focus();
    await page.keyboard.type(wanted.offeringTitle.slice(1, 6).toLowerCase());
    const option = page.getByRole('option', { name: wanted.offeringTitle, exact: true });
    await option.waitFor();
    await waitFor(async () => (await page.getByRole('listbox').getAttribute('aria-busy')) === null, 'the matches of what was typed', 30_000);
    await screenshot(page, 'front-desk-offering-filter-es-dark');
    expect(await axeViolations(page)).toEqual([]);
    // ↓ walks to it (the matches are listed by title), Enter picks it.
    const names = await page.getByRole('option').allInnerTexts();
    for (let i = 0; i < names.indexOf(wanted.offeringTitle); i++) await page.keyboard.press('ArrowDown');
    await poll(() => filter.getAttribute('aria-activedescendant').then((id) => page.locator(`[id="${id}"]`).innerText())).toBe(wanted.offeringTitle);
    await page.keyboard.press('Enter');
    await page.getByRole('listbox').waitFor({ state: 'detached' });
    await poll(() => filter.inputValue()).toBe(wanted.offeringTitle);
    await waitFor(async () => (await page.locator('tbody tr').filter({ hasText: others[0]!.customer.name }).count()) === 0, 'the other offerings’ bookings gone', 30_000);
    await page.locator('tbody tr').filter({ hasText: wanted.customer.name }).first().waitFor();
    // Esc while typing puts the chosen offering back; "all" is the first option of an empty field.
    await filter.fill('zzz');
    await page.getByText(tr('offerings.noMatch', { q: 'zzz' })).waitFor();
    await page.keyboard.press('Escape');
    expect(await filter.inputValue()).toBe(wanted.offeringTitle);
    await filter.fill('');
    await page.getByRole('option', { name: tr('queue.filter.allOfferings') }).click();
    await page.locator('tbody tr').filter({ hasText: others[0]!.customer.name }).first().waitFor();
    // Typed in a hurry and Enter at once: the first match of what was typed, not an option of the list before it.
    const hurried = others[0]!.offeringTitle;
    await filter.fill('');
    await filter.pressSequentially(hurried);
    await page.keyboard.press('Enter');
    await poll(() => filter.inputValue()).toBe(hurried);
    await context.close();
  });
});

describe('Today', () => {
  it('the arrow keys walk the bookings: ← → within an offering, ↑ ↓ to the offering above or below', { timeout: 120_000 }, async () => {
    await stack.console.core.handlers['settings.set']({ language: 'en', theme: 'light' });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await open(page);
    await page.evaluate(`location.hash = '#/today'`);
    await page.locator('a[data-row]').first().waitFor();
    // The bookings as the screen lays them out: offering row, start.
    const links = (await page.locator('a[data-row]').evaluateAll((els) => els.map((el) => ({ id: el.getAttribute('href'), row: Number(el.getAttribute('data-row')), start: Number(el.getAttribute('data-start')) })))) as Array<{ id: string; row: number; start: number }>;
    const ordered = [...links].sort((a, b) => a.row - b.row || a.start - b.start);
    expect(new Set(ordered.map((l) => l.row)).size, 'offerings with bookings today').toBeGreaterThanOrEqual(2);
    const focused = () => page.evaluate(`document.activeElement && document.activeElement.getAttribute('href')`);
    await page.locator(`a[data-row][href="${ordered[0]!.id}"]`).focus();
    await page.keyboard.press('ArrowRight');
    await poll(focused).toBe(ordered[1]!.id);
    await page.keyboard.press('ArrowLeft');
    await poll(focused).toBe(ordered[0]!.id);
    // Down: the booking of the next offering that starts nearest in time; up comes back to this row.
    const nextRow = ordered.find((l) => l.row > ordered[0]!.row)!.row;
    const nearest = ordered.filter((l) => l.row === nextRow).sort((a, b) => Math.abs(a.start - ordered[0]!.start) - Math.abs(b.start - ordered[0]!.start))[0]!;
    await page.keyboard.press('ArrowDown');
    await poll(focused).toBe(nearest.id);
    await page.keyboard.press('ArrowUp');
    await poll(async () => {
      const now = await focused();
      return ordered.find((l) => l.id === now)?.row;
    }).toBe(ordered[0]!.row);
    await page.getByText(t('today.keys')).waitFor();
    await screenshot(page, 'front-desk-today-keys');
    expect(await axeViolations(page)).toEqual([]);
    await context.close();
  });
});
