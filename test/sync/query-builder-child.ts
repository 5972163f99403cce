// Child of query-builder.test.ts: records every resolution of kysely (module.registerHooks sees both
// import() and require()), starts a core, makes the list calls a front desk makes, and prints what
// was resolved. Loading kysely's ~250 ES modules is one synchronous block of the loop (Node 24 loads
// them without yielding, import() included): 160-280 ms of the engine's loop during a sync.
import { registerHooks } from 'node:module';
import { join } from 'node:path';

const resolved: string[] = [];
registerHooks({
  resolve(specifier, context, next) {
    if (specifier === 'kysely' || specifier.startsWith('kysely/')) resolved.push(specifier);
    return next(specifier, context);
  },
});
const { openCore } = await import('../support/core.ts');
const dir = process.argv[2]!;
const core = openCore({ dbFile: join(dir, 'replica.db'), api: { url: 'http://127.0.0.1:9', key: 'ork_test01.secret-0123456789abcdef' }, transport: 'bridge', appVersion: 'test', holdMs: 0 });
core.core.start();
const failed: string[] = [];
const call = async <T>(what: Promise<T>): Promise<T | null> => what.catch((error: unknown) => (failed.push(String(error)), null));
const offering = (await core.call('offerings.create', { fields: { title: 'Kayak', productTypeKey: 'room', basePriceCents: 500, currency: 'USD', pricingModel: 'ONE_TIME', cancellationPolicy: 'FLEXIBLE' } }))!;
await call(core.call('offerings.patch', { id: offering.id, fields: { title: 'Kayak tour' } }));
await call(core.call('coupons.create', { fields: { code: 'spring', kind: 'PERCENT', amount: 10 } }));
for (const input of [{}, { status: 'PENDING' as const }, { search: 'garcía' }, { offeringId: offering.id, from: '2026-01-01T00:00:00.000Z', to: '2027-01-01T00:00:00.000Z' }]) await call(core.call('bookings.list', { offset: 0, limit: 50, ...input }));
await call(core.call('intents.list', {}));
await call(core.call('offerings.list', {}));
await call(core.call('coupons.list', {}));
await call(core.call('availability.get', { offeringId: offering.id }));
await call(core.call('disputes.list', {}));
await new Promise((resolve) => setTimeout(resolve, 50));
await core.core.close();
console.log(JSON.stringify({ resolved, failed }));
