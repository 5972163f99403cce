/** The contract's catalogue methods: offerings, coupons (views and intents) and an offering's availability. */
import { listReviews } from './reviews.ts';
import type { ContractHandlers } from '../../../shared/contract/schemas.ts';
import type { CoreContext } from '../context.ts';
import type { AvailabilityExceptionsTable, AvailabilityRulesTable } from '../db/schema.ts';
import { availabilityExceptionView, availabilityRuleView } from '../replica/rows.ts';
import { tenantTimeZone } from '../settings/store.ts';
import { createRecord, patchRecord } from './intents.ts';
import { coupons, offeringOptions, offerings } from './views.ts';

export type CatalogueMethod =
  | 'offerings.list'
  | 'offerings.options'
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
      const rules = (replica.stmt('SELECT * FROM availability_rules WHERE offering_id = ? ORDER BY day_of_week, start_time').all(id) as AvailabilityRulesTable[]).map(availabilityRuleView);
      const exceptions = (replica.stmt('SELECT * FROM availability_exceptions WHERE offering_id = ? ORDER BY date, start_time').all(id) as AvailabilityExceptionsTable[]).map(availabilityExceptionView);
      return { timezone: tenantTimeZone(replica), rules, exceptions };
    },
  };
}
