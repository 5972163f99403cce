import { describe, expect, it } from 'vitest';
import {
  looksLikeFormula,
  parseCurrency,
  parseDate,
  parsePrice,
  parsePricingModel,
  parseProductType,
  parseSlug,
  parseStatus,
  parseTaxBps,
  parseTime,
  parseWeekday,
  type Parsed,
} from '../../src/main/core/import/fields.ts';
import { columnLetter, mapHeaders, similarity } from '../../src/main/core/import/mapping.ts';
import { escapeFormula, csvLine } from '../../src/main/core/import/report.ts';

const value = <T>(p: Parsed<T>): T | 'ERR' => (p.ok ? p.value : 'ERR');

describe('prices', () => {
  it.each([
    ['120', 'point', 12000],
    ['120.5', 'point', 12050],
    ['1,234.50', 'point', 123450],
    ['1.234,50', 'comma', 123450],
    ['1.234,50', 'point', 123450],
    ['12,5', 'comma', 1250],
    ['12,5', 'point', 1250],
    ['1 234,50', 'comma', 123450],
    ['$ 45', 'point', 4500],
    ['45 €', 'comma', 4500],
    ['1,234', 'point', 123400],
    ['12,345.67', 'point', 1234567],
    ['0', 'point', 0],
    ['10.00', 'point', 1000],
  ] as const)('%s (%s) → %d cents', (raw, hint, cents) => {
    expect(value(parsePrice(raw, 2, hint))).toBe(cents);
  });

  it.each(['12,5,0', 'abc', '-5', '12.', '1.2.3,4', '1,23,4', '12.345', '', '1e5', '10000000.01'])('refuses %s', (raw) => {
    expect(parsePrice(raw, 2, 'point').ok).toBe(false);
  });

  it('reads a lone 1,234 by the file’s decimal habit and says how', () => {
    const p = parsePrice('1,234', 2, 'point');
    expect(p.ok && p.note).toMatch(/groups thousands/);
    expect(parsePrice('1,234', 2, 'comma')).toMatchObject({ ok: false });
    expect(value(parsePrice('1,234', 3, 'comma'))).toBe(1234);
  });

  it('uses the currency exponent (JPY has none)', () => {
    expect(value(parsePrice('1500', 0, 'point'))).toBe(1500);
    expect(parsePrice('1500.5', 0, 'point').ok).toBe(false);
    expect(value(parsePrice('1500.00', 0, 'point'))).toBe(1500);
  });

  it('error message names the value', () => {
    expect(parsePrice('12,5,0', 2, 'point')).toEqual({ ok: false, message: '"12,5,0" is not a price', problem: { code: 'import.value.notPrice', params: { value: '12,5,0' } } });
  });
});

describe('enums', () => {
  it('accepts common spellings case-insensitively', () => {
    expect(['one time', 'One-Time', 'ONE_TIME', 'onetime', 'pago único'].map((v) => value(parsePricingModel(v)))).toEqual(Array(5).fill('ONE_TIME'));
    expect(['hourly', 'Per hour', 'por hora'].map((v) => value(parsePricingModel(v)))).toEqual(Array(3).fill('HOURLY'));
    expect(['draft', 'Published', 'ARCHIVED', 'borrador'].map((v) => value(parseStatus(v)))).toEqual(['DRAFT', 'PUBLISHED', 'ARCHIVED', 'DRAFT']);
    expect(['Space', 'classes', 'vehículo', 'equipo', 'TAXI'].map((v) => value(parseProductType(v)))).toEqual(['space', 'class', 'vehicle', 'equipment', 'taxi']);
  });
  it('warns when a synonym was used and refuses unknown values', () => {
    const p = parseProductType('room');
    expect(p).toMatchObject({ ok: true, value: 'space' });
    expect(p.ok && p.note).toMatch(/read as space/);
    expect(parseStatus('maybe')).toMatchObject({ ok: false });
  });
});

describe('currency, tax, slug', () => {
  it('currency codes', () => {
    expect(value(parseCurrency('usd'))).toBe('USD');
    expect(value(parseCurrency('€'))).toBe('EUR');
    expect(parseCurrency('XYZ').ok).toBe(false);
    expect(parseCurrency('US').ok).toBe(false);
  });
  it('tax in basis points, percent with a note', () => {
    expect(value(parseTaxBps('825'))).toBe(825);
    const p = parseTaxBps('8.25%');
    expect(p).toMatchObject({ ok: true, value: 825 });
    expect(p.ok && p.note).toMatch(/825 basis points/);
    expect(value(parseTaxBps('21%'))).toBe(2100);
    expect(value(parseTaxBps('8,25 %'))).toBe(825);
    expect(parseTaxBps('8.25').ok).toBe(false);
    expect(parseTaxBps('10001').ok).toBe(false);
    expect(parseTaxBps('101%').ok).toBe(false);
  });
  it('slug format with a suggested fix', () => {
    expect(value(parseSlug('soho-loft'))).toBe('soho-loft');
    expect(parseSlug('Soho Loft!')).toEqual({
      ok: false,
      message: '"Soho Loft!" is not a valid slug (lowercase letters, digits and single hyphens); did you mean "soho-loft"?',
      problem: { code: 'import.value.badSlugSuggest', params: { value: 'Soho Loft!', suggestion: 'soho-loft' } },
    });
    expect(parseSlug('a--b').ok).toBe(false);
    expect(parseSlug('x'.repeat(81)).ok).toBe(false);
  });
});

