/** The activity feed (webhooks and sync events as lines for the UI): list and mark read. */
import type { ContractHandlers } from '../../../shared/contract/schemas.ts';
import type { CoreContext } from '../context.ts';
import type { ActivityTable } from '../db/schema.ts';
import { activityItem } from '../replica/rows.ts';

export type ActivityMethod = 'activity.list' | 'activity.markRead';

export function activityHandlers(ctx: CoreContext): Pick<ContractHandlers, ActivityMethod> {
  const { replica } = ctx;
  return {
    // Raw on purpose: the UI's boot asks for this beside its first queue window, and the first kysely
    // query of a process loads and compiles the builder (~100 ms of CPU measured on the engine's
    // thread at cold start, #16) while the queue waits for it.
    'activity.list': (i) => (replica.stmt('SELECT * FROM activity ORDER BY at DESC, id LIMIT ?').all(i.limit) as ActivityTable[]).map(activityItem),
    'activity.markRead': (i) => {
      let updated = 0;
      replica.transaction(() => {
        // Raw on purpose: one prepared statement run per id (up to 10,000), where a kysely IN list would be compiled and prepared anew for each count of ids.
        const stmt = replica.stmt('UPDATE activity SET read = 1 WHERE id = ? AND read = 0');
        for (const id of i.ids) updated += stmt.run(id).changes;
      });
      if (updated) ctx.notifyChanged(['activity']);
      return { updated };
    },
  };
}
