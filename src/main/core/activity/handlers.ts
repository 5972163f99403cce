/** The activity feed (webhooks and sync events as lines for the UI): list and mark read. */
import type { ContractHandlers } from '../../../shared/contract/schemas.ts';
import type { CoreContext } from '../context.ts';
import { storedMessage } from './message.ts';

export type ActivityMethod = 'activity.list' | 'activity.markRead';

interface ActivityRow {
  id: string;
  at: string;
  event: string;
  summary: string;
  message: string | null;
  booking_id: string | null;
  read: number;
}

export function activityHandlers(ctx: CoreContext): Pick<ContractHandlers, ActivityMethod> {
  const { replica } = ctx;
  return {
    'activity.list': (i) =>
      (replica.stmt('SELECT * FROM activity ORDER BY at DESC, id LIMIT ?').all(i.limit) as ActivityRow[]).map((a) => ({
        id: a.id,
        at: a.at,
        event: a.event,
        summary: a.summary,
        summaryMessage: storedMessage(a.message),
        bookingId: a.booking_id,
        read: a.read === 1,
      })),
    'activity.markRead': (i) => {
      let updated = 0;
      replica.transaction(() => {
        const stmt = replica.stmt('UPDATE activity SET read = 1 WHERE id = ? AND read = 0');
        for (const id of i.ids) updated += stmt.run(id).changes;
      });
      if (updated) ctx.notifyChanged(['activity']);
      return { updated };
    },
  };
}
