/**
 * The one place replica rows (db/schema.ts, snake_case) become the contract's views (camelCase): the
 * features read typed rows, with kysely or a prepared statement, and map them here.
 */
import type { ActivityItem, AvailabilityExceptionView, AvailabilityRuleView, BookingView, ConflictView, CouponView, DisputeView, OfferingView, Payment } from '../../../shared/contract/types.ts';
import { asCoreMessage, type CoreMessage } from '../../../shared/contract/messages.ts';
import type { ActivityTable, AvailabilityExceptionsTable, AvailabilityRulesTable, BookingItemsTable, ConflictsTable, CouponsTable, DisputesTable, OfferingsTable, PaymentsTable } from '../db/schema.ts';

/** An activity row's stored message (JSON); null for rows from before messages were kept, or unreadable ones. */
export function storedMessage(json: string | null): CoreMessage | null {
  if (!json) return null;
  try {
    return asCoreMessage(JSON.parse(json));
  } catch {
    return null;
  }
}

export function activityItem(a: ActivityTable): ActivityItem {
  return { id: a.id, at: a.at, event: a.event, summary: a.summary, summaryMessage: storedMessage(a.message), bookingId: a.booking_id, read: a.read === 1 };
}

export function availabilityRuleView(r: AvailabilityRulesTable): AvailabilityRuleView {
  return {
    id: r.id,
    offeringId: r.offering_id,
    dayOfWeek: r.day_of_week,
    startTime: r.start_time,
    endTime: r.end_time,
    slotMinutes: r.slot_minutes,
    capacity: r.capacity,
    validFrom: r.valid_from ?? null,
    validUntil: r.valid_until ?? null,
  };
}

export function availabilityExceptionView(r: AvailabilityExceptionsTable): AvailabilityExceptionView {
  return {
    id: r.id,
    offeringId: r.offering_id,
    kind: r.kind === 'OPEN' ? 'OPEN' : 'BLOCK',
    date: r.date,
    startTime: r.start_time ?? null,
    endTime: r.end_time ?? null,
    reason: r.reason ?? null,
  };
}

export function disputeView(d: DisputesTable, booking: BookingView | null): DisputeView {
  return { id: d.id, bookingId: d.booking_id, openedById: d.opened_by_id, reason: d.reason, status: d.status, openedAt: d.opened_at, booking };
}

export function bookingItemView(it: BookingItemsTable): BookingView['items'][number] {
  return { id: it.id, offeringId: it.offering_id, startsAt: it.starts_at, endsAt: it.ends_at, quantity: it.quantity, priceCents: it.price_cents };
}

export function paymentView(p: PaymentsTable): Payment {
  return { id: p.id, amountCents: p.amount_cents, currency: p.currency, status: p.status, createdAt: p.created_at };
}

/** A conflict row with what the caller derived from its intent. */
export function conflictView(c: ConflictsTable, fromIntent: Pick<ConflictView, 'intent' | 'summary' | 'summaryMessage'>): ConflictView {
  return {
    id: c.id,
    ...fromIntent,
    httpStatus: c.http_status,
    code: c.code,
    message: c.message,
    server: c.server ? (JSON.parse(c.server) as unknown) : null,
    local: c.local ? (JSON.parse(c.local) as unknown) : null,
    createdAt: c.created_at,
  };
}

/** An offering row as the overlay reads it (the record an intent's fields are laid over). */
export function offeringTruth(r: OfferingsTable): Record<string, unknown> {
  return {
    slug: r.slug,
    title: r.title,
    description: r.description,
    status: r.status,
    productTypeKey: r.product_type_key,
    basePriceCents: r.base_price_cents,
    currency: r.currency,
    taxRateBps: r.tax_rate_bps,
    pricingModel: r.pricing_model,
    cancellationPolicy: r.cancellation_policy,
    ratingAverage: r.rating_average,
    reviewCount: r.review_count,
  };
}

/** A coupon row as the overlay reads it. */
export function couponTruth(r: CouponsTable): Record<string, unknown> {
  return {
    code: r.code,
    kind: r.kind,
    amount: r.amount,
    currency: r.currency,
    validFrom: r.valid_from,
    validUntil: r.valid_until,
    maxRedemptions: r.max_redemptions,
    minSubtotalCents: r.min_subtotal_cents,
    redeemedCount: r.redeemed_count,
    active: r.active === 1,
  };
}

/** An overlaid offering record (truth with intents laid over it, or an intent's fields alone) as the contract's view. */
export function offeringView(id: string, r: Record<string, unknown>, deleted: boolean, syncState: OfferingView['syncState']): OfferingView {
  return {
    id,
    slug: String(r['slug'] ?? ''),
    title: String(r['title'] ?? ''),
    description: String(r['description'] ?? ''),
    status: (r['status'] ?? 'DRAFT') as OfferingView['status'],
    productTypeKey: String(r['productTypeKey'] ?? ''),
    basePriceCents: Number(r['basePriceCents'] ?? 0),
    currency: String(r['currency'] ?? ''),
    taxRateBps: Number(r['taxRateBps'] ?? 0),
    pricingModel: String(r['pricingModel'] ?? 'ONE_TIME'),
    cancellationPolicy: String(r['cancellationPolicy'] ?? 'MODERATE'),
    ratingAverage: (r['ratingAverage'] as number | null | undefined) ?? null,
    reviewCount: Number(r['reviewCount'] ?? 0),
    deleted,
    syncState,
  };
}

/** An overlaid coupon record as the contract's view. */
export function couponView(id: string, r: Record<string, unknown>, deleted: boolean, syncState: CouponView['syncState']): CouponView {
  return {
    id,
    code: String(r['code'] ?? ''),
    kind: (r['kind'] ?? 'PERCENT') as CouponView['kind'],
    amount: Number(r['amount'] ?? 0),
    currency: (r['currency'] as string | null | undefined) ?? null,
    validFrom: (r['validFrom'] as string | null | undefined) ?? null,
    validUntil: (r['validUntil'] as string | null | undefined) ?? null,
    maxRedemptions: (r['maxRedemptions'] as number | null | undefined) ?? null,
    minSubtotalCents: Number(r['minSubtotalCents'] ?? 0),
    redeemedCount: Number(r['redeemedCount'] ?? 0),
    active: deleted ? false : r['active'] !== false,
    deleted,
    syncState,
  };
}
