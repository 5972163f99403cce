/**
 * The approval queue as a keyset-paged window (issues #13/#16): never the whole queue in memory.
 *
 * The queue is what the UI sees as PENDING: truth PENDING without local intents (the big part, read
 * through the indexes on `bookings (status, created_at, id)` / `(status, starts_at, id)`), plus the
 * few bookings whose overlay says PENDING (`booking_overlay` holds only records with active intents).
 * A window is the first `limit` rows after the cursor, merged from both parts by the sort key; the
 * counts are index range counts over truth, corrected by the overlay's few rows.
 *
 * `counts.full` needs a slot check per row, so it is counted over the whole filtered queue only when
 * that is small (<= fullCountAllLimit rows); otherwise over the rows starting from now to the end of
 * the "week" group, and `counts.fullScope` says which.
 */
import { ContractError, type BookingView, type MethodInput, type QueueGroup, type QueueRow, type QueueWindow, type RuleFlag } from '../../../shared/contract/types.ts';
import type { BookingsTable } from '../db/schema.ts';
import type { Replica } from '../replica/replica.ts';
import { describeChecks, type RuleCheck } from '../rules/evaluate.ts';
import { firstStartOf } from './front-desk.ts';
import { truthVersion, writeVersion } from '../replica/truth-version.ts';
import { groupBounds, groupOf, type GroupBounds } from './queue-groups.ts';
import { SlotChecker } from './slots.ts';

export const fullCountAllLimit = 2000;

type Input = MethodInput<'queue.window'>;

/** Position in the queue: phase 1 holds rows without a start (sorted after all others when sorting by start). */
interface Key {
  phase: 0 | 1;
  key: string;
  id: string;
}

const compareKeys = (a: Key, b: Key): number => a.phase - b.phase || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export function encodeCursor(sort: string, k: Key): string {
  return Buffer.from(JSON.stringify([sort, k.phase, k.key, k.id])).toString('base64url');
}

/** The position a cursor names (null: from the start); BAD_INPUT for one this sort did not give. */
export function decodeCursor(sort: string, cursor: string | undefined): Key | null {
  if (!cursor) return null;
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v[0] === sort && (v[1] === 0 || v[1] === 1) && typeof v[2] === 'string' && typeof v[3] === 'string') return { phase: v[1], key: v[2], id: v[3] };
  } catch {
    // not one of ours: said below
  }
  throw new ContractError('BAD_INPUT', `cursor is not one queue.window gave for sort "${sort}" (pass back its nextCursor with the same sort).`, [{ path: 'cursor', message: `not a queue.window cursor for sort "${sort}"` }]);
}

/** WHERE clauses and parameters of the filters, over `b` (truth) with `start` as the effective start expression. */
function filterSql(input: Input, start: string): { where: string[]; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  if (input.offeringIds && input.offeringIds.length > 0) {
    where.push('b.offering_id IN (SELECT value FROM json_each(?))');
    params.push(JSON.stringify(input.offeringIds));
  }
  if (input.risk === 'held') where.push("b.risk_review_status = 'HELD'");
  if (input.risk === 'clear') where.push("(b.risk_review_status IS NULL OR b.risk_review_status <> 'HELD')");
  if (input.flagged) where.push(flaggedSql);
  if (input.from) {
    where.push(`${start} >= ?`);
    params.push(new Date(input.from).toISOString());
  }
  if (input.to) {
    where.push(`${start} < ?`);
    params.push(new Date(input.to).toISOString());
  }
  return { where, params };
}

/** Labelled "needs a look" by a flag rule (rule_runs is indexed by booking). */
const flaggedSql = "EXISTS (SELECT 1 FROM rule_runs r WHERE r.booking_id = b.id AND r.outcome = 'flagged')";

