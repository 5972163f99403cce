/** The contract's intent and needs-attention methods: list, undo, resolve. */
import type { ContractHandlers } from '../../../shared/contract/schemas.ts';
import type { CoreContext } from '../context.ts';
import { conflicts, intentsList, resolveConflict } from './conflicts.ts';

export type ConflictsMethod = 'intents.list' | 'intents.undo' | 'conflicts.list' | 'conflicts.resolve';

export function conflictsHandlers(ctx: CoreContext): Pick<ContractHandlers, ConflictsMethod> {
  return {
    'intents.list': () => intentsList(ctx.replica, ctx.pusher, ctx.now()),
    'intents.undo': (i) => {
      const target = ctx.outbox.get(i.id)?.target_id;
      const undone = ctx.outbox.undo(i.id, ctx.pusher.inFlight);
      if (undone) ctx.notifyChanged(['intents', 'bookings', 'offerings', 'coupons'], target ? [target] : undefined);
      return { undone };
    },
    'conflicts.list': () => conflicts(ctx.replica, ctx.outbox),
    'conflicts.resolve': async (i) => ({ resolved: await resolveConflict(ctx, i.id, i.choice) }),
  };
}
