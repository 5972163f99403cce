/**
 * Issue #15, hostile and clumsy CSV input: UTF-16 (Excel's "Unicode Text") by BOM and by NUL
 * pattern, control characters, an oversize field, a rule in a daylight-saving gap, `24:00` as an end
 * time. Real files through the importer (the same analyzeImport the wizard and the CLI run), plus the
 * CLI on one of them; and property-based tests (fast-check) of the cell checks.
 */
import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeImport, type ImportIssue } from '../../src/main/core/import/index.ts';
import { runCli } from '../support/cli.ts';
import { tempDir } from '../import/helpers.ts';

const { dir, cleanup } = tempDir();
afterAll(cleanup);

const header = 'slug,title,product_type,base_price,currency,weekday,start_time,end_time,valid_from,valid_until';
const row = (over: Partial<Record<'slug' | 'title' | 'weekday' | 'start' | 'end' | 'from' | 'until', string>> = {}): string =>
  [over.slug ?? 'loft', over.title ?? 'Loft', 'space', '10.00', 'USD', over.weekday ?? 'Mon', over.start ?? '09:00', over.end ?? '17:00', over.from ?? '', over.until ?? ''].join(',');

async function check(bytes: Uint8Array | string, opts: { timezone?: string } = {}) {
  const data = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
  return (await analyzeImport({ kind: 'bytes', bytes: data }, { ...(opts.timezone ? { timezone: opts.timezone } : {}) })).view;
}
const errors = (issues: ImportIssue[]): ImportIssue[] => issues.filter((i) => i.severity === 'error');

function utf16(text: string, endian: 'le' | 'be', bom: boolean): Uint8Array {
  const le = Buffer.from(text, 'utf16le');
  const out = endian === 'le' ? le : Buffer.from(le.map((_, i) => le[i ^ 1]!));
  const mark = endian === 'le' ? [0xff, 0xfe] : [0xfe, 0xff];
  return bom ? Buffer.concat([Buffer.from(mark), out]) : out;
}

