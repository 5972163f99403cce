import type { DB } from './db.ts';
import type {
  AvailabilityException,
  AvailabilityRule,
  Booking,
  BookingStatus,
  Coupon,
  Offering,
  Tenant,
  WebhookEvent,
} from './types.ts';
import { ApiError, newId, type Clock } from './util.ts';
import { fromLocal, hhmmToMinutes, toLocal } from './tz.ts';

/** A webhook event raised inside a write transaction; enqueued in the same transaction. */
export interface RaisedEvent {
  tenantId: string;
  event: WebhookEvent;
  data: Record<string, unknown>;
}

/** What one write request records: effects (for exactly-once checks) and webhook events. */
export interface WriteScope {
  idempotencyKey: string | null;
  effect(kind: string, targetId: string): void;
  raise(event: WebhookEvent, data: Record<string, unknown>): void;
}

const policyTable: Record<string, [number, number, number, number]> = {
  FLEXIBLE: [100, 100, 50, 0],
  MODERATE: [100, 50, 0, 0],
  STRICT: [50, 0, 0, 0],
};

/** Refund percent for a cancel at `nowMs` of a booking whose first item starts at `startMs`. */
export function refundPercentFor(policy: string, nowMs: number, startMs: number): number {
  const row = policyTable[policy] ?? policyTable['MODERATE']!;
  if (nowMs >= startMs) return row[3];
  const hours = (startMs - nowMs) / 3_600_000;
  if (hours >= 120) return row[0];
  if (hours >= 24) return row[1];
  return row[2];
}

export function bookingEventData(b: Booking): Record<string, unknown> {
  return {
    bookingId: b.id,
    status: b.status,
    offeringId: b.offeringId,
    offeringTitle: b.offeringTitle,
    customerId: b.customer.id,
    totalCents: b.totalCents,
    currency: b.currency,
    version: b.version,
    updatedAt: b.updatedAt,
  };
}

export class Store {
  readonly db: DB;
  readonly clock: Clock;
  private stmts: ReturnType<Store['prepare']>;

  constructor(db: DB, clock: Clock) {
    this.db = db;
    this.clock = clock;
    this.stmts = this.prepare();
  }

