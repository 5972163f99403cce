/**
 * Bookings → iCalendar (RFC 5545), generated with ical-generator, with the library's traps closed:
 *
 * - UID is `<itemId>@orkestr-console` (one event per booking item), never the library's random UUID.
 * - DTSTAMP and LAST-MODIFIED come from the record's `updatedAt`, never "now": identical data gives
 *   identical bytes (and so a stable ETag). Events are sorted by (start, item id).
 * - SEQUENCE is the server's `version` (starts at 1, +1 on every server change, so it rises on every
 *   reschedule and cancel and never goes down). A server without versions: whole minutes between
 *   2020-01-01 and `updatedAt` (monotonic as long as the server's clock is).
 * - All times are UTC with `Z`; no calendar-level timezone is set (ical-generator would then drop the
 *   `Z` from DTSTAMP and write floating local times).
 * - `METHOD:PUBLISH`, `X-WR-CALNAME`, `REFRESH-INTERVAL;VALUE=DURATION:PT15M` + `X-PUBLISHED-TTL:PT15M`.
 * - The calendar name is escaped here (ical-generator writes NAME/X-WR-CALNAME unescaped, so a comma,
 *   semicolon or newline in a name would corrupt the file), text is made well-formed Unicode and
 *   stripped of control characters RFC 5545 does not allow in TEXT.
 * - CRLF everywhere, including after END:VCALENDAR (the library leaves the last one out).
 * - Lines are folded at ≤ 75 octets. ical-generator 11 does count UTF-8 bytes (not characters) and
 *   never splits a character, but its folder walks every character of every non-ASCII line in JS and
 *   was the largest cost of a 100k-event export; events are folded here on their UTF-8 bytes by
 *   `foldBytes` (same rule, one pass over the bytes; a fold never lands before a continuation byte).
 *   Tests check folding on non-ASCII text with both parsers.
 *
 * Status mapping (decisions in README.md beside this file):
 * CONFIRMED, COMPLETED → STATUS:CONFIRMED, TRANSP:OPAQUE (busy).
 * PENDING (only with `includePending`) → STATUS:TENTATIVE, TRANSP:OPAQUE, Outlook busy status
 *   TENTATIVE, summary prefixed "Pending: ". Opaque because the server already counts a PENDING item
 *   against the slot's capacity: the time is held until someone approves or cancels it.
 * CANCELLED, REFUNDED → STATUS:CANCELLED, TRANSP:TRANSPARENT (kept in the feed while in range so
 *   subscribed calendars learn of the cancellation instead of silently losing the event).
 *
 * Speed: ical-generator costs ~10 µs per event; `createEventCache()` keeps each event's finished,
 * folded UTF-8 bytes per booking item together with every input it was made from, so a feed
 * re-rendered after a few changes only regenerates the changed events (see bench/calendar.ts).
 */
import ical, { ICalCalendarMethod, ICalEvent, ICalEventBusyStatus, ICalEventStatus, ICalEventTransparency } from 'ical-generator';
import type { BookingStatus } from '../../../shared/contract.ts';

export interface CalendarBookingItem {
  id: string;
  startsAt: string;
  endsAt: string;
}

/** What the export needs of a booking (read from the replica by `readCalendarBookings`). */
export interface CalendarBooking {
  id: string;
  status: BookingStatus;
  /** Server record version (null when the server has none). */
  version: number | null;
  updatedAt: string;
  offeringId: string;
  offeringTitle: string;
  customerName: string;
  notes: string;
  items: CalendarBookingItem[];
  /** The offering's location, when it has one. */
  location?: string | null;
}

export interface IcsFilter {
  /** Items ending after this instant (ISO) are included. */
  from?: string | null;
  /** Items starting before this instant (ISO) are included. */
  to?: string | null;
  /** Only these offerings (empty or absent: all). */
  offeringIds?: readonly string[] | null;
  /** Exactly these statuses; absent → CONFIRMED, COMPLETED, CANCELLED, REFUNDED (+ PENDING with includePending). */
  statuses?: readonly BookingStatus[] | null;
  includePending?: boolean;
}

export interface IcsOptions {
  /** X-WR-CALNAME. */
  calendarName: string;
  /** The tenant's subdomain, for the portal link `https://<subdomain>.orkestr.in/provider/bookings/<id>`. */
  subdomain?: string | null;
  filter?: IcsFilter;
  /** Refresh hint in seconds (default 900 = PT15M). */
  refreshSeconds?: number;
  cache?: EventCache;
}

export const defaultStatuses: readonly BookingStatus[] = ['CONFIRMED', 'COMPLETED', 'CANCELLED', 'REFUNDED'];
export const productId = '//Orkestr//Orkestr Console//EN';
export const uidDomain = 'orkestr-console';

