/**
 * Folding of content lines at ≤ 75 octets (RFC 5545 §3.1), never before a UTF-8 continuation byte:
 * on a string (foldLine), on an event just written as UTF-8 (foldWritten, in place: what the event
 * cache uses) and on a whole buffer (foldBytes). See ics.ts for why the bytes are folded here rather
 * than by ical-generator.
 */

/**
 * Folds one content line so that no physical line exceeds 75 octets (RFC 5545 §3.1): the first
 * carries ≤ 75 octets, each continuation a space + ≤ 74. Never splits a UTF-8 sequence (it walks
 * code points). Short lines, the vast majority, are checked with one native byte count.
 */
export function foldLine(line: string): string {
  if (line.length <= 25 || Buffer.byteLength(line, 'utf8') <= 75) return line;
  let out = '';
  let start = 0;
  let bytes = 0;
  let limit = 75;
  for (let i = 0; i < line.length; ) {
    const code = line.charCodeAt(i);
    let width: number;
    let units = 1;
    if (code < 0x80) width = 1;
    else if (code < 0x800) width = 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < line.length) {
      const next = line.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        width = 4;
        units = 2;
      } else width = 3; // a lone surrogate is encoded as U+FFFD (3 octets)
    } else width = 3;
    if (bytes + width > limit) {
      out += (out === '' ? '' : '\r\n ') + line.slice(start, i);
      start = i;
      bytes = 0;
      limit = 74;
    }
    bytes += width;
    i += units;
  }
  return out + (out === '' ? '' : '\r\n ') + line.slice(start);
}

/**
 * Folds, in place, the event `text` just written as UTF-8 to buf[start, end); returns the new end
 * (buf needs room for the folds). Same rule as foldBytes. Lines are found in the string (a native
 * search); a line is ASCII exactly when its CRLF sits as many octets on as it has code units, so
 * only the bytes of non-ASCII lines are scanned for their end.
 */
export function foldWritten(buf: Buffer, start: number, end: number, text: string): number {
  const n = text.length;
  let b = start; // first octet of the current line
  let u = 0; // first code unit of the current line
  while (u < n) {
    let ue = text.indexOf('\r\n', u);
    if (ue < 0) ue = n;
    let be = b + (ue - u);
    if (ue === n) be = end;
    else if (buf[be] !== 0x0d || buf[be + 1] !== 0x0a) {
      // Not ASCII: its CRLF is further on (there is none inside the line: the string has none).
      be++;
      while (buf[be] !== 0x0d || buf[be + 1] !== 0x0a) be++;
    }
    if (be - b > 75) {
      let pos = b;
      let limit = 75;
      while (be - pos > limit) {
        let cut = pos + limit;
        while (cut > pos + 1 && ((buf[cut] ?? 0) & 0xc0) === 0x80) cut--;
        buf.copyWithin(cut + 3, cut, end);
        buf[cut] = 0x0d;
        buf[cut + 1] = 0x0a;
        buf[cut + 2] = 0x20;
        end += 3;
        be += 3;
        pos = cut + 3;
        limit = 74;
      }
    }
    b = be + 2;
    u = ue + 2;
  }
  return end;
}

/**
 * foldLine on UTF-8 bytes: every physical line ≤ 75 octets (continuations " " + ≤ 74), folds only
 * before a byte that starts a character (never before a 10xxxxxx continuation byte). A buffer
 * without long lines is returned as it is.
 */
export function foldBytes(src: Buffer): Buffer {
  const n = src.length;
  // Allocated at the first long line. Every piece between folds is ≥ 71 octets (74 minus at most 3
  // for a character that would straddle), so n / 64 folds of 3 octets each is always enough.
  let dst: Buffer | null = null;
  let w = 0; // bytes written to dst
  let copied = 0; // src[0, copied) is in dst
  let start = 0;
  while (start < n) {
    // A tight byte loop beats one native indexOf call per (mostly short) line.
    let end = start;
    while (end < n && !(src[end] === 0x0d && src[end + 1] === 0x0a)) end++;
    if (end - start > 75) {
      dst ??= Buffer.allocUnsafe(n + Math.ceil(n / 64) * 3 + 3);
      for (let i = copied; i < start; i++) dst[w++] = src[i] ?? 0;
      let pos = start;
      let limit = 75;
      while (end - pos > limit) {
        let cut = pos + limit;
        while (cut > pos + 1 && ((src[cut] ?? 0) & 0xc0) === 0x80) cut--;
        for (let i = pos; i < cut; i++) dst[w++] = src[i] ?? 0;
        dst[w++] = 0x0d;
        dst[w++] = 0x0a;
        dst[w++] = 0x20;
        pos = cut;
        limit = 74;
      }
      copied = pos;
    }
    start = end + 2;
  }
  if (!dst) return src;
  for (let i = copied; i < n; i++) dst[w++] = src[i] ?? 0;
  return dst.subarray(0, w);
}
