/**
 * Checks on the raw cells that the field rules (validate.ts) do not make, each located by line and
 * column like every other issue:
 * - control characters (NUL, ESC, DEL, C1…) are refused in every cell: they cannot be seen in the
 *   preview, and a NUL would reach the server; tab and line breaks (inside quotes) stay allowed;
 * - a value too large for a record (csv-parse's "Max Record Size") is named by its line and column;
 * - an availability rule whose hours fall into a daylight-saving gap of the tenant's time zone (the
 *   clocks jump over them on that day, so those slots do not exist) is warned about.
 */
import { coreMessage } from '../../../shared/contract/messages.ts';
import { parseDate, parseTime, parseWeekday, weekdayLabels } from './fields.ts';
import { columnLetter, mapHeaders } from './mapping.ts';
import type { ImportField, ImportIssue } from './types.ts';

// C0 controls except tab, LF and CR; DEL; C1 controls (what Windows-1252's undefined bytes decode to).
 
const controlChar = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

export interface GuardOptions {
  /** Header overrides, as given to the validator (the same columns are read). */
  mapping?: Readonly<Record<string, ImportField | null>>;
  /** The tenant's IANA time zone, for the daylight-saving check; none → no check. */
  timezone?: string | null;
  /** Largest record csv-parse reads, in characters (named in the oversize message). */
  maxRecordSize: number;
}

const codePoint = (c: string): string => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

export class RowGuards {
  readonly #opts: GuardOptions;
  #header: string[] = [];
  #idx: Partial<Record<ImportField, number>> = {};
  readonly issues: ImportIssue[] = [];
  errors = 0;
  warnings = 0;

  constructor(opts: GuardOptions) {
    this.#opts = opts;
  }

  reset(): void {
    this.#header = [];
    this.#idx = {};
    this.issues.length = 0;
    this.errors = 0;
    this.warnings = 0;
  }

  #add(severity: 'error' | 'warning', code: string, line: number, index: number | null, field: ImportField | null, value: string | null, text: string, problem: ImportIssue['problem']): void {
    if (severity === 'error') this.errors++;
    else this.warnings++;
    if (this.issues.length >= 10_000) return;
    const column = index === null ? null : (this.#header[index] ?? `column ${index + 1}`);
    const letter = index === null ? null : columnLetter(index);
    const where = `line ${line}${column !== null ? `, column ${JSON.stringify(column)} (${letter})` : ''}`;
    this.issues.push({ severity, code, line, column, columnLetter: letter, field, value, message: `${where}: ${text}`, problem });
  }

  header(cells: string[], line: number): void {
    this.#header = cells.map((c) => c.trim());
    this.#idx = mapHeaders(this.#header, this.#opts.mapping).byField;
    this.#controls(cells, line);
  }

  row(cells: string[], line: number): void {
    this.#controls(cells, line);
    if (this.#opts.timezone) this.#dstGap(cells, line, this.#opts.timezone);
  }

  /** csv-parse gave up on a record larger than `maxRecordSize` while reading column `index`. */
  oversize(line: number, index: number | null): void {
    const max = this.#opts.maxRecordSize;
    const size = max >= 1_048_576 ? `${max / 1_048_576} MiB` : `${Math.round(max / 1024)} KiB`;
    this.#add(
      'error',
      'cell.too_large',
      line,
      index,
      null,
      null,
      `this value makes the row larger than ${size}, the most one row may hold; shorten it (or check for a quote that is never closed above)`,
      coreMessage('import.cell.tooLarge', { max: size }),
    );
  }

