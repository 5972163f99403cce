/**
 * The replica: server truth + local intents in one SQLite file (see db/migrations.ts).
 *
 * ## Apply helpers for other writers (the webhook relay client)
 *
 * Every `apply*` method writes *server facts* and keeps the derived overlay consistent. They do not
 * open a transaction themselves: wrap them, together with your own cursor, in `replica.transaction`
 * so a delivery is applied exactly once:
 *
 * ```ts
 * replica.transaction(() => {
 *   if (!replica.recordDelivery({ deliveryId, bodySha256, event })) return; // duplicate: id or body seen
 *   if (data.booking) replica.applyRemoteBooking(data.booking);            // booking.* events
 *   replica.applyDispute({ id, bookingId, openedById, reason, openedAt }); // dispute.opened
 *   replica.applyReview({ id, offeringId, rating, authorId, body, createdAt, ratingAverage, reviewCount });
 *   replica.addActivity({ event, summary, bookingId });                     // returns the ActivityItem
 *   replica.setMeta('relay.cursor', String(seq));
 * });
 * ```
 * `applyRemoteBooking` ignores a record older than the one stored (by `version`), so a late webhook
 * never rolls a booking back. After the transaction, tell the core (`core.notifyChanged(tables)`)
 * so the UI re-queries. Webhooks are also hints: `core.syncNow()` pulls the change feed.
 */
import { randomUUID } from 'node:crypto';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type Database from 'better-sqlite3';
import type { ActivityItem } from '../../../shared/contract/types.ts';
import type { CoreMessage } from '../../../shared/contract/messages.ts';
import { beginBulk, endBulk } from '../db/bulk-settings.ts';
import { Checkpointer, walBytes } from '../db/checkpointer.ts';
import { buildDeferredIndexNow, buildScript, deferIndexesIfEmpty, deferredIndexes } from '../db/deferred-indexes.ts';
import type { OpenCheck } from '../db/integrity.ts';
import { openReplica, type ReplicaDb } from '../db/open.ts';
import { buildSearchIndexChunk, buildSearchIndexChunkOn, searchIndexState, type SearchIndexState } from '../db/search-index.ts';
import { overlayBooking } from '../sync/overlay.ts';
import type {
  RemoteAvailabilityException,
  RemoteAvailabilityRule,
  RemoteBooking,
  RemoteCoupon,
  RemoteOffering,
} from '../sync/remote-types.ts';

const nowIso = (): string => new Date().toISOString();

export interface ApplyResult {
  /** The stored truth changed. */
  changed: boolean;
  /** The booking is PENDING now and was not PENDING (or not known) before. */
  newPending: boolean;
}

type Stmt = Database.Statement;

/** Prepared statements kept by `Replica.stmt` (the fixed texts of the core are about 150). */
export const STATEMENT_CACHE = 256;

/** A new booking row (all 24 columns, in table order); an id already stored is left to the update path. */
const INSERT_BOOKING = `INSERT INTO bookings VALUES (${Array.from({ length: 24 }, () => '?').join(',')}) ON CONFLICT(id) DO NOTHING`;

/** Target time of one chunk of the full-text index build (well under the 50 ms a call may wait). */
export const SEARCH_CHUNK_MS = 12;

export class Replica {
  readonly db: ReplicaDb;
  readonly sqlite: Database.Database;
  /** Prepared statements by text, least recently used first (bounded: see `stmt`). */
  readonly #s = new Map<string, Stmt>();

  readonly file: string;
  #checkpointer: Checkpointer | null = null;

  /**
   * One transaction wrapper for every call, the function passed as its argument: `sqlite.transaction(fn)`
   * builds four wrappers and defines their properties on each call, a measurable part of a webhook's
   * apply (one outer transaction and one savepoint per delivery).
   */
  readonly #run: Database.Transaction<(fn: () => unknown) => unknown>;

  /** `check`: how much of the file is checked for damage before it is used (db/integrity.ts). */
  constructor(file: string, check: OpenCheck = 'full') {
    this.file = file;
    this.db = openReplica(file, check);
    this.sqlite = this.db.sqlite;
    this.#run = this.sqlite.transaction((fn: () => unknown) => fn());
  }

