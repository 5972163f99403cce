/**
 * Capacity-aware slot checks over the replica (issue #13): is there room for this booking's places?
 *
 * A booking's slot is `full` when the places CONFIRMED bookings hold on the same offering at an
 * overlapping time (their status as the UI sees it: a queued approve counts, a queued cancel frees),
 * plus this booking's own quantity, exceed the capacity of the availability rule its start falls in
 * (weekday and time in the tenant's time zone). Other PENDING requests for an overlapping time are
 * listed as competing. Every lookup is an index search: the overlap search is bounded below by the
 * offering's longest item (index `booking_items_offering_span`), so it never walks an offering's
 * whole history.
 */
import type { SlotCheck } from '../../../shared/contract/types.ts';
import type { Replica } from '../replica/replica.ts';

/** What a slot check needs of a booking (a BookingView has it, with queued reschedules applied). */
export interface SlotSubject {
  id: string;
  items: ReadonlyArray<{ offeringId: string; startsAt: string; endsAt: string; quantity: number }>;
}

interface Rule {
  day: number;
  start: string;
  end: string;
  capacity: number;
  validFrom: string | null;
  validUntil: string | null;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
/** Per time zone: a 15-minute bucket → the zone's offset from UTC then, in ms (zones change offset on quarter hours at the finest). */
const offsets = new Map<string, Map<number, number>>();
const QUARTER = 900_000;

/** The offset of a time zone from UTC at an instant (local wall time = instant + offset), cached per quarter hour. */
export function zoneOffsetAt(ms: number, timeZone: string): number {
  let cache = offsets.get(timeZone);
  if (!cache) offsets.set(timeZone, (cache = new Map()));
  const bucket = Math.floor(ms / QUARTER);
  let offset = cache.get(bucket);
  if (offset === undefined) {
    let f = formatters.get(timeZone);
    if (!f) {
      f = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
      formatters.set(timeZone, f);
    }
    const at = bucket * QUARTER;
    const p = Object.fromEntries(f.formatToParts(new Date(at)).map((x) => [x.type, x.value]));
    offset = Date.UTC(Number(p['year']), Number(p['month']) - 1, Number(p['day']), Number(p['hour']), Number(p['minute'])) - at;
    if (cache.size > 100_000) cache.clear();
    cache.set(bucket, offset);
  }
  return offset;
}

const two = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** Local weekday (0 = Sunday), "HH:MM" and "YYYY-MM-DD" of an instant in a time zone. */
export function localDayAndTime(iso: string | number, timeZone: string): { day: number; time: string; date: string } {
  const ms = typeof iso === 'number' ? iso : Date.parse(iso);
  const local = new Date(ms + zoneOffsetAt(ms, timeZone));
  return {
    day: local.getUTCDay(),
    time: `${two(local.getUTCHours())}:${two(local.getUTCMinutes())}`,
    date: `${local.getUTCFullYear()}-${two(local.getUTCMonth() + 1)}-${two(local.getUTCDate())}`,
  };
}

/** One slot checker per call: statements and per-offering facts (rules, longest item) are read once. */
export class SlotChecker {
  readonly #replica: Replica;
  readonly #timeZone: string;
  readonly #rules = new Map<string, Rule[]>();
  readonly #longestMs = new Map<string, number>();

  constructor(replica: Replica, timeZone: string) {
    this.#replica = replica;
    this.#timeZone = timeZone;
  }

  /** The longest item ever booked on an offering, in ms rounded up to the second (0 without items). */
  #longest(offeringId: string): number {
    let ms = this.#longestMs.get(offeringId);
    if (ms === undefined) {
      const row = this.#replica
        .stmt('SELECT max(julianday(ends_at) - julianday(starts_at)) AS days FROM booking_items WHERE offering_id = ?')
        .get(offeringId) as { days: number | null };
      ms = Math.ceil(Math.max(0, row.days ?? 0) * 86_400) * 1000 + 1000;
      this.#longestMs.set(offeringId, ms);
    }
    return ms;
  }