  #controls(cells: string[], line: number): void {
    for (let i = 0; i < cells.length; i++) {
      const cell = cells[i]!;
      const m = controlChar.exec(cell);
      if (!m) continue;
      const cp = codePoint(m[0]);
      this.#add(
        'error',
        'cell.control',
        line,
        i,
        null,
        cell.slice(0, 80).replace(new RegExp(controlChar.source, 'g'), '\uFFFD'),
        `contains the control character ${cp} at position ${m.index + 1}; remove it (it cannot be seen here and would be sent as it is)`,
        coreMessage('import.cell.control', { char: cp, position: m.index + 1 }),
      );
    }
  }

  #dstGap(cells: string[], line: number, timezone: string): void {
    const at = (f: ImportField): string => {
      const i = this.#idx[f];
      return i === undefined ? '' : (cells[i] ?? '').trim();
    };
    const day = parseWeekday(at('weekday'));
    const start = parseTime(at('start_time'));
    const end = parseTime(at('end_time'));
    if (!day.ok || !start.ok || !end.ok || end.value <= start.value) return;
    const fromRaw = at('valid_from');
    const untilRaw = at('valid_until');
    const from = fromRaw === '' ? null : parseDate(fromRaw);
    const until = untilRaw === '' ? null : parseDate(untilRaw);
    if ((from && !from.ok) || (until && !until.ok)) return;
    const gap = firstGapHit(timezone, day.value, start.value, end.value, from?.ok ? from.value : null, until?.ok ? until.value : null);
    if (!gap) return;
    const i = this.#idx['start_time'] ?? null;
    this.#add(
      'warning',
      'rule.dst_gap',
      line,
      i,
      'start_time',
      at('start_time'),
      `on ${gap.date} (a ${weekdayLabels[day.value]}) the clocks in ${timezone} jump from ${gap.from} to ${gap.to}, so the slots in between do not exist that day`,
      coreMessage('import.rule.dstGap', { date: gap.date, timezone, from: gap.from, to: gap.to }),
    );
  }
}

// ---- daylight-saving gaps ------------------------------------------------------------------------

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The zone's offset from UTC at `ms`, in minutes. */
function offsetAt(timezone: string, ms: number): number {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' });
    formatters.set(timezone, f);
  }
  const p = Object.fromEntries(f.formatToParts(ms).map((x) => [x.type, x.value]));
  const local = Date.UTC(Number(p['year']), Number(p['month']) - 1, Number(p['day']), Number(p['hour']), Number(p['minute']));
  return Math.round((local - Math.floor(ms / 60_000) * 60_000) / 60_000);
}

const hhmm = (m: number): string => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

interface Gap {
  date: string;
  /** Minutes after local midnight: the clocks jump from `start` to `end`. */
  start: number;
  end: number;
}

const gapCache = new Map<string, Gap[]>();

/**
 * The daylight-saving gaps on one weekday within a rule's window (at most two years from its start,
 * or from today). Memoised: a file repeats the same few weekday/window combinations on every row.
 */
function gapsOn(timezone: string, weekday: number, from: string | null, until: string | null, today: Date): Gap[] {
  const first = from ? Date.parse(`${from}T00:00:00Z`) : Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  const key = `${timezone}|${weekday}|${first}|${until ?? ''}`;
  const hit = gapCache.get(key);
  if (hit) return hit;
  const gaps: Gap[] = [];
  const last = Math.min(until ? Date.parse(`${until}T00:00:00Z`) : Infinity, first + 731 * 86_400_000);
  for (let day = first + ((weekday - new Date(first).getUTCDay() + 7) % 7) * 86_400_000; day <= last; day += 7 * 86_400_000) {
    // The local day spans about [day - 14 h, day + 38 h] in UTC whatever the zone.
    const before = offsetAt(timezone, day - 14 * 3_600_000);
    const after = offsetAt(timezone, day + 38 * 3_600_000);
    if (after <= before) continue;
    // The transition instant, to the minute, by bisection.
    let lo = day - 14 * 3_600_000;
    let hi = day + 38 * 3_600_000;
    while (hi - lo > 60_000) {
      const mid = Math.floor((lo + hi) / 2 / 60_000) * 60_000;
      if (offsetAt(timezone, mid) === before) lo = mid;
      else hi = mid;
    }
    const start = Math.round((hi + before * 60_000 - day) / 60_000);
    // A jump on the day before or after (seen through the wide window) is not this day's.
    if (start >= 0 && start < 1440) gaps.push({ date: new Date(day).toISOString().slice(0, 10), start, end: start + (after - before) });
  }
  if (gapCache.size > 1000) gapCache.clear();
  gapCache.set(key, gaps);
  return gaps;
}

/** The first daylight-saving gap in the rule's window that overlaps its hours, in local time; null when none does. */
export function firstGapHit(timezone: string, weekday: number, startMin: number, endMin: number, from: string | null, until: string | null, today = new Date()): { date: string; from: string; to: string } | null {
  try {
    offsetAt(timezone, 0);
  } catch {
    return null; // not a zone this runtime knows: no check
  }
  const gap = gapsOn(timezone, weekday, from, until, today).find((g) => startMin < g.end && g.start < endMin);
  return gap ? { date: gap.date, from: hhmm(gap.start), to: hhmm(gap.end) } : null;
}
