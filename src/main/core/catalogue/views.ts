/**
 * Offerings and coupons as the UI sees them: server rows with their pending intents laid over them,
 * plus records that exist only as local intents (created offline).
 */
import type { CouponView, OfferingView } from '../../../shared/contract/types.ts';
import type { CouponsTable, OfferingsTable } from '../db/schema.ts';
import type { Replica } from '../replica/replica.ts';
import { activeIntentsByTarget } from '../sync/intents.ts';
import { overlayRecord } from '../sync/overlay.ts';

/**
 * Server rows with their pending intents laid over them, plus records that exist only as local
 * intents (created offline). Shared by offerings and coupons.
 */
function overlaid<Row extends { id: string; deleted_at: string | null }, View>(
  replica: Replica,
  prefix: 'offering' | 'coupon',
  rows: Row[],
  truthOf: (row: Row) => Record<string, unknown>,
  includeDeleted: boolean,
  view: (id: string, record: Record<string, unknown>, deleted: boolean, syncState: OfferingView['syncState']) => View,
): View[] {
  const intents = activeIntentsByTarget(replica, prefix);
  const out: View[] = [];
  const seen = new Set<string>();
  const build = (id: string, truth: Record<string, unknown> | null, serverDeleted: boolean): void => {
    const o = overlayRecord(truth, intents.get(id) ?? []);
    if (!o.record) return;
    const deleted = serverDeleted || o.deleted;
    if (deleted && !includeDeleted) return;
    out.push(view(id, o.record, deleted, o.syncState));
  };
  for (const r of rows) {
    seen.add(r.id);
    build(r.id, truthOf(r), r.deleted_at !== null);
  }
  for (const id of intents.keys()) if (!seen.has(id)) build(id, null, false);
  return out;
}

export function offerings(replica: Replica, includeDeleted = false): OfferingView[] {
  const rows = replica.stmt('SELECT * FROM offerings ORDER BY title, id').all() as OfferingsTable[];
  return overlaid(replica, 'offering', rows, offeringTruth, includeDeleted, (id, r, deleted, syncState) => ({
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
  }));
}

export function coupons(replica: Replica, includeDeleted = false): CouponView[] {
  const rows = replica.stmt('SELECT * FROM coupons ORDER BY code, id').all() as CouponsTable[];
  return overlaid(replica, 'coupon', rows, couponTruth, includeDeleted, (id, r, deleted, syncState) => ({
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
  }));
}

function offeringTruth(r: OfferingsTable): Record<string, unknown> {
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

function couponTruth(r: CouponsTable): Record<string, unknown> {
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