  /** Reads the rules of many offerings in one statement (a count over thousands of rows needs them all). */
  preloadRules(offeringIds: Iterable<string>): void {
    const missing = [...new Set(offeringIds)].filter((id) => !this.#rules.has(id));
    if (missing.length === 0) return;
    for (const id of missing) this.#rules.set(id, []);
    const rows = this.#replica
      .stmt('SELECT offering_id AS offeringId, day_of_week AS day, start_time AS start, end_time AS "end", capacity, valid_from AS validFrom, valid_until AS validUntil FROM availability_rules WHERE offering_id IN (SELECT value FROM json_each(?))')
      .all(JSON.stringify(missing)) as Array<Rule & { offeringId: string }>;
    for (const r of rows) this.#rules.get(r.offeringId)!.push(r);
  }

  #rulesOf(offeringId: string): Rule[] {
    let rules = this.#rules.get(offeringId);
    if (!rules) {
      rules = this.#replica
        .stmt('SELECT day_of_week AS day, start_time AS start, end_time AS "end", capacity, valid_from AS validFrom, valid_until AS validUntil FROM availability_rules WHERE offering_id = ?')
        .all(offeringId) as Rule[];
      this.#rules.set(offeringId, rules);
    }
    return rules;
  }

  /** The capacity of the rule an instant falls in, or null when no rule covers it. */
  capacityAt(offeringId: string, startsAt: string): number | null {
    const rules = this.#rulesOf(offeringId);
    if (rules.length === 0) return null;
    const local = localDayAndTime(startsAt, this.#timeZone);
    const rule = rules.find((r) => r.day === local.day && r.start <= local.time && local.time < r.end && (!r.validFrom || r.validFrom <= local.date) && (!r.validUntil || local.date <= r.validUntil));
    return rule ? rule.capacity : null;
  }

  check(subject: SlotSubject): SlotCheck {
    const overlapping = this.#replica.stmt(
      `SELECT bi.booking_id AS id, bi.quantity AS quantity, COALESCE(o.status, b.status) AS status
         FROM booking_items bi JOIN bookings b ON b.id = bi.booking_id LEFT JOIN booking_overlay o ON o.booking_id = bi.booking_id
        WHERE bi.offering_id = ? AND bi.starts_at >= ? AND bi.starts_at < ? AND bi.ends_at > ? AND bi.booking_id <> ?`,
    );
    let capacity: number | null = null;
    let taken = 0;
    let quantity = 0;
    let known = subject.items.length > 0;
    const confirmed = new Set<string>();
    const competing = new Set<string>();
    for (const item of subject.items) {
      quantity = Math.max(quantity, item.quantity);
      const from = new Date(Date.parse(item.startsAt) - this.#longest(item.offeringId)).toISOString();
      let itemTaken = 0;
      for (const other of overlapping.all(item.offeringId, from, item.endsAt, item.startsAt, subject.id) as Array<{ id: string; quantity: number; status: string }>) {
        if (other.status === 'CONFIRMED') {
          confirmed.add(other.id);
          itemTaken += other.quantity;
        } else if (other.status === 'PENDING') competing.add(other.id);
      }
      taken = Math.max(taken, itemTaken);
      const cap = this.capacityAt(item.offeringId, item.startsAt);
      if (cap === null) known = false;
      else capacity = capacity === null ? cap : Math.min(capacity, cap);
    }
    const state: SlotCheck['state'] = !known || capacity === null ? 'unknown' : taken + quantity > capacity ? 'full' : 'free';
    return { bookingId: subject.id, state, capacity: known ? capacity : null, taken, quantity, confirmedIds: [...confirmed], competingIds: [...competing] };
  }
}

export function slotChecks(replica: Replica, subjects: readonly SlotSubject[], timeZone: string): SlotCheck[] {
  const checker = new SlotChecker(replica, timeZone);
  return subjects.map((s) => checker.check(s));
}
