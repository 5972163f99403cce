/** The contract's catalogue methods: offerings, coupons (views and intents) and an offering's availability. */
import { listReviews } from './reviews.ts';
import type { ContractHandlers } from '../../../shared/contract/schemas.ts';
import type { CoreContext } from '../context.ts';
import { availabilityExceptionView, availabilityRuleView } from '../replica/rows.ts';
import { tenantTimeZone } from '../settings/store.ts';
import { createRecord, patchRecord } from './intents.ts';
import { coupons, offeringOptions, offerings } from './views.ts';
import { offeringsPage } from './offerings-page.ts';

export type CatalogueMethod =
  | 'offerings.list'
  | 'offerings.options'
  | 'offerings.page'
  | 'offerings.create'
  | 'offerings.patch'
  | 'offerings.delete'
  | 'coupons.list'
  | 'coupons.create'
  | 'coupons.patch'
  | 'coupons.delete'
  | 'availability.get'
  | 'reviews.list';

export function catalogueHandlers(ctx: CoreContext): Pick<ContractHandlers, CatalogueMethod> {
  const { replica } = ctx;
  return {
    'offerings.list': (i) => offerings(replica, i.includeDeleted ?? false),
    'offerings.options': () => offeringOptions(replica),
    'offerings.page': (i) => offeringsPage(replica, i),
    'reviews.list': (i) => listReviews(replica, i),
    'offerings.create': (i) => createRecord(ctx, 'offering', i.fields),
    'offerings.patch': (i) => ({ intentId: patchRecord(ctx, 'offering', i.id, i.fields) }),
    'offerings.delete': (i) => ({ intentId: patchRecord(ctx, 'offering', i.id, null) }),
    'coupons.list': (i) => coupons(replica, i.includeDeleted ?? false),
    'coupons.create': (i) => createRecord(ctx, 'coupon', i.fields),
    'coupons.patch': (i) => ({ intentId: patchRecord(ctx, 'coupon', i.id, i.fields) }),
    'coupons.delete': (i) => ({ intentId: patchRecord(ctx, 'coupon', i.id, null) }),
    'availability.get': (i) => {
      const id = ctx.outbox.resolveId(i.offeringId);
      const { db } = replica;
      const rules = db.all(db.kysely.selectFrom('availability_rules').selectAll().where('offering_id', '=', id).orderBy('day_of_week').orderBy('start_time')).map(availabilityRuleView);
      const exceptions = db.all(db.kysely.selectFrom('availability_exceptions').selectAll().where('offering_id', '=', id).orderBy('date').orderBy('start_time')).map(availabilityExceptionView);
      return { timezone: tenantTimeZone(replica), rules, exceptions };
    },
  };
}
