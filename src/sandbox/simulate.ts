import type { Context } from './server.ts';
import { runWrite } from './server.ts';
import { bookingEventData } from './store.ts';
import type { Booking, BookingStatus, Offering, Tenant } from './types.ts';
import { ApiError, newId } from './util.ts';

/** Simulated customers and platform events: what live mode and `/_sandbox/simulate/*` do. */

const FIRST = ['Ana', 'Zoë', 'Łukasz', 'Chloé', 'José', 'Miyu', 'Björn', 'Aoife', 'Olúwaseun', 'Priya', 'Mateus', 'İlkay', 'Noa', 'Siobhán', 'Emma', 'Liam', 'Olivia', 'Noah', 'Sofia', 'Hannah', 'Kwame', 'Lan', 'Rafael', 'Greta'];
const LAST = ['García', 'Müller', 'Nowak', 'Dubois', 'Álvarez', 'Tanaka', 'Lindqvist', 'Ní Bhriain', 'Adéyemí', 'Raghunathan', 'Conceição', 'Yılmaz', 'Ben-David', 'Kelly', 'Johnson', 'Smith', 'Brown', 'Davis', 'Rossi', 'Schmidt', 'Mensah', 'Nguyễn', 'Ortega', 'Brandt'];
const ZONES = ['America/New_York', 'America/Los_Angeles', 'America/Chicago', 'Europe/Madrid', 'Europe/London', 'Europe/Berlin', 'Europe/Lisbon', 'Asia/Tokyo', 'Asia/Kolkata', 'America/Sao_Paulo', 'Australia/Sydney'];

export function asciiEmail(name: string, n: number): string {
  const base = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ı/g, 'i')
    .replace(/ł/gi, 'l')
    .toLowerCase()
    .replace(/[^a-z]+/g, '.')
    .replace(/^\.+|\.+$/g, '');
  return `${base || 'guest'}${n > 0 ? n : ''}@example.com`;
}

export interface Priced {
  subtotalCents: number;
  discountCents: number;
  taxCents: number;
  totalCents: number;
}

export function price(o: Offering, startMs: number, endMs: number, quantity: number, discountPercent = 0): Priced & { itemPrice: number } {
  let unit = o.basePriceCents;
  if (o.pricingModel === 'HOURLY') unit = Math.round((o.basePriceCents * (endMs - startMs)) / 3_600_000);
  else if (o.pricingModel === 'DAILY') unit = o.basePriceCents * Math.max(1, Math.round((endMs - startMs) / 86_400_000));
  const subtotal = unit * quantity;
  const discount = Math.round((subtotal * discountPercent) / 100);
  const tax = Math.round(((subtotal - discount) * o.taxRateBps) / 10_000);
  return { itemPrice: subtotal, subtotalCents: subtotal, discountCents: discount, taxCents: tax, totalCents: subtotal - discount + tax };
}

export function tenantFor(ctx: Context, subdomain: unknown): Tenant {
  const name = typeof subdomain === 'string' && subdomain !== '' ? subdomain : 'atlas';
  const t = ctx.store.tenantBySubdomain(name) ?? ctx.store.tenant(name);
  if (!t) throw new ApiError(404, 'NOT_FOUND', `Tenant ${name} not found.`);
  return t;
}

function publishedOfferings(ctx: Context, tenantId: string): Offering[] {
  return (ctx.db.prepare("SELECT doc FROM offerings WHERE tenant_id = ? AND status = 'PUBLISHED' AND deleted = 0").all(tenantId) as { doc: string }[]).map(
    (r) => JSON.parse(r.doc) as Offering,
  );
}