  static open(file: string): Replica {
    return new Replica(file);
  }

  /** Moves WAL checkpoints to a worker thread (for long-lived syncing processes; see db/checkpointer.ts). */
  startBackgroundCheckpoints(): void {
    if (!this.#checkpointer && this.file !== ':memory:') this.#checkpointer = new Checkpointer(this.sqlite, this.file);
  }

  /** Once the WAL outgrew `maxBytes`: commits the pull's group and awaits a whole checkpoint, so the WAL starts over (Checkpointer.checkpoint). */
  async restartWalIfOver(maxBytes: number): Promise<boolean> {
    if (!this.#checkpointer || walBytes(this.file) <= maxBytes) return false;
    this.flushBulk();
    // The file is cut back to this size when the WAL starts over (else it keeps its largest size).
    this.sqlite.pragma(`journal_size_limit = ${Math.floor(maxBytes)}`);
    return this.#checkpointer.checkpoint();
  }

  async stopBackgroundCheckpoints(): Promise<void> {
    const c = this.#checkpointer;
    this.#checkpointer = null;
    await c?.stop();
  }

  close(): void {
    if (this.sqlite.open) this.flushBulk();
    this.db.close();
  }

  /**
   * A prepared statement, cached by its text. The cache keeps the `STATEMENT_CACHE` most recently used:
   * texts built per call (an IN list per length, a filter combination) would otherwise pile up for the
   * life of the process.
   */
  stmt(text: string): Stmt {
    let s = this.#s.get(text);
    if (s) {
      this.#s.delete(text);
    } else {
      s = this.sqlite.prepare(text);
      if (this.#s.size >= STATEMENT_CACHE) this.#s.delete(this.#s.keys().next().value as string);
    }
    this.#s.set(text, s);
    return s;
  }

  /** How many prepared statements the cache holds (≤ STATEMENT_CACHE). */
  get cachedStatements(): number {
    return this.#s.size;
  }

  /** Runs `fn` in one IMMEDIATE transaction (takes the write lock up front: no upgrade deadlocks). */
  transaction<T>(fn: () => T): T {
    // A write from outside the pull commits the pull's open group first (see `bulk`).
    if (this.#bulkOpen && this.#inBulk === 0) this.flushBulk();
    if (this.sqlite.inTransaction) return fn();
    const gate = this.writeGate;
    gate?.enter();
    try {
      return this.#run.immediate(fn) as T;
    } catch (error) {
      this.#rollbacks++;
      throw error;
    } finally {
      gate?.leave();
    }
  }

  /** Set while the pull's apply worker writes this file (sync/apply-host.ts): it commits its group for our write. */
  writeGate: { enter(): void; leave(): void } | null = null;

  /**
   * Runs `fn` in a savepoint of the open transaction (or in a transaction of its own when none is
   * open): a failure rolls back `fn`'s writes only, and the caller's transaction goes on.
   */
  savepoint<T>(fn: () => T): T {
    try {
      return this.#run(fn) as T;
    } catch (error) {
      this.#rollbacks++;
      throw error;
    }
  }

  #rollbacks = 0;

  /** Transactions (and savepoints) of this connection rolled back so far (what was read inside them may be gone: bookings/count.ts). */
  get rollbacks(): number {
    return this.#rollbacks;
  }

  // ---- indexes an initial sync builds after its bulk load (db/deferred-indexes.ts) --------------

  /** Before the first page of an initial bookings sync: drops the random-key indexes if the tables are empty. */
  deferIndexesForInitialLoad(): number {
    this.flushBulk();
    return deferIndexesIfEmpty(this.sqlite);
  }

  hasDeferredIndexes(): boolean {
    return !!this.stmt("SELECT 1 FROM meta WHERE key LIKE 'deferredIndex:%' LIMIT 1").get();
  }

  /**
   * Builds the deferred indexes, one transaction each, on the checkpoint worker's connection when it
   * runs (so the thread serving the UI stays free; this one waits without blocking), otherwise here.
   * Stops between indexes when `signal` is aborted (the rest stay recorded for the next sync).
   */
  async buildDeferredIndexes(signal?: AbortSignal): Promise<number> {
    this.flushBulk();
    const pending = deferredIndexes(this.sqlite);
    for (const d of pending) {
      signal?.throwIfAborted();
      if (this.#checkpointer) {
        try {
          await this.#checkpointer.exec(buildScript(d));
          continue;
        } catch {
          // the worker could not (stopped, busy): build it here
        }
      }
      this.flushBulk();
      buildDeferredIndexNow(this.sqlite, d);
    }
    return pending.length;
  }

  /** Null when the full-text index is complete, otherwise how far its build got (db/search-index.ts). */
  searchIndexState(): SearchIndexState | null {
    return searchIndexState(this.sqlite);
  }

  #searchBuild: Promise<void> | null = null;

  /**
   * Completes the full-text index an initial load left out, in chunks of about SEARCH_CHUNK_MS each,
   * commit included, written by the checkpoint worker's connection where one runs (db/search-index.ts),
   * yielding between them; stops between chunks when `signal` is aborted (the watermark keeps the
   * place). One build at a time: a second caller waits for the one under way.
   */
  buildSearchIndex(signal?: AbortSignal, onProgress?: (s: SearchIndexState) => void): Promise<void> {
    this.#searchBuild ??= (async () => {
      let rows = 1000;
      try {
        for (;;) {
          signal?.throwIfAborted();
          const t = performance.now();
          const worker = this.#checkpointer;
          const here = (): SearchIndexState | null => this.bulk(() => buildSearchIndexChunk(this.sqlite, rows));
          if (worker) this.flushBulk(); // the worker waits for no group of ours
          const state = worker ? await buildSearchIndexChunkOn(this.sqlite, (sql) => worker.exec(sql), rows).catch(here) : here();
          // Committed chunk by chunk: FTS5 writes what a transaction added (and merges segments) at its
          // commit; grouped like a pull's pages, each commit was a 100–190 ms block at 1M rows.
          this.flushBulk();
          if (!state) return;
          const ms = Math.max(0.5, performance.now() - t); // the next is sized by it (commit included)
          rows = Math.round(Math.min(20_000, Math.max(200, (rows * SEARCH_CHUNK_MS) / ms)));
          onProgress?.(state);
          await yieldToLoop();
        }
      } finally {
        this.flushBulk();
      }
    })().finally(() => (this.#searchBuild = null));
    return this.#searchBuild;
  }

  // ---- meta & sync state ------------------------------------------------------------------------

  getMeta(key: string): string | null {
    const row = this.stmt('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value ?? null;
  }

  setMeta(key: string, value: string | null): void {
    if (value === null) this.stmt('DELETE FROM meta WHERE key = ?').run(key);
    else this.stmt('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  getSyncState(resource: string): { cursor: string | null; complete: boolean; rowsSeen: number; lastSyncAt: string | null } {
    const row = this.stmt('SELECT cursor, complete, rows_seen, last_sync_at FROM sync_state WHERE resource = ?').get(resource) as
      | { cursor: string | null; complete: number; rows_seen: number; last_sync_at: string | null }
      | undefined;
    return { cursor: row?.cursor ?? null, complete: row?.complete === 1, rowsSeen: row?.rows_seen ?? 0, lastSyncAt: row?.last_sync_at ?? null };
  }

  setSyncState(resource: string, patch: { cursor?: string | null; complete?: boolean; addRows?: number; lastSyncAt?: string }): void {
    const cur = this.getSyncState(resource);
    this.stmt(
      `INSERT INTO sync_state (resource, cursor, complete, rows_seen, last_sync_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(resource) DO UPDATE SET cursor = excluded.cursor, complete = excluded.complete,
         rows_seen = excluded.rows_seen, last_sync_at = excluded.last_sync_at`,
    ).run(
      resource,
      patch.cursor !== undefined ? patch.cursor : cur.cursor,
      (patch.complete ?? cur.complete) ? 1 : 0,
      cur.rowsSeen + (patch.addRows ?? 0),
      patch.lastSyncAt ?? cur.lastSyncAt,
    );
  }

  // ---- bookings ---------------------------------------------------------------------------------
  // Raw on purpose, every apply helper below: they are the sync pull's upsert (100k rows in an initial
  // sync) and the webhook path, one row at a time through cached prepared statements. A kysely compile
  // per row measured 2.2× a prepared lookup and 4.2× a prepared update (20,000 lookups: 0.83 s vs
  // 1.81 s; 10,000 updates: 0.20 s vs 0.84 s; one run at load 15).

  /** Writes one booking as the server has it (skips it when the stored version is newer or equal). */
  applyRemoteBooking(b: RemoteBooking): ApplyResult {
    if (!b || typeof b.id !== 'string' || typeof b.status !== 'string') return { changed: false, newPending: false };
    const items = Array.isArray(b.items) ? b.items : [];
    let startsAt: string | null = null;
    for (const it of items) if (startsAt === null || it.startsAt < startsAt) startsAt = it.startsAt;
    // Only a record without timestamps needs the clock (a Date per row is measurable over 100k rows).
    let nowCache: string | undefined;
    const now = (): string => (nowCache ??= nowIso());
    const c = b.customer ?? {};
    const params = [
      b.id,
      b.status,
      b.offeringId ?? items[0]?.offeringId ?? '',
      b.offeringTitle ?? '',
      c.id ?? '',
      c.name ?? '',
      c.email ?? '',
      c.timezone ?? null,
      b.subtotalCents ?? 0,
      b.discountCents ?? 0,
      b.taxCents ?? 0,
      b.totalCents ?? 0,
      b.currency ?? '',
      b.couponCode ?? null,
      b.riskScore ?? null,
      b.riskReviewStatus ?? null,
      b.notes ?? '',
      b.refundPercent ?? null,
      b.cancelReason ?? null,
      b.cancelledBy ?? null,
      startsAt,
      b.createdAt ?? now(),
      b.updatedAt ?? now(),
      typeof b.version === 'number' ? b.version : null,
    ];
    // Insert first, and look the stored record up only when the id is taken: an initial sync (every
    // row new) then searches the random-key primary index once a row instead of twice.
    let existing: { status: string; version: number | null; updated_at: string } | undefined;
    if (this.stmt(INSERT_BOOKING).run(...params).changes === 0) {
      existing = this.stmt('SELECT status, version, updated_at FROM bookings WHERE id = ?').get(b.id) as typeof existing;
      if (!existing) return { changed: false, newPending: false };
      if (typeof b.version === 'number' && existing.version !== null) {
        if (b.version <= existing.version) return { changed: false, newPending: false };
      } else if (b.updatedAt && b.updatedAt < existing.updated_at) {
        return { changed: false, newPending: false };
      }
      this.stmt(
        `UPDATE bookings SET status=?, offering_id=?, offering_title=?, customer_id=?, customer_name=?, customer_email=?,
           customer_timezone=?, subtotal_cents=?, discount_cents=?, tax_cents=?, total_cents=?, currency=?, coupon_code=?,
           risk_score=?, risk_review_status=?, notes=?, refund_percent=?, cancel_reason=?, cancelled_by=?, starts_at=?,
           created_at=?, updated_at=?, version=? WHERE id=?`,
      ).run(...params.slice(1), b.id);
      this.stmt('DELETE FROM booking_items WHERE booking_id = ?').run(b.id);
      this.stmt('DELETE FROM payments WHERE booking_id = ?').run(b.id);
    }
    const insItem = this.stmt(
      'INSERT OR REPLACE INTO booking_items (id, booking_id, position, offering_id, starts_at, ends_at, quantity, price_cents) VALUES (?,?,?,?,?,?,?,?)',
    );
    items.forEach((it, i) =>
      insItem.run(it.id, b.id, i, it.offeringId ?? b.offeringId ?? '', it.startsAt, it.endsAt, it.quantity ?? 1, it.priceCents ?? 0),
    );
    if (Array.isArray(b.payments)) {
      const insPay = this.stmt('INSERT OR REPLACE INTO payments (id, booking_id, amount_cents, currency, status, created_at) VALUES (?,?,?,?,?,?)');
      for (const p of b.payments) insPay.run(p.id, b.id, p.amountCents ?? 0, p.currency ?? b.currency ?? '', p.status ?? '', p.createdAt ?? now());
    }
    if (this.hasActiveIntents(b.id) || (existing && !this.#activeTargets && this.stmt('SELECT 1 FROM booking_overlay WHERE booking_id = ?').get(b.id))) {
      this.refreshBookingOverlay(b.id);
    }
    return { changed: true, newPending: b.status === 'PENDING' && existing?.status !== 'PENDING' };
  }

  /** Set while `batch` runs: the records that have active intents (the write lock keeps it exact). */
  #activeTargets: Set<string> | null = null;

  /**
   * Group commit for bulk applies of server truth (pull pages). `bulk(fn)` runs `fn` inside one open
   * write transaction that stays open across calls — and across the puller's yields to the event
   * loop — until `flushBulk()`: committing every 100-row slice would rewrite the same random index
   * pages again and again. Every other write (`transaction`, i.e. intents, relay deliveries, settings)
   * first commits the open bulk transaction, so an intent is never held hostage by a pull, and the
   * bulk commit does not wait for fsync (synchronous=NORMAL: WAL order still holds, and a power cut
   * can only lose truth whose cursor was lost with it, so it is pulled again). Intents are committed
   * with synchronous=FULL.
   */
  bulk<T>(fn: () => T): T {
    if (!this.#bulkOpen) {
      if (this.sqlite.inTransaction) return this.batch(fn);
      beginBulk(this.sqlite);
      this.#bulkOpen = true;
      this.#bulkSince = Date.now();
      this.#activeTargets = this.#loadActiveTargets();
    }
    this.#inBulk++;
    try {
      return fn();
    } catch (error) {
      this.#inBulk--;
      this.rollbackBulk();
      throw error;
    } finally {
      if (this.#inBulk > 0) this.#inBulk--;
    }
  }

  /** Milliseconds the open bulk transaction has been open (0 when none). */
  get bulkAgeMs(): number {
    return this.#bulkOpen ? Date.now() - this.#bulkSince : 0;
  }

  flushBulk(): void {
    if (!this.#bulkOpen) return;
    this.#bulkOpen = false;
    this.#activeTargets = null;
    endBulk(this.sqlite, 'COMMIT');
  }

  rollbackBulk(): void {
    if (!this.#bulkOpen) return;
    this.#bulkOpen = false;
    this.#rollbacks++;
    this.#activeTargets = null;
    endBulk(this.sqlite, 'ROLLBACK');
  }

  #bulkOpen = false;
  #bulkSince = 0;
  #inBulk = 0;

  #loadActiveTargets(): Set<string> {
    return new Set(
      (this.stmt("SELECT DISTINCT target_id FROM outbox WHERE state IN ('queued','sending','attention')").all() as Array<{ target_id: string }>).map((r) => r.target_id),
    );
  }

  /** A transaction for bulk applies: the set of records with active intents is read once. */
  batch<T>(fn: () => T): T {
    return this.transaction(() => {
      const outer = this.#activeTargets;
      this.#activeTargets = this.#loadActiveTargets();
      try {
        return fn();
      } finally {
        this.#activeTargets = outer;
      }
    });
  }

  hasActiveIntents(targetId: string): boolean {
    if (this.#activeTargets) return this.#activeTargets.has(targetId);
    return !!this.stmt("SELECT 1 FROM outbox WHERE target_id = ? AND state IN ('queued','sending','attention') LIMIT 1").get(targetId);
  }

  /** Recomputes the derived overlay row of one booking from its truth and its active intents. */
  refreshBookingOverlay(bookingId: string): void {
    const truth = this.stmt('SELECT status, notes FROM bookings WHERE id = ?').get(bookingId) as { status: string; notes: string } | undefined;
    const intents = this.stmt(
      "SELECT kind, payload, state FROM outbox WHERE target_id = ? AND state IN ('queued','sending','attention') ORDER BY seq",
    ).all(bookingId) as Array<{ kind: string; payload: string; state: string }>;
    if (!truth || intents.length === 0) {
      this.stmt('DELETE FROM booking_overlay WHERE booking_id = ?').run(bookingId);
      return;
    }
    const items = this.stmt('SELECT id, starts_at AS startsAt, ends_at AS endsAt FROM booking_items WHERE booking_id = ? ORDER BY position').all(
      bookingId,
    ) as Array<{ id: string; startsAt: string; endsAt: string }>;
    const o = overlayBooking({ status: truth.status, notes: truth.notes, items }, intents);
    this.stmt(
      `INSERT INTO booking_overlay (booking_id, status, starts_at, notes, sync_state) VALUES (?,?,?,?,?)
       ON CONFLICT(booking_id) DO UPDATE SET status=excluded.status, starts_at=excluded.starts_at, notes=excluded.notes, sync_state=excluded.sync_state`,
    ).run(bookingId, o.status, o.startsAt, o.notes, o.syncState);
  }

  // ---- offerings, coupons, availability ---------------------------------------------------------

  applyRemoteOffering(o: RemoteOffering): ApplyResult {
    if (!o || typeof o.id !== 'string') return { changed: false, newPending: false };
    const existing = this.stmt('SELECT version, updated_at FROM offerings WHERE id = ?').get(o.id) as { version: number | null; updated_at: string } | undefined;
    if (existing && typeof o.version === 'number' && existing.version !== null && o.version <= existing.version) return { changed: false, newPending: false };
    const now = nowIso();
    this.stmt(
      `INSERT OR REPLACE INTO offerings (id, slug, title, description, status, product_type_key, categories, attributes, base_price_cents, currency,
        tax_rate_bps, pricing_model, cancellation_policy, rating_average, review_count, created_at, updated_at, deleted_at, version)
       VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
    ).run(
      o.id,
      o.slug ?? '',
      o.title ?? '',
      o.description ?? '',
      o.status ?? 'DRAFT',
      o.productTypeKey ?? '',
      JSON.stringify(o.categories ?? []),
      JSON.stringify(o.attributes ?? {}),
      o.basePriceCents ?? 0,
      o.currency ?? '',
      o.taxRateBps ?? 0,
      o.pricingModel ?? 'ONE_TIME',
      o.cancellationPolicy ?? 'MODERATE',
      o.ratingAverage ?? null,
      o.reviewCount ?? 0,
      o.createdAt ?? now,
      o.updatedAt ?? now,
      o.deletedAt ?? null,
      typeof o.version === 'number' ? o.version : null,
    );
    return { changed: true, newPending: false };
  }

  applyRemoteCoupon(c: RemoteCoupon): ApplyResult {
    if (!c || typeof c.id !== 'string') return { changed: false, newPending: false };
    const existing = this.stmt('SELECT version FROM coupons WHERE id = ?').get(c.id) as { version: number | null } | undefined;
    if (existing && typeof c.version === 'number' && existing.version !== null && c.version <= existing.version) return { changed: false, newPending: false };
    const now = nowIso();
    this.stmt(
      `INSERT OR REPLACE INTO coupons (id, code, kind, amount, currency, valid_from, valid_until, max_redemptions, min_subtotal_cents,
        redeemed_count, active, created_at, updated_at, deleted_at, version) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
    ).run(
      c.id,
      c.code ?? '',
      c.kind ?? 'PERCENT',
      c.amount ?? 0,
      c.currency ?? null,
      c.validFrom ?? null,
      c.validUntil ?? null,
      c.maxRedemptions ?? null,
      c.minSubtotalCents ?? 0,
      c.redeemedCount ?? 0,
      c.active === false ? 0 : 1,
      c.createdAt ?? now,
      c.updatedAt ?? now,
      c.deletedAt ?? null,
      typeof c.version === 'number' ? c.version : null,
    );
    return { changed: true, newPending: false };
  }

  /** Replaces every availability rule and exception (the server answers them all at once). */
  replaceAvailability(rules: RemoteAvailabilityRule[], exceptions: RemoteAvailabilityException[]): void {
    this.clearAvailability();
    this.insertAvailability(rules, exceptions);
  }

  clearAvailability(): void {
    this.stmt('DELETE FROM availability_rules').run();
    this.stmt('DELETE FROM availability_exceptions').run();
  }

  insertAvailability(rules: readonly RemoteAvailabilityRule[], exceptions: readonly RemoteAvailabilityException[]): void {
    const r = this.stmt(
      'INSERT OR REPLACE INTO availability_rules (id, offering_id, day_of_week, start_time, end_time, slot_minutes, capacity, valid_from, valid_until) VALUES (?,?,?,?,?,?,?,?,?)',
    );
    for (const x of rules) r.run(x.id, x.offeringId, x.dayOfWeek, x.startTime, x.endTime, x.slotMinutes ?? 60, x.capacity ?? 1, x.validFrom ?? null, x.validUntil ?? null);
    const e = this.stmt(
      'INSERT OR REPLACE INTO availability_exceptions (id, offering_id, kind, date, start_time, end_time, reason) VALUES (?,?,?,?,?,?,?)',
    );
    for (const x of exceptions) e.run(x.id, x.offeringId, x.kind, x.date, x.startTime ?? null, x.endTime ?? null, x.reason ?? null);
  }

  // ---- webhook-only facts -----------------------------------------------------------------------

  /** Records an applied webhook delivery; false when its delivery id or body hash was seen already. */
  recordDelivery(d: { deliveryId: string; bodySha256: string; event: string; receivedAt?: string }): boolean {
    const r = this.stmt('INSERT OR IGNORE INTO inbox (delivery_id, body_sha256, event, received_at) VALUES (?,?,?,?)').run(
      d.deliveryId,
      d.bodySha256,
      d.event,
      d.receivedAt ?? nowIso(),
    );
    return r.changes === 1;
  }

  applyDispute(d: { id: string; bookingId: string; openedById: string; reason: string; openedAt: string; status?: string }): void {
    this.stmt(
      `INSERT INTO disputes (id, booking_id, opened_by_id, reason, status, opened_at) VALUES (?,?,?,?,?,?)
       ON CONFLICT(id) DO UPDATE SET status = excluded.status, reason = excluded.reason`,
    ).run(d.id, d.bookingId, d.openedById, d.reason, d.status ?? 'OPEN', d.openedAt);
  }

  /** Stores a review and, when given, the offering's new aggregate (ratingAverage, reviewCount). */
  applyReview(r: { id: string; offeringId: string; rating: number; authorId: string; body?: string | null; createdAt: string; ratingAverage?: number; reviewCount?: number }): void {
    this.stmt('INSERT OR IGNORE INTO reviews (id, offering_id, rating, author_id, body, created_at) VALUES (?,?,?,?,?,?)').run(
      r.id,
      r.offeringId,
      r.rating,
      r.authorId,
      r.body ?? null,
      r.createdAt,
    );
    if (typeof r.ratingAverage === 'number' && typeof r.reviewCount === 'number') {
      this.stmt('UPDATE offerings SET rating_average = ?, review_count = ? WHERE id = ?').run(r.ratingAverage, r.reviewCount, r.offeringId);
    }
  }

  addActivity(a: { event: string; summary: string; message?: CoreMessage | null; bookingId?: string | null; at?: string; id?: string }): ActivityItem {
    const item: ActivityItem = { id: a.id ?? `act_${randomUUID()}`, at: a.at ?? nowIso(), event: a.event, summary: a.summary, summaryMessage: a.message ?? null, bookingId: a.bookingId ?? null, read: false };
    this.stmt('INSERT OR IGNORE INTO activity (id, at, event, summary, message, booking_id, read) VALUES (?,?,?,?,?,?,0)').run(
      item.id,
      item.at,
      item.event,
      item.summary,
      item.summaryMessage ? JSON.stringify(item.summaryMessage) : null,
      item.bookingId,
    );
    return item;
  }
}
