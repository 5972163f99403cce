/**
 * Offerings and coupons as the UI sees them: server rows with their pending intents laid over them,
 * plus records that exist only as local intents (created offline).
 */
import type { CouponView, OfferingView } from '../../../shared/contract/types.ts';
import type { Replica } from '../replica/replica.ts';
import { couponTruth, couponView, offeringTruth, offeringView } from '../replica/rows.ts';
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
  const rows = replica.db.all(replica.db.kysely.selectFrom('offerings').selectAll().orderBy('title').orderBy('id'));
  return overlaid(replica, 'offering', rows, offeringTruth, includeDeleted, offeringView);
}

/**
 * Id and title of the offerings `offerings` gives, in its order. Raw on purpose: a filter's options
 * at 20k offerings, where whole views through kysely were 6.6 MB and ~0.8 s of the thread that
 * answers the queue during the 1M cold start (#16). The title is all the intents' overlay needs here.
 */
export function offeringOptions(replica: Replica): Array<{ id: string; title: string }> {
  const rows = replica.stmt('SELECT id, title, deleted_at FROM offerings ORDER BY title, id').all() as Array<{ id: string; title: string; deleted_at: string | null }>;
  return overlaid(replica, 'offering', rows, (r) => ({ title: r.title }), false, (id, record) => ({ id, title: String(record['title']) }));
}

export function coupons(replica: Replica, includeDeleted = false): CouponView[] {
  const rows = replica.db.all(replica.db.kysely.selectFrom('coupons').selectAll().orderBy('code').orderBy('id'));
  return overlaid(replica, 'coupon', rows, couponTruth, includeDeleted, couponView);
}
