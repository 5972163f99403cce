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
 *   was the largest cost of a 100k-event export; events are folded here on their UTF-8 bytes, in
 *   place where they are cached (`foldWritten`; same rule as `foldBytes`, a fold never lands before
 *   a continuation byte). Tests check folding on non-ASCII text with both parsers, and
 *   test/calendar/golden.test.ts pins the exact bytes.
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
 * folded UTF-8 bytes per booking item together with a hash of every input it was made from, so a feed
 * re-rendered after a few changes only regenerates the changed events (see bench/calendar.ts).
 */
import ical, { ICalCalendarMethod, ICalEvent, ICalEventBusyStatus, ICalEventStatus, ICalEventTransparency } from 'ical-generator';
import type { BookingStatus } from '../../../shared/contract/types.ts';
import { foldWritten } from './fold.ts';
import { hashEventInputs } from './hash.ts';

export { foldBytes, foldLine } from './fold.ts';

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

/**
 * Date.parse, fast for the form every stored time has (`YYYY-MM-DDTHH:mm:ss.sssZ`, what
 * toISOString writes): V8's general parser costs ~0.4 µs a call, three calls per event. Anything
 * else, and years before 100 (Date.UTC reads 0–99 as 1900–1999), goes to Date.parse.
 */
export function parseIsoMs(s: string): number {
  if (s.length !== 24 || s.charCodeAt(23) !== 90 /* Z */) return Date.parse(s);
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58 || s.charCodeAt(19) !== 46) return Date.parse(s);
  const y = digits(s, 0, 4);
  const mo = digits(s, 5, 2);
  const d = digits(s, 8, 2);
  const h = digits(s, 11, 2);
  const mi = digits(s, 14, 2);
  const sec = digits(s, 17, 2);
  const ms = digits(s, 20, 3);
  // Out of range (or not digits, -1): Date.parse decides (it rolls a day over like Date.UTC, but
  // refuses month 13, second 60; hour 24 is its own rule).
  if (y < 100 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59 || ms < 0) return Date.parse(s);
  return Date.UTC(y, mo - 1, d, h, mi, sec, ms);
}

