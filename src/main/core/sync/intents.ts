/**
 * Writing an intent (the outbox row and its optimistic effect, then telling the UI and the pusher),
 * shared by the booking and catalogue features, and the reads of active intents they lay over truth.
 */
import type { IntentKind } from '../../../shared/contract/types.ts';
import type { CoreContext } from '../context.ts';
import type { Replica } from '../replica/replica.ts';
import { settingsRow } from '../settings/store.ts';
import { recordKind } from './outbox.ts';
import type { IntentRow } from './overlay.ts';

/** The outbox states of an intent that still has its effect. */
const activeStates = ['queued', 'sending', 'attention'];
/** The same, as SQL for `state IN …` in raw statements. */
export const ACTIVE = `(${activeStates.map((s) => `'${s}'`).join(',')})`;

/** Hold before an intent may leave the machine: the host's override, else the user's undo seconds. */
function holdMs(ctx: CoreContext): number {
  return ctx.options.holdMs ?? settingsRow(ctx.replica).undoSeconds * 1000;
}

export function enqueueIntent(
  ctx: CoreContext,
  kind: IntentKind,
  targetId: string,
  payload: Record<string, unknown>,
  req: { method: string; path: string; body: string | null },
  baseVersion: number | null,
  idempotencyKey?: string,
): IntentRow {
  const row = ctx.outbox.enqueue({ kind, targetId, payload, ...req, baseVersion, holdMs: holdMs(ctx), ...(idempotencyKey ? { idempotencyKey } : {}) });
  const k = recordKind(kind);
  ctx.notifyChanged(['intents', k === 'booking' ? 'bookings' : k === 'offering' ? 'offerings' : 'coupons'], [row.target_id]);
  ctx.engine.kickPush();
  if (row.hold_until) {
    const wait = Date.parse(row.hold_until) - ctx.now();
    setTimeout(() => {
      if (!ctx.closed()) {
        ctx.engine.kickPush();
        ctx.notifyChanged(['intents']);
      }
    }, wait + 5).unref?.();
  }
  return row;
}

/** The stored truth's version of a record (the intent's base), null when unknown. Raw on purpose: the CLI's approve reads it and must not load kysely (~250 ms of a CLI start). */
export function recordVersion(replica: Replica, table: 'bookings' | 'offerings' | 'coupons', id: string): number | null {
  const r = replica.stmt(`SELECT version FROM ${table} WHERE id = ?`).get(id) as { version: number | null } | undefined;
  return r?.version ?? null;
}

/** Active intents on offerings or coupons, by target, in order. */
export function activeIntentsByTarget(replica: Replica, prefix: 'offering' | 'coupon'): Map<string, IntentRow[]> {
  const map = new Map<string, IntentRow[]>();
  const { db } = replica;
  for (const row of db.all(db.kysely.selectFrom('outbox').selectAll().where('kind', 'like', `${prefix}.%`).where('state', 'in', activeStates).orderBy('seq'))) {
    let list = map.get(row.target_id);
    if (!list) map.set(row.target_id, (list = []));
    list.push(row);
  }
  return map;
}
