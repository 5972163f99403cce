/** The activity feed (webhooks and sync events as lines for the UI): list and mark read. */
import type { ContractHandlers } from '../../../shared/contract/schemas.ts';
import type { CoreContext } from '../context.ts';
import { activityItem } from '../replica/rows.ts';

export type ActivityMethod = 'activity.list' | 'activity.markRead';

export function activityHandlers(ctx: CoreContext): Pick<ContractHandlers, ActivityMethod> {
  const { replica } = ctx;
  const { db } = replica;
  return {
    'activity.list': (i) => db.all(db.kysely.selectFrom('activity').selectAll().orderBy('at', 'desc').orderBy('id').limit(i.limit)).map(activityItem),
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
