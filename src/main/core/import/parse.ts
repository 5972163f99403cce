/**
 * Streamed CSV parsing with csv-parse, keeping physical line numbers.
 *
 * - Input is read in chunks (32 KiB from a file, 64 KiB from memory) and decoded incrementally (decode.ts); records are handed to
 *   the caller synchronously from csv-parse's `on_record` hook and never accumulated here, so memory
 *   stays bounded by the caller's own state.
 * - Line endings CRLF, LF and CR may be mixed in one file; quoted fields may hold delimiters, `""`
 *   and line breaks. A record's start line = csv-parse's `lines` (the line where it ends) minus the
 *   line breaks inside its quoted fields.
 * - Rows whose cells are all empty (blank lines, `,,,,` lines from spreadsheets) are skipped.
 * - Malformed records (a stray quote, an unclosed quote) are skipped by csv-parse and reported here
 *   with their line; parsing continues so one bad quote does not hide every other problem.
 * - If strict UTF-8 decoding fails anywhere, the caller's `reset()` is called and the file is parsed
 *   again as Windows-1252 (unless an encoding was forced).
 */
import { createReadStream, statSync } from 'node:fs';
import { parse, type CsvError } from 'csv-parse';
import { TextDecoder } from 'node:util';
import { ChunkDecoder, sniffUtf16, Utf8Invalid, Utf8Validator } from './decode.ts';
import { detectDelimiter, firstLine, type Delimiter } from './delimiter.ts';
import type { DecodeInfo, EncodingName } from './types.ts';

export interface CsvHandlers {
  /** The first non-empty record. */
  header(cells: string[], line: number): void;
  /** Every later non-empty record; `line` is where it starts. */
  row(cells: string[], line: number): void;
  /** A record csv-parse could not read (bad quoting, too large); `line` is where the problem was seen, `column` the 0-based cell it was reading. */
  malformed(line: number, message: string, code: string, column: number | null): void;
  /** Called before a re-parse after the UTF-8 → Windows-1252 fallback: drop what you collected. */
  reset?(): void;
}

export interface ParseOptions {
  delimiter?: Delimiter;
  encoding?: EncodingName | 'auto';
  /** Bytes of the source read so far / total, for a progress bar. */
  onProgress?: (bytesProcessed: number, bytesTotal: number) => void;
  signal?: AbortSignal;
  /** Called once the delimiter is known (detected or forced), before the first record. */
  onDelimiter?: (delimiter: Delimiter) => void;
  /** Largest record in characters (default 1 MiB); bigger ones are reported malformed. */
  maxRecordSize?: number;
}

export interface ParseSummary {
  decode: DecodeInfo;
  delimiter: Delimiter;
  delimiterDetected: boolean;
  delimiterCounts: Record<string, number> | null;
  bytes: number;
  /** Physical lines seen. */
  lines: number;
  records: number;
}

/** Largest record csv-parse reads, in characters (a longer one is reported with its line and column). */
export const defaultMaxRecordSize = 1_048_576;

export type ByteSource = { kind: 'file'; path: string } | { kind: 'bytes'; bytes: Uint8Array };

/**
 * A file is read 32 KiB at a time: each chunk is parsed and validated before the next read, with a
 * turn of the engine's loop in between, and at 64 KiB a chunk held the loop for 15–25 ms (#16).
 */
const fileChunkBytes = 32_768;

async function* chunksOf(source: ByteSource): AsyncGenerator<Uint8Array> {
  if (source.kind === 'bytes') {
    for (let i = 0; i < source.bytes.length; i += 65536) yield source.bytes.subarray(i, i + 65536);
    return;
  }
  const stream = createReadStream(source.path, { highWaterMark: fileChunkBytes });
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } finally {
    stream.destroy();
  }
}

