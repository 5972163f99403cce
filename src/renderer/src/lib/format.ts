/**
 * Intl-based formatting: money, dates in a named time zone, relative times and durations.
 * Intl formatters are costly to build (tens of µs each, more with a time zone) and a screen formats
 * thousands of values, so each distinct (locale, options) formatter is built once and kept.
 */

const cache = new Map<string, unknown>();
function cached<F>(kind: string, locale: string, options: object, make: () => F): F {
  const key = `${kind}|${locale}|${JSON.stringify(options)}`;
  let f = cache.get(key) as F | undefined;
  if (f === undefined) {
    f = make();
    if (cache.size > 500) cache.clear();
    cache.set(key, f);
  }
  return f;
}
const dtf = (locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat => cached('dt', locale, options, () => new Intl.DateTimeFormat(locale, options));
const nf = (locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat => cached('nf', locale, options, () => new Intl.NumberFormat(locale, options));

export function formatMoney(cents: number, currency: string, locale: string): string {
  try {
    return nf(locale, { style: 'currency', currency }).format(cents / 100);
  } catch {
    return `${(cents / 100).toFixed(2)} ${currency}`;
  }
}

/** Wall-clock parts of an instant in a time zone. */
export function zonedParts(at: Date, timeZone: string): { year: number; month: number; day: number; hour: number; minute: number; second: number; weekday: number } {
  const fmt = dtf('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    weekday: 'short',
  });
  const parts: Record<string, string> = {};
  for (const p of fmt.formatToParts(at)) parts[p.type] = p.value;
  const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour) % 24,
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: Math.max(0, weekdays.indexOf(parts.weekday ?? 'Sun')),
  };
}

