/**
 * The front desk's reads over the replica: capacity-aware slot checks, the queue as a filtered,
 * grouped window, quick search and the refund a cancel would give. First version (the contract's
 * seam for issues #13/#14/#16): correct over the replica, not yet tuned for a million bookings.
 */
import type { BookingView, CancelPreview, CancellationPolicy, QueueGroup, QueueRow, QueueWindow, SlotCheck, MethodInput } from '../../../shared/contract/types.ts';
import type { Replica } from '../replica.ts';

/** Hours before the first start → refund percent, per policy (docs/orkestr-api.md, "Cancellation policies"). */
const refundTable: Record<CancellationPolicy, readonly [atLeast120h: number, atLeast24h: number, under24h: number, afterStart: number]> = {
  FLEXIBLE: [100, 100, 50, 0],
  MODERATE: [100, 50, 0, 0],
  STRICT: [50, 0, 0, 0],
};

export function refundPercentFor(policy: CancellationPolicy, hoursBeforeStart: number): number {
  const row = refundTable[policy];
  if (hoursBeforeStart <= 0) return row[3];
  if (hoursBeforeStart >= 120) return row[0];
  if (hoursBeforeStart >= 24) return row[1];
  return row[2];
}

const isPolicy = (p: unknown): p is CancellationPolicy => p === 'FLEXIBLE' || p === 'MODERATE' || p === 'STRICT';

export function cancelPreview(replica: Replica, view: BookingView, now = Date.now()): CancelPreview {
  const row = replica.stmt('SELECT cancellation_policy AS policy FROM offerings WHERE id = ?').get(view.offeringId) as { policy: string | null } | undefined;
  const policy = isPolicy(row?.policy) ? row.policy : null;
  const firstStart = firstStartOf(view);
  const hoursBeforeStart = firstStart === null ? null : (Date.parse(firstStart) - now) / 3_600_000;
  const refundPercent = policy === null || hoursBeforeStart === null ? null : refundPercentFor(policy, hoursBeforeStart);
  const paid = view.totalCents;
  return {
    bookingId: view.id,
    policy,
    hoursBeforeStart,
    refundPercent,
    refundCents: refundPercent === null ? null : Math.round((paid * refundPercent) / 100),
    currency: view.currency,
  };
}

export function firstStartOf(view: BookingView): string | null {
  let first: string | null = null;
  for (const item of view.items) if (first === null || item.startsAt < first) first = item.startsAt;
  return first;
}

/** One formatter per time zone: making an Intl.DateTimeFormat costs far more than using one (bench/rules.ts). */
const localFormats = new Map<string, Intl.DateTimeFormat>();

/** Local weekday (0 = Sunday) and "HH:MM" of an instant in a time zone. */
export function localDayAndTime(iso: string, timeZone: string): { day: number; time: string; date: string } {
  let format = localFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    localFormats.set(timeZone, format);
  }
  const parts = format.formatToParts(new Date(iso));
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(get('weekday'));
  return { day, time: `${get('hour')}:${get('minute')}`, date: `${get('year')}-${get('month')}-${get('day')}` };
}

/** An availability rule as the slot checks read it. */
export interface WeeklyRule {
  day: number;
  start: string;
  end: string;
  capacity: number;
  validFrom: string | null;
  validUntil: string | null;
}

/** The weekly rule a start falls in (the business's local weekday, time and date), or undefined. */
export function weeklyRuleAt(rules: readonly WeeklyRule[], startsAt: string, timeZone: string): WeeklyRule | undefined {
  const local = localDayAndTime(startsAt, timeZone);
  return rules.find((r) => r.day === local.day && r.start <= local.time && local.time < r.end && (!r.validFrom || r.validFrom <= local.date) && (!r.validUntil || local.date <= r.validUntil));
}

/** Reads an offering's weekly rules as WeeklyRule rows. */
export const weeklyRulesSql = 'SELECT day_of_week AS day, start_time AS start, end_time AS end, capacity, valid_from AS validFrom, valid_until AS validUntil FROM availability_rules WHERE offering_id = ?';

/**
 * Capacity-aware check of each booking's slot: CONFIRMED places overlapping its items on the same
 * offering (effective status: a queued approve or cancel counts), plus its own quantity, against the
 * capacity of the availability rule its start falls in.
 */
