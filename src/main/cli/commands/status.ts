import { CliError, requiredString, type Command } from '../command.ts';
import { callContract } from '../contract.ts';

export const statusCommand: Command = {
  name: 'status',
  summary: 'Show the replica: outbox, needs-attention conflicts, last sync.',
  usage: 'status --db FILE [--json]',
  options: { db: { type: 'string' }, json: { type: 'boolean' } },
  async run(args) {
    const dbFile = requiredString(args, 'db');
    const { existsSync } = await import('node:fs');
    if (!existsSync(dbFile)) throw new CliError(`no replica at ${dbFile}`);
    const { createCore } = await import('../../core/index.ts');
    const core = createCore({ dbFile, transport: 'bridge', appVersion: 'cli', holdMs: 0 });
    try {
      const s = await callContract(core, 'sync.status', {});
      const byState: Record<string, number> = {};
      for (const r of core.replica.stmt('SELECT state, COUNT(*) AS n FROM outbox GROUP BY state').all() as Array<{ state: string; n: number }>) byState[r.state] = r.n;
      const counts = core.replica.stmt("SELECT (SELECT COUNT(*) FROM bookings) AS bookings, (SELECT COUNT(*) FROM bookings WHERE status = 'PENDING') AS pending, (SELECT COUNT(*) FROM offerings) AS offerings, (SELECT COUNT(*) FROM coupons) AS coupons").get() as Record<string, number>;
      const conflicts = await callContract(core, 'conflicts.list', {});
      const { tenant } = await callContract(core, 'session.info', {});
      const report = {
        tenant,
        lastSyncAt: s.lastSyncAt,
        outboxLength: s.outboxLength,
        intents: byState,
        conflicts: conflicts.map((c) => ({ id: c.id, intentId: c.intent.id, summary: c.summary, httpStatus: c.httpStatus, code: c.code, message: c.message })),
        replica: counts,
      };
      if (args.values['json']) {
        console.log(JSON.stringify(report, null, 2));
        return 0;
      }
      console.log(`tenant:      ${tenant ? `${tenant.name} (${tenant.id})` : '(not synced yet)'}`);
      console.log(`last sync:   ${s.lastSyncAt ?? 'never'}`);
      console.log(`outbox:      ${s.outboxLength} waiting (${Object.entries(byState).map(([k, v]) => `${k} ${v}`).join(', ') || 'empty'})`);
      console.log(`attention:   ${conflicts.length}`);
      for (const c of conflicts) console.log(`  ${c.id}  ${c.summary}: ${c.httpStatus} ${c.code} ${c.message}`);
      console.log(`replica:     ${counts['bookings']} bookings (${counts['pending']} pending), ${counts['offerings']} offerings, ${counts['coupons']} coupons`);
      return 0;
    } finally {
      await core.close();
    }
  },
};
