/**
 * Cell value parsers for the catalogue importer. Each returns `{ ok: true, value, note? }` (a note
 * becomes a warning: the value was read, but not literally) or `{ ok: false, message }` (an error).
 * Messages describe the value only; validate.ts prefixes the location ("line 14, column ...").
 */

import { coreMessage, type CoreMessage } from '../../../shared/contract/messages.ts';

/** `message` / `note` are English (CLI, logs, error report); `problem` / `noteProblem` the same as a code + parameters for the UI. */
export type Parsed<T> = { ok: true; value: T; note?: string; noteProblem?: CoreMessage } | { ok: false; message: string; problem: CoreMessage };

const ok = <T>(value: T, note?: string, noteProblem?: CoreMessage): Parsed<T> =>
  note === undefined || noteProblem === undefined ? { ok: true, value } : { ok: true, value, note, noteProblem };
const fail = (message: string, problem: CoreMessage): Parsed<never> => ({ ok: false, message, problem });

/** A cell as `show` quotes it, without the quotes (the UI puts its own). */
export function shown(value: string): string {
  return value.length > 60 ? `${value.slice(0, 57)}...` : value;
}

/** Lower case, accents removed, every run of non-alphanumerics dropped: "Día-Semana" → "diasemana". */
export function squash(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '');
}

/** Quotes a cell for a message, shortened so one bad cell cannot flood the report. */
export function show(value: string): string {
  return JSON.stringify(shown(value));
}

// ---- slugs --------------------------------------------------------------------------------------

export const slugPattern = /^[a-z0-9]+(-[a-z0-9]+)*$/;

export function slugify(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
    .replace(/-+$/g, '');
}

export function parseSlug(raw: string): Parsed<string> {
  const v = raw.trim();
  if (v.length > 80) return fail(`${show(v)} is longer than 80 characters`, coreMessage('import.value.tooLong', { value: shown(v), max: 80 }));
  if (slugPattern.test(v)) return ok(v);
  const fix = slugify(v);
  return fail(
    `${show(v)} is not a valid slug (lowercase letters, digits and single hyphens)${fix ? `; did you mean "${fix}"?` : ''}`,
    fix ? coreMessage('import.value.badSlugSuggest', { value: shown(v), suggestion: fix }) : coreMessage('import.value.badSlug', { value: shown(v) }),
  );
}

// ---- enums --------------------------------------------------------------------------------------

type EnumProblem = 'import.value.notStatus' | 'import.value.notProductType' | 'import.value.notPricingModel' | 'import.value.notCancellationPolicy';

function enumParser<T extends string>(what: string, problem: EnumProblem, table: Record<string, T>, allowed: readonly T[], synonyms: Record<string, T> = {}) {
  return (raw: string): Parsed<T> => {
    const key = squash(raw);
    const hit = table[key];
    if (hit) return ok(hit);
    const near = synonyms[key];
    if (near) return ok(near, `${show(raw.trim())} read as ${near}`, coreMessage('import.value.readAs', { value: shown(raw.trim()), read: near }));
    return fail(`${show(raw.trim())} is not a ${what} (use ${allowed.join(', ')})`, coreMessage(problem, { value: shown(raw.trim()), allowed: allowed.join(', ') }));
  };
}

export const offeringStatuses = ['DRAFT', 'PUBLISHED', 'ARCHIVED'] as const;
export type OfferingStatusValue = (typeof offeringStatuses)[number];
export const parseStatus = enumParser<OfferingStatusValue>(
  'status',
  'import.value.notStatus',
  { draft: 'DRAFT', borrador: 'DRAFT', published: 'PUBLISHED', publicado: 'PUBLISHED', publicada: 'PUBLISHED', archived: 'ARCHIVED', archivado: 'ARCHIVED', archivada: 'ARCHIVED' },
  offeringStatuses,
  { publish: 'PUBLISHED', live: 'PUBLISHED', active: 'PUBLISHED', activo: 'PUBLISHED', archive: 'ARCHIVED', inactive: 'ARCHIVED' },
);

