/**
 * Bytes → text. UTF-16 first when the file says so: a UTF-16 BOM, or the NUL pattern of UTF-16 text
 * without one (Excel's "Unicode Text" is UTF-16 LE, tab-separated; `sniffUtf16`). Otherwise strict
 * UTF-8 (a leading BOM is stripped and reported); if any byte sequence is not valid UTF-8 the file is
 * read again as Windows-1252 (the usual encoding of spreadsheet "CSV" exports on Windows) and the
 * fallback is reported so the UI can show it. `encoding` forces one.
 */
import { isUtf8 } from 'node:buffer';
import { TextDecoder } from 'node:util';
import type { DecodeInfo, EncodingName } from './types.ts';

export class Utf8Invalid extends Error {
  override name = 'Utf8Invalid';
  readonly offset: number;
  constructor(offset: number) {
    super(`the file is not valid UTF-8 (first bad byte near offset ${offset})`);
    this.offset = offset;
  }
}

export function normalizeEncoding(value: string): EncodingName | 'auto' {
  const v = value.trim().toLowerCase().replace(/_/g, '-');
  if (v === 'auto') return 'auto';
  if (v === 'utf8' || v === 'utf-8') return 'utf-8';
  if (['windows-1252', 'cp1252', 'win1252', 'latin1', 'latin-1', 'iso-8859-1', 'iso8859-1'].includes(v)) return 'windows-1252';
  if (v === 'utf-16le' || v === 'utf16le' || v === 'utf-16' || v === 'ucs-2') return 'utf-16le';
  if (v === 'utf-16be' || v === 'utf16be') return 'utf-16be';
  throw new Error(`unsupported encoding "${value}" (use utf-8, windows-1252, utf-16le, utf-16be or auto)`);
}

/**
 * UTF-16 by its BOM (FF FE little-endian, FE FF big-endian), or by the NUL pattern of text without
 * one: CSV text is mostly ASCII, which UTF-16 stores as the character and a 0 byte, so most odd bytes
 * (LE) or most even bytes (BE) of the first KiB are 0 and the other half are not. UTF-8 and
 * Windows-1252 text has no NUL at all.
 */
export function sniffUtf16(head: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  const n = Math.min(head.length, 1024) & ~1;
  if (n < 4) return null;
  let evenZero = 0;
  let oddZero = 0;
  for (let i = 0; i < n; i += 2) {
    if (head[i] === 0) evenZero++;
    if (head[i + 1] === 0) oddZero++;
  }
  const pairs = n / 2;
  if (oddZero >= pairs * 0.6 && evenZero <= pairs * 0.05) return 'utf-16le';
  if (evenZero >= pairs * 0.6 && oddZero <= pairs * 0.05) return 'utf-16be';
  return null;
}

/** A streaming decoder. `strict` UTF-8 throws Utf8Invalid with the byte offset of the failing chunk. */
export class ChunkDecoder {
  readonly encoding: EncodingName;
  readonly #decoder: TextDecoder;
  #offset = 0;
  #first = true;
  bom = false;

  constructor(encoding: EncodingName) {
    this.encoding = encoding;
    // ignoreBOM: true keeps the BOM in the output so we can report it; we strip it ourselves.
    this.#decoder = new TextDecoder(encoding, { fatal: encoding === 'utf-8', ignoreBOM: true });
  }

  decode(chunk: Uint8Array | null): string {
    let text: string;
    try {
      text = chunk ? this.#decoder.decode(chunk, { stream: true }) : this.#decoder.decode();
    } catch {
      throw new Utf8Invalid(this.#offset + (chunk ? firstInvalidUtf8(chunk) : 0));
    }
    if (chunk) this.#offset += chunk.byteLength;
    if (this.#first && text.length > 0) {
      this.#first = false;
      if (text.charCodeAt(0) === 0xfeff) {
        this.bom = true;
        text = text.slice(1);
      } else if (this.encoding === 'windows-1252' && text.startsWith('ï»¿')) {
        this.bom = true;
        text = text.slice(3);
      }
    }
    return text;
  }
}

/** Best-effort position of the first invalid UTF-8 sequence in a chunk (for the message). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] ?? 0;
    const need = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (need < 0) return i;
    for (let k = 1; k <= need; k++) {
      if (i + k >= bytes.length) return i; // cut at the chunk end: not necessarily invalid, best guess
      if (((bytes[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    }
    i += need + 1;
  }
  return 0;
}

/** Decodes a whole buffer with the same rules (used by tests and small inputs). */
export function decodeBuffer(bytes: Uint8Array, encoding: EncodingName | 'auto' = 'auto'): { text: string; info: DecodeInfo } {
  const utf16 = encoding === 'utf-16le' || encoding === 'utf-16be' ? encoding : encoding === 'auto' ? sniffUtf16(bytes) : null;
  if (utf16) {
    const d = new ChunkDecoder(utf16);
    const text = d.decode(bytes) + d.decode(null);
    return { text, info: { encoding: utf16, fellBack: false, bom: d.bom, invalidAt: null } };
  }
  if (encoding !== 'windows-1252') {
    const d = new ChunkDecoder('utf-8');
    try {
      const text = d.decode(bytes) + d.decode(null);
      return { text, info: { encoding: 'utf-8', fellBack: false, bom: d.bom, invalidAt: null } };
    } catch (error) {
      if (encoding === 'utf-8' || !(error instanceof Utf8Invalid)) throw error;
      const w = new ChunkDecoder('windows-1252');
      const text = w.decode(bytes) + w.decode(null);
      return { text, info: { encoding: 'windows-1252', fellBack: true, bom: w.bom, invalidAt: error.offset } };
    }
  }
  const w = new ChunkDecoder('windows-1252');
  const text = w.decode(bytes) + w.decode(null);
  return { text, info: { encoding: 'windows-1252', fellBack: false, bom: w.bom, invalidAt: null } };
}

/**
 * Strict UTF-8 validation of a byte stream without decoding it (the parser decodes each field
 * itself): `isUtf8` on each chunk minus an incomplete trailing sequence, which is carried over to
 * the next chunk. Throws Utf8Invalid with the offset of the chunk part that failed.
 */
export class Utf8Validator {
  #carry: Uint8Array = new Uint8Array(0);
  #offset = 0;

  check(chunk: Uint8Array): void {
    let data = chunk;
    if (this.#carry.length > 0) {
      data = new Uint8Array(this.#carry.length + chunk.length);
      data.set(this.#carry, 0);
      data.set(chunk, this.#carry.length);
    }
    const cut = incompleteTail(data);
    const body = data.subarray(0, data.length - cut);
    if (!isUtf8(body)) throw new Utf8Invalid(this.#offset + firstInvalidUtf8(body));
    this.#offset += body.length;
    this.#carry = data.slice(data.length - cut);
  }

  end(): void {
    if (this.#carry.length > 0) throw new Utf8Invalid(this.#offset);
  }
}

/** Bytes at the end of `data` that start a multi-byte sequence not finished within it (0–3). */
function incompleteTail(data: Uint8Array): number {
  const n = data.length;
  for (let back = 1; back <= Math.min(3, n); back++) {
    const b = data[n - back] ?? 0;
    if ((b & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? back : 0;
  }
  return 0;
}
