/**
 * The downloadable error report: one CSV row per issue with the line, column, severity, message and
 * the original row's cells. Every cell is formula-escaped (a leading = + - @ tab or CR gets a `'`),
 * so opening the report in a spreadsheet never runs anything the uploaded file contained.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { parseCsv, type ByteSource } from './parse.ts';
import type { Delimiter } from './delimiter.ts';
import type { EncodingName, ImportIssue } from './types.ts';

export function escapeFormula(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

export function csvCell(value: string, delimiter = ','): string {
  const v = escapeFormula(value);
  return /["\r\n]/.test(v) || v.includes(delimiter) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function csvLine(cells: readonly string[], delimiter = ','): string {
  return cells.map((c) => csvCell(c, delimiter)).join(delimiter) + '\r\n';
}

/**
 * Writes the report. The original rows are read again from the source (streamed), so nothing but
 * the issues is kept in memory between the check and the report.
 */
export async function writeErrorReport(
  out: string,
  issues: readonly ImportIssue[],
  source: ByteSource,
  parsed: { delimiter: Delimiter; encoding: EncodingName },
): Promise<{ rows: number }> {
  const wanted = new Set<number>();
  for (const i of issues) if (i.line !== null) wanted.add(i.line);
  const original = new Map<number, string[]>();
  let header: string[] = [];
  await parseCsv(
    source,
    {
      header: (cells) => (header = cells),
      row: (cells, line) => {
        if (wanted.has(line)) original.set(line, cells);
      },
      malformed: () => undefined,
    },
    { delimiter: parsed.delimiter, encoding: parsed.encoding },
  );
  const stream = createWriteStream(out);
  const write = async (text: string): Promise<void> => {
    if (!stream.write(text)) await once(stream, 'drain');
  };
  await write('\ufeff' + csvLine(['line', 'column', 'column_letter', 'severity', 'code', 'message', ...header.map((h) => `original:${h}`)]));
  let rows = 0;
  for (const i of issues) {
    const cells = i.line !== null ? (original.get(i.line) ?? []) : [];
    await write(csvLine([i.line === null ? '' : String(i.line), i.column ?? '', i.columnLetter ?? '', i.severity, i.code, i.message, ...cells]));
    rows++;
  }
  stream.end();
  await once(stream, 'finish');
  return { rows };
}