export function statusesFor(filter: IcsFilter | undefined): Set<BookingStatus> {
  if (filter?.statuses && filter.statuses.length > 0) return new Set(filter.statuses);
  const set = new Set<BookingStatus>(defaultStatuses);
  if (filter?.includePending) set.add('PENDING');
  return set;
}

export function uidFor(itemId: string): string {
  return `${itemId}@${uidDomain}`;
}

const sequenceEpochMs = Date.UTC(2020, 0, 1);

/** SEQUENCE of every event of a booking: the server version, else minutes since 2020 of updatedAt. */
export function sequenceFor(b: Pick<CalendarBooking, 'version' | 'updatedAt'>): number {
  if (typeof b.version === 'number' && Number.isInteger(b.version) && b.version >= 0) return b.version;
  const t = Date.parse(b.updatedAt);
  return Number.isFinite(t) ? Math.max(0, Math.floor((t - sequenceEpochMs) / 60_000)) : 0;
}

export function portalLink(subdomain: string, bookingId: string): string {
  return `https://${subdomain}.orkestr.in/provider/bookings/${encodeURIComponent(bookingId)}`;
}

const disallowedControls = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;
const loneSurrogates = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Well-formed Unicode without the control characters RFC 5545 TEXT forbids (newlines and tabs stay). */
const suspicious = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ud800-\udfff]/;

export function cleanText(value: string): string {
  if (!suspicious.test(value)) return value; // the common case: one scan, no copies
  return value.replace(loneSurrogates, '\ufffd').replace(disallowedControls, '');
}

/** RFC 5545 TEXT escaping (backslash, semicolon, comma, newline) for values the library writes raw. */
export function escapeText(value: string): string {
  return cleanText(value)
    .replace(/[\\;,]/g, (c) => `\\${c}`)
    .replace(/\r\n|\r|\n/g, '\\n');
}

interface EventEntry {
  startMs: number;
  booking: CalendarBooking;
  item: CalendarBookingItem;
}

/** Events of `bookings` that pass `filter`, in output order (start, then item id). */
function selectEntries(bookings: readonly CalendarBooking[], filter: IcsFilter | undefined): EventEntry[] {
  const statuses = statusesFor(filter);
  const offerings = filter?.offeringIds && filter.offeringIds.length > 0 ? new Set(filter.offeringIds) : null;
  const fromMs = filter?.from ? Date.parse(filter.from) : -Infinity;
  const toMs = filter?.to ? Date.parse(filter.to) : Infinity;
  const out: EventEntry[] = [];
  for (const booking of bookings) {
    if (!statuses.has(booking.status)) continue;
    if (offerings && !offerings.has(booking.offeringId)) continue;
    for (const item of booking.items) {
      const startMs = Date.parse(item.startsAt);
      const endMs = Date.parse(item.endsAt);
      if (!Number.isFinite(startMs) || !Number.isFinite(endMs)) continue;
      // Overlap with [from, to): an item that ends exactly at `from` or starts at `to` is out.
      if (endMs <= fromMs || startMs >= toMs) continue;
      out.push({ startMs, booking, item });
    }
  }
  out.sort((a, b) => a.startMs - b.startMs || (a.item.id < b.item.id ? -1 : a.item.id > b.item.id ? 1 : 0));
  return out;
}

/**
 * Finished events as UTF-8 bytes, per booking item, with the inputs they were made from; an entry is
 * used only when every input is unchanged. Bounded: the oldest entry goes first. Bytes, not strings:
 * 100k cached events as JS strings (two-byte strings as soon as a name is non-ASCII) kept the
 * garbage collector busy; buffers live outside the JS heap and concatenate with one copy.
 */
export interface EventCache {
  readonly size: number;
}

interface CachedEvent {
  inputs: string[];
  bytes: Buffer;
}

class ItemEventCache implements EventCache {
  readonly map = new Map<string, CachedEvent>();
  readonly maxEntries: number;
  constructor(maxEntries: number) {
    this.maxEntries = maxEntries;
  }
  get size(): number {
    return this.map.size;
  }
  set(itemId: string, entry: CachedEvent): void {
    if (!this.map.has(itemId) && this.map.size >= this.maxEntries) {
      const first = this.map.keys().next();
      if (!first.done) this.map.delete(first.value);
    }
    this.map.set(itemId, entry);
  }
}

export function createEventCache(maxEntries = 250_000): EventCache {
  return new ItemEventCache(maxEntries);
}

/** Everything that goes into an event, in a fixed order. */
function eventInputs(e: EventEntry, subdomain: string): string[] {
  const b = e.booking;
  return [e.item.startsAt, e.item.endsAt, b.id, b.status, String(b.version ?? ''), b.updatedAt, b.offeringTitle, b.customerName, b.notes, b.location ?? '', subdomain];
}