  private prepare() {
    const db = this.db;
    return {
      nextSeq: db.prepare('UPDATE tenants SET seq = seq + 1 WHERE id = ? RETURNING seq'),
      tenantById: db.prepare('SELECT * FROM tenants WHERE id = ?'),
      tenantBySubdomain: db.prepare('SELECT * FROM tenants WHERE subdomain = ?'),
      putOffering: db.prepare(
        'INSERT INTO offerings (id, tenant_id, seq, slug, status, deleted, doc) VALUES (@id, @tenant_id, @seq, @slug, @status, @deleted, @doc) ' +
          'ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, slug = excluded.slug, status = excluded.status, deleted = excluded.deleted, doc = excluded.doc',
      ),
      offeringById: db.prepare('SELECT doc FROM offerings WHERE tenant_id = ? AND id = ?'),
      offeringBySlug: db.prepare('SELECT doc FROM offerings WHERE tenant_id = ? AND slug = ? AND deleted = 0'),
      liveSlugOwner: db.prepare('SELECT id FROM offerings WHERE tenant_id = ? AND slug = ? AND deleted = 0 AND id != ?'),
      putBooking: db.prepare(
        'INSERT INTO bookings (id, tenant_id, seq, status, offering_id, first_start, last_end, doc) VALUES (@id, @tenant_id, @seq, @status, @offering_id, @first_start, @last_end, @doc) ' +
          'ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, status = excluded.status, offering_id = excluded.offering_id, first_start = excluded.first_start, last_end = excluded.last_end, doc = excluded.doc',
      ),
      setItemsActive: db.prepare('UPDATE booking_items SET active = ? WHERE booking_id = ?'),
      deleteItems: db.prepare('DELETE FROM booking_items WHERE booking_id = ?'),
      putItem: db.prepare(
        'INSERT INTO booking_items (id, booking_id, tenant_id, offering_id, starts_at, ends_at, quantity, active) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      bookingById: db.prepare('SELECT doc FROM bookings WHERE tenant_id = ? AND id = ?'),
      overlapping: db.prepare(
        'SELECT coalesce(sum(quantity), 0) AS n FROM booking_items WHERE offering_id = ? AND active = 1 AND starts_at < ? AND ends_at > ? AND id != ?',
      ),
      itemsInRange: db.prepare(
        'SELECT starts_at, ends_at, quantity FROM booking_items WHERE offering_id = ? AND active = 1 AND starts_at < ? AND ends_at > ?',
      ),
      dueCompletions: db.prepare("SELECT tenant_id, doc FROM bookings WHERE status = 'CONFIRMED' AND last_end <= ? LIMIT 1000"),
      putCoupon: db.prepare(
        'INSERT INTO coupons (id, tenant_id, seq, code, deleted, doc) VALUES (@id, @tenant_id, @seq, @code, @deleted, @doc) ' +
          'ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, code = excluded.code, deleted = excluded.deleted, doc = excluded.doc',
      ),
      couponById: db.prepare('SELECT doc FROM coupons WHERE tenant_id = ? AND id = ?'),
      liveCodeOwner: db.prepare('SELECT id FROM coupons WHERE tenant_id = ? AND code = ? AND deleted = 0 AND id != ?'),
      rulesFor: db.prepare('SELECT * FROM availability_rules WHERE offering_id = ? ORDER BY position, day_of_week, start_time'),
      exceptionsFor: db.prepare('SELECT * FROM availability_exceptions WHERE offering_id = ? ORDER BY date, start_time'),
      rulesForTenant: db.prepare(
        'SELECT r.* FROM availability_rules r JOIN offerings o ON o.id = r.offering_id AND o.deleted = 0 WHERE r.tenant_id = ? ORDER BY r.offering_id, r.position, r.day_of_week, r.start_time',
      ),
      exceptionsForTenant: db.prepare(
        'SELECT x.* FROM availability_exceptions x JOIN offerings o ON o.id = x.offering_id AND o.deleted = 0 WHERE x.tenant_id = ? ORDER BY x.offering_id, x.date, x.start_time',
      ),
      effect: db.prepare('INSERT INTO effects (tenant_id, idempotency_key, kind, target_id, at) VALUES (?, ?, ?, ?, ?)'),
    };
  }

  tenant(id: string): Tenant | undefined {
    return this.stmts.tenantById.get(id) as Tenant | undefined;
  }

  tenantBySubdomain(subdomain: string): Tenant | undefined {
    return this.stmts.tenantBySubdomain.get(subdomain) as Tenant | undefined;
  }

  nextSeq(tenantId: string): number {
    return (this.stmts.nextSeq.get(tenantId) as { seq: number }).seq;
  }

  // ---- offerings -------------------------------------------------------------------------------

  getOffering(tenantId: string, id: string): Offering | undefined {
    const row = this.stmts.offeringById.get(tenantId, id) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as Offering) : undefined;
  }

