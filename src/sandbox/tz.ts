/**
 * Wall-clock ↔ instant conversion for a named IANA timezone, using only Intl (no hand-written DST rules):
 * Intl tells us the offset of the zone at an instant; local → UTC asks it twice to settle across a switch.
 */

export interface LocalParts {
  date: string; // YYYY-MM-DD
  year: number;
  month: number; // 1-12
  day: number;
  minutes: number; // minutes since local midnight, 0-1439
  weekday: number; // 0 = Sunday
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
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
    formatters.set(timeZone, f);
  }
  return f;
}

const weekdays: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

function partsOf(ms: number, timeZone: string): { year: number; month: number; day: number; hour: number; minute: number; second: number; weekday: number } {
  const out = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, weekday: 0 };
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) {
    switch (p.type) {
      case 'year': out.year = Number(p.value); break;
      case 'month': out.month = Number(p.value); break;
      case 'day': out.day = Number(p.value); break;
      case 'hour': out.hour = Number(p.value) % 24; break;
      case 'minute': out.minute = Number(p.value); break;
      case 'second': out.second = Number(p.value); break;
      case 'weekday': out.weekday = weekdays[p.value] ?? 0; break;
      default: break;
    }
  }
  return out;
}

/** The zone's offset from UTC at the instant `ms`, in milliseconds (local = utc + offset). */
export function zoneOffsetMs(ms: number, timeZone: string): number {
  const p = partsOf(ms, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

export function toLocal(ms: number, timeZone: string): LocalParts {
  const p = partsOf(ms, timeZone);
  return {
    date: `${String(p.year).padStart(4, '0')}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`,
    year: p.year,
    month: p.month,
    day: p.day,
    minutes: p.hour * 60 + p.minute,
    weekday: p.weekday,
  };
}

/**
 * The instant of local wall-clock `date` + `minutes` (minutes may be 1440 = next midnight) in `timeZone`.
 * A time inside a spring-forward gap maps to the instant after the gap; an ambiguous time takes the
 * earlier instant.
 */
export function fromLocal(date: string, minutes: number, timeZone: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const naive = Date.UTC(y, m - 1, d, 0, minutes);
  const before = zoneOffsetMs(naive - 86_400_000, timeZone);
  const after = zoneOffsetMs(naive + 86_400_000, timeZone);
  const candidates = [naive - before, naive - after].filter((t) => naive - zoneOffsetMs(t, timeZone) === t);
  if (candidates.length > 0) return Math.min(...candidates);
  return naive - before; // inside a gap: the wall time does not exist; take the instant just after it
}

/** Weekday (0 = Sunday) of a calendar date, independent of any zone. */
export function weekdayOf(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}

export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

export function isValidDate(s: unknown): s is string {
  if (typeof s !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const t = Date.parse(`${s}T00:00:00Z`);
  return Number.isFinite(t) && new Date(t).toISOString().slice(0, 10) === s;
}

export function hhmmToMinutes(s: string): number {
  const [h, m] = s.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

export function minutesToHhmm(n: number): string {
  return `${String(Math.floor(n / 60)).padStart(2, '0')}:${String(n % 60).padStart(2, '0')}`;
}

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
