/**
 * Bookings as the UI sees them: the replica's truth with pending intents laid over it (queue, list,
 * detail with its history). Functions of the replica, shared by the booking handlers, conflicts
 * (the local side of a refused intent) and the engine host's badge count.
 */
import { bookingsCount } from './count.ts';
import { ftsQuery } from './search.ts';
import type { BookingDetail, BookingStatus, BookingView, HistoryEntry } from '../../../shared/contract/types.ts';
import { coreMessage } from '../../../shared/contract/messages.ts';
import type { ActivityTable, BookingItemsTable, BookingsTable, PaymentsTable } from '../db/schema.ts';
import type { Replica } from '../replica/replica.ts';
import { truthVersion } from '../replica/truth-version.ts';
import { bookingItemView, paymentView, storedMessage } from '../replica/rows.ts';
import { ACTIVE } from '../sync/intents.ts';
import { describeIntent, describeIntentMessage, intentView, overlayBooking, type IntentRow } from '../sync/overlay.ts';

const noOverrides: ReadonlyMap<string, { startsAt: string; endsAt: string }> = new Map();


function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/**
 * Raw on purpose: a lookup by id runs once a row for every list, slot check and dispute; with kysely
 * each one is a compile too (20,000 lookups: 0.83 s raw, 1.81 s kysely, measured at load 15), and the
 * CLI's approve must not load kysely at all (~250 ms of its start).
 */
export function bookingRow(replica: Replica, id: string): BookingsTable | undefined {
  return replica.stmt('SELECT * FROM bookings WHERE id = ?').get(id) as BookingsTable | undefined;
}

/**
 * Builds views for truth rows, laying pending intents over them. Raw on purpose: the queue and every
 * list page read their items here in chunks of 500 ids, and the same text is prepared once (40 chunks:
 * 313 ms raw, 369 ms through kysely's compile, measured at load 15).
 */
export function bookingViews(replica: Replica, rows: BookingsTable[]): BookingView[] {
  if (rows.length === 0) return [];
  const items = new Map<string, BookingView['items']>();
  const intents = new Map<string, IntentRow[]>();
  for (const part of chunks(rows, 500)) {
    const marks = part.map(() => '?').join(',');
    const ids = part.map((r) => r.id);
    for (const it of replica
      .stmt(`SELECT * FROM booking_items WHERE booking_id IN (${marks}) ORDER BY booking_id, position`)
      .all(...ids) as BookingItemsTable[]) {
      let list = items.get(it.booking_id);
      if (!list) items.set(it.booking_id, (list = []));
      list.push(bookingItemView(it));
    }
    for (const row of replica
      .stmt(`SELECT * FROM outbox WHERE target_id IN (SELECT booking_id FROM booking_overlay WHERE booking_id IN (${marks})) AND state IN ${ACTIVE} ORDER BY seq`)
      .all(...ids) as IntentRow[]) {
      let list = intents.get(row.target_id);
      if (!list) intents.set(row.target_id, (list = []));
      list.push(row);
    }
  }
  return rows.map((r) => {
    const its = items.get(r.id) ?? [];
    const pending = intents.get(r.id) ?? [];
    const o =
      pending.length === 0
        ? { status: r.status, notes: r.notes, items: noOverrides, syncState: 'synced' as const, cancelReason: null }
        : overlayBooking({ status: r.status, notes: r.notes, items: its }, pending);
    return {
      id: r.id,
      status: o.status as BookingStatus,
      serverStatus: r.status as BookingStatus,
      offeringId: r.offering_id,
      offeringTitle: r.offering_title,
      customer: { id: r.customer_id, name: r.customer_name, email: r.customer_email, timezone: r.customer_timezone },
      items: o.items.size === 0 ? its : its.map((i) => ({ ...i, ...(o.items.get(i.id) ?? {}) })),
      totalCents: r.total_cents,
      currency: r.currency,
      riskScore: r.risk_score,
      riskReviewStatus: r.risk_review_status,
      notes: o.notes,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      syncState: o.syncState,
      refundPercent: r.refund_percent,
      cancelReason: o.cancelReason ?? r.cancel_reason,
    };
  });
}

/** Raw on purpose: the CLI's approve, cancel and reschedule read the booking here, and must not load kysely (~250 ms of a CLI start). */
export function bookingDetail(replica: Replica, id: string): BookingDetail | null {
  const row = bookingRow(replica, id);
  if (!row) return null;
  const [view] = bookingViews(replica, [row]);
  if (!view) return null;
  const payments = (replica.stmt('SELECT * FROM payments WHERE booking_id = ? ORDER BY created_at').all(id) as PaymentsTable[]).map(paymentView);
  const history: HistoryEntry[] = [];
  const now = Date.now();
  for (const i of replica.stmt('SELECT * FROM outbox WHERE target_id = ? ORDER BY seq').all(id) as IntentRow[]) {
    history.push({ at: i.created_at, kind: 'intent', summary: describeIntent(i), summaryMessage: describeIntentMessage(i), state: intentView(i, now).state });
  }
  for (const a of replica.stmt('SELECT at, event, summary, message FROM activity WHERE booking_id = ? ORDER BY at').all(id) as Array<Pick<ActivityTable, 'at' | 'event' | 'summary' | 'message'>>) {
    history.push({ at: a.at, kind: a.event.startsWith('rule.') ? 'rule' : 'webhook', summary: a.summary || a.event, summaryMessage: storedMessage(a.message) });
  }
  history.push({
    at: row.updated_at,
    kind: 'sync',
    summary: `Server: ${row.status}${row.version !== null ? ` (version ${row.version})` : ''}`,
    summaryMessage: row.version !== null ? coreMessage('history.serverVersion', { status: row.status, version: row.version }) : coreMessage('history.server', { status: row.status }),
  });
  history.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return { ...view, payments, subtotalCents: row.subtotal_cents, discountCents: row.discount_cents, taxCents: row.tax_cents, couponCode: row.coupon_code, history };
}

