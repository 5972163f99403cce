/**
 * Secrets in the browser fallback (no OS keychain behind the bridge): connecting from Settings asks
 * how to keep the key, in an accessible dialog, and "this session only" leaves nothing on disk.
 * Real sandboxes, the real core and bridge, Debian's Chromium.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { en, type Dict } from '../../src/renderer/src/i18n/en.ts';
import { es } from '../../src/renderer/src/i18n/es.ts';
import { join } from 'node:path';
import { readReplica } from '../support/core.ts';
import { startTestSandbox, type SandboxFixture } from '../support/sandbox.ts';
import { launchBrowser, screenshot, seriousAxeViolations, startStack, type Stack } from './harness.ts';
import { waitFor } from '../support/wait-for.ts';

const secondKey = 'ork_e2esecnd.second-tenant-secret-0123456789';
const secondKeySecret = 'second-tenant-secret-0123456789';
type Lang = 'en' | 'es';
const dicts: Record<Lang, Dict> = { en, es };

let browser: Browser;
let stack: Stack;
let second: SandboxFixture;

beforeAll(async () => {
  browser = await launchBrowser();
  stack = await startStack({ seed: { bookings: 8, offerings: 2 } });
  second = await startTestSandbox({ keys: [secondKey], seed: { bookings: 4, offerings: 1 } });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  await second?.dispose();
});

async function openSettings(lang: Lang, colorScheme: 'light' | 'dark'): Promise<Page> {
  await stack.console.core.handlers['settings.set']({ language: lang, theme: colorScheme });
  const page = await browser.newPage({ viewport: { width: 1366, height: 900 }, colorScheme });
  page.setDefaultTimeout(60_000);
  await page.goto(stack.openUrl);
  await page.locator(`html[lang="${lang}"]`).waitFor({ state: 'attached' });
  await page.getByRole('navigation').first().waitFor();
  await page.evaluate(`location.hash = '#/settings'`);
  await page.getByRole('heading', { name: dicts[lang]['settings.relay.title'] }).waitFor();
  await page.getByText(dicts[lang]['settings.secrets.noEncryption']).waitFor();
  return page;
}

/** The replica's meta table, read from the file as another process would. */
const meta = (): Array<{ key: string; value: string }> => readReplica(join(stack.dir, 'replica.db'), (db) => db.prepare('SELECT key, value FROM meta').all() as Array<{ key: string; value: string }>);

describe('keeping the API key where the system has no keychain', () => {
  it('asks in a dialog, connects for this session only, and stores no key', { timeout: 180_000 }, async () => {
    const t = en;
    const page = await openSettings('en', 'light');
    // How secrets are kept here, said before anything is entered.
    await page.getByText(t['settings.secrets.noEncryption']).waitFor();
    await page.getByLabel(t['settings.apiUrl'], { exact: true }).fill(second.url);
    await page.getByLabel(t['settings.apiKey'], { exact: true }).fill(secondKey);
    await page.getByRole('button', { name: t['settings.connect'], exact: true }).click();

    const dialog = page.getByRole('dialog', { name: t['settings.keep.title.apiKey'] });
    await dialog.waitFor();
    expect(await dialog.getAttribute('aria-describedby')).toBeTruthy();
    // Focus starts on the safest choice and stays inside the modal dialog.
    expect(await page.evaluate(`document.activeElement?.textContent`)).toBe(t['settings.keep.session']);
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press('Tab');
      expect(await page.evaluate(`!!document.activeElement?.closest('dialog')`)).toBe(true);
    }
    expect(await seriousAxeViolations(page)).toEqual([]);
    // Escape cancels: nothing changed.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(stack.console.core.session().apiUrl).toBe(stack.sandbox.url);

    // Again, by keyboard only: Enter on Connect, then the session-only choice.
    await page.getByRole('button', { name: t['settings.connect'], exact: true }).focus();
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await waitFor(() => stack.console.core.session().apiUrl === second.url, 'connected to the second sandbox');
    expect(stack.console.core.session()).toMatchObject({ mode: 'connected', secrets: { encryptionAvailable: false, apiKey: 'session' } });
    await page.getByText(t['settings.apiKey.keptSession']).waitFor();
    // Nothing of the key in the replica's meta (nor anywhere the contract answers).
    expect(JSON.stringify(meta())).not.toContain(secondKeySecret);
    expect(meta().find((m) => m.key === 'apiKeySealed')).toBeUndefined();
    const answers = JSON.stringify([await stack.console.core.handlers['settings.get']({}), await stack.console.core.handlers['session.info']({})]);
    expect(answers).not.toContain(secondKeySecret);
    await page.close();
  });

  it('shows Settings and the dialog in both languages and themes, with no serious axe violation', { timeout: 240_000 }, async () => {
    for (const lang of ['en', 'es'] as const) {
      for (const scheme of ['light', 'dark'] as const) {
        const t = dicts[lang];
        const page = await openSettings(lang, scheme);
        await screenshot(page, `settings-secrets-${lang}-${scheme}`);
        expect(await seriousAxeViolations(page)).toEqual([]);
        // The relay form asks the same question; its fields say what is wrong, each on its own.
        await page.getByRole('button', { name: t['settings.relay.connect'], exact: true }).click();
        await page.getByText(t['settings.relay.channelUrlInvalid']).waitFor();
        expect(await page.getByLabel(t['settings.relay.deviceToken'], { exact: true }).getAttribute('aria-invalid')).toBe('true');
        await page.getByLabel(t['settings.relay.channelUrl'], { exact: true }).fill('https://relay.example.com/v1/channels/ch_e2e');
        await page.getByLabel(t['settings.relay.deviceToken'], { exact: true }).fill('rdt_e2e-device-token');
        await page.getByLabel(t['settings.relay.webhookSecret'], { exact: true }).fill('whsec_e2e_signing_secret');
        await page.getByRole('button', { name: t['settings.relay.connect'], exact: true }).click();
        const dialog = page.getByRole('dialog', { name: t['settings.keep.title.relay'] });
        await dialog.waitFor();
        await screenshot(page, `settings-keep-dialog-${lang}-${scheme}`);
        expect(await seriousAxeViolations(page)).toEqual([]);
        await dialog.getByRole('button', { name: t['common.cancel'], exact: true }).click();
        await dialog.waitFor({ state: 'detached' });
        expect((await stack.console.core.handlers['settings.get']({})).relayUrl).toBeNull();
        await page.close();
      }
    }
    await stack.console.core.handlers['settings.set']({ language: 'en', theme: 'system' });
  });
});
