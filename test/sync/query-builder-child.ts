// Child of query-builder.test.ts: records every load of kysely (module.registerHooks sees both
// import() and require()), opens a core, notes what was loaded by then, starts it, makes the list
// calls a front desk makes at once, and prints what was loaded and which calls failed.
import { registerHooks } from 'node:module';
import { join } from 'node:path';

const loaded: string[] = [];
registerHooks({
  // load, not resolve: finding the package's folder resolves it without loading it.
  load(url, context, next) {
    if (/[\\/]kysely([\\/]|-[\d.]+\.mjs$)/.test(url)) loaded.push(url);
    return next(url, context);
  },
});
const { openCore } = await import('../support/core.ts');
const dir = process.argv[2]!;
const core = openCore({ dbFile: join(dir, 'replica.db'), api: { url: 'http://127.0.0.1:9', key: 'ork_test01.secret-0123456789abcdef' }, transport: 'bridge', appVersion: 'test', holdMs: 0 });
const atOpen = [...loaded];
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
console.log(JSON.stringify({ atOpen, loaded, failed }));