export const productTypes = ['space', 'class', 'service', 'vehicle', 'equipment', 'taxi'] as const;
export type ProductTypeValue = (typeof productTypes)[number];
export const parseProductType = enumParser<ProductTypeValue>(
  'product type',
  'import.value.notProductType',
  {
    space: 'space', spaces: 'space', espacio: 'space', espacios: 'space',
    class: 'class', classes: 'class', clase: 'class', clases: 'class',
    service: 'service', services: 'service', servicio: 'service', servicios: 'service',
    vehicle: 'vehicle', vehicles: 'vehicle', vehiculo: 'vehicle', vehiculos: 'vehicle',
    equipment: 'equipment', equipo: 'equipment', equipos: 'equipment',
    taxi: 'taxi', taxis: 'taxi',
  },
  productTypes,
  { room: 'space', rooms: 'space', sala: 'space', venue: 'space', studio: 'space', car: 'vehicle', coche: 'vehicle', van: 'vehicle', gear: 'equipment', cab: 'taxi', lesson: 'class' },
);

export const pricingModels = ['HOURLY', 'DAILY', 'ONE_TIME', 'SUBSCRIPTION'] as const;
export type PricingModelValue = (typeof pricingModels)[number];
export const parsePricingModel = enumParser<PricingModelValue>(
  'pricing model',
  'import.value.notPricingModel',
  {
    hourly: 'HOURLY', perhour: 'HOURLY', hour: 'HOURLY', porhora: 'HOURLY', hora: 'HOURLY',
    daily: 'DAILY', perday: 'DAILY', day: 'DAILY', pordia: 'DAILY', diario: 'DAILY',
    onetime: 'ONE_TIME', once: 'ONE_TIME', single: 'ONE_TIME', pagounico: 'ONE_TIME', unico: 'ONE_TIME',
    subscription: 'SUBSCRIPTION', suscripcion: 'SUBSCRIPTION', subscripcion: 'SUBSCRIPTION',
  },
  pricingModels,
  { fixed: 'ONE_TIME', flat: 'ONE_TIME', monthly: 'SUBSCRIPTION', mensual: 'SUBSCRIPTION' },
);

export const cancellationPolicies = ['FLEXIBLE', 'MODERATE', 'STRICT'] as const;
export type CancellationPolicyValue = (typeof cancellationPolicies)[number];
export const parseCancellationPolicy = enumParser<CancellationPolicyValue>(
  'cancellation policy',
  'import.value.notCancellationPolicy',
  { flexible: 'FLEXIBLE', flexibel: 'FLEXIBLE', moderate: 'MODERATE', moderada: 'MODERATE', moderado: 'MODERATE', strict: 'STRICT', estricta: 'STRICT', estricto: 'STRICT' },
  cancellationPolicies,
);

// ---- currencies ---------------------------------------------------------------------------------

/** Active ISO-4217 codes (2024 list, funds and precious metals left out). */
const currencyList =
  'AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG';
export const currencies: ReadonlySet<string> = new Set(currencyList.split(' '));
const zeroDecimal = new Set('BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX VND VUV XAF XOF XPF'.split(' '));
const threeDecimal = new Set('BHD IQD JOD KWD LYD OMR TND'.split(' '));

/** Digits after the decimal point in the currency's minor unit (ISO-4217 exponent). */
export function currencyExponent(code: string): number {
  if (zeroDecimal.has(code)) return 0;
  if (threeDecimal.has(code)) return 3;
  return 2;
}

const currencySymbols: Record<string, string> = { '€': 'EUR', '£': 'GBP', '¥': 'JPY', '₹': 'INR', '₩': 'KRW' };

export function parseCurrency(raw: string): Parsed<string> {
  const v = raw.trim();
  const upper = v.toUpperCase();
  if (currencies.has(upper)) return ok(upper);
  const bySymbol = currencySymbols[v];
  if (bySymbol) return ok(bySymbol, `${show(v)} read as ${bySymbol}`, coreMessage('import.value.readAs', { value: shown(v), read: bySymbol }));
  return fail(`${show(v)} is not an ISO-4217 currency code (e.g. USD, EUR, MXN)`, coreMessage('import.value.notCurrency', { value: shown(v) }));
}