describe('weekdays, times, dates', () => {
  it.each([
    ['Mon', 1], ['monday', 1], ['LUNES', 1], ['lun', 1], ['1', 1], ['7', 0], ['0', 0], ['Sun', 0], ['domingo', 0],
    ['miércoles', 3], ['mié', 3], ['Thurs', 4], ['sábado', 6], ['Sat', 6], ['vie', 5], ['6', 6],
  ] as const)('weekday %s → %d', (raw, day) => {
    expect(value(parseWeekday(raw))).toBe(day);
  });
  it('refuses unknown weekdays', () => {
    expect(parseWeekday('Funday').ok).toBe(false);
    expect(parseWeekday('8').ok).toBe(false);
  });
  it.each([
    ['9:00', 540], ['09:00', 540], ['9am', 540], ['9 AM', 540], ['17:30', 1050], ['5:30 PM', 1050], ['12am', 0], ['12pm', 720], ['12:15 p.m.', 735], ['0930', 570], ['9h30', 570], ['23:59', 1439], ['24:00', 1440],
  ] as const)('time %s → %d min', (raw, minutes) => {
    expect(value(parseTime(raw))).toBe(minutes);
  });
  // 24:00 is an end at midnight (issue #15); nothing later, and not as a 12-hour time.
  it.each(['25:00', '9', '13pm', '9:60', 'noon', '24:01', '24:00:30', '24:00 pm'])('refuses time %s', (raw) => {
    expect(parseTime(raw).ok).toBe(false);
  });
  it('dates', () => {
    expect(value(parseDate('2026-05-01'))).toBe('2026-05-01');
    expect(value(parseDate('2026/5/1'))).toBe('2026-05-01');
    expect(parseDate('2026-02-30').ok).toBe(false);
    expect(parseDate('01/05/2026')).toMatchObject({ ok: false, message: expect.stringMatching(/ambiguous/) });
  });
});

describe('formulas', () => {
  it('spots formula-looking cells but not plain negative numbers', () => {
    expect(['=1+1', '@SUM(A1)', '+cmd', '-2+3', '\tx', '\rx'].every(looksLikeFormula)).toBe(true);
    expect(['-5', '+3', '-2.5', 'hello', '', 'a=b'].some(looksLikeFormula)).toBe(false);
  });
  it('escapes report cells with a leading quote', () => {
    expect(['=1+1', '+x', '-x', '@x', '\tx', '\rx', 'ok'].map(escapeFormula)).toEqual(["'=1+1", "'+x", "'-x", "'@x", "'\tx", "'\rx", 'ok']);
    expect(csvLine(['=HYPERLINK("a")', 'b,c'])).toBe(`"'=HYPERLINK(""a"")","b,c"\r\n`);
  });
});

describe('header mapping', () => {
  it('exact → alias → fuzzy, with confidences, duplicates and unknown columns', () => {
    const m = mapHeaders(['Slug', 'Nombre', 'product type', 'precio', 'curency', 'Descripción', 'notes', 'name']);
    const by = Object.fromEntries(m.columns.map((c) => [c.header, [c.field, c.method, c.confidence]]));
    expect(by['Slug']).toEqual(['slug', 'exact', 1]);
    expect(by['product type']).toEqual(['product_type', 'exact', 1]);
    expect(by['Nombre']).toEqual(['title', 'alias', 0.95]);
    expect(by['precio']).toEqual(['base_price', 'alias', 0.95]);
    expect(by['curency']?.[0]).toBe('currency');
    expect(by['curency']?.[1]).toBe('fuzzy');
    expect(by['Descripción']?.[0]).toBe('description');
    expect(by['notes']).toEqual([null, 'none', 0]);
    // "name" is also an alias of title: the first column of equal confidence keeps it.
    expect(by['name']).toEqual([null, 'none', 0]);
    expect(m.columns.find((c) => c.header === 'name')?.note).toMatch(/duplicate of column "Nombre"/);
    expect(m.missingRequired).toEqual([]);
    expect(m.ignored).toEqual(['notes', 'name']);
  });
  it('lists missing required columns and honours overrides', () => {
    const m = mapHeaders(['slug', 'foo'], { foo: 'title' });
    expect(m.byField.title).toBe(1);
    expect(m.missingRequired).toEqual(['product_type', 'base_price', 'currency']);
  });
  it('helpers', () => {
    expect([0, 5, 25, 26, 27, 701, 702].map(columnLetter)).toEqual(['A', 'F', 'Z', 'AA', 'AB', 'ZZ', 'AAA']);
    expect(similarity('curency', 'currency')).toBeCloseTo(0.875);
  });
});