/** A customer books: a new booking (PENDING unless `status` says CONFIRMED). */
// eslint-disable-next-line max-lines-per-function -- one booking's checks in the order the server makes them, each a few lines
export function simulateBooking(ctx: Context, input: { tenant?: unknown; offeringId?: unknown; startsAt?: unknown; endsAt?: unknown; status?: unknown; customerName?: unknown; riskScore?: unknown }): Booking {
  const tenant = tenantFor(ctx, input.tenant);
  const rnd = ctx.random;
  const status: BookingStatus = input.status === 'CONFIRMED' ? 'CONFIRMED' : 'PENDING';
  if (input.status !== undefined && input.status !== 'PENDING' && input.status !== 'CONFIRMED') {
    throw new ApiError(422, 'VALIDATION_FAILED', 'status must be PENDING or CONFIRMED', { fields: [{ field: 'status', message: 'must be PENDING or CONFIRMED' }] });
  }
  let offering: Offering | undefined;
  if (typeof input.offeringId === 'string') {
    offering = ctx.store.getOffering(tenant.id, input.offeringId);
    if (!offering || offering.deletedAt) throw new ApiError(404, 'NOT_FOUND', `Offering ${input.offeringId} not found.`);
  }
  let startsAt: string;
  let endsAt: string;
  const now = ctx.clock.now();
  if (input.startsAt !== undefined) {
    if (typeof input.startsAt !== 'string' || !Number.isFinite(Date.parse(input.startsAt))) {
      throw new ApiError(422, 'VALIDATION_FAILED', 'startsAt must be an ISO timestamp', { fields: [{ field: 'startsAt', message: 'must be an ISO timestamp' }] });
    }
    if (!offering) {
      const all = publishedOfferings(ctx, tenant.id);
      offering = all[Math.floor(rnd() * all.length)];
      if (!offering) throw new ApiError(409, 'SLOT_UNAVAILABLE', 'The tenant has no published offering to book.');
    }
    const s = Date.parse(input.startsAt);
    const len = ctx.store.rules(offering.id)[0]?.slotMinutes ?? 60;
    startsAt = new Date(s).toISOString();
    endsAt = typeof input.endsAt === 'string' && Number.isFinite(Date.parse(input.endsAt)) ? new Date(Date.parse(input.endsAt)).toISOString() : new Date(s + len * 60_000).toISOString();
  } else {
    const candidates = offering ? [offering] : publishedOfferings(ctx, tenant.id);
    let slot: { startsAt: string; endsAt: string } | null = null;
    for (let tries = 0; tries < 8 && !slot && candidates.length > 0; tries++) {
      const o = candidates[Math.floor(rnd() * candidates.length)]!;
      slot = ctx.store.findFreeSlot(tenant.id, o.id, now + 3_600_000, 30, (n) => Math.floor(rnd() * n));
      if (slot) offering = o;
    }
    if (!slot || !offering) {
      if (!offering && candidates.length === 0) throw new ApiError(409, 'SLOT_UNAVAILABLE', 'The tenant has no published offering to book.');
      offering = offering ?? candidates[0]!;
      const s = Math.ceil((now + 2 * 86_400_000) / 3_600_000) * 3_600_000;
      slot = { startsAt: new Date(s).toISOString(), endsAt: new Date(s + 3_600_000).toISOString() };
    }
    startsAt = slot.startsAt;
    endsAt = slot.endsAt;
  }
  const o = offering!;
  const drawn = `${FIRST[Math.floor(rnd() * FIRST.length)]} ${LAST[Math.floor(rnd() * LAST.length)]}`;
  // A test may name the customer (to find the booking by name); the draw happens anyway, so the random stream is the same.
  const name = typeof input.customerName === 'string' && input.customerName.trim() ? input.customerName.trim().slice(0, 120) : drawn;
  const p = price(o, Date.parse(startsAt), Date.parse(endsAt), 1);
  const drawnRisk = rnd() < 0.1 ? 70 + Math.floor(rnd() * 29) : Math.floor(rnd() * 35);
  // A test may fix the risk score (70 and more: held for review when PENDING).
  const risk = typeof input.riskScore === 'number' && Number.isInteger(input.riskScore) && input.riskScore >= 0 && input.riskScore <= 100 ? input.riskScore : drawnRisk;
  const nowIso = ctx.clock.iso();
  const b: Booking = {
    id: newId('bkg'),
    status,
    offeringId: o.id,
    offeringTitle: o.title,
    customer: { id: newId('cus'), name, email: asciiEmail(name, Math.floor(rnd() * 100)), timezone: ZONES[Math.floor(rnd() * ZONES.length)]! },
    items: [{ id: newId('bki'), offeringId: o.id, startsAt, endsAt, quantity: 1, priceCents: p.itemPrice }],
    payments: [{ id: newId('pay'), amountCents: p.totalCents, currency: o.currency, status: status === 'CONFIRMED' ? 'CAPTURED' : 'AUTHORIZED', createdAt: nowIso }],
    subtotalCents: p.subtotalCents,
    discountCents: p.discountCents,
    taxCents: p.taxCents,
    totalCents: p.totalCents,
    currency: o.currency,
    couponCode: null,
    riskScore: risk,
    riskReviewStatus: risk >= 70 ? (status === 'CONFIRMED' ? 'CLEARED' : 'HELD') : 'NONE',
    notes: '',
    refundPercent: null,
    cancelReason: null,
    cancelledBy: null,
    createdAt: nowIso,
    updatedAt: nowIso,
    version: 1,
  };
  runWrite(ctx, tenant.id, null, (w) => {
    ctx.store.saveBooking(tenant.id, b);
    if (status === 'CONFIRMED') w.raise('booking.confirmed', { ...bookingEventData(b), booking: b });
  });
  ctx.log(`simulated customer booking ${b.id} (${status}) for ${o.title} at ${startsAt}`);
  return b;
}