/** The decimal number in s[at, at + n), or -1 if a character there is not a digit. */
function digits(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

const sequenceEpochMs = Date.UTC(2020, 0, 1);

/** SEQUENCE of every event of a booking: the server version, else minutes since 2020 of updatedAt. */
export function sequenceFor(b: Pick<CalendarBooking, 'version' | 'updatedAt'>): number {
  if (typeof b.version === 'number' && Number.isInteger(b.version) && b.version >= 0) return b.version;
  const t = parseIsoMs(b.updatedAt);
  return Number.isFinite(t) ? Math.max(0, Math.floor((t - sequenceEpochMs) / 60_000)) : 0;
}

export function portalLink(subdomain: string, bookingId: string): string {
  // Server ids need no encoding: skip the (comparatively slow) encodeURIComponent call for them.
  return `https://${subdomain}.orkestr.in/provider/bookings/${plainId.test(bookingId) ? bookingId : encodeURIComponent(bookingId)}`;
}

/** Characters encodeURIComponent leaves as they are (a subset of them). */
const plainId = /^[A-Za-z0-9_.~-]*$/;

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

export interface EventEntry {
  startMs: number;
  endMs: number;
  booking: CalendarBooking;
  item: CalendarBookingItem;
}

/** A filter as selectEntries applies it, worked out once per export. */
export interface Selection {
  readonly statuses: ReadonlySet<BookingStatus>;
  readonly offerings: ReadonlySet<string> | null;
  readonly fromMs: number;
  readonly toMs: number;
}

export function selectionOf(filter: IcsFilter | undefined): Selection {
  return {
    statuses: statusesFor(filter),
    offerings: filter?.offeringIds && filter.offeringIds.length > 0 ? new Set(filter.offeringIds) : null,
    fromMs: filter?.from ? Date.parse(filter.from) : -Infinity,
    toMs: filter?.to ? Date.parse(filter.to) : Infinity,
  };
}

/** Each event of `booking` that passes `sel`, handed to `visit` in the booking's item order. */
export function eachEntry(booking: CalendarBooking, sel: Selection, visit: (e: EventEntry) => void): void {
  if (!sel.statuses.has(booking.status)) return;
  if (sel.offerings && !sel.offerings.has(booking.offeringId)) return;
  for (const item of booking.items) {
    const startMs = parseIsoMs(item.startsAt);
    const endMs = parseIsoMs(item.endsAt);
    if (!Number.isFinite(startMs) || !Number.isFinite(endMs)) continue;
    // Overlap with [from, to): an item that ends exactly at `from` or starts at `to` is out.
    if (endMs <= sel.fromMs || startMs >= sel.toMs) continue;
    visit({ startMs, endMs, booking, item });
  }
}

/** The export's order of two events: start, then item id (ids are unique, so it is total). */
export function compareEvents(aStartMs: number, aId: string, bStartMs: number, bId: string): number {
  return aStartMs - bStartMs || (aId < bId ? -1 : aId > bId ? 1 : 0);
}

/** Events of `bookings` that pass `filter`, in output order (start, then item id). */
function selectEntries(bookings: readonly CalendarBooking[], filter: IcsFilter | undefined): EventEntry[] {
  const sel = selectionOf(filter);
  const out: EventEntry[] = [];
  const push = (e: EventEntry): void => void out.push(e);
  for (const booking of bookings) eachEntry(booking, sel, push);
  out.sort((a, b) => compareEvents(a.startMs, a.item.id, b.startMs, b.item.id));
  return out;
}

/**
 * Finished events as UTF-8 bytes, per booking item, with a hash of the inputs they were made from; an
 * entry is used only when the hash of every input is unchanged. Bounded: the oldest entry goes first. Bytes, not strings:
 * 100k cached events as JS strings (two-byte strings as soon as a name is non-ASCII) kept the
 * garbage collector busy. The bytes are written one event after the other into shared chunks
 * (outside the JS heap; no Buffer object per event), so the events of one render sit side by side
 * and an export copies them as a few large pieces.
 */
export interface EventCache {
  readonly size: number;
}

/**
 * One cached event: a 64-bit hash of every input it was made from, and where its folded UTF-8 bytes
 * are. A hash, not the inputs: eleven string references per event kept every string of a cold
 * export's read alive (promoted, then copied and marked by the garbage collector, which did about a
 * third of a cold export's work), where five numbers and a reference let the rows die young. Two
 * different inputs of one item would have to collide in both 32-bit lanes to serve a stale event.
 */
class CachedEvent {
  a: number;
  b: number;
  chunk: Buffer;
  start: number;
  end: number;
  constructor(a: number, b: number, chunk: Buffer, start: number, end: number) {
    this.a = a;
    this.b = b;
    this.chunk = chunk;
    this.start = start;
    this.end = end;
  }
}

/** Events are written into chunks of this size (one more for a bigger event). */
const chunkSize = 256 * 1024;

class ItemEventCache implements EventCache {
  readonly map = new Map<string, CachedEvent>();
  readonly maxEntries: number;
  /** The chunk being filled and how much of it is used. */
  chunk: Buffer = Buffer.alloc(0);
  used = 0;
  /** Octets of the events in the map, and of the chunks allocated since the last compaction. */
  liveBytes = 0;
  chunkBytes = 0;
  constructor(maxEntries: number) {
    this.maxEntries = maxEntries;
  }
  get size(): number {
    return this.map.size;
  }
  /** Writes `text` (one event as ical-generator wrote it) folded into a chunk and caches it under its inputs' hash (a, b). */
  add(itemId: string, previous: CachedEvent | undefined, a: number, b: number, text: string, dashDeferred: boolean): CachedEvent {
    // ≤ 3 octets per code unit, plus 3 per fold (one per ≥ 71 octets).
    const room = text.length * 3 + (text.length >> 2) + 16;
    if (this.chunk.length - this.used < room) this.newChunk(room);
    const start = this.used;
    const written = start + this.chunk.write(text, start, 'utf8');
    this.used = foldWritten(this.chunk, start, dashDeferred ? expandDash(this.chunk, start, written) : written, text);
    const entry = new CachedEvent(a, b, this.chunk, start, this.used);
    if (previous) this.liveBytes -= previous.end - previous.start;
    else if (this.map.size >= this.maxEntries) {
      const first = this.map.entries().next();
      if (!first.done) {
        this.map.delete(first.value[0]);
        this.liveBytes -= first.value[1].end - first.value[1].start;
      }
    }
    this.map.set(itemId, entry);
    this.liveBytes += entry.end - entry.start;
    return entry;
  }
  private newChunk(room: number): void {
    // A chunk stays in memory while one of its events is cached: once the chunks written since the
    // last compaction hold more than twice the live events, copy the live ones into fresh chunks
    // (in map order, which is mostly output order). Each copy is paid for by as many new octets.
    if (this.chunkBytes > 2 * this.liveBytes + 4 * chunkSize) this.compact();
    this.chunk = Buffer.allocUnsafeSlow(Math.max(chunkSize, room));
    this.used = 0;
    this.chunkBytes += this.chunk.length;
  }
  private compact(): void {
    this.chunk = Buffer.alloc(0);
    this.used = 0;
    this.chunkBytes = 0;
    for (const entry of this.map.values()) {
      const n = entry.end - entry.start;
      if (this.chunk.length - this.used < n) {
        this.chunk = Buffer.allocUnsafeSlow(Math.max(chunkSize, n));
        this.used = 0;
        this.chunkBytes += this.chunk.length;
      }
      entry.chunk.copy(this.chunk, this.used, entry.start, entry.end);
      entry.chunk = this.chunk;
      entry.start = this.used;
      this.used += n;
      entry.end = this.used;
    }
  }
}

export function createEventCache(maxEntries = 250_000): EventCache {
  return new ItemEventCache(maxEntries);
}

function describe(b: CalendarBooking, link: string | null, clean: boolean): string {
  const notes = b.notes.trim();
  let text = `Booking ${b.id} (${b.status})\nCustomer: ${b.customerName}`;
  if (notes) text += `\nNotes: ${notes}`;
  if (link) text += `\n${link}`;
  return clean ? text : cleanText(text);
}

// One scratch calendar and one scratch event per kind of status, re-filled for every event we render
// (every other field is set each time, so nothing carries over): building a fresh ICalEvent per
// booking allocated a data object with a dozen arrays each time, and the enum setters validate
// against Object.values() on every call, so each scratch event gets its STATUS, TRANSP and busy
// status once, here. The calendar never gets a timezone.
const scratch = ical();
function scratchEvent(status: ICalEventStatus, transparency: ICalEventTransparency, busy: ICalEventBusyStatus): ICalEvent {
  return new ICalEvent({ start: new Date(0) }, scratch).status(status).transparency(transparency).busystatus(busy);
}
const confirmedEvent = scratchEvent(ICalEventStatus.CONFIRMED, ICalEventTransparency.OPAQUE, ICalEventBusyStatus.BUSY);
const pendingEvent = scratchEvent(ICalEventStatus.TENTATIVE, ICalEventTransparency.OPAQUE, ICalEventBusyStatus.TENTATIVE);
const cancelledEvent = scratchEvent(ICalEventStatus.CANCELLED, ICalEventTransparency.TRANSPARENT, ICalEventBusyStatus.FREE);

/** One event as ical-generator writes it (not folded yet: see foldWritten). */
/**
 * Stands for SUMMARY's "—" in the text ical-generator writes, when nothing else in the event can hold
 * it (cleanText removes it from every text, and the item id, the one input written raw, is checked):
 * with the dash, every event was a two-byte string (each of its ~500 characters twice the memory,
 * and the UTF-8 write of a two-byte string was ~a sixth of a cold render); without it, most events
 * are one-byte strings. The bytes of the dash are put in its place right after the UTF-8 write.
 */
const dashStandIn = '\u0001';
const dashBytes = Buffer.from('—', 'utf8');

/** Whether the last renderEvent wrote dashStandIn for the dash (read at once by its caller). */
let dashDeferred = false;

/** buf[start, end) with its first dashStandIn byte replaced by the UTF-8 bytes of "—"; answers the new end. */
function expandDash(buf: Buffer, start: number, end: number): number {
  const at = buf.indexOf(1, start);
  if (at < 0 || at >= end) throw new Error('calendar: the dash of an event is missing');
  buf.copyWithin(at + dashBytes.length, at + 1, end);
  dashBytes.copy(buf, at);
  return end + dashBytes.length - 1;
}

function renderEvent(e: EventEntry, subdomain: string): string {
  const b = e.booking;
  const pending = b.status === 'PENDING';
  const cancelled = b.status === 'CANCELLED' || b.status === 'REFUNDED';
  const link = subdomain ? portalLink(subdomain, b.id) : null;
  // The summary and description need cleanText only if one of their parts has a character it would
  // change (the fixed words and the encoded link never have one): one scan of each part, once.
  const clean = !suspicious.test(b.offeringTitle) && !suspicious.test(b.customerName) && !suspicious.test(b.notes) && !suspicious.test(b.id) && !suspicious.test(b.status) && !suspicious.test(subdomain);
  dashDeferred = clean && !e.item.id.includes(dashStandIn);
  const summary = `${pending ? 'Pending: ' : ''}${b.offeringTitle} ${dashDeferred ? dashStandIn : '—'} ${b.customerName}`;
  const stamp = new Date(parseIsoMs(b.updatedAt));
  const event = (pending ? pendingEvent : cancelled ? cancelledEvent : confirmedEvent)
    .id(uidFor(e.item.id))
    .sequence(sequenceFor(b))
    .stamp(stamp)
    .lastModified(stamp)
    .start(new Date(e.startMs))
    .end(new Date(e.endMs))
    .summary(clean ? summary : cleanText(summary))
    .description(describe(b, link, clean))
    .location(b.location ? cleanText(b.location) : null)
    .url(link);
  return event.toString();
}

const defaultCache = createEventCache();

/** One export before rendering: its events in output order, and the calendar's head as bytes. */
export interface IcsPlan {
  readonly entries: readonly EventEntry[];
  readonly head: Buffer;
  readonly subdomain: string;
}

const calendarEnd = 'END:VCALENDAR';
const tail = Buffer.from(`${calendarEnd}\r\n`, 'utf8');
/** The `.ics`'s last line (after the events). */
export const icsTail: Buffer = tail;

/** The calendar's lines before its events, as UTF-8 bytes. */
export function icsHead(options: Pick<IcsOptions, 'calendarName' | 'refreshSeconds'>): Buffer {
  const header = ical({
    prodId: productId,
    method: ICalCalendarMethod.PUBLISH,
    name: escapeText(options.calendarName),
    ttl: options.refreshSeconds ?? 900,
  }).toString();
  // `header` ends with "END:VCALENDAR" (no CRLF): the events go in front of it.
  if (!header.endsWith(calendarEnd)) throw new Error('unexpected ical-generator output');
  return Buffer.from(header.slice(0, header.length - calendarEnd.length), 'utf8');
}

/** Selects and orders the events of `bookings` and renders the calendar's head (see exportIcsBytes). */
export function planIcs(bookings: readonly CalendarBooking[], options: IcsOptions): IcsPlan {
  return { entries: selectEntries(bookings, options.filter), head: icsHead(options), subdomain: options.subdomain ?? '' };
}

/** Where the finished bytes of event `e` are: in `cache` (rendered and added there first if need be). */
export function cachedEvent(cacheOption: EventCache | undefined, e: EventEntry, subdomain: string): { readonly chunk: Buffer; readonly start: number; readonly end: number } {
  const cache = (cacheOption ?? defaultCache) as ItemEventCache;
  const h = hashEventInputs(e, subdomain);
  const hit = cache.map.get(e.item.id);
  if (hit && hit.a === h.a && hit.b === h.b) return hit;
  const text = renderEvent(e, subdomain);
  return cache.add(e.item.id, hit, h.a, h.b, text, dashDeferred);
}

/**
 * Part `part` of `of` of the `.ics` of `plan` as byte pieces (slices of the cache's chunks, nothing
 * copied): the events split evenly in output order, the head in front of the first part and
 * END:VCALENDAR after the last, so the parts one after the other are the whole `.ics` (one part: all
 * of it). The calendar's worker writes them to the file as they are (no 50 MB concatenation), and two
 * workers can each render a part. A part may hold no event (fewer events than parts).
 */
export function renderIcsParts(plan: IcsPlan, cacheOption: EventCache | undefined, part = 0, of = 1): { parts: Buffer[]; length: number } {
  const cache = (cacheOption ?? defaultCache) as ItemEventCache;
  const { entries, subdomain } = plan;
  const from = Math.floor((entries.length * part) / of);
  const to = Math.floor((entries.length * (part + 1)) / of);
  const parts: Buffer[] = part === 0 ? [plan.head] : [];
  let length = part === 0 ? plan.head.length : 0;
  // Events written one after the other into the same chunk are copied as one piece.
  let chunk: Buffer | null = null;
  let start = 0;
  let end = 0;
  for (let k = from; k < to; k++) {
    const e = entries[k];
    if (!e) break;
    const hit = cachedEvent(cache, e, subdomain);
    if (hit.chunk === chunk && hit.start === end) {
      end = hit.end;
      continue;
    }
    if (chunk) parts.push(chunk.subarray(start, end));
    length += end - start;
    chunk = hit.chunk;
    start = hit.start;
    end = hit.end;
  }
  if (chunk) parts.push(chunk.subarray(start, end));
  length += end - start;
  if (part === of - 1) {
    parts.push(tail);
    length += tail.length;
  }
  return { parts, length };
}

/**
 * The whole `.ics` as UTF-8 bytes (CRLF line endings, final CRLF included): what the feed serves.
 * Pure: the output depends only on `bookings` and `options`.
 */
export function exportIcsBytes(bookings: readonly CalendarBooking[], options: IcsOptions): Buffer {
  const { parts, length } = renderIcsParts(planIcs(bookings, options), options.cache);
  return Buffer.concat(parts, length);
}

/** The whole `.ics` text (CRLF line endings, final CRLF included); see exportIcsBytes. */
export function exportIcs(bookings: readonly CalendarBooking[], options: IcsOptions): string {
  return exportIcsBytes(bookings, options).toString('utf8');
}
