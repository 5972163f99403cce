import type { Command } from '../command.ts';
import { printJson, withContract } from '../contract.ts';

export const statusCommand: Command = {
  name: 'status',
  summary: 'Show the replica as the window does: pending and offerings with queued actions laid over, outbox, needs attention, last sync.',
  usage:
    'status --db FILE [--json]\n\n' +
    'Counts are what the queue and the catalogue show: the server\'s records as of the last sync, with\n' +
    'the actions queued on this machine laid over them (an approval waiting to be sent is no longer\n' +
    'pending; an imported offering counts before the server has it).',
  options: { db: { type: 'string' }, json: { type: 'boolean' } },
  async run(args) {
    return withContract(args, async (call, core) => {
      const session = await call('session.info', {});
      const s = await call('sync.status', {});
      const intents = await call('intents.list', {});
      const conflicts = await call('conflicts.list', {});
      const pending = (await call('queue.window', { limit: 1 })).total;
      const bookings = (await call('bookings.list', { offset: 0, limit: 1 })).total;
      const offerings = await call('offerings.list', {});
      const coupons = (await call('coupons.list', {})).length;
      // Every intent ever written, by state (the contract's list keeps only the last finished ones).
      const byState: Record<string, number> = {};
      for (const r of core.replica.stmt('SELECT state, COUNT(*) AS n FROM outbox GROUP BY state').all() as Array<{ state: string; n: number }>) byState[r.state] = r.n;
      const blocked = intents.filter((i) => i.blockedBy === 'key').length;
      const localOfferings = offerings.filter((o) => o.syncState !== 'synced').length;
      const report = {
        tenant: session.tenant,
        kybStatus: session.tenant?.kybStatus ?? null,
        writable: session.writable,
        readOnlyReason: session.readOnlyReason,
        lastSyncAt: s.lastSyncAt,
        outboxLength: s.outboxLength,
        blocked,
        intents: byState,
        conflicts: conflicts.map((c) => ({ id: c.id, intentId: c.intent.id, summary: c.summary, httpStatus: c.httpStatus, code: c.code, message: c.message })),
        replica: { bookings, pending, offerings: offerings.length, localOfferings, coupons },
      };
      if (args.values['json'] === true) {
        printJson(report);
        return 0;
      }
      const tenant = session.tenant;
      console.log(`tenant:      ${tenant ? `${tenant.name} (${tenant.id}), business verification (KYB) ${tenant.kybStatus}` : '(not synced yet)'}`);
      console.log(`api key:     ${session.writable ? 'read and write' : `read-only: ${session.readOnlyReason ?? ''}`}`);
      console.log(`last sync:   ${s.lastSyncAt ?? 'never'}`);
      console.log(`outbox:      ${s.outboxLength} waiting (${Object.entries(byState).map(([k, v]) => `${k} ${v}`).join(', ') || 'empty'})${blocked ? `; ${blocked} blocked by the read-only key (kept)` : ''}`);
      console.log(`attention:   ${conflicts.length}`);
      for (const c of conflicts) console.log(`  ${c.id}  ${c.summary}: ${c.httpStatus} ${c.code} ${c.message}`);
      console.log(`replica:     ${bookings} bookings (${pending} pending), ${offerings.length} offerings${localOfferings ? ` (${localOfferings} with changes not yet on the server)` : ''}, ${coupons} coupons`);
      return 0;
    });
  },
};
