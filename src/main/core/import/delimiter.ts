/**
 * Delimiter detection from the header line only. Data lines are a trap: in a decimal-comma file
 * (`1.234,50`) commas outnumber the real `;` delimiter, so counting over the whole file picks `,`.
 * A header has no decimals, so its separators are the real ones. Counts ignore quoted text.
 */

export type Delimiter = ',' | ';' | '\t';
export const delimiters: readonly Delimiter[] = [',', ';', '\t'];

export function normalizeDelimiter(value: string): Delimiter {
  const v = value === '\t' ? value : value.trim().toLowerCase();
  if (v === ',' || v === 'comma') return ',';
  if (v === ';' || v === 'semicolon') return ';';
  if (v === '\t' || v === '\\t' || v === 'tab' || v === 'tsv') return '\t';
  throw new Error(`unsupported delimiter "${value}" (use , ; or tab)`);
}

/** The first physical line of `text` (quotes respected), or null when no line end is in it yet. */
export function firstLine(text: string): string | null {
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') inQuotes = !inQuotes;
    else if (!inQuotes && (c === '\n' || c === '\r')) return text.slice(0, i);
  }
  return null;
}

/** Picks the delimiter with most occurrences outside quotes in the header line; `,` on a tie or none. */
export function detectDelimiter(headerLine: string): { delimiter: Delimiter; counts: Record<string, number> } {
  const counts: Record<string, number> = { ',': 0, ';': 0, '\t': 0 };
  let inQuotes = false;
  for (const c of headerLine) {
    if (c === '"') inQuotes = !inQuotes;
    else if (!inQuotes && c in counts) counts[c] = (counts[c] ?? 0) + 1;
  }
  let best: Delimiter = ',';
  for (const d of delimiters) if ((counts[d] ?? 0) > (counts[best] ?? 0)) best = d;
  return { delimiter: best, counts };
}