/** The flag rules' labels on the window's rows, newest first: one statement for the whole window. */
function ruleFlagsOf(replica: Replica, ids: string[]): Map<string, RuleFlag[]> {
  const out = new Map<string, RuleFlag[]>();
  if (ids.length === 0) return out;
  const rows = replica
    .stmt("SELECT booking_id AS bookingId, rule_id AS ruleId, rule_name AS ruleName, reasons, at FROM rule_runs WHERE booking_id IN (SELECT value FROM json_each(?)) AND outcome = 'flagged' ORDER BY at DESC")
    .all(JSON.stringify(ids)) as Array<{ bookingId: string; ruleId: string; ruleName: string; reasons: string; at: string }>;
  for (const r of rows) {
    const list = out.get(r.bookingId) ?? [];
    // Reasons are stored as the checks' JSON (rules/runner.ts); the label says them as the activity does.
    list.push({ ruleId: r.ruleId, ruleName: r.ruleName, conditions: describeChecks(JSON.parse(r.reasons) as RuleCheck[]), at: r.at });
    out.set(r.bookingId, list);
  }
  return out;
}

const and = (where: string[]): string => (where.length ? ` AND ${where.join(' AND ')}` : '');

interface OverlayRow extends BookingsTable {
  effective_start: string | null;
}

export interface QueueDeps {
  replica: Replica;
  timeZone: string;
  /** Views of truth rows with intents laid over (ConsoleCore.bookingViews). */
  views(rows: BookingsTable[]): BookingView[];
  now?: number;
}

export function queueWindow(deps: QueueDeps, input: Input): QueueWindow {
  const { replica, timeZone } = deps;
  const now = deps.now ?? Date.now();
  const sort = input.sort ?? 'waiting';
  const limit = input.limit ?? 100;
  const after = decodeCursor(sort, input.cursor);
  const keyOf = (createdAt: string, startsAt: string | null, id: string): Key =>
    sort === 'waiting' ? { phase: 0, key: createdAt, id } : startsAt === null ? { phase: 1, key: '', id } : { phase: 0, key: startsAt, id };

  // The overlay's PENDING rows (few: only records with active intents), filtered on their effective start.
  const ov = filterSql(input, 'COALESCE(o.starts_at, b.starts_at)');
  const overlayRows = (
    replica.stmt(`SELECT b.*, COALESCE(o.starts_at, b.starts_at) AS effective_start FROM booking_overlay o CROSS JOIN bookings b ON b.id = o.booking_id WHERE o.status = 'PENDING'${and(ov.where)}`).all(...ov.params) as OverlayRow[]
  ).map((row) => ({ row, key: keyOf(row.created_at, row.effective_start, row.id) }));

  const truthRows = truthWindow(replica, input, sort, after, limit + 1);
  const merged = [...truthRows.map((row) => ({ row: row as BookingsTable, start: row.starts_at, key: keyOf(row.created_at, row.starts_at, row.id) })), ...overlayRows.filter((r) => !after || compareKeys(r.key, after) > 0).map((r) => ({ row: r.row as BookingsTable, start: r.row.effective_start, key: r.key }))].sort((a, b) => compareKeys(a.key, b.key));
  const page = merged.slice(0, limit);
  const views = deps.views(page.map((p) => p.row));
  const checker = new SlotChecker(replica, timeZone);
  const bounds = groupBounds(now, timeZone);
  const flags = ruleFlagsOf(replica, views.map((v) => v.id));
  const items: QueueRow[] = views.map((view, i) => {
    const startsAt = firstStartOf(view) ?? page[i]!.start;
    return { ...view, startsAt, group: groupOf(startsAt, bounds), slot: checker.check(view), held: view.riskReviewStatus === 'HELD', ruleFlags: flags.get(view.id) ?? [] };
  });
  const last = page[page.length - 1];
  const pendingOverlay = overlayRows.map((r) => r.row);
  const { truth, bounds: countBounds, entry } = cachedTruthCounts(replica, input, bounds);
  const counts = overlaidCounts(replica, input, countBounds, truth, pendingOverlay);
  // The full count reads the overlay (an approval fills its competitors' places): reused only while
  // nothing at all was written, as when the window is walked page by page.
  const version = writeVersion(replica);
  let full = entry.full.get(filterKey(input));
  if (!full || full.version !== version) {
    full = { version, ...fullCount(replica, input, checker, bounds, counts.total, pendingOverlay) };
    entry.full.set(filterKey(input), full);
  }
  return {
    items,
    total: counts.total,
    counts: { held: counts.held, full: full.count, flagged: counts.flagged, groups: counts.groups, fullScope: full.scope },
    nextCursor: merged.length > limit && last ? encodeCursor(sort, last.key) : null,
  };
}