export function slotChecks(replica: Replica, views: BookingView[], timeZone: string): SlotCheck[] {
  const overlapping = replica.stmt(
    `SELECT bi.booking_id AS id, bi.quantity AS quantity, COALESCE(o.status, b.status) AS status
       FROM booking_items bi JOIN bookings b ON b.id = bi.booking_id LEFT JOIN booking_overlay o ON o.booking_id = b.id
      WHERE bi.offering_id = ? AND bi.starts_at < ? AND bi.ends_at > ? AND bi.booking_id <> ?`,
  );
  const rules = replica.stmt(weeklyRulesSql);
  return views.map((view) => {
    let capacity: number | null = null;
    let taken = 0;
    let quantity = 0;
    let known = view.items.length > 0;
    const confirmed = new Set<string>();
    const competing = new Set<string>();
    for (const item of view.items) {
      quantity = Math.max(quantity, item.quantity);
      let itemTaken = 0;
      for (const other of overlapping.all(item.offeringId, item.endsAt, item.startsAt, view.id) as Array<{ id: string; quantity: number; status: string }>) {
        if (other.status === 'CONFIRMED') {
          confirmed.add(other.id);
          itemTaken += other.quantity;
        } else if (other.status === 'PENDING') competing.add(other.id);
      }
      taken = Math.max(taken, itemTaken);
      const rule = weeklyRuleAt(rules.all(item.offeringId) as WeeklyRule[], item.startsAt, timeZone);
      if (!rule) known = false;
      else capacity = capacity === null ? rule.capacity : Math.min(capacity, rule.capacity);
    }
    const state: SlotCheck['state'] = !known || capacity === null ? 'unknown' : taken + quantity > capacity ? 'full' : 'free';
    return { bookingId: view.id, state, capacity: known ? capacity : null, taken, quantity, confirmedIds: [...confirmed], competingIds: [...competing] };
  });
}

/** The tenant-local day a start falls on, relative to now. */
export function queueGroupOf(startsAt: string | null, timeZone: string, now = Date.now()): QueueGroup {
  if (startsAt === null) return 'later';
  const ms = Date.parse(startsAt);
  if (ms < now) return 'past';
  const day = (iso: string): number => Date.parse(`${localDayAndTime(iso, timeZone).date}T00:00:00Z`) / 86_400_000;
  const diff = day(startsAt) - day(new Date(now).toISOString());
  if (diff <= 0) return 'today';
  if (diff === 1) return 'tomorrow';
  if (diff < 7) return 'week';
  return 'later';
}

/**
 * The queue as a window: filtered, sorted, grouped, with counts over the whole filtered queue. The
 * cursor is the position after the last row given (first version: the queue is built in memory; the
 * keyset version replaces this without changing the contract).
 */
export function queueWindow(pending: BookingView[], input: MethodInput<'queue.window'>, check: (views: BookingView[]) => SlotCheck[], timeZone: string, now = Date.now()): QueueWindow {
  const offerings = input.offeringIds && input.offeringIds.length ? new Set(input.offeringIds) : null;
  const from = input.from ? Date.parse(input.from) : null;
  const to = input.to ? Date.parse(input.to) : null;
  let rows = pending
    .map((view) => ({ view, startsAt: firstStartOf(view) }))
    .filter(({ view, startsAt }) => {
      if (offerings && !offerings.has(view.offeringId)) return false;
      const held = view.riskReviewStatus === 'HELD';
      if (input.risk === 'held' && !held) return false;
      if (input.risk === 'clear' && held) return false;
      const start = startsAt === null ? null : Date.parse(startsAt);
      if (from !== null && (start === null || start < from)) return false;
      if (to !== null && (start === null || start >= to)) return false;
      return true;
    });
  if ((input.sort ?? 'waiting') === 'starting') rows = rows.sort((a, b) => (a.startsAt ?? '\uffff').localeCompare(b.startsAt ?? '\uffff') || a.view.id.localeCompare(b.view.id));
  const groups: Record<QueueGroup, number> = { past: 0, today: 0, tomorrow: 0, week: 0, later: 0 };
  let held = 0;
  for (const r of rows) {
    groups[queueGroupOf(r.startsAt, timeZone, now)] += 1;
    if (r.view.riskReviewStatus === 'HELD') held += 1;
  }
  const offset = input.cursor ? Number.parseInt(input.cursor, 10) || 0 : 0;
  const limit = input.limit ?? 100;
  const page = rows.slice(offset, offset + limit);
  const slots = check(page.map((r) => r.view));
  const items: QueueRow[] = page.map((r, i) => ({ ...r.view, startsAt: r.startsAt, group: queueGroupOf(r.startsAt, timeZone, now), slot: slots[i]!, held: r.view.riskReviewStatus === 'HELD' }));
  const full = check(rows.map((r) => r.view)).filter((s) => s.state === 'full').length;
  return { items, total: rows.length, counts: { held, full, groups }, nextCursor: offset + limit < rows.length ? String(offset + limit) : null };
}