// ---- prices -------------------------------------------------------------------------------------

export type DecimalHint = 'point' | 'comma';

/**
 * A price in major units → integer minor units. Accepts `1234.5`, `1,234.50`, `1.234,50`, `12,5`,
 * `1 234,50`, currency symbols around the number. `hint` breaks the one real ambiguity, a single
 * separator followed by exactly three digits (`1,234` / `1.234`): with `comma` (a `;`-delimited file)
 * the comma is decimal, otherwise it groups thousands. Both readings are reported as a warning.
 */
export function parsePrice(raw: string, exponent: number, hint: DecimalHint): Parsed<number> {
  let v = raw.trim().replace(/^[$€£¥₹₩]\s*|\s*[$€£¥₹₩]$/gu, '');
  v = v.replace(/^(?:[A-Z]{3})\s+|\s+(?:[A-Z]{3})$/g, '');
  const original = raw.trim();
  const notPrice = (): Parsed<never> => fail(`${show(original)} is not a price`, coreMessage('import.value.notPrice', { value: shown(original) }));
  if (/^-/.test(v)) return fail(`${show(original)} is negative; prices must be 0 or more`, coreMessage('import.value.priceNegative', { value: shown(original) }));
  v = v.replace(/[\s\u00a0\u202f']/g, '');
  if (!/^[0-9][0-9.,]*$/.test(v) || /[.,]$/.test(v)) return notPrice();
  const dots = (v.match(/\./g) ?? []).length;
  const commas = (v.match(/,/g) ?? []).length;
  let intPart: string;
  let frac = '';
  let note: string | undefined;
  let noteProblem: CoreMessage | undefined;
  const grouped = (s: string, sep: string): boolean => new RegExp(`^[0-9]{1,3}(\\${sep}[0-9]{3})+$`).test(s);
  if (dots > 0 && commas > 0) {
    const decimalSep = v.lastIndexOf('.') > v.lastIndexOf(',') ? '.' : ',';
    const groupSep = decimalSep === '.' ? ',' : '.';
    const at = v.lastIndexOf(decimalSep);
    const head = v.slice(0, at);
    if (v.split(decimalSep).length > 2 || !grouped(head, groupSep)) return notPrice();
    intPart = head.split(groupSep).join('');
    frac = v.slice(at + 1);
  } else if (dots + commas === 0) {
    intPart = v;
  } else {
    const sep = dots > 0 ? '.' : ',';
    const parts = v.split(sep);
    if (parts.length > 2) {
      if (!grouped(v, sep)) return notPrice();
      intPart = parts.join('');
    } else {
      const [a = '', b = ''] = parts;
      if (b.length === 3 && grouped(v, sep)) {
        const decimal = (sep === ',' && hint === 'comma') || (sep === '.' && hint === 'point');
        if (decimal) {
          intPart = a;
          frac = b;
          note = `${show(original)} read as ${a}.${b} (decimal ${sep === ',' ? 'comma' : 'point'})`;
          noteProblem = coreMessage(sep === ',' ? 'import.value.priceDecimalComma' : 'import.value.priceDecimalPoint', { value: shown(original), read: `${a}.${b}` });
        } else {
          intPart = a + b;
          note = `${show(original)} read as ${a}${b} (${sep === ',' ? 'comma' : 'point'} groups thousands)`;
          noteProblem = coreMessage(sep === ',' ? 'import.value.priceThousandsComma' : 'import.value.priceThousandsPoint', { value: shown(original), read: `${a}${b}` });
        }
      } else {
        intPart = a;
        frac = b;
      }
    }
  }
  if (frac.length > exponent) {
    if (/^0*$/.test(frac.slice(exponent))) frac = frac.slice(0, exponent);
    else return fail(`${show(original)} has ${frac.length} decimals; this currency allows ${exponent}`, coreMessage('import.value.priceDecimals', { value: shown(original), decimals: frac.length, allowed: exponent }));
  }
  const cents = Number(intPart) * 10 ** exponent + (frac ? Number(frac.padEnd(exponent, '0')) : 0);
  if (!Number.isSafeInteger(cents) || cents > 100_000_000) return fail(`${show(original)} is over the limit of 1,000,000.00`, coreMessage('import.value.priceOverLimit', { value: shown(original) }));
  return ok(cents, note, noteProblem);
}

// ---- integers, tax ------------------------------------------------------------------------------

export function parseInteger(raw: string, what: string, min: number, max: number): Parsed<number> {
  const v = raw.trim();
  if (!/^[+]?\d+$/.test(v)) {
    if (/^\d+[.,]0+$/.test(v)) return parseInteger(v.replace(/[.,]0+$/, ''), what, min, max);
    return fail(`${show(v)} is not a whole number`, coreMessage('import.value.notWhole', { value: shown(v) }));
  }
  const n = Number(v);
  if (n < min || n > max) return fail(`${what} must be between ${min} and ${max}, got ${n}`, coreMessage('import.value.outOfRange', { field: what, min, max, got: n }));
  return ok(n);
}

/** Tax in basis points (825 = 8.25 %). A value with `%` is read as a percentage, with a warning. */
export function parseTaxBps(raw: string): Parsed<number> {
  const v = raw.trim();
  const pct = /^(\d{1,3})(?:[.,](\d{1,2}))?\s*%$/.exec(v);
  if (pct) {
    const bps = Number(pct[1]) * 100 + Number((pct[2] ?? '').padEnd(2, '0'));
    if (bps > 10000) return fail(`${show(v)} is over 100 %`, coreMessage('import.value.taxOver100', { value: shown(v) }));
    return ok(bps, `${show(v)} read as ${bps} basis points`, coreMessage('import.value.taxPercent', { value: shown(v), bps }));
  }
  if (/^\d+[.,]\d*[1-9]\d*$/.test(v)) return fail(`${show(v)} is not whole basis points (825 = 8.25 %; write "8.25%" for a percentage)`, coreMessage('import.value.taxNotWholeBps', { value: shown(v) }));
  return parseInteger(v, 'tax_bps', 0, 10000);
}

// ---- weekdays, times, dates ---------------------------------------------------------------------

const weekdayNames: Record<string, number> = {};
const dayNames: Array<[number, string[]]> = [
  [0, ['sunday', 'sun', 'su', 'domingo', 'dom', 'do', 'dimanche', 'dim', 'sonntag', 'so', 'domenica']],
  [1, ['monday', 'mon', 'mo', 'lunes', 'lun', 'lu', 'lundi', 'montag', 'lunedi', 'segunda', 'seg']],
  [2, ['tuesday', 'tue', 'tues', 'tu', 'martes', 'mar', 'ma', 'mardi', 'dienstag', 'di', 'martedi', 'terca', 'ter']],
  [3, ['wednesday', 'wed', 'we', 'miercoles', 'mie', 'mi', 'mercredi', 'mer', 'mittwoch', 'mercoledi', 'quarta', 'qua']],
  [4, ['thursday', 'thu', 'thur', 'thurs', 'th', 'jueves', 'jue', 'ju', 'jeudi', 'jeu', 'donnerstag', 'giovedi', 'quinta', 'qui']],
  [5, ['friday', 'fri', 'fr', 'viernes', 'vie', 'vi', 'vendredi', 'ven', 'freitag', 'venerdi', 'sexta', 'sex']],
  [6, ['saturday', 'sat', 'sa', 'sabado', 'sab', 'samedi', 'sam', 'samstag', 'sabato']],
];
for (const [day, names] of dayNames) for (const n of names) weekdayNames[n] = day;
export const weekdayLabels = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;

/** Weekday → 0 = Sunday … 6 = Saturday. Numbers are ISO (1 = Monday … 7 = Sunday); 0 is Sunday too. */
export function parseWeekday(raw: string): Parsed<number> {
  const v = raw.trim();
  if (/^[0-7]$/.test(v)) return ok(Number(v) % 7);
  const hit = weekdayNames[squash(v)];
  if (hit !== undefined) return ok(hit);
  return fail(`${show(v)} is not a weekday (e.g. Mon, Monday, lunes, 1–7 with 1 = Monday)`, coreMessage('import.value.notWeekday', { value: shown(v) }));
}

/** `9:00`, `09:00`, `9am`, `9 a.m.`, `5:30 PM`, `17:30`, `1730`, `9h30` → minutes after midnight; `24:00` → 1440 (an end at midnight). */
export function parseTime(raw: string): Parsed<number> {
  const v = raw.trim().toLowerCase().replace(/\s+/g, ' ');
  const m = /^(\d{1,2})(?:[:.h](\d{2}))?(?::(\d{2}))?\s*(a\.?m\.?|p\.?m\.?)?$/.exec(v) ?? /^(\d{2})(\d{2})()()$/.exec(v);
  const value = shown(raw.trim());
  if (!m) return fail(`${show(raw.trim())} is not a time (e.g. 09:00, 17:30, 9am, 5:30 PM)`, coreMessage('import.value.notTime', { value }));
  let h = Number(m[1]);
  const min = m[2] ? Number(m[2]) : 0;
  const sec = m[3] ? Number(m[3]) : 0;
  const ampm = m[4]?.[0];
  if (!m[2] && !ampm) return fail(`${show(raw.trim())} is not a time (write 9:00 or 9am)`, coreMessage('import.value.timeNeedsMinutes', { value }));
  if (ampm) {
    if (h < 1 || h > 12) return fail(`${show(raw.trim())} is not a 12-hour time`, coreMessage('import.value.not12Hour', { value }));
    h = (h % 12) + (ampm === 'p' ? 12 : 0);
  }
  // 24:00 is midnight at the end of the day: the only way to write a rule that runs to midnight.
  if (h === 24 && min === 0 && sec === 0 && !ampm) return ok(1440);
  if (h > 23 || min > 59 || sec !== 0) return fail(`${show(raw.trim())} is not a time of day`, coreMessage('import.value.notTimeOfDay', { value }));
  return ok(h * 60 + min);
}

const timeStrings: string[] = [];
/** `HH:MM`; the 1,440 strings are shared, so 100k rules do not hold 200k copies. */
export function formatTime(minutes: number): string {
  let t = timeStrings[minutes];
  if (t === undefined) {
    t = `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
    if (minutes >= 0 && minutes < 1440) timeStrings[minutes] = t;
  }
  return t;
}

/** `YYYY-MM-DD` (also `YYYY/M/D`); day-first or month-first dates are refused as ambiguous. */
export function parseDate(raw: string): Parsed<string> {
  const v = raw.trim();
  const m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ]00:00(?::00(?:\.0+)?)?Z?)?$/.exec(v);
  if (!m) {
    if (/^\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}$/.test(v)) return fail(`${show(v)} is ambiguous; write dates as YYYY-MM-DD`, coreMessage('import.value.dateAmbiguous', { value: shown(v) }));
    return fail(`${show(v)} is not a date (YYYY-MM-DD)`, coreMessage('import.value.notDate', { value: shown(v) }));
  }
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return fail(`${show(v)} is not a calendar date`, coreMessage('import.value.notCalendarDate', { value: shown(v) }));
  const iso = `${m[1]}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  return iso === v ? ok(iso) : ok(iso, `${show(v)} read as ${iso}`, coreMessage('import.value.readAs', { value: shown(v), read: iso }));
}

// ---- text ---------------------------------------------------------------------------------------

/** A cell a spreadsheet would run as a formula when the file is opened again. */
export function looksLikeFormula(value: string): boolean {
  if (value === '') return false;
  const c = value[0];
  if (c === '=' || c === '@' || c === '\t' || c === '\r') return true;
  if (c === '+' || c === '-') return !/^[+-]?\d+([.,]\d+)?%?$/.test(value.trim());
  return false;
}

export function parseCategories(raw: string): string[] {
  const seen = new Set<string>();
  for (const part of raw.split(/[|;,]/)) {
    const t = part.trim();
    if (t) seen.add(t);
  }
  return [...seen];
}