function sameInputs(inputs: string[], e: EventEntry, subdomain: string): boolean {
  const b = e.booking;
  return (
    inputs[0] === e.item.startsAt &&
    inputs[1] === e.item.endsAt &&
    inputs[2] === b.id &&
    inputs[3] === b.status &&
    inputs[4] === String(b.version ?? '') &&
    inputs[5] === b.updatedAt &&
    inputs[6] === b.offeringTitle &&
    inputs[7] === b.customerName &&
    inputs[8] === b.notes &&
    inputs[9] === (b.location ?? '') &&
    inputs[10] === subdomain
  );
}

function describe(b: CalendarBooking, link: string | null): string {
  const lines = [`Booking ${b.id} (${b.status})`, `Customer: ${b.customerName}`];
  const notes = b.notes.trim();
  if (notes) lines.push(`Notes: ${notes}`);
  if (link) lines.push(link);
  return cleanText(lines.join('\n'));
}

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

// One scratch calendar and one scratch event, re-filled for every event we render (every field is
// set each time, so nothing carries over): building a fresh ICalEvent per booking allocated a
// data object with a dozen arrays each time and was a visible share of a cold 100k export.
// The calendar never gets a timezone.
const scratch = ical();
const scratchEvent = new ICalEvent({ start: new Date(0) }, scratch);

function renderEvent(e: EventEntry, subdomain: string): string {
  const b = e.booking;
  const pending = b.status === 'PENDING';
  const cancelled = b.status === 'CANCELLED' || b.status === 'REFUNDED';
  const link = subdomain ? portalLink(subdomain, b.id) : null;
  const stamp = new Date(b.updatedAt);
  const event = scratchEvent
    .id(uidFor(e.item.id))
    .sequence(sequenceFor(b))
    .stamp(stamp)
    .lastModified(stamp)
    .start(new Date(e.startMs))
    .end(new Date(e.item.endsAt))
    .summary(cleanText(`${pending ? 'Pending: ' : ''}${b.offeringTitle} — ${b.customerName}`))
    .description(describe(b, link))
    .location(b.location ? cleanText(b.location) : null)
    .url(link);
  // The enum setters validate against Object.values() on every call: only call them on a change.
  const status = pending ? ICalEventStatus.TENTATIVE : cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED;
  if (event.status() !== status) event.status(status);
  const transparency = cancelled ? ICalEventTransparency.TRANSPARENT : ICalEventTransparency.OPAQUE;
  if (event.transparency() !== transparency) event.transparency(transparency);
  const busy = pending ? ICalEventBusyStatus.TENTATIVE : cancelled ? ICalEventBusyStatus.FREE : ICalEventBusyStatus.BUSY;
  if (event.busystatus() !== busy) event.busystatus(busy);
  return event.toString();
}

const defaultCache = createEventCache();

/**
 * The whole `.ics` as UTF-8 bytes (CRLF line endings, final CRLF included): what the feed serves.
 * Pure: the output depends only on `bookings` and `options`.
 */
export function exportIcsBytes(bookings: readonly CalendarBooking[], options: IcsOptions): Buffer {
  const cache = (options.cache ?? defaultCache) as ItemEventCache;
  const subdomain = options.subdomain ?? '';
  const entries = selectEntries(bookings, options.filter);
  const header = ical({
    prodId: productId,
    method: ICalCalendarMethod.PUBLISH,
    name: escapeText(options.calendarName),
    ttl: options.refreshSeconds ?? 900,
  }).toString();
  // `header` ends with "END:VCALENDAR" (no CRLF): put the events in front of it.
  const end = 'END:VCALENDAR';
  if (!header.endsWith(end)) throw new Error('unexpected ical-generator output');
  const parts: Buffer[] = [Buffer.from(header.slice(0, header.length - end.length), 'utf8')];
  let length = parts[0]?.length ?? 0;
  for (const e of entries) {
    let hit = cache.map.get(e.item.id);
    if (!hit || !sameInputs(hit.inputs, e, subdomain)) {
      hit = { inputs: eventInputs(e, subdomain), bytes: foldBytes(Buffer.from(renderEvent(e, subdomain), 'utf8')) };
      cache.set(e.item.id, hit);
    }
    parts.push(hit.bytes);
    length += hit.bytes.length;
  }
  const tail = Buffer.from(`${end}\r\n`, 'utf8');
  parts.push(tail);
  return Buffer.concat(parts, length + tail.length);
}

/** The whole `.ics` text (CRLF line endings, final CRLF included); see exportIcsBytes. */
export function exportIcs(bookings: readonly CalendarBooking[], options: IcsOptions): string {
  return exportIcsBytes(bookings, options).toString('utf8');
}