type Counts = { total: number; held: number; flagged: number; groups: Record<QueueGroup, number> };

/** How long truth counts are reused while the truth is unchanged (the date groups move with the clock). */
export const countsCacheMs = 10_000;
interface CountsEntry {
  version: string;
  bounds: GroupBounds;
  byFilter: Map<string, Counts>;
  full: Map<string, { version: string; count: number; scope: 'all' | 'week' }>;
}
const countsCache = new WeakMap<Replica, CountsEntry>();
const filterKey = (input: Input): string => JSON.stringify([input.offeringIds ?? [], input.risk ?? 'all', input.flagged ?? false, input.from ?? null, input.to ?? null]);

/**
 * The truth's range counts for a filter, reused while the truth is unchanged (replica/truth-version.ts):
 * walking the queue window by window, or re-reading it after a key press queued an intent, does not
 * recount ~108k PENDING rows (~60 ms at 1M bookings) each time; the intents' own rows are laid over
 * them on every call (overlaidCounts), with the same bounds. Reused within countsCacheMs.
 */
function cachedTruthCounts(replica: Replica, input: Input, b: GroupBounds): { truth: Counts; bounds: GroupBounds; entry: CountsEntry } {
  const version = truthVersion(replica);
  let entry = countsCache.get(replica);
  if (!entry || entry.version !== version || b.now - entry.bounds.now > countsCacheMs || b.now < entry.bounds.now) {
    entry = { version, bounds: b, byFilter: new Map(), full: new Map() };
    countsCache.set(replica, entry);
  }
  const key = filterKey(input);
  let truth = entry.byFilter.get(key);
  if (!truth) {
    truth = truthCounts(replica, input, entry.bounds);
    entry.byFilter.set(key, truth);
  }
  return { truth, bounds: entry.bounds, entry };
}

const notOverlaid = 'NOT EXISTS (SELECT 1 FROM booking_overlay o WHERE o.booking_id = b.id)';

/** Truth PENDING rows without intents after the cursor, in sort order (one index walk; a second for start-less rows). */
function truthWindow(replica: Replica, input: Input, sort: string, after: Key | null, take: number): BookingsTable[] {
  const f = filterSql(input, 'b.starts_at');
  const base = `SELECT b.* FROM bookings b WHERE b.status = 'PENDING' AND ${notOverlaid}${and(f.where)}`;
  if (sort === 'waiting') {
    if (!after) return replica.stmt(`${base} ORDER BY b.created_at, b.id LIMIT ?`).all(...f.params, take) as BookingsTable[];
    return replica.stmt(`${base} AND (b.created_at, b.id) > (?, ?) ORDER BY b.created_at, b.id LIMIT ?`).all(...f.params, after.key, after.id, take) as BookingsTable[];
  }
  let rows: BookingsTable[] = [];
  if (!after || after.phase === 0) {
    rows = after
      ? (replica.stmt(`${base} AND b.starts_at IS NOT NULL AND (b.starts_at, b.id) > (?, ?) ORDER BY b.starts_at, b.id LIMIT ?`).all(...f.params, after.key, after.id, take) as BookingsTable[])
      : (replica.stmt(`${base} AND b.starts_at IS NOT NULL ORDER BY b.starts_at, b.id LIMIT ?`).all(...f.params, take) as BookingsTable[]);
    if (rows.length >= take) return rows;
  }
  // Rows without a start come last; with a start filter there are none.
  if (input.from || input.to) return rows;
  const fromId = after?.phase === 1 ? after.id : '';
  const tail = replica.stmt(`${base} AND b.starts_at IS NULL AND b.id > ? ORDER BY b.id LIMIT ?`).all(...f.params, fromId, take - rows.length) as BookingsTable[];
  return rows.concat(tail);
}