function findBookingAnyTenant(ctx: Context, bookingId: unknown): { tenantId: string; booking: Booking } {
  if (typeof bookingId !== 'string') throw new ApiError(422, 'VALIDATION_FAILED', 'bookingId is required', { fields: [{ field: 'bookingId', message: 'is required' }] });
  const row = ctx.db.prepare('SELECT tenant_id, doc FROM bookings WHERE id = ?').get(bookingId) as { tenant_id: string; doc: string } | undefined;
  if (!row) throw new ApiError(404, 'NOT_FOUND', `Booking ${bookingId} not found.`);
  return { tenantId: row.tenant_id, booking: JSON.parse(row.doc) as Booking };
}

export function simulateCustomerCancel(ctx: Context, input: { bookingId?: unknown; reason?: unknown }): Booking {
  const { tenantId, booking } = findBookingAnyTenant(ctx, input.bookingId);
  const reason = typeof input.reason === 'string' ? input.reason : 'Change of plans';
  const b = runWrite(ctx, tenantId, null, (w) => ctx.store.cancel(tenantId, booking.id, reason, 'customer', w));
  ctx.log(`simulated customer cancelled ${b.id} (refund ${b.refundPercent}%)`);
  return b;
}

export function simulateDispute(ctx: Context, input: { bookingId?: unknown; reason?: unknown }): Record<string, unknown> {
  const { tenantId, booking } = findBookingAnyTenant(ctx, input.bookingId);
  const reason = typeof input.reason === 'string' && input.reason !== '' ? input.reason : 'The service was not as described.';
  const data = { disputeId: newId('dsp'), bookingId: booking.id, openedById: booking.customer.id, reason, openedAt: ctx.clock.iso() };
  runWrite(ctx, tenantId, null, (w) => {
    ctx.db.prepare('INSERT INTO disputes (id, tenant_id, booking_id, opened_by_id, reason, opened_at) VALUES (?, ?, ?, ?, ?, ?)').run(data.disputeId, tenantId, booking.id, data.openedById, reason, data.openedAt);
    w.raise('dispute.opened', data);
  });
  ctx.log(`simulated dispute ${data.disputeId} on ${booking.id}`);
  return data;
}

const REVIEW_BODIES = ['Wonderful experience, would book again.', 'Great value and friendly staff.', 'Good, but it started a little late.', 'Exactly as described. ¡Perfecto!', 'Not what I expected.', 'Sehr gut — gerne wieder!', 'Clean, quiet and easy to find.'];

