/**
 * The hostile corpus (test/import/corpus/) through the whole pipeline against a real replica file:
 * the right errors at the right lines and columns, and nothing written when any error remains.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importCsv, writeErrorReport, type ImportIssue } from '../../src/main/core/import/index.ts';
import { parseAll } from '../../src/main/core/import/parse.ts';
import type { Replica } from '../../src/main/core/replica/replica.ts';
import type { ReplicaImportSink } from '../../src/main/core/import/replica-sink.ts';
import { corpus, fingerprint, openReplica, seedOffering, tempDir } from './helpers.ts';

let t: ReturnType<typeof tempDir>;
let replica: Replica;
let sink: ReplicaImportSink;

beforeEach(() => {
  t = tempDir();
  ({ replica, sink } = openReplica(t.dir));
  seedOffering(replica, { id: 'off_existing', slug: 'existing-room', title: 'Existing room' });
});
afterEach(() => {
  replica.close();
  t.cleanup();
});

const errors = (issues: ImportIssue[]): string[] => issues.filter((i) => i.severity === 'error').map((i) => i.message);
const warnings = (issues: ImportIssue[]): string[] => issues.filter((i) => i.severity === 'warning').map((i) => i.message);

async function run(name: string, opts: Parameters<typeof importCsv>[2] = {}) {
  const before = fingerprint(replica);
  const r = await importCsv({ kind: 'file', path: corpus(name) }, sink, opts);
  return { ...r, before, after: fingerprint(replica) };
}

describe('hostile corpus', () => {
  it('BOM + CRLF + accents: accepted and committed', async () => {
    const r = await run('bom-crlf.csv');
    expect(r.analysis.view.decode).toMatchObject({ encoding: 'utf-8', bom: true, fellBack: false });
    expect(errors(r.analysis.view.issues)).toEqual([]);
    expect(r.commit).toMatchObject({ created: 2, rules: 3, intents: 2 });
    const body = replica.sqlite.prepare("SELECT body FROM outbox WHERE kind = 'offering.create' ORDER BY seq").all() as Array<{ body: string }>;
    const first = JSON.parse(body[0]!.body) as Record<string, unknown>;
    expect(first).toEqual({ slug: 'cafe-estudio', status: 'PUBLISHED', title: 'Café Estudio', productTypeKey: 'space', pricingModel: 'HOURLY', basePriceCents: 4500, currency: 'EUR', taxRateBps: 2100, description: 'Luz natural y café' });
    const jazz = JSON.parse(body[1]!.body) as Record<string, unknown>;
    expect(jazz).toMatchObject({ title: 'Noche de Jazz', status: 'DRAFT', pricingModel: 'ONE_TIME', basePriceCents: 3000, description: 'Música en vivo, 2 sets' });
    const rules = replica.sqlite.prepare('SELECT slug, day_of_week, start_time, end_time, slot_minutes, capacity, valid_from, valid_until FROM import_rules ORDER BY slug, day_of_week').all();
    expect(rules).toEqual([
      { slug: 'cafe-estudio', day_of_week: 1, start_time: '09:00', end_time: '13:00', slot_minutes: 60, capacity: 4, valid_from: '2026-01-01', valid_until: '2026-12-31' },
      { slug: 'cafe-estudio', day_of_week: 2, start_time: '09:00', end_time: '13:00', slot_minutes: 60, capacity: 4, valid_from: '2026-01-01', valid_until: '2026-12-31' },
      { slug: 'noche-de-jazz', day_of_week: 5, start_time: '20:00', end_time: '23:00', slot_minutes: 180, capacity: 40, valid_from: null, valid_until: null },
    ]);
  });

  it('Windows-1252: falls back, reports it, decodes accents and €', async () => {
    const r = await run('windows-1252.csv', { dryRun: true });
    expect(r.analysis.view.decode).toMatchObject({ encoding: 'windows-1252', fellBack: true });
    expect(warnings(r.analysis.view.issues)[0]).toMatch(/not valid UTF-8 .* read as Windows-1252/);
    const titles = r.analysis.plan.map((p) => p.fields.title);
    expect(titles).toEqual(['Sala pequeña', 'Café crème']);
    expect(r.analysis.plan[0]?.fields.description).toBe('Precio en € por día');
    expect(r.after).toBe(r.before);
  });

  it('semicolons with decimal commas: prices read as decimal comma; the ambiguous 1,234 is an error; nothing written', async () => {
    const r = await run('semicolon-decimal-comma.csv');
    expect(r.analysis.view.delimiter).toBe(';');
    const cents = Object.fromEntries(r.analysis.plan.map((p) => [p.slug, p.fields.basePriceCents]));
    expect(cents).toMatchObject({ 'loft-grande': 123450, 'bici-urbana': 1250, kayak: 9900 });
    expect(r.analysis.plan.find((p) => p.slug === 'loft-grande')?.fields.taxRateBps).toBe(825);
    expect(warnings(r.analysis.view.issues)).toContain('line 2, column "tax_bps" (H): "8,25%" read as 825 basis points');
    expect(errors(r.analysis.view.issues)).toEqual(['line 5, column "base_price" (F): "1,234" has 3 decimals; this currency allows 2']);
    expect(r.commit).toBeNull();
    expect(r.after).toBe(r.before);
  });

  it('quoted newlines, mixed endings, blank lines: errors on the physical lines', async () => {
    const r = await run('quoted-newlines-mixed.csv');
    expect(errors(r.analysis.view.issues)).toEqual([
      'line 8, column "base_price" (F): "abc" is not a price',
      'line 10, column "end_time" (L): ends at 17:00, not after the start 18:00',
    ]);
    const yoga = r.analysis.plan.find((p) => p.slug === 'yoga-flow');
    expect(yoga?.fields.description).toBe('Line one\r\nline two, with comma\nline "three"');
    expect(yoga?.rules).toHaveLength(2);
    expect(r.after).toBe(r.before);
  });

  it('ragged rows: extra values are errors, short rows and empty extras warnings', async () => {
    const r = await run('ragged.csv');
    const iss = r.analysis.view.issues;
    expect(iss.filter((i) => i.code === 'row.ragged' && i.severity === 'error').map((i) => i.line)).toEqual([5]);
    expect(errors(iss)).toContain('line 5: this row has 17 cells but the header has 16; extra value "surprise" (an unquoted delimiter inside a value, e.g. a decimal comma in a comma-separated file?)');
    expect(iss.filter((i) => i.code === 'row.ragged' && i.severity === 'warning').map((i) => i.line)).toEqual([2, 4]);
    expect(iss.filter((i) => i.code === 'row.short').map((i) => i.line)).toEqual([3]);
    // The shifted row 2 (12,50 unquoted) shows up as cell errors on that line.
    expect(errors(iss)).toContain('line 2, column "currency" (G): "50" is not an ISO-4217 currency code (e.g. USD, EUR, MXN)');
    expect(r.after).toBe(r.before);
  });

  it('formula-looking cells: warnings, kept as text, escaped in the error report', async () => {
    const r = await run('formula.csv', { dryRun: true });
    expect(r.analysis.ok).toBe(true);
    const w = r.analysis.view.issues.filter((i) => i.code === 'cell.formula');
    expect(w.map((i) => [i.line, i.column])).toEqual([
      [2, 'title'],
      [2, 'description'],
      [3, 'title'],
      [3, 'description'],
    ]);
    expect(r.analysis.plan[0]?.fields.title).toBe('=HYPERLINK("http://evil.example","click")');
    const out = join(t.dir, 'report.csv');
    await writeErrorReport(out, r.analysis.view.issues, r.analysis.source, { delimiter: ',', encoding: 'utf-8' });
    const report = await parseAll(readFileSync(out));
    for (const row of report.rows) for (const cell of row.cells) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    const orig = report.header.indexOf('original:title');
    expect(report.rows[0]?.cells[orig]).toBe(`'=HYPERLINK("http://evil.example","click")`);
    expect(report.rows[0]?.cells[0]).toBe('2');
  });

  it('duplicate slugs: grouping anywhere is fine, a different title is an error, overlaps are errors', async () => {
    const r = await run('duplicates.csv');
    expect(errors(r.analysis.view.issues)).toEqual([
      'line 5, column "title" (B): "Studio B (copy)" differs from "Studio B" on line 3 for slug "studio-b"; rows of one slug share the offering\'s fields (leave them empty on later rows)',
      'line 6, column "start_time" (K): Monday 11:00–13:00 overlaps 09:00–12:00 on line 2 for "studio-a"',
      'line 7, column "start_time" (K): Monday 12:00–14:00 overlaps 11:00–13:00 on line 6 for "studio-a"',
    ]);
    expect(r.analysis.view.preview.counts.offerings).toEqual({ create: 1, update: 0, unchanged: 0, error: 2 });
    expect(r.after).toBe(r.before);
  });

  it('orphan availability rows: error per row; a slug defined later in the file is fine; the replica counts', async () => {
    const r = await run('orphans.csv');
    const orphan = 'availability for "ghost", but no row of the file gives this offering\'s fields and the console has no offering with this slug';
    expect(errors(r.analysis.view.issues)).toEqual([`line 3, column "slug" (A): ${orphan}`, `line 4, column "slug" (A): ${orphan}`]);
    expect(r.analysis.plan.find((p) => p.slug === 'later')?.action).toBe('create');
    expect(r.after).toBe(r.before);
    // Availability for an offering the replica has is not an orphan.
    const own = join(t.dir, 'own.csv');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(own, 'slug,title,product_type,base_price,currency,weekday,start_time,end_time\nexisting-room,,,,,Mon,9:00,17:00\n');
    const r2 = await importCsv({ kind: 'file', path: own }, sink);
    expect(r2.analysis.ok).toBe(true);
    expect(r2.analysis.plan[0]).toMatchObject({ slug: 'existing-room', action: 'update', existingId: 'off_existing', fields: {}, rulesChanged: true });
  });

  it('bad values: every cell error with line and column letter, slug fixes suggested', async () => {
    const r = await run('bad-values.csv');
    const e = errors(r.analysis.view.issues);
    expect(e).toContain('line 2, column "slug" (A): "Soho Loft" is not a valid slug (lowercase letters, digits and single hyphens); did you mean "soho-loft"?');
    expect(e).toContain('line 4, column "base_price" (F): "12,5,0" is not a price');
    expect(e).toContain('line 5, column "tax_bps" (H): tax_bps must be between 0 and 10000, got 10001');
    expect(e).toContain('line 5, column "weekday" (J): "Funday" is not a weekday (e.g. Mon, Monday, lunes, 1–7 with 1 = Monday)');
    expect(e).toContain('line 5, column "valid_from" (O): "2026-02-30" is not a calendar date');
    expect(e).toContain('line 6, column "end_time" (L): ends at 09:00, not after the start 10:00');
    expect(e).toContain('line 7, column "valid_until" (P): 2026-04-01 is before valid_from 2026-05-01');
    expect(e).toContain('line 9, column "slug" (A): slug is required; did you mean "untitled-thing"?');
    expect(e).toContain('line 10, column "title" (B): title is required for a new offering ("ok-7")');
    expect(warnings(r.analysis.view.issues)).toContain(
      'line 8, column "slot_minutes" (M): 60-minute slots do not divide 09:00–10:30 (90 minutes); the last 30 minutes cannot be booked',
    );
    const located = r.analysis.view.issues.find((i) => i.code === 'base_price.invalid');
    expect(located).toMatchObject({ line: 4, column: 'base_price', columnLetter: 'F', field: 'base_price', value: '12,5,0' });
    expect(r.after).toBe(r.before);
  });

  it('tab-delimited with alias and fuzzy headers: every guess reported', async () => {
    const r = await run('tab-aliases.tsv', { dryRun: true });
    expect(r.analysis.view.delimiter).toBe('\t');
    const m = r.analysis.view.mapping!;
    expect(m.columns.map((c) => [c.header, c.field, c.method])).toEqual([
      ['handle', 'slug', 'alias'],
      ['name', 'title', 'alias'],
      ['type', 'product_type', 'alias'],
      ['price', 'base_price', 'alias'],
      ['curency', 'currency', 'fuzzy'],
      ['day', 'weekday', 'alias'],
      ['start', 'start_time', 'alias'],
      ['end', 'end_time', 'alias'],
      ['notes', null, 'none'],
    ]);
    expect(m.ignored).toEqual(['notes']);
    expect(r.analysis.ok).toBe(true);
    expect(r.analysis.plan[0]).toMatchObject({ slug: 'tab-room', action: 'create', fields: { currency: 'USD', basePriceCents: 1000 }, rules: [{ dayOfWeek: 0, startTime: '10:00', endTime: '12:00', slotMinutes: 60, capacity: 1 }] });
  });

  it('a record csv-parse cannot read (stray quote) is an error on its line; nothing written', async () => {
    const r = await run('bad-quotes.csv');
    const e = r.analysis.view.issues.filter((i) => i.severity === 'error');
    // csv-parse cannot resynchronise after a stray quote: the rest of the file is reported unreadable too.
    expect(e.map((i) => [i.line, i.code])).toEqual([
      [3, 'csv.CSV_INVALID_CLOSING_QUOTE'],
      [4, 'csv.CSV_QUOTE_NOT_CLOSED'],
    ]);
    expect(e[0]?.message).toMatch(/^line 3: this record cannot be read: Invalid Closing Quote/);
    expect(e[1]?.message).toMatch(/^line 4: a quoted value opened on or before this line is never closed/);
    expect(r.commit).toBeNull();
    expect(r.after).toBe(r.before);
  });

  it('a missing required column stops the check with one clear error', async () => {
    const file = join(t.dir, 'missing.csv');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, 'slug,title,price\nx,X,1\n');
    const r = await importCsv({ kind: 'file', path: file }, sink);
    expect(errors(r.analysis.view.issues)).toEqual(['line 1: the required column "product_type" is missing', 'line 1: the required column "currency" is missing']);
  });

  it('a file with any error writes nothing even when most rows are fine', async () => {
    const file = join(t.dir, 'mostly-fine.csv');
    const { writeFileSync } = await import('node:fs');
    const rows = ['slug,title,product_type,base_price,currency'];
    for (let i = 0; i < 500; i++) rows.push(`room-${i},Room ${i},space,10,USD`);
    rows.push('room-bad,Room bad,space,ten,USD');
    writeFileSync(file, rows.join('\n'));
    const before = fingerprint(replica);
    const r = await importCsv({ kind: 'file', path: file }, sink);
    expect(r.analysis.view.errorCount).toBe(1);
    expect(errors(r.analysis.view.issues)).toEqual(['line 502, column "base_price" (D): "ten" is not a price']);
    expect(r.commit).toBeNull();
    expect(fingerprint(replica)).toBe(before);
  });
});