/** Offset of `timeZone` from UTC at instant `at`, in minutes (east positive). */
export function tzOffsetMinutes(at: Date, timeZone: string): number {
  const p = zonedParts(at, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return Math.round((asUtc - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** ISO instant → `YYYY-MM-DDTHH:mm` wall clock in `timeZone` (the value of a datetime-local input). */
export function toZonedInput(iso: string, timeZone: string): string {
  const p = zonedParts(new Date(iso), timeZone);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}`;
}

/** `YYYY-MM-DDTHH:mm` wall clock in `timeZone` → ISO instant (UTC, with Z). Null when malformed. */
export function fromZonedInput(wall: string, timeZone: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(wall);
  if (!m) return null;
  const guess = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  // Two passes settle the offset across DST boundaries.
  let t = guess - tzOffsetMinutes(new Date(guess), timeZone) * 60_000;
  t = guess - tzOffsetMinutes(new Date(t), timeZone) * 60_000;
  return new Date(t).toISOString();
}

/** Midnight (start of `YYYY-MM-DD`) in `timeZone`, as an ISO instant. */
export function startOfZonedDay(date: string, timeZone: string): string {
  return fromZonedInput(`${date}T00:00`, timeZone) ?? new Date(`${date}T00:00:00Z`).toISOString();
}

/** Today's date `YYYY-MM-DD` in `timeZone`. */
export function zonedToday(timeZone: string, now: Date = new Date()): string {
  const p = zonedParts(now, timeZone);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`;
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Weekday, day, month and time; the year only when it is not the current one. */
export function formatDateTime(iso: string, timeZone: string, locale: string, now: Date = new Date()): string {
  const d = new Date(iso);
  const otherYear = zonedParts(d, timeZone).year !== zonedParts(now, timeZone).year;
  return dtf(locale, { timeZone, weekday: 'short', day: 'numeric', month: 'short', ...(otherYear ? { year: 'numeric' } : {}), hour: '2-digit', minute: '2-digit' }).format(d);
}

export function formatTime(iso: string, timeZone: string, locale: string): string {
  return dtf(locale, { timeZone, hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
}

export function formatDate(iso: string, timeZone: string, locale: string): string {
  return dtf(locale, { timeZone, day: 'numeric', month: 'short', year: 'numeric' }).format(new Date(iso));
}

/** "Tue 12 May, 15:00–16:00" in one zone; the end's date is shown only when it differs. */
export function formatSlot(startIso: string, endIso: string, timeZone: string, locale: string): string {
  const sameDay = zonedToday(timeZone, new Date(startIso)) === zonedToday(timeZone, new Date(endIso));
  const start = formatDateTime(startIso, timeZone, locale);
  const end = sameDay ? formatTime(endIso, timeZone, locale) : formatDateTime(endIso, timeZone, locale);
  return `${start} – ${end}`;
}

/** Short zone label such as "GMT+2" for the given instant. */
export function zoneLabel(timeZone: string, locale: string, at: Date = new Date()): string {
  try {
    const part = dtf(locale, { timeZone, timeZoneName: 'short' }).formatToParts(at).find((p) => p.type === 'timeZoneName');
    return part?.value ?? timeZone;
  } catch {
    return timeZone;
  }
}

/** True when two zones show different wall clocks at `at`. */
export function zonesDiffer(a: string, b: string, at: Date): boolean {
  try {
    return tzOffsetMinutes(at, a) !== tzOffsetMinutes(at, b);
  } catch {
    return false;
  }
}

const zoneValidity = new Map<string, boolean>();
export function isValidZone(tz: string | null | undefined): tz is string {
  if (!tz) return false;
  let ok = zoneValidity.get(tz);
  if (ok === undefined) {
    try {
      dtf('en', { timeZone: tz });
      ok = true;
    } catch {
      ok = false;
    }
    zoneValidity.set(tz, ok);
  }
  return ok;
}

/** "3 minutes ago" / "in 2 hours". */
export function formatRelative(iso: string, now: number, locale: string, pastOnly = false): string {
  let diff = (new Date(iso).getTime() - now) / 1000;
  if (pastOnly && diff > 0) diff = 0;
  const rtf = cached('rt', locale, { numeric: 'auto' }, () => new Intl.RelativeTimeFormat(locale, { numeric: 'auto' }));
  const abs = Math.abs(diff);
  if (abs < 45) return rtf.format(Math.round(diff), 'second');
  if (abs < 45 * 60) return rtf.format(Math.round(diff / 60), 'minute');
  if (abs < 22 * 3600) return rtf.format(Math.round(diff / 3600), 'hour');
  if (abs < 26 * 86400) return rtf.format(Math.round(diff / 86400), 'day');
  return rtf.format(Math.round(diff / (30 * 86400)), 'month');
}

/** A compact, localised duration: "45 min", "3 h 5 min", "2 d 4 h". */
export function formatDuration(ms: number, locale: string): string {
  const unit = (value: number, u: 'minute' | 'hour' | 'day') => nf(locale, { style: 'unit', unit: u, unitDisplay: 'narrow' }).format(value);
  const mins = Math.max(0, Math.floor(ms / 60_000));
  if (mins < 1) return `< ${unit(1, 'minute')}`;
  if (mins < 60) return unit(mins, 'minute');
  const hours = Math.floor(mins / 60);
  if (hours < 24) return mins % 60 ? `${unit(hours, 'hour')} ${unit(mins % 60, 'minute')}` : unit(hours, 'hour');
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${unit(days, 'day')} ${unit(hours % 24, 'hour')}` : unit(days, 'day');
}

/** Parses "12.50" / "12,50" into cents; null when not a non-negative amount. */
export function parseMoneyInput(text: string): number | null {
  const t = text.trim().replace(/\s/g, '').replace(',', '.');
  if (!/^\d+(\.\d{1,2})?$/.test(t)) return null;
  return Math.round(Number(t) * 100);
}

/** A file size in the largest unit under 1024 of it: "512 bytes", "1.5 MB" ("1,5 MB" in Spanish). */
export function formatBytes(n: number, locale: string): string {
  const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte'] as const;
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return nf(locale, { style: 'unit', unit: units[i], unitDisplay: i === 0 ? 'long' : 'short', maximumFractionDigits: i === 0 ? 0 : 1 }).format(v);
}

/** A number with the locale's digits and separators (`1.234,5` in Spanish). */
export function formatNumber(value: number, locale: string, options: Intl.NumberFormatOptions = {}): string {
  return nf(locale, options).format(value);
}

/** The CLDR plural category of a count in a locale (`one`, `many`, `other` …), for choosing a message's form. */
export function pluralCategory(n: number, locale: string): Intl.LDMLPluralRule {
  return cached('pr', locale, {}, () => new Intl.PluralRules(locale)).select(n);
}

/** A weekday's name, 0 = Sunday … 6 = Saturday. */
export function formatWeekday(dow: number, locale: string, style: 'long' | 'short' = 'long'): string {
  return dtf(locale, { weekday: style, timeZone: 'UTC' }).format(new Date(Date.UTC(2023, 0, 1 + (((dow % 7) + 7) % 7))));
}
