/** The contract's sync methods: the engine's status and "sync now". */
import type { ContractHandlers } from '../../../shared/contract/schemas.ts';
import type { CoreContext } from '../context.ts';

export type SyncMethod = 'sync.status' | 'sync.now';

export function syncHandlers(ctx: CoreContext): Pick<ContractHandlers, SyncMethod> {
  return {
    'sync.status': () => ctx.engine.status(),
    'sync.now': () => ({ started: ctx.engine.syncNow() }),
  };
}
