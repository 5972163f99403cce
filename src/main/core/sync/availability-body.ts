/**
 * The availability answer (`{ rules: [...], exceptions: [...] }`, every rule of the tenant in one
 * body: 18.6 MB and 101k rules at 20k offerings) read one item at a time. JSON.parse of the whole
 * body built all 101k objects at once (~40 MB of heap, ~150 ms in one go); here only the decoded text
 * and the item being read are held, and the caller writes between items (the apply worker, in slices
 * with its write gate looked at between them).
 */

/** The body is not an object with a `rules` list (or not JSON): nothing of it is written. */
export class AvailabilityShapeError extends Error {
  override name = 'AvailabilityShapeError';
}

export type AvailabilityList = 'rules' | 'exceptions';

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_OBJECT = 123;
const CLOSE_OBJECT = 125;
const OPEN_ARRAY = 91;
const CLOSE_ARRAY = 93;
const COLON = 58;

/** The index just past the string whose opening quote is at `from`. */
function stringEnd(text: string, from: number): number {
  for (let i = from + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) return i + 1;
  }
  throw new AvailabilityShapeError('availability: a string is not closed');
}

/** The index just past the object or array opened at `from` (strings skipped whole). */
function valueEnd(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) i = stringEnd(text, i) - 1;
    else if (c === OPEN_OBJECT || c === OPEN_ARRAY) depth++;
    else if ((c === CLOSE_OBJECT || c === CLOSE_ARRAY) && --depth === 0) return i + 1;
  }
  throw new AvailabilityShapeError('availability: a value is not closed');
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && text.charCodeAt(i) <= 32) i++;
  return i;
}

/**
 * The items of the body's `rules` and `exceptions` lists, in the body's order, each parsed alone
 * (JSON.parse of its own text: the same values as a whole parse). Hand-written on purpose: a
 * character loop over the top level only; what is not one of the two lists is skipped unparsed.
 * Throws AvailabilityShapeError when the body is not such an object.
 */
export function* availabilityItems(text: string): Generator<{ list: AvailabilityList; item: Record<string, unknown> }> {
  let i = skipSpace(text, 0);
  if (text.charCodeAt(i) !== OPEN_OBJECT) throw new AvailabilityShapeError('availability: the body is not an object');
  let sawRules = false;
  i++;
  for (;;) {
    i = skipSpace(text, i);
    const c = text.charCodeAt(i);
    if (c === CLOSE_OBJECT) break;
    if (c === 44) {
      i++;
      continue;
    }
    if (c !== QUOTE) throw new AvailabilityShapeError('availability: a key was expected');
    const keyEnd = stringEnd(text, i);
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    i = skipSpace(text, keyEnd);
    if (text.charCodeAt(i) !== COLON) throw new AvailabilityShapeError('availability: a colon was expected');
    i = skipSpace(text, i + 1);
    const list: AvailabilityList | null = key === 'rules' || key === 'exceptions' ? key : null;
    if (list && text.charCodeAt(i) === OPEN_ARRAY) {
      if (list === 'rules') sawRules = true;
      i++;
      for (;;) {
        i = skipSpace(text, i);
        const d = text.charCodeAt(i);
        if (d === CLOSE_ARRAY) break;
        if (d === 44) {
          i++;
          continue;
        }
        if (d !== OPEN_OBJECT) throw new AvailabilityShapeError(`availability: an item of ${list} is not an object`);
        const end = valueEnd(text, i);
        yield { list, item: JSON.parse(text.slice(i, end)) as Record<string, unknown> };
        i = end;
      }
      i++;
      continue;
    }
    // Any other value (another key, or a list that is null): skipped whole.
    const v = text.charCodeAt(i);
    if (v === QUOTE) i = stringEnd(text, i);
    else if (v === OPEN_OBJECT || v === OPEN_ARRAY) i = valueEnd(text, i);
    else while (i < text.length && !/[,}\s]/.test(text[i]!)) i++;
  }
  if (!sawRules) throw new AvailabilityShapeError('availability: the body has no rules list');
}
