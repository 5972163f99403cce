/** Generates large catalogue files for the big-file test and the bench (streamed to disk). */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

export const header = 'slug,title,product_type,status,pricing_model,base_price,currency,tax_bps,description,weekday,start_time,end_time,slot_minutes,capacity,valid_from,valid_until';
const days = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

export interface GenerateOptions {
  /** Stop after this many bytes (approximately), or after `offerings` offerings. */
  targetBytes?: number;
  offerings?: number;
  /** Rules (rows) per offering, 1–7. */
  rulesPerOffering?: number;
  /** Extra description text per offering (bytes). */
  descriptionBytes?: number;
  /** Append hostile rows at the end: a bad price and an orphan availability row. */
  tailErrors?: boolean;
  crlf?: boolean;
}

export interface Generated {
  bytes: number;
  lines: number;
  offerings: number;
  rows: number;
  /** Physical lines of the tail errors. */
  badPriceLine: number | null;
  orphanLine: number | null;
}

export async function generateCatalogue(path: string, o: GenerateOptions): Promise<Generated> {
  const out = createWriteStream(path);
  const nl = o.crlf ? '\r\n' : '\n';
  const per = Math.max(1, Math.min(7, o.rulesPerOffering ?? 7));
  const filler = 'Bright, quiet room with "natural" light; seats ten.'.repeat(Math.ceil((o.descriptionBytes ?? 0) / 50)).slice(0, o.descriptionBytes ?? 0);
  let bytes = 0;
  let lines = 0;
  let rows = 0;
  let n = 0;
  let buf = '';
  const push = async (text: string, lineCount: number): Promise<void> => {
    buf += text;
    lines += lineCount;
    if (buf.length > 1 << 16) {
      bytes += Buffer.byteLength(buf);
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  };
  await push(header + nl, 1);
  const target = o.targetBytes ?? Infinity;
  const max = o.offerings ?? Infinity;
  while (n < max && bytes + buf.length < target) {
    const slug = `room-${n}`;
    // Every 10th offering has a quoted description with a line break inside.
    const desc = n % 10 === 0 ? `"Room ${n}, floor ${n % 9}${nl}second line ""quoted"" ${filler.replace(/"/g, '""')}"` : filler ? `"${filler.replace(/"/g, '""')}"` : '';
    const descLines = n % 10 === 0 ? 1 : 0;
    const price = `${(n % 500) + 10}.${String(n % 100).padStart(2, '0')}`;
    for (let d = 0; d < per; d++) {
      const first = d === 0;
      const line = first
        ? `${slug},Room ${n},space,DRAFT,hourly,${price},USD,825,${desc},${days[d]},09:00,17:00,60,${(n % 5) + 1},2026-01-01,`
        : `${slug},,,,,,,,,${days[d]},09:00,17:00,60,${(n % 5) + 1},2026-01-01,`;
      await push(line + nl, 1 + (first ? descLines : 0));
      rows++;
    }
    n++;
  }
  let badPriceLine: number | null = null;
  let orphanLine: number | null = null;
  if (o.tailErrors) {
    badPriceLine = lines + 1;
    await push(`bad-price,Bad price,space,DRAFT,hourly,"12,5,0",USD,0,,Mon,09:00,17:00,60,1,,${nl}`, 1);
    orphanLine = lines + 1;
    await push(`ghost-room,,,,,,,,,Tue,09:00,17:00,60,1,,${nl}`, 1);
    rows += 2;
  }
  bytes += Buffer.byteLength(buf);
  out.write(buf);
  out.end();
  await once(out, 'finish');
  return { bytes, lines, offerings: n, rows, badPriceLine, orphanLine };
}
