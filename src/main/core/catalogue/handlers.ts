/** The contract's catalogue methods: offerings, coupons (views and intents) and an offering's availability. */
import type { AvailabilityExceptionView, AvailabilityRuleView } from '../../../shared/contract/types.ts';
import type { ContractHandlers } from '../../../shared/contract/schemas.ts';
import type { CoreContext } from '../context.ts';
import { tenantTimeZone } from '../settings/store.ts';
import { createRecord, patchRecord } from './intents.ts';
import { coupons, offerings } from './views.ts';

export type CatalogueMethod =
  | 'offerings.list'
  | 'offerings.create'
  | 'offerings.patch'
  | 'offerings.delete'
  | 'coupons.list'
  | 'coupons.create'
  | 'coupons.patch'
  | 'coupons.delete'
  | 'availability.get';

export function catalogueHandlers(ctx: CoreContext): Pick<ContractHandlers, CatalogueMethod> {
  const { replica } = ctx;
  return {
    'offerings.list': (i) => offerings(replica, i.includeDeleted ?? false),
    'offerings.create': (i) => createRecord(ctx, 'offering', i.fields),
    'offerings.patch': (i) => ({ intentId: patchRecord(ctx, 'offering', i.id, i.fields) }),
    'offerings.delete': (i) => ({ intentId: patchRecord(ctx, 'offering', i.id, null) }),
    'coupons.list': (i) => coupons(replica, i.includeDeleted ?? false),
    'coupons.create': (i) => createRecord(ctx, 'coupon', i.fields),
    'coupons.patch': (i) => ({ intentId: patchRecord(ctx, 'coupon', i.id, i.fields) }),
    'coupons.delete': (i) => ({ intentId: patchRecord(ctx, 'coupon', i.id, null) }),
    'availability.get': (i) => {
      const id = ctx.outbox.resolveId(i.offeringId);
      const rules = (replica.stmt('SELECT * FROM availability_rules WHERE offering_id = ? ORDER BY day_of_week, start_time').all(id) as Array<Record<string, unknown>>).map(
        (r): AvailabilityRuleView => ({
          id: String(r['id']),
          offeringId: String(r['offering_id']),
          dayOfWeek: Number(r['day_of_week']),
          startTime: String(r['start_time']),
          endTime: String(r['end_time']),
          slotMinutes: Number(r['slot_minutes']),
          capacity: Number(r['capacity']),
          validFrom: (r['valid_from'] as string | null) ?? null,
          validUntil: (r['valid_until'] as string | null) ?? null,
        }),
      );
      const exceptions = (replica.stmt('SELECT * FROM availability_exceptions WHERE offering_id = ? ORDER BY date, start_time').all(id) as Array<Record<string, unknown>>).map(
        (r): AvailabilityExceptionView => ({
          id: String(r['id']),
          offeringId: String(r['offering_id']),
          kind: r['kind'] === 'OPEN' ? 'OPEN' : 'BLOCK',
          date: String(r['date']),
          startTime: (r['start_time'] as string | null) ?? null,
          endTime: (r['end_time'] as string | null) ?? null,
          reason: (r['reason'] as string | null) ?? null,
        }),
      );
      return { timezone: tenantTimeZone(replica), rules, exceptions };
    },
  };
}
