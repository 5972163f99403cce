import { describe, expect, it } from 'vitest';
import { decodeBuffer, normalizeEncoding } from '../../src/main/core/import/decode.ts';
import { detectDelimiter, normalizeDelimiter } from '../../src/main/core/import/delimiter.ts';
import { parseAll } from '../../src/main/core/import/parse.ts';

/** csv-spectrum-style cases, written here: input → exact records. */
const spectrum: Array<{ name: string; csv: string; records: string[][] }> = [
  { name: 'simple (LF)', csv: 'a,b,c\n1,2,3\n', records: [['a', 'b', 'c'], ['1', '2', '3']] },
  { name: 'simple_crlf', csv: 'a,b,c\r\n1,2,3\r\n', records: [['a', 'b', 'c'], ['1', '2', '3']] },
  { name: 'comma_in_quotes', csv: 'first,last,address,city,zip\r\nJohn,Doe,120 any st.,"Anytown, WW",08123\r\n', records: [['first', 'last', 'address', 'city', 'zip'], ['John', 'Doe', '120 any st.', 'Anytown, WW', '08123']] },
  { name: 'escaped_quotes', csv: 'a,b\r\n1,"ha ""ha"" ha"\r\n3,4\r\n', records: [['a', 'b'], ['1', 'ha "ha" ha'], ['3', '4']] },
  { name: 'newlines', csv: 'a,b,c\r\n1,2,3\r\n"Once upon \r\na time",5,6\r\n7,8,9\r\n', records: [['a', 'b', 'c'], ['1', '2', '3'], ['Once upon \r\na time', '5', '6'], ['7', '8', '9']] },
  { name: 'newlines (LF)', csv: 'a,b,c\n1,2,3\n"Once upon \na time",5,6\n7,8,9\n', records: [['a', 'b', 'c'], ['1', '2', '3'], ['Once upon \na time', '5', '6'], ['7', '8', '9']] },
  { name: 'quotes_and_newlines', csv: 'a,b\r\n1,"ha \r\n""ha"" \r\nha"\r\n3,4\r\n', records: [['a', 'b'], ['1', 'ha \r\n"ha" \r\nha'], ['3', '4']] },
  { name: 'utf8', csv: 'a,b,c\r\n1,2,3\r\n4,5,ʤ\r\n', records: [['a', 'b', 'c'], ['1', '2', '3'], ['4', '5', 'ʤ']] },
  { name: 'empty fields', csv: 'a,b,c\r\n1,"",""\r\n2,3,4\r\n', records: [['a', 'b', 'c'], ['1', '', ''], ['2', '3', '4']] },
  { name: 'empty unquoted', csv: 'a,b,c\n1,,\n2,3,4\n', records: [['a', 'b', 'c'], ['1', '', ''], ['2', '3', '4']] },
  { name: 'json in a field', csv: 'key,val\n1,"{""type"": ""Point"", ""coordinates"": [102.0, 0.5]}"\n', records: [['key', 'val'], ['1', '{"type": "Point", "coordinates": [102.0, 0.5]}']] },
  { name: 'no trailing newline', csv: 'a,b\n1,2', records: [['a', 'b'], ['1', '2']] },
];

describe('parse: csv-spectrum cases', () => {
  for (const c of spectrum) {
    it(c.name, async () => {
      const r = await parseAll(c.csv);
      expect([r.header, ...r.rows.map((x) => x.cells)]).toEqual(c.records);
      expect(r.malformed).toEqual([]);
    });
  }
});

describe('parse: physical line numbers', () => {
  it('counts blank lines, quoted line breaks (LF, CRLF, CR) and mixed record endings', async () => {
    const csv = 'h1,h2\r\n' + 'a,"x\r\ny\nz"\n' + '\n' + 'b,1\r' + 'c,"p\rq"\r\n' + '\r\n' + 'd,2';
    const r = await parseAll(csv);
    expect(r.rows.map((x) => [x.line, x.cells[0]])).toEqual([
      [2, 'a'],
      [6, 'b'],
      [7, 'c'],
      [10, 'd'],
    ]);
  });

  it('skips rows whose cells are all empty (spreadsheet ,,,, lines) but keeps counting them', async () => {
    const r = await parseAll('a,b\n,\n,,\n1,2\n');
    expect(r.rows).toEqual([{ line: 4, cells: ['1', '2'] }]);
  });

  it('reports a malformed record with its line and keeps going', async () => {
    const r = await parseAll('a,b\n1,2\n3,"bad"x\n');
    expect(r.rows.map((x) => x.line)).toEqual([2]);
    expect(r.malformed).toHaveLength(1);
    expect(r.malformed[0]?.line).toBe(3);
  });

  it('keeps ragged rows as they are (the validator reports them)', async () => {
    const r = await parseAll('a,b,c\n1,2\n1,2,3,4\n');
    expect(r.rows.map((x) => x.cells.length)).toEqual([2, 4]);
  });
});