const truthPending = new WeakMap<Replica, { version: string; n: number }>();

/**
 * How many bookings the queue shows (the dock badge, asked by the engine host at start and after
 * changes), without building the views: the index count of truth PENDING, minus the truth PENDING rows
 * that have intents, plus the overlay's PENDING rows (the overlay holds only records with intents, so
 * both corrections read a few rows). Counting the PENDING rows themselves (truth without intents
 * UNION ALL the overlay's PENDING) read every one whole: 335 ms of CPU at 1M bookings (120k PENDING)
 * on the engine's thread, as the UI asked for its first window.
 */
export function pendingCount(replica: Replica): number {
  const n = (sql: string): number => (replica.stmt(sql).get() as { n: number }).n;
  // The index count of truth PENDING (~108k entries at 1M) is kept while the truth is unchanged: the
  // host asks after every change, and an approval changes only the overlay (replica/truth-version.ts).
  const version = truthVersion(replica);
  let truth = truthPending.get(replica);
  if (!truth || truth.version !== version) {
    truth = { version, n: n("SELECT count(*) AS n FROM bookings WHERE status = 'PENDING'") };
    truthPending.set(replica, truth);
  }
  // CROSS JOIN: from the overlay's few rows to their bookings, never the other way round.
  return (
    truth.n -
    n("SELECT count(*) AS n FROM booking_overlay o CROSS JOIN bookings b ON b.id = o.booking_id WHERE b.status = 'PENDING'") +
    n("SELECT count(*) AS n FROM booking_overlay o CROSS JOIN bookings b ON b.id = o.booking_id WHERE o.status = 'PENDING'")
  );
}

/**
 * Bookings by first start, newest first. With a status filter the query is a UNION ALL of "truth
 * has this status and no overlay" and "the overlay has this status": each arm walks an index in
 * order, so even deep offsets over 100k rows never sort the table.
 */
export function listBookings(replica: Replica, f: { status?: BookingStatus; offeringId?: string; from?: string; to?: string; search?: string; offset: number; limit: number }): { items: BookingView[]; total: number } {
  const { kysely } = replica.db;
  type Q = ReturnType<typeof kysely.selectFrom<'bookings as b'>>;
  const filters = (q: Q): Q => {
    if (f.offeringId) q = q.where('b.offering_id', '=', f.offeringId);
    if (f.from) q = q.where('b.starts_at', '>=', new Date(f.from).toISOString());
    if (f.to) q = q.where('b.starts_at', '<', new Date(f.to).toISOString());
    if (f.search && f.search.trim()) {
      // Full-text (bookings/search.ts): folded case and accents, every word a prefix.
      const { sql } = replica.db.kyselyModule;
      const query = ftsQuery(f.search);
      q = q.where(query === null ? sql<boolean>`0` : sql<boolean>`b.rowid IN (SELECT rowid FROM bookings_fts WHERE bookings_fts MATCH ${query})`);
    }
    return q;
  };
  let rows: BookingsTable[];
  let total: number;
  if (f.status) {
    const status = f.status;
    const truthArm = filters(kysely.selectFrom('bookings as b'))
      .where('b.status', '=', status)
      .where((eb) => eb.not(eb.exists(eb.selectFrom('booking_overlay as o').select('o.booking_id').whereRef('o.booking_id', '=', 'b.id'))));
    const overlayArm = filters(kysely.selectFrom('bookings as b')).where('b.id', 'in', (eb) => eb.selectFrom('booking_overlay as o2').select('o2.booking_id').where('o2.status', '=', status));
    const n1 = replica.db.first(truthArm.select((eb) => eb.fn.countAll<number>().as('n')))?.n ?? 0;
    const n2 = replica.db.first(overlayArm.select((eb) => eb.fn.countAll<number>().as('n')))?.n ?? 0;
    total = Number(n1) + Number(n2);
    rows = replica.db.all(
      truthArm.selectAll('b').unionAll(overlayArm.selectAll('b')).orderBy('starts_at', 'desc').orderBy('id', 'desc').limit(f.limit).offset(f.offset),
    ) as BookingsTable[];
  } else {
    const q = filters(kysely.selectFrom('bookings as b'));
    const unfiltered = !f.offeringId && !f.from && !f.to && !f.search?.trim();
    total = unfiltered ? bookingsCount(replica) : Number(replica.db.first(q.select((eb) => eb.fn.countAll<number>().as('n')))?.n ?? 0);
    rows = replica.db.all(q.selectAll('b').orderBy('b.starts_at', 'desc').orderBy('b.id', 'desc').limit(f.limit).offset(f.offset)) as BookingsTable[];
  }
  return { items: bookingViews(replica, rows), total };
}
