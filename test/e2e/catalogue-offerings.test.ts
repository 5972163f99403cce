/**
 * The Catalogue's offerings a page at a time (#16), end to end (sandbox ← core ← bridge → Chromium).
 * At 20k offerings the tab laid out every offering (20k rows, 340k elements, 30 s before it showed);
 * now it shows 50 with the range and Previous / Next, and a search over title and slug that ignores
 * case and accents. A draft ticked on one page stays ticked on another and is published with the
 * rest. English and Spanish, light and dark, with axe-core on each.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { translator, type Language } from '../../src/renderer/src/i18n/translate.ts';
import { waitFor } from '../support/wait-for.ts';
import { axeViolations, launchBrowser, orkestr, screenshot, startStack, type Stack } from './harness.ts';

let browser: Browser;
let stack: Stack;
let total = 0;

beforeAll(async () => {
  browser = await launchBrowser();
  stack = await startStack({ seed: { bookings: 20, offerings: 130 } });
  total = (await stack.console.core.handlers['offerings.page']({ offset: 0, limit: 1 })).total;
}, 240_000);
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});
afterEach(async () => {
  for (const context of browser.contexts()) for (const page of context.pages()) await page.close();
});

async function openOfferings(lang: Language, theme: 'light' | 'dark'): Promise<Page> {
  await stack.console.core.handlers['settings.set']({ language: lang, theme, undoSeconds: 0 });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: theme });
  page.setDefaultTimeout(60_000);
  await page.goto(stack.openUrl);
  await page.locator(`html[lang="${lang}"][data-theme="${theme}"]`).waitFor({ state: 'attached' });
  await page.evaluate(`location.hash = '#/catalogue/offerings'`);
  await page.locator('main table tbody tr').first().waitFor();
  return page;
}

const titles = (page: Page): Promise<string[]> => page.locator('main table tbody tr strong').allInnerTexts();

describe('the Catalogue’s offerings', () => {
  it('shows a page of 50 with its range, pages on, and axe-core finds nothing, in English and Spanish, light and dark', { timeout: 300_000 }, async () => {
    expect(total).toBeGreaterThan(100);
    const problems: string[] = [];
    for (const [lang, theme] of [['en', 'light'], ['en', 'dark'], ['es', 'light'], ['es', 'dark']] as const) {
      const t = translator(lang, lang === 'en' ? 'en-US' : 'es-ES');
      const page = await openOfferings(lang, theme);
      const pager = page.getByRole('navigation', { name: t('offerings.pages') });
      const number = new Intl.NumberFormat(lang === 'en' ? 'en-US' : 'es-ES');
      await pager.getByText(t('offerings.range', { from: '1', to: '50', total: number.format(total) })).waitFor();
      expect(await page.locator('main table tbody tr').count()).toBe(50);
      const first = await titles(page);
      await pager.getByRole('button', { name: t('common.next') }).click();
      await pager.getByText(t('offerings.range', { from: '51', to: '100', total: number.format(total) })).waitFor();
      await waitFor(async () => (await titles(page))[0] !== first[0], 'the second page', 30_000);
      expect((await titles(page)).filter((x) => first.includes(x))).toEqual([]);
      await page.getByRole('main').evaluate((m) => m.scrollTo(0, m.scrollHeight));
      await screenshot(page, `catalogue-offerings-page2-${lang}-${theme}`);
      for (const v of await axeViolations(page)) problems.push(`${lang}-${theme}: ${v.id} (${v.impact}) ${v.help} ${JSON.stringify(v.nodes.map((n) => n.target))}`);
      await page.close();
    }
    expect(problems).toEqual([]);
  });

  it('searches title and slug without case or accents, says when nothing matches, and starts at the first page', { timeout: 120_000 }, async () => {
    const t = translator('es', 'es-ES');
    const page = await openOfferings('es', 'light');
    const pager = page.getByRole('navigation', { name: t('offerings.pages') });
    await pager.getByRole('button', { name: t('common.next') }).click();
    const sample = (await stack.console.core.handlers['offerings.page']({ offset: 77, limit: 1 })).items[0]!;
    const search = page.getByRole('searchbox', { name: t('offerings.search') });
    await search.fill(sample.title.toUpperCase());
    const found = (await stack.console.core.handlers['offerings.page']({ search: sample.title, offset: 0, limit: 50 })).total;
    expect(found).toBeLessThan(50);
    await waitFor(async () => (await page.locator('main table tbody tr').count()) === found, `the ${found} offerings found for "${sample.title}"`, 30_000);
    expect(await titles(page)).toContain(sample.title);
    // The search's results fit one page: no pager.
    expect(await pager.count()).toBe(0);
    await search.fill('zzz-nada-así');
    await page.getByText(t('offerings.noMatch', { q: 'zzz-nada-así' })).waitFor();
    await screenshot(page, 'catalogue-offerings-nomatch-es-light');
    expect(await axeViolations(page)).toEqual([]);
  });

  it('publishes drafts ticked on different pages together', { timeout: 120_000 }, async () => {
    const h = stack.console.core.handlers;
    const t = translator('en', 'en-US');
    // Two drafts made on the server (by someone else, say): one sorts first, one last, pages apart.
    for (const title of ['Aa Draft Studio', 'Zz Draft Loft']) {
      const made = await orkestr(stack.sandbox, 'POST', '/offerings', { title, status: 'DRAFT', productTypeKey: 'space', basePriceCents: 5000, currency: 'USD' });
      expect(made.status).toBe(201);
    }
    await h['sync.now']({});
    await waitFor(async () => (await h['offerings.page']({ search: 'draft', offset: 0, limit: 50 })).total === 2, 'the drafts in the replica', 60_000);
    const list = (await h['offerings.page']({ offset: 0, limit: 500 })).items;
    const drafts = list.filter((o) => o.status === 'DRAFT');
    expect(drafts.map((o) => o.title)).toEqual(['Aa Draft Studio', 'Zz Draft Loft']);
    expect(drafts.map((o) => Math.floor(list.indexOf(o) / 50))).toEqual([0, Math.floor((list.length - 1) / 50)]);
    const page = await openOfferings('en', 'light');
    const pager = page.getByRole('navigation', { name: t('offerings.pages') });
    const tick = async (title: string): Promise<void> => {
      for (let i = 0; i < 5 && (await page.getByRole('checkbox', { name: t('common.select', { name: title }) }).count()) === 0; i++) await pager.getByRole('button', { name: t('common.next') }).click();
      await page.getByRole('checkbox', { name: t('common.select', { name: title }) }).check();
    };
    await tick(drafts[0]!.title);
    await tick(drafts[1]!.title);
    const publish = page.getByRole('button', { name: t('offerings.publishSelected', { n: 2 }) });
    await publish.click();
    await waitFor(async () => (await h['offerings.page']({ offset: 0, limit: 500 })).items.filter((o) => o.status === 'DRAFT').length === drafts.length - 2, 'both published', 60_000);
    for (const o of drafts.slice(0, 2)) expect((await h['offerings.page']({ search: o.slug, offset: 0, limit: 50 })).items.find((x) => x.id === o.id)?.status).toBe('PUBLISHED');
  });

  it('a rule’s “only these offerings” shows the first matches and how many more, finds one by search, and saves the one ticked', { timeout: 120_000 }, async () => {
    const h = stack.console.core.handlers;
    const t = translator('es', 'es-ES');
    const page = await openOfferings('es', 'dark');
    await page.evaluate(`location.hash = '#/rules'`);
    await page.getByLabel(t('rules.name')).fill('Solo uno');
    await page.getByRole('radio', { name: t('rules.chooseOfferings') }).check();
    const boxes = page.getByRole('group', { name: t('rules.chooseOfferings') }).getByRole('checkbox');
    await waitFor(async () => (await boxes.count()) === 30, 'the first 30 offerings', 30_000);
    const all = (await h['offerings.page']({ offset: 0, limit: 500 })).items;
    await page.getByText(t('offerings.moreFound', { shown: '30', total: new Intl.NumberFormat('es-ES').format(all.length) })).waitFor();
    const wanted = all.at(-1)!;
    await page.getByRole('searchbox', { name: t('offerings.search') }).fill(wanted.slug.toUpperCase());
    await page.getByRole('checkbox', { name: wanted.title, exact: true }).check();
    // The ticked one stays in the list, first, when the search moves on.
    await page.getByRole('searchbox', { name: t('offerings.search') }).fill('');
    await waitFor(async () => (await boxes.count()) === 31, 'the ticked one and the first 30', 30_000);
    expect(await boxes.first().isChecked()).toBe(true);
    await screenshot(page, 'rules-only-these-offerings-es-dark');
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: t('rules.save') }).click();
    await waitFor(async () => (await h['rules.list']({})).rules.find((r) => r.name === 'Solo uno') ?? null, 'the rule saved', 30_000);
    expect((await h['rules.list']({})).rules.find((r) => r.name === 'Solo uno')?.offeringIds).toEqual([wanted.id]);
  });
});