  findOffering(tenantId: string, idOrSlug: string): Offering | undefined {
    const byId = this.getOffering(tenantId, idOrSlug);
    if (byId && byId.deletedAt === null) return byId;
    const row = this.stmts.offeringBySlug.get(tenantId, idOrSlug) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as Offering) : undefined;
  }

  slugTaken(tenantId: string, slug: string, exceptId: string): boolean {
    return this.stmts.liveSlugOwner.get(tenantId, slug, exceptId) !== undefined;
  }

  /** Writes an offering as one change: takes the next seq (version/updatedAt are set by the caller). */
  saveOffering(tenantId: string, o: Offering, seq = this.nextSeq(tenantId)): void {
    this.stmts.putOffering.run({ id: o.id, tenant_id: tenantId, seq, slug: o.slug, status: o.status, deleted: o.deletedAt ? 1 : 0, doc: JSON.stringify(o) });
  }

  // ---- bookings --------------------------------------------------------------------------------

  getBooking(tenantId: string, id: string): Booking | undefined {
    const row = this.stmts.bookingById.get(tenantId, id) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as Booking) : undefined;
  }

  saveBooking(tenantId: string, b: Booking, seq = this.nextSeq(tenantId), itemsChanged = true): void {
    const starts = b.items.map((i) => i.startsAt).sort();
    const ends = b.items.map((i) => i.endsAt).sort();
    this.stmts.putBooking.run({
      id: b.id,
      tenant_id: tenantId,
      seq,
      status: b.status,
      offering_id: b.offeringId,
      first_start: starts[0] ?? '',
      last_end: ends[ends.length - 1] ?? '',
      doc: JSON.stringify(b),
    });
    if (itemsChanged) this.stmts.deleteItems.run(b.id);
    const active = b.status === 'PENDING' || b.status === 'CONFIRMED' ? 1 : 0;
    if (itemsChanged) {
      for (const i of b.items) this.stmts.putItem.run(i.id, b.id, tenantId, i.offeringId, i.startsAt, i.endsAt, i.quantity, active);
    } else {
      this.stmts.setItemsActive.run(active, b.id);
    }
  }

  private touch<T extends { updatedAt: string; version: number }>(r: T): T {
    r.updatedAt = this.clock.iso();
    r.version += 1;
    return r;
  }

  approve(tenantId: string, id: string, w: WriteScope): Booking {
    const b = this.getBooking(tenantId, id);
    if (!b) throw new ApiError(404, 'NOT_FOUND', `Booking ${id} not found.`);
    if (b.status === 'CONFIRMED') return b;
    if (b.status !== 'PENDING') {
      throw new ApiError(409, 'BOOKING_NOT_PENDING', `Booking ${id} is ${b.status}; only PENDING bookings can be approved.`, { status: b.status, current: b });
    }
    b.status = 'CONFIRMED';
    if (b.riskReviewStatus === 'HELD') b.riskReviewStatus = 'CLEARED';
    for (const p of b.payments) if (p.status === 'AUTHORIZED') p.status = 'CAPTURED';
    this.touch(b);
    this.saveBooking(tenantId, b, undefined, false);
    w.effect('booking.approve', b.id);
    w.raise('booking.confirmed', { ...bookingEventData(b), booking: b });
    return b;
  }

  cancel(tenantId: string, id: string, reason: string | null, by: 'provider' | 'customer', w: WriteScope): Booking {
    const b = this.getBooking(tenantId, id);
    if (!b) throw new ApiError(404, 'NOT_FOUND', `Booking ${id} not found.`);
    if (b.status !== 'PENDING' && b.status !== 'CONFIRMED') {
      throw new ApiError(409, 'BOOKING_NOT_ACTIVE', `Booking ${id} is ${b.status}; only PENDING or CONFIRMED bookings can be cancelled.`, { status: b.status, current: b });
    }
    const offering = this.getOffering(tenantId, b.offeringId);
    const firstStart = Math.min(...b.items.map((i) => Date.parse(i.startsAt)));
    const percent = refundPercentFor(offering?.cancellationPolicy ?? 'MODERATE', this.clock.now(), firstStart);
    b.status = 'CANCELLED';
    b.refundPercent = percent;
    b.cancelReason = reason;
    b.cancelledBy = by;
    if (percent > 0) for (const p of b.payments) p.status = percent >= 100 ? 'REFUNDED' : 'PARTIALLY_REFUNDED';
    this.touch(b);
    this.saveBooking(tenantId, b, undefined, false);
    w.effect('booking.cancel', b.id);
    w.raise('booking.cancelled', { ...bookingEventData(b), refundPercent: percent, reason, cancelledBy: by, booking: b });
    return b;
  }

  /** Reschedules one item after checking the slot; `notes` may change alongside. */
  updateBooking(
    tenantId: string,
    id: string,
    change: { itemId?: string; startsAt?: string; endsAt?: string; notes?: string },
    w: WriteScope,
  ): Booking {
    const b = this.getBooking(tenantId, id);
    if (!b) throw new ApiError(404, 'NOT_FOUND', `Booking ${id} not found.`);
    let moved: { itemId: string; previousStartsAt: string; previousEndsAt: string; startsAt: string; endsAt: string } | null = null;
    if (change.itemId !== undefined && change.startsAt !== undefined && change.endsAt !== undefined) {
      if (b.status !== 'PENDING' && b.status !== 'CONFIRMED') {
        throw new ApiError(409, 'BOOKING_NOT_ACTIVE', `Booking ${id} is ${b.status}; only PENDING or CONFIRMED bookings can be rescheduled.`, { status: b.status, current: b });
      }
      const item = b.items.find((i) => i.id === change.itemId);
      if (!item) throw new ApiError(422, 'VALIDATION_FAILED', `Booking ${id} has no item ${change.itemId}.`, { fields: [{ field: 'itemId', message: 'is not an item of this booking' }] });
      if (item.startsAt !== change.startsAt || item.endsAt !== change.endsAt) {
        this.checkSlot(tenantId, item.offeringId, change.startsAt, change.endsAt, item.quantity, item.id, b);
        moved = { itemId: item.id, previousStartsAt: item.startsAt, previousEndsAt: item.endsAt, startsAt: change.startsAt, endsAt: change.endsAt };
        item.startsAt = change.startsAt;
        item.endsAt = change.endsAt;
      }
    }
    // Notes stay editable in any status: they are the provider's own annotation.
    const notesChanged = change.notes !== undefined && change.notes !== b.notes;
    if (!moved && !notesChanged) return b;
    if (notesChanged) b.notes = change.notes as string;
    this.touch(b);
    this.saveBooking(tenantId, b, undefined, moved !== null);
    // One effect per request (a crash test counts them per idempotency key).
    w.effect(moved ? 'booking.reschedule' : 'booking.notes', b.id);
    if (moved) w.raise('booking.rescheduled', { ...bookingEventData(b), ...moved, booking: b });
    return b;
  }

  /** Throws 409 SLOT_UNAVAILABLE / SLOT_TAKEN unless [startsAt, endsAt) can hold `quantity` more. */
  checkSlot(tenantId: string, offeringId: string, startsAt: string, endsAt: string, quantity: number, exceptItemId: string, current: Booking): void {
    const tenant = this.tenant(tenantId)!;
    const tz = tenant.timezone;
    const startMs = Date.parse(startsAt);
    const endMs = Date.parse(endsAt);
    const ls = toLocal(startMs, tz);
    const le = toLocal(endMs, tz);
    let endMinutes = le.minutes;
    if (le.date !== ls.date) {
      // Only an end at the next local midnight still counts as the same day.
      if (le.minutes === 0 && fromLocal(ls.date, 1440, tz) === endMs) endMinutes = 1440;
      else endMinutes = -1;
    }
    const unavailable = (why: string): ApiError =>
      new ApiError(409, 'SLOT_UNAVAILABLE', `The slot ${startsAt}–${endsAt} is not available: ${why}.`, { current });
    if (endMinutes < 0) throw unavailable('it spans more than one local day');
    const rules = this.rules(offeringId);
    const exceptions = this.exceptions(offeringId).filter((x) => x.date === ls.date);
    const within = (from: number, to: number): boolean => ls.minutes >= from && endMinutes <= to;
    const overlaps = (from: number, to: number): boolean => ls.minutes < to && endMinutes > from;
    const spanOf = (x: AvailabilityException): [number, number] =>
      x.startTime && x.endTime ? [hhmmToMinutes(x.startTime), hhmmToMinutes(x.endTime)] : [0, 1440];
    for (const x of exceptions) {
      if (x.kind !== 'BLOCK') continue;
      const [from, to] = spanOf(x);
      if (overlaps(from, to)) throw unavailable(`blocked${x.reason ? ` (${x.reason})` : ''}`);
    }
    const dayRules = rules.filter(
      (r) => r.dayOfWeek === ls.weekday && (r.validFrom === null || r.validFrom <= ls.date) && (r.validUntil === null || ls.date <= r.validUntil),
    );
    let capacity: number | null = null;
    const rule = dayRules.find((r) => within(hhmmToMinutes(r.startTime), hhmmToMinutes(r.endTime)));
    if (rule) capacity = rule.capacity;
    else {
      const open = exceptions.find((x) => x.kind === 'OPEN' && within(...spanOf(x)));
      if (open) capacity = dayRules[0]?.capacity ?? 1;
    }
    if (capacity === null) throw unavailable('outside the offering\'s availability');
    const taken = (this.stmts.overlapping.get(offeringId, endsAt, startsAt, exceptItemId) as { n: number }).n;
    if (taken + quantity > capacity) {
      throw new ApiError(409, 'SLOT_TAKEN', `The slot ${startsAt}–${endsAt} is full (${taken} of ${capacity} taken).`, { capacity, booked: taken, current });
    }
  }

  rules(offeringId: string): AvailabilityRule[] {
    return (this.stmts.rulesFor.all(offeringId) as RuleRow[]).map(ruleFromRow);
  }

  exceptions(offeringId: string): AvailabilityException[] {
    return (this.stmts.exceptionsFor.all(offeringId) as ExceptionRow[]).map(exceptionFromRow);
  }

  tenantRules(tenantId: string): AvailabilityRule[] {
    return (this.stmts.rulesForTenant.all(tenantId) as RuleRow[]).map(ruleFromRow);
  }

  tenantExceptions(tenantId: string): AvailabilityException[] {
    return (this.stmts.exceptionsForTenant.all(tenantId) as ExceptionRow[]).map(exceptionFromRow);
  }

  activeItemsBetween(offeringId: string, fromIso: string, toIso: string): { starts_at: string; ends_at: string; quantity: number }[] {
    return this.stmts.itemsInRange.all(offeringId, toIso, fromIso) as { starts_at: string; ends_at: string; quantity: number }[];
  }

  /** CONFIRMED bookings whose last item has ended become COMPLETED (each one a change). */
  completeEnded(): number {
    const now = this.clock.iso();
    let total = 0;
    for (;;) {
      const rows = this.stmts.dueCompletions.all(now) as { tenant_id: string; doc: string }[];
      if (rows.length === 0) return total;
      this.db.transaction(() => {
        for (const row of rows) {
          const b = JSON.parse(row.doc) as Booking;
          b.status = 'COMPLETED';
          this.touch(b);
          this.saveBooking(row.tenant_id, b, undefined, false);
        }
      })();
      total += rows.length;
    }
  }

  // ---- coupons ---------------------------------------------------------------------------------

  getCoupon(tenantId: string, id: string): Coupon | undefined {
    const row = this.stmts.couponById.get(tenantId, id) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as Coupon) : undefined;
  }

  codeTaken(tenantId: string, code: string, exceptId: string): boolean {
    return this.stmts.liveCodeOwner.get(tenantId, code, exceptId) !== undefined;
  }

  saveCoupon(tenantId: string, c: Coupon, seq = this.nextSeq(tenantId)): void {
    this.stmts.putCoupon.run({ id: c.id, tenant_id: tenantId, seq, code: c.code, deleted: c.deletedAt ? 1 : 0, doc: JSON.stringify(c) });
  }

  recordEffect(tenantId: string, key: string, kind: string, targetId: string): void {
    this.stmts.effect.run(tenantId, key, kind, targetId, this.clock.iso());
  }

  // ---- simulated customers -----------------------------------------------------------------------

  /** Finds the first free slot of an offering from `fromMs` on, scanning up to `days` local days. */
  findFreeSlot(tenantId: string, offeringId: string, fromMs: number, days: number, pick: (n: number) => number): { startsAt: string; endsAt: string } | null {
    const tz = this.tenant(tenantId)!.timezone;
    const rules = this.rules(offeringId);
    if (rules.length === 0) return null;
    const startDate = toLocal(fromMs, tz).date;
    const candidates: { startsAt: string; endsAt: string }[] = [];
    for (let d = 0; d < days && candidates.length < 40; d++) {
      const date = new Date(Date.parse(`${startDate}T00:00:00Z`) + d * 86_400_000).toISOString().slice(0, 10);
      const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
      const blocked = this.exceptions(offeringId).some((x) => x.date === date && x.kind === 'BLOCK' && !x.startTime);
      if (blocked) continue;
      for (const r of rules) {
        if (r.dayOfWeek !== weekday) continue;
        if ((r.validFrom && date < r.validFrom) || (r.validUntil && date > r.validUntil)) continue;
        for (let m = hhmmToMinutes(r.startTime); m + r.slotMinutes <= hhmmToMinutes(r.endTime); m += r.slotMinutes) {
          const s = fromLocal(date, m, tz);
          if (s <= fromMs) continue;
          const startsAt = new Date(s).toISOString();
          const endsAt = new Date(fromLocal(date, m + r.slotMinutes, tz)).toISOString();
          const taken = (this.stmts.overlapping.get(offeringId, endsAt, startsAt, '') as { n: number }).n;
          if (taken < r.capacity) candidates.push({ startsAt, endsAt });
        }
      }
    }
    if (candidates.length === 0) return null;
    return candidates[pick(candidates.length)] ?? null;
  }

  newBookingId(): string {
    return newId('bkg');
  }
}

interface RuleRow {
  id: string;
  offering_id: string;
  day_of_week: number;
  start_time: string;
  end_time: string;
  slot_minutes: number;
  capacity: number;
  valid_from: string | null;
  valid_until: string | null;
}

interface ExceptionRow {
  id: string;
  offering_id: string;
  kind: 'BLOCK' | 'OPEN';
  date: string;
  start_time: string | null;
  end_time: string | null;
  reason: string | null;
}

function ruleFromRow(r: RuleRow): AvailabilityRule {
  return {
    id: r.id,
    offeringId: r.offering_id,
    dayOfWeek: r.day_of_week,
    startTime: r.start_time,
    endTime: r.end_time,
    slotMinutes: r.slot_minutes,
    capacity: r.capacity,
    validFrom: r.valid_from,
    validUntil: r.valid_until,
  };
}

function exceptionFromRow(r: ExceptionRow): AvailabilityException {
  return { id: r.id, offeringId: r.offering_id, kind: r.kind, date: r.date, startTime: r.start_time, endTime: r.end_time, reason: r.reason };
}

export type { BookingStatus };