describe('decode', () => {
  it('strips and reports a UTF-8 BOM', async () => {
    const r = await parseAll('\ufeffslug,title\nx,Café\n');
    expect(r.header).toEqual(['slug', 'title']);
    expect(r.summary.decode).toMatchObject({ encoding: 'utf-8', bom: true, fellBack: false });
  });

  it('falls back to Windows-1252 and says so', async () => {
    const bytes = new Uint8Array([...new TextEncoder().encode('slug,title\nx,Caf'), 0xe9, 0x20, 0x80, 0x0a]);
    const r = await parseAll(bytes);
    expect(r.rows[0]?.cells).toEqual(['x', 'Café €']);
    expect(r.summary.decode).toMatchObject({ encoding: 'windows-1252', fellBack: true, invalidAt: 16 });
  });

  it('finds invalid UTF-8 far into a streamed file (after many chunks) and restarts cleanly', async () => {
    const head = 'slug,title\n' + 'a,b\n'.repeat(50_000);
    const bytes = new Uint8Array([...new TextEncoder().encode(head), 0x78, 0x2c, 0xe9, 0x0a]);
    const r = await parseAll(bytes);
    expect(r.summary.decode.fellBack).toBe(true);
    expect(r.rows).toHaveLength(50_001);
    expect(r.rows.at(-1)?.cells).toEqual(['x', 'é']);
  });

  it('honours a forced encoding', () => {
    expect(() => decodeBuffer(new Uint8Array([0xe9]), 'utf-8')).toThrow(/not valid UTF-8/);
    expect(decodeBuffer(new Uint8Array([0xe9]), 'windows-1252').text).toBe('é');
    expect(normalizeEncoding('CP1252')).toBe('windows-1252');
    expect(() => normalizeEncoding('ebcdic')).toThrow();
  });
});

describe('delimiter', () => {
  it('detects from the header line, not from decimal commas in the data', async () => {
    expect(detectDelimiter('slug;title;base_price').delimiter).toBe(';');
    expect(detectDelimiter('slug\ttitle\tprice').delimiter).toBe('\t');
    expect(detectDelimiter('"a;b",c,d').delimiter).toBe(',');
    const r = await parseAll('slug;price\n"x";1,5\ny;2,25\n');
    expect(r.summary.delimiter).toBe(';');
    expect(r.rows.map((x) => x.cells)).toEqual([
      ['x', '1,5'],
      ['y', '2,25'],
    ]);
  });

  it('can be overridden', async () => {
    const r = await parseAll('a;b,c\n1;2,3\n', { delimiter: ';' });
    expect(r.header).toEqual(['a', 'b,c']);
    expect(r.summary.delimiterDetected).toBe(false);
    expect(normalizeDelimiter('tab')).toBe('\t');
    expect(() => normalizeDelimiter('|')).toThrow();
  });
});

describe('progress', () => {
  it('reports bytes processed up to the total', async () => {
    const csv = 'a,b\n' + '1,2\n'.repeat(100_000);
    const seen: Array<[number, number]> = [];
    await parseAll(csv, { onProgress: (done, total) => seen.push([done, total]) });
    expect(seen.length).toBeGreaterThan(3);
    const total = new TextEncoder().encode(csv).byteLength;
    expect(seen.every(([, t]) => t === total)).toBe(true);
    expect(seen.at(-1)?.[0]).toBe(total);
    for (let i = 1; i < seen.length; i++) expect(seen[i]![0]).toBeGreaterThanOrEqual(seen[i - 1]![0]);
  });
});