describe('UTF-16 (Excel "Unicode Text")', () => {
  const text = `${header.replace(/,/g, '\t')}\r\n${row({ title: 'Loft Señorío ✓' }).replace(/,/g, '\t')}\r\n`;
  for (const [endian, bom] of [['le', true], ['be', true], ['le', false], ['be', false]] as const) {
    it(`UTF-16 ${endian.toUpperCase()} ${bom ? 'with a BOM' : 'without one (by the NUL pattern)'} is read as such`, async () => {
      const v = await check(utf16(text, endian, bom));
      expect(v.decode).toMatchObject({ encoding: `utf-16${endian}`, fellBack: false, bom });
      expect(errors(v.issues)).toEqual([]);
      expect(v.delimiter).toBe('\t');
      expect(v.preview.counts.offerings.create).toBe(1);
    });
  }

  it('the CLI reads the Excel file and says so', async () => {
    const file = join(dir, 'excel-unicode.txt');
    writeFileSync(file, utf16(text, 'le', true));
    const r = await runCli(['import', file, '--db', join(dir, 'cli.db'), '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('encoding: utf-16le, BOM; delimiter: tab (detected)');
  });
});

describe('control characters and oversize values', () => {
  it('a NUL, an ESC and a C1 control are refused with line and column; tab and quoted line breaks are not', async () => {
    const v = await check(`${header}\n${row({ title: 'Lo\u0000ft' })}\n${row({ slug: 'b', title: '"ok\ttab\nnewline"' })}\n${row({ slug: 'c\u001b[31m' })}\n${row({ slug: 'd', title: 'x\u0085' })}\n`);
    const controls = v.issues.filter((i) => i.code === 'cell.control');
    expect(controls.map((i) => [i.code, i.line, i.column, i.columnLetter])).toEqual([
      ['cell.control', 2, 'title', 'B'],
      ['cell.control', 5, 'slug', 'A'],
      ['cell.control', 6, 'title', 'B'],
    ]);
    expect(controls[0]!.message).toBe('line 2, column "title" (B): contains the control character U+0000 at position 3; remove it (it cannot be seen here and would be sent as it is)');
    expect(v.ok).toBe(false);
  });

  it('a 5 MB field is named by line and column, not csv-parse\'s "Max Record Size"', async () => {
    const v = await check(`${header}\n${row()}\n${row({ slug: 'big', title: `"${'x'.repeat(5_000_000)}"` })}\n${row({ slug: 'after' })}\n`);
    const [issue] = errors(v.issues);
    expect(errors(v.issues)).toHaveLength(1);
    expect(issue).toMatchObject({ code: 'cell.too_large', line: 3, column: 'title', columnLetter: 'B' });
    expect(issue!.message).toMatch(/^line 3, column "title" \(B\): this value makes the row larger than 1 MiB/);
    expect(issue!.message).not.toMatch(/Max Record Size/i);
  });
});

describe('availability hours', () => {
  it('24:00 is accepted as an end time (a rule that runs to midnight)', async () => {
    const v = await check(`${header}\n${row({ start: '18:00', end: '24:00' })}\n`);
    expect(errors(v.issues)).toEqual([]);
    expect(v.preview.counts.rules).toBe(1);
  });

  it('a rule in a daylight-saving gap gets a warning with the date and the jump; one outside it does not', async () => {
    // Europe/Madrid springs forward on Sunday 29 March 2026, 02:00 → 03:00.
    const csv = `${header}\n${row({ weekday: 'Sun', start: '01:00', end: '04:00', from: '2026-03-01', until: '2026-04-30' })}\n${row({ slug: 'b', weekday: 'Sun', start: '09:00', end: '12:00', from: '2026-03-01', until: '2026-04-30' })}\n${row({ slug: 'c', weekday: 'Sat', start: '01:00', end: '04:00', from: '2026-03-01', until: '2026-04-30' })}\n`;
    const v = await check(csv, { timezone: 'Europe/Madrid' });
    const gaps = v.issues.filter((i) => i.code === 'rule.dst_gap');
    expect(gaps.map((i) => [i.severity, i.line, i.column])).toEqual([['warning', 2, 'start_time']]);
    expect(gaps[0]!.message).toBe('line 2, column "start_time" (G): on 2026-03-29 (a Sunday) the clocks in Europe/Madrid jump from 02:00 to 03:00, so the slots in between do not exist that day');
    expect(v.ok).toBe(true);
    // New York, 8 March 2026.
    const ny = await check(`${header}\n${row({ weekday: 'Sun', start: '02:00', end: '02:30', from: '2026-03-01', until: '2026-03-31' })}\n`, { timezone: 'America/New_York' });
    expect(ny.issues.filter((i) => i.code === 'rule.dst_gap').map((i) => i.message)).toEqual([expect.stringContaining('on 2026-03-08 (a Sunday) the clocks in America/New_York jump from 02:00 to 03:00')]);
  });
});

describe('CSV cells, property-based (fast-check)', () => {
  const runs = { numRuns: 200 };
  const quote = (cell: string): string => `"${cell.replace(/"/g, '""')}"`;

  it('any cell text round-trips when quoted, and is refused with its line and column exactly when it holds a control character', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 40 }), fc.integer({ min: 0, max: 3 }), async (title, blankLines) => {
        const csv = `${header}\n${'\n'.repeat(blankLines)}${row({ title: quote(`T${title}`) })}\n`;
        const v = await check(csv);
        const line = 2 + blankLines;
         
        const hasControl = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/.test(title);
        const controls = v.issues.filter((i) => i.code === 'cell.control');
        expect(controls.map((i) => [i.line, i.column])).toEqual(hasControl ? [[line, 'title']] : []);
      }),
      runs,
    );
  });

  it('UTF-16 detection never fires on UTF-8 text, and always on the UTF-16 forms of the same text', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }).filter((s) => !/[\u0000-\u001F"\u007F-\u009F,]/.test(s)), async (title) => {
        const text = `${header}\n${row({ title: `T${title}` })}\n`;
        expect((await check(text)).decode.encoding).toBe('utf-8');
        expect((await check(utf16(text, 'le', false))).decode.encoding).toBe('utf-16le');
        expect((await check(utf16(text, 'be', true))).decode.encoding).toBe('utf-16be');
      }),
      { numRuns: 100 },
    );
  });
});
