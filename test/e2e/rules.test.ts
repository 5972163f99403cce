/**
 * End to end, approval rules (#17) in Chromium against the sandbox's demo tenant: a rule created on
 * the Rules screen by keyboard, its preview seen, saved switched off, switched on; a booking then
 * approved "by rule" shows in the activity and in the booking's history, and reaches the server. The
 * Rules and Insights screens are screenshotted and checked with axe-core in English and Spanish ×
 * light and dark.
 */
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RulesDocument } from '../../src/shared/contract/types.ts';
import { translator, type Language } from '../../src/renderer/src/i18n/translate.ts';
import { axeViolations, launchBrowser, orkestr, screenshot, seriousAxeViolations, startStack, type Stack } from './harness.ts';
import { waitFor } from '../support/wait-for.ts';

let browser: Browser;
let stack: Stack;
beforeAll(async () => {
  browser = await launchBrowser();
  stack = await startStack({ seed: 'demo' });
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

async function open(lang: Language, theme: 'light' | 'dark', hash: string): Promise<Page> {
  await stack.console.core.handlers['settings.set']({ language: lang, theme });
  const page = await browser.newPage({ viewport: { width: 1366, height: 900 }, colorScheme: theme });
  page.setDefaultTimeout(60_000);
  await page.goto(stack.openUrl);
  await page.locator(`html[lang="${lang}"][data-theme="${theme}"]`).waitFor({ state: 'attached' });
  await page.evaluate(`location.hash = ${JSON.stringify(hash)}`);
  return page;
}

describe('the Rules screen', () => {
  it('creates a rule by keyboard, previews it, switches it on, and shows the booking approved by rule', { timeout: 240_000 }, async () => {
    const t = translator('en');
    const page = await open('en', 'light', '#/rules');
    await page.getByRole('heading', { name: t('rules.title') }).waitFor();
    await page.getByText(t('rules.empty')).waitFor();

    // The form by keyboard: the name, then Tab past the defaults (all offerings, risk ≤ 30, not held, room left).
    await page.getByLabel(t('rules.name')).focus();
    await page.keyboard.type('Safe requests');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.type')).not.toBe('submit');
    await page.getByRole('button', { name: t('rules.preview') }).focus();
    await page.keyboard.press('Enter');
    const preview = page.getByRole('region', { name: t('rules.previewTitle', { n: 30 }) });
    await preview.waitFor();
    await expect.poll(() => preview.getByRole('definition').count()).toBe(5);
    await screenshot(page, 'rules-preview-en-light');
    expect(await seriousAxeViolations(page)).toEqual([]);

    await page.getByRole('button', { name: t('rules.save') }).focus();
    await page.keyboard.press('Enter');
    const toggle = page.getByRole('switch', { name: t('rules.switchNamed', { name: 'Safe requests' }) });
    await toggle.waitFor();
    expect(await toggle.isChecked()).toBe(false);
    const [rule] = (await stack.console.core.handlers['rules.list']({})).rules;
    expect(rule).toMatchObject({ name: 'Safe requests', enabled: false, conditions: { maxRiskScore: 30, notHeld: true, noOverlap: true } });

    await toggle.focus();
    await page.keyboard.press('Space');
    await waitFor(async () => (await toggle.isChecked()) || null, 'the switch on');
    const approvedId = await waitFor(async () => {
      const activity = await stack.console.core.handlers['activity.list']({ limit: 200 });
      return activity.find((a) => a.event === 'rule.approved')?.bookingId ?? null;
    }, 'an approval by the rule');
    await screenshot(page, 'rules-on-en-light');

    // The activity and the booking's history say it, with the rule's name.
    await page.evaluate(`location.hash = '#/activity'`);
    await page.getByRole('main').getByText('Approved by rule “Safe requests”').first().waitFor();
    await page.evaluate(`location.hash = ${JSON.stringify(`#/booking/${encodeURIComponent(approvedId)}`)}`);
    await page.getByRole('heading', { name: t('booking.history') }).waitFor();
    await page.getByRole('main').getByText('Approved by rule “Safe requests”').first().waitFor();
    await screenshot(page, 'rules-booking-history-en-light');
    // It leaves the machine after the undo window, like a person's approval.
    await waitFor(async () => ((await orkestr(stack.sandbox, 'GET', `/bookings/${approvedId}`)).body as { status: string }).status === 'CONFIRMED', 'the rule approval on the server');
    await page.close();
  });

  it('shows Rules and Insights in both languages and themes with no serious axe violation', { timeout: 240_000 }, async () => {
    const problems: string[] = [];
    for (const [lang, theme] of [
      ['en', 'dark'],
      ['es', 'light'],
      ['es', 'dark'],
      ['en', 'light'],
    ] as Array<[Language, 'light' | 'dark']>) {
      const t = translator(lang);
      const page = await open(lang, theme, '#/rules');
      await page.getByRole('switch', { name: t('rules.switchNamed', { name: 'Safe requests' }) }).waitFor();
      await page.getByRole('button', { name: t('rules.preview') }).waitFor();
      await page.getByLabel(t('rules.name')).fill('Vista');
      await page.getByRole('button', { name: t('rules.preview') }).click();
      await page.getByRole('region', { name: t('rules.previewTitle', { n: 30 }) }).waitFor();
      await screenshot(page, `rules-${lang}-${theme}`);
      for (const v of await seriousAxeViolations(page)) problems.push(`rules-${lang}-${theme}: ${v.id} ${v.help} ${JSON.stringify(v.nodes.map((n) => n.target))}`);
      await page.evaluate(`location.hash = '#/insights'`);
      await page.getByRole('heading', { name: t('rules.insights.title') }).waitFor();
      const summary = await stack.console.core.handlers['rules.summary']({ days: 30 });
      expect(summary.approved).toBeGreaterThan(0);
      await page.getByText(t('rules.insights.approved', { n: summary.approved })).waitFor();
      await screenshot(page, `insights-rules-${lang}-${theme}`);
      for (const v of await seriousAxeViolations(page)) problems.push(`insights-${lang}-${theme}: ${v.id} ${v.help} ${JSON.stringify(v.nodes.map((n) => n.target))}`);
      await page.close();
    }
    expect(problems).toEqual([]);
  });

  it('shows a flag rule\'s "needs a look" label on the queue rows it matched, and filters the queue to them, in both languages and themes', { timeout: 240_000 }, async () => {
    const h = stack.console.core.handlers;
    // Customers whose requests the approving rule above leaves alone (held or risky), so they stay queued.
    const queue = (await h['queue.window']({ sort: 'waiting', risk: 'all', limit: 1000 })).items;
    const stays = queue.filter((b) => b.riskReviewStatus === 'HELD' || (b.riskScore ?? 100) > 30);
    expect(stays.length).toBeGreaterThan(0);
    const vips = [...new Set(stays.map((b) => b.customer.email))].slice(0, 2);
    await h['rules.add']({ rule: { name: 'VIP customers', conditions: { allowList: vips }, action: 'flag' } });
    const flagged = await waitFor(async () => {
      const w = await h['queue.window']({ sort: 'waiting', risk: 'all', flagged: true, limit: 100 });
      return w.total > 0 ? w : null;
    }, 'the flag rule to label the VIP requests');
    const problems: string[] = [];
    for (const [lang, theme] of [
      ['en', 'light'],
      ['es', 'dark'],
      ['en', 'dark'],
      ['es', 'light'],
    ] as Array<[Language, 'light' | 'dark']>) {
      const t = translator(lang);
      const page = await open(lang, theme, '#/');
      const label = t('queue.flag.rule', { rule: 'VIP customers' });
      const first = flagged.items[0]!;
      const row = page.locator('.queue-list tbody tr').filter({ has: page.locator(`a[href="#/booking/${encodeURIComponent(first.id)}"]`) });
      await row.getByText(label).waitFor();
      // The risk filter's "Flagged by a rule" choice.
      await page.getByLabel(t('queue.filter.risk')).selectOption('flagged');
      await waitFor(async () => (await page.locator('.queue-list tbody tr').count()) === flagged.total || null, 'the queue filtered to the flagged rows');
      await page.getByText(t('queue.countFlagged', { n: flagged.total })).waitFor();
      await screenshot(page, `queue-flagged-${lang}-${theme}`);
      for (const v of await axeViolations(page)) problems.push(`queue-flagged-${lang}-${theme}: ${v.id} ${v.impact} ${v.help} ${JSON.stringify(v.nodes.map((n) => n.target))}`);
      await page.getByLabel(t('queue.filter.risk')).selectOption('all');
      await page.close();
    }
    expect(problems).toEqual([]);
  });

  it('exports the rules as the JSON document the CLI reads, and imports one switched off after a dialog whose focus starts on Cancel', { timeout: 240_000 }, async () => {
    const t = translator('en');
    const h = stack.console.core.handlers;
    const page = await open('en', 'light', '#/rules');
    await page.getByRole('switch', { name: t('rules.switchNamed', { name: 'Safe requests' }) }).waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: t('rules.transfer.export') }).click()]);
    const exported = JSON.parse(await readFile((await download.path())!, 'utf8')) as RulesDocument;
    expect(exported).toEqual(await h['rules.export']({}));
    expect(exported.rules.map((r) => r.name)).toContain('Safe requests');

    // A file that would switch on an approving rule: it arrives switched off.
    const incoming: RulesDocument = { ...exported, rules: [{ version: 1, name: 'Imported weekend classes', conditions: { weekdays: [0, 6], notHeld: true }, action: 'approve', enabled: true }] };
    const before = (await h['rules.list']({})).rules.length;
    await page.locator('input[type="file"]').setInputFiles({ name: 'rules.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(incoming)) });
    const dialog = page.getByRole('dialog', { name: t('rules.transfer.title', { n: 1, file: 'rules.json' }) });
    await dialog.getByText('Imported weekend classes').waitFor();
    expect(await page.evaluate('document.activeElement.textContent')).toBe(t('common.cancel'));
    await screenshot(page, 'rules-import-dialog-en-light');
    expect(await axeViolations(page)).toEqual([]);
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.textContent')).toBe(t('rules.transfer.confirm', { n: 1 }));
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    const imported = await page.getByRole('switch', { name: t('rules.switchNamed', { name: 'Imported weekend classes' }) });
    await imported.waitFor();
    expect(await imported.isChecked()).toBe(false);
    const after = (await h['rules.list']({})).rules;
    expect(after).toHaveLength(before + 1);
    expect(after.find((r) => r.name === 'Imported weekend classes')).toMatchObject({ enabled: false });

    // A file of another version is refused with the field named, and nothing is added.
    await page.locator('input[type="file"]').setInputFiles({ name: 'future.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ ...incoming, version: 2 })) });
    await page.getByRole('button', { name: t('rules.transfer.confirm', { n: 1 }) }).click();
    await page.getByRole('alert').getByText('version', { exact: false }).waitFor();
    expect((await h['rules.list']({})).rules).toHaveLength(before + 1);
    await page.close();
  });
});