/**
 * Total, held, flagged and groups over truth PENDING alone, intents or not: range counts (index-only
 * where the filters allow). Flagged is counted from the flagged runs to their bookings (CROSS JOIN, so
 * the planner starts from the runs, not from every PENDING booking).
 */
function truthCounts(replica: Replica, input: Input, b: GroupBounds): Counts {
  const f = filterSql(input, 'b.starts_at');
  const count = (extra: string, params: unknown[]): number =>
    (replica.stmt(`SELECT count(*) AS n FROM bookings b WHERE b.status = 'PENDING'${and(f.where)}${extra}`).get(...f.params, ...params) as { n: number }).n;
  const iso = (ms: number): string => new Date(ms).toISOString();
  const groups: Record<QueueGroup, number> = {
    past: count(' AND b.starts_at < ?', [iso(b.now)]),
    today: count(' AND b.starts_at >= ? AND b.starts_at < ?', [iso(b.now), iso(b.tomorrow)]),
    tomorrow: count(' AND b.starts_at >= ? AND b.starts_at < ?', [iso(b.tomorrow), iso(b.dayAfter)]),
    week: count(' AND b.starts_at >= ? AND b.starts_at < ?', [iso(b.dayAfter), iso(b.weekEnd)]),
    // Two range counts: an OR would collect 100k row ids in a set first.
    later: count(' AND b.starts_at >= ?', [iso(b.weekEnd)]) + count(' AND b.starts_at IS NULL', []),
  };
  const held = input.risk === 'clear' ? 0 : count(" AND b.risk_review_status = 'HELD'", []);
  const flagged = (
    replica.stmt(`SELECT count(*) AS n FROM (SELECT DISTINCT booking_id FROM rule_runs WHERE outcome = 'flagged') r CROSS JOIN bookings b ON b.id = r.booking_id WHERE b.status = 'PENDING'${and(f.where)}`).get(...f.params) as { n: number }
  ).n;
  const total = groups.past + groups.today + groups.tomorrow + groups.week + groups.later;
  return { total, held, flagged, groups };
}

/**
 * The queue's counts from the truth's: minus the truth PENDING rows that have intents (the overlay
 * shows them otherwise, or PENDING again), plus the overlay's PENDING rows. Both read only the
 * overlay's few rows, on every call.
 */
function overlaidCounts(replica: Replica, input: Input, b: GroupBounds, truth: Counts, overlayPending: OverlayRow[]): Counts {
  const f = filterSql(input, 'b.starts_at');
  const groups = { ...truth.groups };
  let held = truth.held;
  let flagged = truth.flagged;
  // CROSS JOIN: from the overlay's few rows to their bookings, never the other way round (the planner
  // would otherwise walk every PENDING booking and look each up in the overlay).
  const overlaid = replica
    .stmt(`SELECT b.starts_at AS startsAt, b.risk_review_status AS risk, ${flaggedSql} AS flagged FROM booking_overlay o CROSS JOIN bookings b ON b.id = o.booking_id WHERE b.status = 'PENDING'${and(f.where)}`)
    .all(...f.params) as Array<{ startsAt: string | null; risk: string | null; flagged: number }>;
  for (const r of overlaid) {
    groups[groupOf(r.startsAt, b)] -= 1;
    if (r.risk === 'HELD' && input.risk !== 'clear') held -= 1;
    if (r.flagged) flagged -= 1;
  }
  for (const r of overlayPending) {
    groups[groupOf(r.effective_start, b)] += 1;
    if (r.risk_review_status === 'HELD') held += 1;
  }
  if (overlayPending.length > 0) {
    flagged += (
      replica.stmt("SELECT count(DISTINCT booking_id) AS n FROM rule_runs WHERE outcome = 'flagged' AND booking_id IN (SELECT value FROM json_each(?))").get(JSON.stringify(overlayPending.map((r) => r.id))) as { n: number }
    ).n;
  }
  const total = groups.past + groups.today + groups.tomorrow + groups.week + groups.later;
  return { total, held, flagged, groups };
}