export function simulateReview(ctx: Context, input: { offeringId?: unknown; rating?: unknown; body?: unknown; authorId?: unknown }): Record<string, unknown> {
  if (typeof input.offeringId !== 'string') throw new ApiError(422, 'VALIDATION_FAILED', 'offeringId is required', { fields: [{ field: 'offeringId', message: 'is required' }] });
  const rating = input.rating;
  if (typeof rating !== 'number' || !Number.isInteger(rating) || rating < 1 || rating > 5) {
    throw new ApiError(422, 'VALIDATION_FAILED', 'rating must be an integer 1…5', { fields: [{ field: 'rating', message: 'must be an integer 1…5' }] });
  }
  const row = ctx.db.prepare('SELECT tenant_id FROM offerings WHERE id = ?').get(input.offeringId) as { tenant_id: string } | undefined;
  if (!row) throw new ApiError(404, 'NOT_FOUND', `Offering ${input.offeringId} not found.`);
  const tenantId = row.tenant_id;
  const now = ctx.clock.iso();
  return runWrite(ctx, tenantId, null, (w) => {
    const o = ctx.store.getOffering(tenantId, input.offeringId as string)!;
    const count = o.reviewCount + 1;
    const avg = Math.round((((o.ratingAverage ?? 0) * o.reviewCount + rating) / count) * 100) / 100;
    o.reviewCount = count;
    o.ratingAverage = avg;
    o.version += 1;
    o.updatedAt = now;
    ctx.store.saveOffering(tenantId, o);
    const body = typeof input.body === 'string' ? input.body : REVIEW_BODIES[Math.floor(ctx.random() * REVIEW_BODIES.length)]!;
    const data = { reviewId: newId('rev'), offeringId: o.id, rating, authorId: typeof input.authorId === 'string' ? input.authorId : newId('cus'), body, createdAt: now, ratingAverage: avg, reviewCount: count };
    ctx.db.prepare('INSERT INTO reviews (id, tenant_id, offering_id, rating, author_id, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(data.reviewId, tenantId, o.id, rating, data.authorId, body, now);
    w.raise('review.created', data);
    ctx.log(`simulated review ${data.reviewId} (${rating}★) on ${o.title}`);
    return data;
  });
}

export function simulateKyb(ctx: Context, input: { tenant?: unknown }): Record<string, unknown> {
  const tenant = tenantFor(ctx, input.tenant);
  const now = ctx.clock.iso();
  const data = { tenantId: tenant.id, verifiedAt: now };
  runWrite(ctx, tenant.id, null, (w) => {
    ctx.db.prepare("UPDATE tenants SET kyb_status = 'VERIFIED', kyb_verified_at = ? WHERE id = ?").run(now, tenant.id);
    w.raise('tenant.kyb_verified', data);
  });
  ctx.log(`simulated KYB verification of ${tenant.subdomain}`);
  return data;
}

export function sendTestWebhook(ctx: Context, input: { tenant?: unknown }): { deliveryId: string | null } {
  const tenant = tenantFor(ctx, input.tenant);
  let deliveryId: string | null = null;
  runWrite(ctx, tenant.id, null, () => {
    deliveryId = ctx.webhooks.enqueue(tenant.id, 'webhook.test', { message: 'Test ping from the Orkestr sandbox.', sentAt: ctx.clock.iso() });
  });
  ctx.webhooks.kick();
  return { deliveryId };
}

/** One random customer action (live mode): mostly new bookings, sometimes cancels, disputes, reviews. */
export function liveTick(ctx: Context, tenantSubdomain = 'atlas'): void {
  const r = ctx.random();
  const tenant = tenantFor(ctx, tenantSubdomain);
  const pickBooking = (statuses: string[]): Booking | undefined => {
    const rows = ctx.db
      .prepare(`SELECT doc FROM bookings WHERE tenant_id = ? AND status IN (${statuses.map(() => '?').join(',')}) ORDER BY seq DESC LIMIT 200`)
      .all(tenant.id, ...statuses) as { doc: string }[];
    const row = rows[Math.floor(ctx.random() * rows.length)];
    return row ? (JSON.parse(row.doc) as Booking) : undefined;
  };
  try {
    if (r < 0.6) simulateBooking(ctx, { tenant: tenant.subdomain });
    else if (r < 0.75) {
      const b = pickBooking(['PENDING', 'CONFIRMED']);
      if (b) simulateCustomerCancel(ctx, { bookingId: b.id });
      else simulateBooking(ctx, { tenant: tenant.subdomain });
    } else if (r < 0.85) {
      const b = pickBooking(['CONFIRMED', 'COMPLETED']);
      if (b) simulateDispute(ctx, { bookingId: b.id });
    } else {
      const offerings = publishedOfferings(ctx, tenant.id);
      const o = offerings[Math.floor(ctx.random() * offerings.length)];
      if (o) simulateReview(ctx, { offeringId: o.id, rating: [5, 5, 5, 4, 4, 3, 2, 1][Math.floor(ctx.random() * 8)] });
    }
  } catch (e) {
    ctx.log(`live: ${(e as Error).message}`);
  }
}
