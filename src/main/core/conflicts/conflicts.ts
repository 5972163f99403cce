/**
 * Intents the server refused (needs attention) and the user's way out of them: retry, discard, or
 * take the server's version. Also the intents list and the record "as the user meant it", which a
 * conflict keeps beside the server's answer.
 */
import type { ConflictView, IntentView } from '../../../shared/contract/types.ts';
import { bookingDetail } from '../bookings/views.ts';
import { coupons, offerings } from '../catalogue/views.ts';
import type { CoreContext } from '../context.ts';
import type { ConflictsTable } from '../db/schema.ts';
import type { Replica } from '../replica/replica.ts';
import { conflictView } from '../replica/rows.ts';
import { ACTIVE } from '../sync/intents.ts';
import { isTempId, recordKind, recordPath, type Outbox } from '../sync/outbox.ts';
import { describeIntent, describeIntentMessage, intentView, parsePayload, type IntentRow } from '../sync/overlay.ts';
import type { Pusher } from '../sync/push.ts';
import type { RemoteBooking, RemoteCoupon, RemoteOffering } from '../sync/remote-types.ts';

/**
 * Active intents and the last 100 finished ones, newest first; those the pusher holds show as sending.
 * Raw: a UNION of two windows of the outbox reads better as SQL than as a builder chain.
 */
export function intentsList(replica: Replica, pusher: Pusher, now: number): IntentView[] {
  const rows = replica
    .stmt(`SELECT * FROM (SELECT * FROM outbox WHERE state IN ${ACTIVE} UNION SELECT * FROM (SELECT * FROM outbox WHERE state NOT IN ${ACTIVE} ORDER BY seq DESC LIMIT 100)) ORDER BY seq DESC`)
    .all() as IntentRow[];
  return rows.map((r) => {
    const v = intentView(r, now);
    return pusher.inFlight.has(r.id) ? { ...v, state: 'sending' as const } : v;
  });
}

/** Raw on purpose: the CLI's `status` lists these, and must not load kysely (~250 ms of a CLI start). */
export function conflicts(replica: Replica, outbox: Outbox): ConflictView[] {
  const rows = replica.stmt('SELECT * FROM conflicts WHERE resolved_at IS NULL ORDER BY created_at').all() as ConflictsTable[];
  const out: ConflictView[] = [];
  for (const c of rows) {
    const intent = outbox.get(c.intent_id);
    if (!intent) continue;
    out.push(conflictView(c, { intent: intentView(intent), summary: describeIntent(intent), summaryMessage: describeIntentMessage(intent) }));
  }
  return out;
}

export async function resolveConflict(ctx: CoreContext, id: string, choice: 'retry' | 'discard' | 'takeServer'): Promise<boolean> {
  const { replica, engine } = ctx;
  const intent = ctx.outbox.resolve(id, choice);
  if (!intent) return false;
  if (choice === 'takeServer' && engine.api && !isTempId(intent.target_id)) {
    try {
      const res = await engine.api.get(recordPath(intent.kind, intent.target_id), { priority: 'user' });
      const k = recordKind(intent.kind);
      replica.transaction(() => {
        if (k === 'booking') replica.applyRemoteBooking(res.body as RemoteBooking);
        else if (k === 'offering') replica.applyRemoteOffering(res.body as RemoteOffering);
        else replica.applyRemoteCoupon(res.body as RemoteCoupon);
      });
    } catch {
      // the truth stored with the conflict stays; the next reconciliation refreshes it
    }
  }
  if (choice === 'retry') engine.kickPush();
  ctx.notifyChanged(['intents', 'conflicts', 'bookings', 'offerings', 'coupons']);
  return true;
}

/** The record as the user meant it: the truth with this intent's effect applied, whatever the server did since. */
export function localView(replica: Replica, intent: IntentRow): unknown {
  const k = recordKind(intent.kind);
  if (k === 'booking') {
    const view = bookingDetail(replica, intent.target_id);
    if (!view) return null;
    const p = parsePayload(intent);
    if (intent.kind === 'booking.approve') return { ...view, status: 'CONFIRMED' };
    if (intent.kind === 'booking.cancel') return { ...view, status: 'CANCELLED', cancelReason: typeof p['reason'] === 'string' ? p['reason'] : null };
    if (intent.kind === 'booking.notes') return { ...view, notes: p['notes'] };
    if (intent.kind === 'booking.reschedule') {
      return { ...view, items: view.items.map((i) => (i.id === p['itemId'] ? { ...i, startsAt: p['startsAt'], endsAt: p['endsAt'] } : i)) };
    }
    return view;
  }
  const list = k === 'offering' ? offerings(replica, true) : coupons(replica, true);
  return list.find((r) => r.id === intent.target_id) ?? parsePayload(intent)['fields'] ?? null;
}