/**
 * How many rows' slots are full: over the whole filtered queue when small, else over now → end of the
 * week group. One statement sums, for each row's items, the places overlapping CONFIRMED bookings hold
 * (status as the UI sees it), bounded below by the offering's longest item like SlotChecker; only the
 * capacity (the rule in the tenant's zone) is looked up here. Queued reschedules of the counted rows
 * are not applied (their truth times are used).
 */
function fullCount(replica: Replica, input: Input, checker: SlotChecker, b: GroupBounds, total: number, overlayPending: OverlayRow[]): { count: number; scope: 'all' | 'week' } {
  const scope = total <= fullCountAllLimit ? 'all' : 'week';
  const f = filterSql(input, 'b.starts_at');
  const range = scope === 'all' ? '' : ' AND b.starts_at >= ? AND b.starts_at < ?';
  const rangeParams = scope === 'all' ? [] : [new Date(b.now).toISOString(), new Date(b.weekEnd).toISOString()];
  const taken = `COALESCE((SELECT sum(c.quantity) FROM booking_items c CROSS JOIN bookings cb ON cb.id = c.booking_id
      WHERE c.offering_id = p.offering_id AND c.starts_at < p.ends_at AND c.ends_at > p.starts_at AND c.booking_id <> p.booking_id
        AND c.starts_at >= strftime('%Y-%m-%dT%H:%M:%fZ', julianday(p.starts_at) - (SELECT max(julianday(m.ends_at) - julianday(m.starts_at)) FROM booking_items m WHERE m.offering_id = p.offering_id) - 1.0 / 86400)
        AND COALESCE((SELECT o.status FROM booking_overlay o WHERE o.booking_id = c.booking_id), cb.status) = 'CONFIRMED'), 0)`;
  // Only items that could be full come back: those whose places exceed the smallest capacity of any of
  // the offering's rules (no rule: never full). The rule an item falls in (weekday and time in the
  // tenant's zone) is then looked up for these few only; at 1M bookings the week holds ~2,300 PENDING
  // items over ~2,000 offerings, and reading all their rules into the checker was 30 ms of the cold start.
  // MATERIALIZED: `taken` is computed once per item, not again in the filter.
  const itemsOf = (from: string, params: unknown[]): Array<{ id: string; offeringId: string; startsAt: string; quantity: number; taken: number }> =>
    replica
      .stmt(
        `WITH t AS MATERIALIZED (SELECT p.booking_id AS id, p.offering_id AS offeringId, p.starts_at AS startsAt, p.quantity AS quantity, ${taken} AS taken FROM ${from})
         SELECT * FROM t WHERE t.taken + t.quantity > (SELECT min(r.capacity) FROM availability_rules r WHERE r.offering_id = t.offeringId)`,
      )
      .all(...params) as Array<{ id: string; offeringId: string; startsAt: string; quantity: number; taken: number }>;
  const rows = itemsOf(`bookings b CROSS JOIN booking_items p ON p.booking_id = b.id WHERE b.status = 'PENDING' AND ${notOverlaid}${and(f.where)}${range}`, [...f.params, ...rangeParams]);
  const overlayIds = overlayPending
    .filter((r) => {
      const start = r.effective_start === null ? null : Date.parse(r.effective_start);
      return scope === 'all' || (start !== null && start >= b.now && start < b.weekEnd);
    })
    .map((r) => r.id);
  if (overlayIds.length > 0) rows.push(...itemsOf('json_each(?) j CROSS JOIN booking_items p ON p.booking_id = j.value', [JSON.stringify(overlayIds)]));
  // A booking is full when any of its items is.
  checker.preloadRules(rows.map((r) => r.offeringId));
  const state = new Map<string, boolean>();
  for (const r of rows) {
    const capacity = checker.capacityAt(r.offeringId, r.startsAt);
    const full = capacity !== null && r.taken + r.quantity > capacity;
    state.set(r.id, (state.get(r.id) ?? false) || full);
  }
  let count = 0;
  for (const full of state.values()) if (full) count++;
  return { count, scope };
}