/** The first KiB of the source (for the UTF-16 sniff). */
async function headOf(source: ByteSource): Promise<Uint8Array> {
  if (source.kind === 'bytes') return source.bytes.subarray(0, 1024);
  const { open } = await import('node:fs/promises');
  const handle = await open(source.path, 'r');
  try {
    const buf = Buffer.alloc(1024);
    const { bytesRead } = await handle.read(buf, 0, 1024, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function sizeOf(source: ByteSource): number {
  return source.kind === 'bytes' ? source.bytes.byteLength : statSync(source.path).size;
}

/**
 * Line breaks inside a record's (quoted) fields, and how many of them are CRLF pairs: csv-parse
 * counts a CRLF inside quotes as two lines (but a CRLF record delimiter as one), so every such pair
 * skews its `lines` counter by one for the rest of the file.
 */
function breaksIn(cells: string[]): { breaks: number; crlf: number } {
  let breaks = 0;
  let crlf = 0;
  for (const cell of cells) {
    if (cell.indexOf('\n') < 0 && cell.indexOf('\r') < 0) continue;
    for (let i = 0; i < cell.length; i++) {
      const c = cell.charCodeAt(i);
      if (c === 10) breaks++;
      else if (c === 13) {
        breaks++;
        if (cell.charCodeAt(i + 1) === 10) {
          i++;
          crlf++;
        }
      }
    }
  }
  return { breaks, crlf };
}

// eslint-disable-next-line max-lines-per-function -- one streaming pass: the decoder, the delimiter detection and csv-parse's callbacks share its counters
async function parseOnce(source: ByteSource, encoding: EncodingName, handlers: CsvHandlers, opts: ParseOptions): Promise<ParseSummary> {
  const total = sizeOf(source);
  const decoder = new ChunkDecoder(encoding);
  let delimiter: Delimiter | null = opts.delimiter ?? null;
  let counts: Record<string, number> | null = null;
  let records = 0;
  let lines = 0;
  let skew = 0;
  let lastMalformed = -1;
  let bytes = 0;
  let sawHeader = false;
  let parser: ReturnType<typeof parse> | null = null;
  let failure: Error | null = null;

  const start = (d: Delimiter): ReturnType<typeof parse> => {
    opts.onDelimiter?.(d);
    const p = parse({
      delimiter: d,
      quote: '"',
      escape: '"',
      record_delimiter: ['\r\n', '\n', '\r'],
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      max_record_size: opts.maxRecordSize ?? defaultMaxRecordSize,
      on_skip: (err: CsvError | undefined) => {
        if (!err) return undefined;
        const reported = (err as { lines?: unknown }).lines;
        const line = typeof reported === 'number' ? reported - skew : lines;
        // csv-parse may report a follow-up error for the same broken record; report one per line.
        const column = (err as { column?: unknown }).column;
        if (line !== lastMalformed) handlers.malformed(line, err.message.replace(/\s+at line \d+.*$/s, ''), err.code, typeof column === 'number' ? column : null);
        lastMalformed = line;
        return undefined;
      },
      on_record: (record: string[], info) => {
        let empty = true;
        for (const cell of record) {
          if (cell !== '') {
            empty = false;
            break;
          }
        }
        const b = breaksIn(record);
        skew += b.crlf;
        lines = info.lines - skew;
        if (empty) return null;
        const line = lines - b.breaks;
        records++;
        if (!sawHeader) {
          sawHeader = true;
          handlers.header(record, line);
        } else handlers.row(record, line);
        return null;
      },
    });
    p.on('error', (e: Error) => {
      failure ??= e;
    });
    p.on('data', () => undefined);
    return p;
  };

  // UTF-8 input goes to csv-parse as bytes (it decodes each field once), validated on the side;
  // Windows-1252 input is decoded to text first.
  const byteMode = encoding === 'utf-8';
  const validator = byteMode ? new Utf8Validator() : null;
  let bom = false;
  let first = true;
  let pendingParts: Array<Buffer | string> = [];
  let pendingSize = 0;
  const headText = (): string => {
    if (!byteMode) return (pendingParts as string[]).join('');
    return new TextDecoder('utf-8').decode(Buffer.concat(pendingParts as Buffer[]));
  };

  const feed = async (payload: Buffer | string): Promise<void> => {
    if (!parser) {
      pendingParts.push(payload);
      pendingSize += payload.length;
      if (!delimiter) {
        const head = firstLine(headText().replace(/^(?:[ \t]*(?:\r\n|\n|\r))+/, ''));
        if (head === null && pendingSize < 1_048_576) return;
        const detected = detectDelimiter(head ?? headText());
        delimiter = detected.delimiter;
        counts = detected.counts;
      }
      parser = start(delimiter);
      const parts = pendingParts;
      pendingParts = [];
      pendingSize = 0;
      for (const part of parts) if (!parser.write(part)) await new Promise<void>((resolve) => parser?.once('drain', () => resolve()));
      if (failure) throw failure;
      return;
    }
    if (!parser.write(payload)) await new Promise<void>((resolve) => parser?.once('drain', () => resolve()));
    if (failure) throw failure;
  };

  for await (const chunk of chunksOf(source)) {
    if (opts.signal?.aborted) throw new Error('import cancelled');
    bytes += chunk.byteLength;
    if (validator) {
      validator.check(chunk);
      let buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      if (first && buf.length > 0) {
        first = false;
        if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
          bom = true;
          buf = buf.subarray(3);
        }
      }
      if (buf.length) await feed(buf);
    } else {
      const text = decoder.decode(chunk);
      if (text) await feed(text);
    }
    opts.onProgress?.(bytes, total);
  }
  if (validator) validator.end();
  else {
    const tail = decoder.decode(null);
    if (tail) await feed(tail);
  }
  if (!parser) {
    // Empty file or no line end at all: parse whatever there is.
    const text = headText();
    const detected = delimiter ? null : detectDelimiter(text);
    if (detected) {
      delimiter = detected.delimiter;
      counts = detected.counts;
    }
    const p = start(delimiter ?? ',');
    parser = p;
    for (const part of pendingParts) p.write(part);
  }
  const done = parser;
  await new Promise<void>((resolve, reject) => {
    done.once('end', resolve);
    done.once('error', reject);
    done.end();
  });
  if (failure) throw failure;
  return {
    decode: { encoding, fellBack: false, bom: byteMode ? bom : decoder.bom, invalidAt: null },
    delimiter: delimiter ?? ',',
    delimiterDetected: !opts.delimiter,
    delimiterCounts: counts,
    bytes,
    lines,
    records,
  };
}

/** Parses a CSV source, calling `handlers` for every record; see the module comment. */
export async function parseCsv(source: ByteSource, handlers: CsvHandlers, opts: ParseOptions = {}): Promise<ParseSummary> {
  const forced = opts.encoding && opts.encoding !== 'auto' ? opts.encoding : null;
  if (forced) return parseOnce(source, forced, handlers, opts);
  const utf16 = sniffUtf16(await headOf(source));
  if (utf16) return parseOnce(source, utf16, handlers, opts);
  try {
    return await parseOnce(source, 'utf-8', handlers, opts);
  } catch (error) {
    if (!(error instanceof Utf8Invalid)) throw error;
    handlers.reset?.();
    const summary = await parseOnce(source, 'windows-1252', handlers, opts);
    return { ...summary, decode: { ...summary.decode, fellBack: true, invalidAt: error.offset } };
  }
}

export function parseCsvFile(path: string, handlers: CsvHandlers, opts: ParseOptions = {}): Promise<ParseSummary> {
  return parseCsv({ kind: 'file', path }, handlers, opts);
}

/** Convenience for tests and small inputs: every record with its start line. */
export async function parseAll(
  input: string | Uint8Array,
  opts: ParseOptions = {},
): Promise<{ header: string[]; rows: Array<{ line: number; cells: string[] }>; malformed: Array<{ line: number; message: string }>; summary: ParseSummary }> {
  let header: string[] = [];
  let rows: Array<{ line: number; cells: string[] }> = [];
  let malformed: Array<{ line: number; message: string }> = [];
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  const summary = await parseCsv(
    { kind: 'bytes', bytes },
    {
      header: (cells) => (header = cells),
      row: (cells, line) => rows.push({ line, cells }),
      malformed: (line, message) => malformed.push({ line, message }),
      reset: () => {
        header = [];
        rows = [];
        malformed = [];
      },
    },
    opts,
  );
  return { header, rows, malformed, summary };
}
