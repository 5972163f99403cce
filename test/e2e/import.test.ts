/**
 * End to end: the CSV import wizard on the sandbox. A file with errors is refused cell by cell; a
 * good file (one column re-mapped by hand) is committed; the server refuses one slug (taken on the
 * server while the console was not syncing), the user gives a new slug and resumes; availability is
 * reported as local-only; the drafts are published. By role and accessible name, axe at every step.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, orkestr, screenshot, seriousAxeViolations, startStack, type Stack } from './harness.ts';
import { waitFor } from '../support/wait-for.ts';

let browser: Browser;
let stack: Stack;
beforeAll(async () => {
  browser = await launchBrowser();
  stack = await startStack();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

const badCsv = ['slug,title,product_type,base_price,currency', 'Bad Slug,Loft,space,10,USD', 'e2e-ok,Fine,space,"12,5,0",USD'].join('\n');
const goodCsv = [
  'slug,Nombre,product_type,Precio,currency,notas,weekday,start_time,end_time,capacity',
  'e2e-alpha,Alpha Loft,space,120,USD,Bright and quiet,Mon,9:00,17:00,2',
  'e2e-alpha,,,,,,Tue,9:00,17:00,2',
  'e2e-taken,Taken Room,space,80,USD,,,,,',
  'e2e-gamma,Gamma Class,class,18.50,USD,Morning flow,Sat,8:00 AM,9:30 AM,12',
].join('\r\n');

async function expectAccessible(page: Page, step: string): Promise<void> {
  const violations = await seriousAxeViolations(page);
  expect(violations, `${step}: ${JSON.stringify(violations, null, 1)}`).toEqual([]);
}

async function serverOfferings(): Promise<Array<{ slug: string; status: string }>> {
  const res = await orkestr(stack.sandbox, 'GET', '/offerings?status=ALL&limit=500');
  return (res.body as { data: Array<{ slug: string; status: string }> }).data.filter((o) => o.slug.startsWith('e2e-'));
}

describe('CSV import wizard and calendar feeds', () => {
  it('refuses a bad file cell by cell, imports a good one, resumes after a refusal and publishes the drafts', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    page.setDefaultTimeout(60_000);
    await page.goto(stack.openUrl);
    await page.getByRole('heading', { name: 'Approval queue' }).waitFor();
    await page.getByRole('link', { name: 'Catalogue' }).click();
    await page.getByRole('link', { name: 'Import' }).click();
    await page.getByRole('heading', { name: '1. Start from the template' }).waitFor();
    await page.locator('summary', { hasText: 'What each column means' }).click();
    await expect.poll(() => page.getByRole('cell', { name: 'Key of the offering: lowercase letters, digits and hyphens. Rows with the same slug are one offering.' }).count()).toBe(1);
    await expectAccessible(page, 'start');
    await screenshot(page, 'import-1-start');

    // A bad file: per-cell messages with line and column; nothing can be committed.
    const fileInput = page.getByLabel('Choose a file…');
    await fileInput.setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(badCsv) });
    await page.getByText('Line 2, column A (slug):').waitFor();
    await page.getByText('Line 3, column D (base_price):').waitFor();
    await expect.poll(() => page.getByRole('button', { name: /^Import \d+ offerings$/ }).isDisabled()).toBe(true);
    await expect.poll(() => page.getByRole('checkbox', { name: 'Only rows with problems' }).isChecked()).toBe(true);
    await page.getByRole('heading', { name: 'What the import will do' }).scrollIntoViewIfNeeded();
    await expectAccessible(page, 'bad file');
    await screenshot(page, 'import-2-errors');

    // While the console is not syncing, the slug "e2e-taken" appears on the server.
    await stack.console.core.stop();
    const taken = await orkestr(stack.sandbox, 'POST', '/offerings', { title: 'Someone else', slug: 'e2e-taken', productTypeKey: 'space', basePriceCents: 100, currency: 'USD' });
    expect(taken.status).toBe(201);

    // A good file: alias guesses shown; the unknown "notas" column is mapped to description by hand.
    await fileInput.setInputFiles({ name: 'e2e.csv', mimeType: 'text/csv', buffer: Buffer.from(goodCsv) });
    const notas = page.getByRole('combobox', { name: 'Read column “notas” as' });
    await notas.waitFor();
    expect(await notas.inputValue()).toBe('');
    expect(await page.getByRole('combobox', { name: 'Read column “Nombre” as' }).inputValue()).toBe('title');
    await page.getByText('Ignored columns: “notas”').waitFor();
    await notas.selectOption('description');
    // Until the re-check ends, the header line's "notas is ignored" row matches too (a strict-mode
    // error); under load that takes longer than expect.poll's default second.
    await expect.poll(async () => (await page.getByRole('row', { name: /notas/ }).textContent()) ?? '', { timeout: 60_000 }).toContain('your choice');
    const commit = page.getByRole('button', { name: 'Import 3 offerings' });
    await expect.poll(() => commit.isEnabled()).toBe(true);
    await page.getByText(/^Availability rules: 3 · errors: 0/).waitFor();
    await page.getByRole('heading', { name: 'What the import will do' }).scrollIntoViewIfNeeded();
    await expectAccessible(page, 'good file');
    await screenshot(page, 'import-3-preview');
    await commit.click();
    await page.getByRole('heading', { name: 'Import of e2e.csv' }).waitFor();
    await page.getByText('3 weekly availability rules are kept on this computer only', { exact: false }).waitFor();

    // Sync again: the server refuses the taken slug; the rest of the batch is held or sent.
    stack.console.core.start();
    await page.getByRole('heading', { name: 'The server refused 1 offering' }).waitFor();
    await page.getByText(/SLUG_TAKEN|409/).first().waitFor();
    await expectAccessible(page, 'refused');
    await screenshot(page, 'import-4-refused');
    await page.getByRole('textbox', { name: 'New slug for e2e-taken' }).fill('e2e-taken-2');
    await page.getByRole('button', { name: 'Fix and resume' }).click();
    await page.getByText('The server has all 3 offerings of this import.').waitFor();
    const onServer = await waitFor(async () => {
      const list = await serverOfferings();
      return list.some((o) => o.slug === 'e2e-taken-2') ? list : null;
    }, 'the fixed offering on the server');
    expect(onServer.filter((o) => ['e2e-alpha', 'e2e-gamma', 'e2e-taken-2'].includes(o.slug)).map((o) => o.status)).toEqual(['DRAFT', 'DRAFT', 'DRAFT']);

    // Availability: the server has none of the imported rules (v1 cannot receive them).
    await page.getByRole('button', { name: 'Check what the server has' }).click();
    await page.getByText('The server has 0 of these 3 rules.').waitFor();
    expect(await page.getByLabel('To enter in the provider portal').textContent()).toContain('e2e-alpha');
    await page.getByRole('heading', { name: 'Availability', exact: true }).scrollIntoViewIfNeeded();
    await expectAccessible(page, 'status');
    await screenshot(page, 'import-5-status');

    // Publish the batch's drafts through the existing contract.
    await page.getByRole('button', { name: 'Publish the 3 draft offerings from this import' }).click();
    await waitFor(async () => {
      const list = await serverOfferings();
      const mine = list.filter((o) => ['e2e-alpha', 'e2e-gamma', 'e2e-taken-2'].includes(o.slug));
      return mine.length === 3 && mine.every((o) => o.status === 'PUBLISHED');
    }, 'the imported offerings published on the server');
    expect((await serverOfferings()).find((o) => o.slug === 'e2e-taken')?.status).toBe('DRAFT');
    await page.close();
  }, 240_000);

  it('words the per-cell problems in Spanish when the console is in Spanish (the core sends codes, not English sentences)', async () => {
    const h = stack.console.core.handlers;
    await h['settings.set']({ language: 'es' });
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    try {
      page.setDefaultTimeout(60_000);
      await page.goto(stack.openUrl);
      await page.getByRole('heading', { name: 'Cola de aprobación' }).waitFor();
      await page.getByRole('link', { name: 'Catálogo' }).click();
      await page.getByRole('link', { name: 'Importar' }).click();
      await page.getByRole('heading', { name: '1. Parta de la plantilla' }).waitFor();
      const csv = ['slug,title,product_type,base_price,currency,notas,weekday,start_time,end_time', 'Bad Slug,Loft,space,10,USD,,Mon,9:00,17:00', 'e2e-es,Fine,spaceship,"12,5,0",USD,,Funday,18:00,9:00', 'e2e-es2,Other,space,10,USD,,Tue,18:00,9:00'].join('\n');
      await page.getByLabel('Elegir un archivo…').setInputFiles({ name: 'mal.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
      const rows = page.getByRole('region', { name: 'Filas del archivo con lo que hará la importación y los problemas encontrados' });
      for (const text of [
        '«Bad Slug» no es un slug válido (minúsculas, dígitos y guiones sueltos); ¿quiso decir «bad-slug»?',
        '«spaceship» no es un tipo de producto',
        '«12,5,0» no es un precio',
        '«Funday» no es un día de la semana',
        'termina a las 09:00, no después del inicio (18:00)',
        'la columna «notas» (F) se ignora (columna desconocida)',
      ]) {
        await page.getByText(text, { exact: false }).first().waitFor();
      }
      const shown = await page.getByRole('main').innerText();
      for (const english of ['is not a valid slug', 'is not a price', 'is not a weekday', 'is not a product type', 'is ignored', 'ends at', 'did you mean']) expect(shown, english).not.toContain(english);
      await rows.scrollIntoViewIfNeeded();
      await expectAccessible(page, 'bad file (es)');
      await screenshot(page, 'import-2-errors-es');
    } finally {
      await page.close();
      await h['settings.set']({ language: 'en' });
    }
  }, 120_000);

  it('Settings → Calendar: add a feed (URL shown once), revoke it with confirmation, export an .ics file', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 }, acceptDownloads: true });
    page.setDefaultTimeout(60_000);
    await page.goto(stack.openUrl);
    await page.getByRole('heading', { name: 'Approval queue' }).waitFor();
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Calendar' }).waitFor();
    await page.getByText('No calendar feeds yet.').waitFor();
    await page.getByRole('textbox', { name: 'Name' }).fill('Front desk');
    await page.getByRole('checkbox', { name: 'Include pending bookings (shown as tentative)' }).first().check();
    await page.getByRole('button', { name: 'Create feed' }).click();
    const url = page.getByRole('textbox', { name: 'Subscription URL' });
    await url.waitFor();
    expect(await url.inputValue()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/calendar\/ocf_[A-Za-z0-9_-]+\.ics$/);
    expect(await page.getByRole('link', { name: 'Open in calendar app' }).getAttribute('href')).toMatch(/^webcal:\/\/127\.0\.0\.1/);
    await page.getByRole('rowheader', { name: 'Front desk' }).waitFor();
    await page.getByRole('heading', { name: 'Calendar' }).scrollIntoViewIfNeeded();
    await expectAccessible(page, 'feed added');
    await screenshot(page, 'calendar-1-added');
    await page.getByRole('button', { name: 'Done' }).click();
    expect(await url.count()).toBe(0);

    await page.getByRole('button', { name: 'Revoke Front desk' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke “Front desk”?' });
    await dialog.waitFor();
    await expectAccessible(page, 'revoke dialog');
    await dialog.getByRole('button', { name: 'Revoke' }).click();
    await page.getByText('No calendar feeds yet.').waitFor();

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export .ics' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^bookings-\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}\.ics$/);
    const path = await download.path();
    const { readFile } = await import('node:fs/promises');
    const ics = await readFile(path, 'utf8');
    expect(ics.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
    expect(ics.endsWith('END:VCALENDAR\r\n')).toBe(true);
    await page.close();
  }, 120_000);
});
