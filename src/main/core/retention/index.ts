/**
 * Retention: with the setting `retainPastDays` = N (default null: keep everything), past bookings whose
 * every item ended more than N days before today (UTC midnight) leave the replica. Only finished ones
 * (COMPLETED, CANCELLED, REFUNDED) with nothing local about them: no intent still to send or refused,
 * no optimistic overlay, no dispute. The server keeps them; the replica keeps the window the staff works
 * in. Pruning runs in the background in small batches (one short transaction each, a turn of the loop
 * between them), after each pull that changed bookings, when the setting changes, and every few minutes.
 * A booking the server changes later comes back through the change feed and leaves on the next pass.
 */
import type Database from 'better-sqlite3';

/** Bookings removed per transaction (each is a few milliseconds at 1M rows). */
export const PRUNE_BATCH = 500;
const dayMs = 86_400_000;

/** Items that ended before this instant are past the window (`null`: keep all). */
export function retentionCutoff(retainPastDays: number | null, now = Date.now()): string | null {
  if (retainPastDays === null) return null;
  return new Date(Math.floor(now / dayMs) * dayMs - retainPastDays * dayMs).toISOString();
}

/** What the replica covers: bookings from `from` on (null: the whole history the server gave). */
export interface CoverageWindow {
  retainPastDays: number | null;
  from: string | null;
}

export function coverage(retainPastDays: number | null, now = Date.now()): CoverageWindow {
  return { retainPastDays, from: retentionCutoff(retainPastDays, now) };
}

/**
 * One batch: removes up to `limit` bookings past `cutoff` (with their items and payments) in one
 * transaction; returns how many. Starts come from an index (`bookings_starts_id`; 0003 replaced `bookings_starts`), so a batch reads
 * about `limit` rows, not the table.
 */
export function pruneBatch(db: Database.Database, cutoff: string, limit = PRUNE_BATCH): number {
  const ids = db
    .prepare(
      `SELECT b.id FROM bookings b
        WHERE b.starts_at < @cutoff AND b.status IN ('COMPLETED', 'CANCELLED', 'REFUNDED')
          AND NOT EXISTS (SELECT 1 FROM booking_items i WHERE i.booking_id = b.id AND i.ends_at >= @cutoff)
          AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.target_id = b.id AND o.state NOT IN ('done', 'discarded', 'undone'))
          AND NOT EXISTS (SELECT 1 FROM booking_overlay v WHERE v.booking_id = b.id)
          AND NOT EXISTS (SELECT 1 FROM disputes d WHERE d.booking_id = b.id)
        ORDER BY b.starts_at LIMIT @limit`,
    )
    .pluck()
    .all({ cutoff, limit }) as string[];
  if (ids.length === 0) return 0;
  const list = JSON.stringify(ids);
  db.transaction(() => {
    for (const table of ['booking_items', 'payments']) db.prepare(`DELETE FROM ${table} WHERE booking_id IN (SELECT value FROM json_each(?))`).run(list);
    db.prepare('DELETE FROM bookings WHERE id IN (SELECT value FROM json_each(?))').run(list);
  })();
  return ids.length;
}

export interface PrunerOptions {
  db: Database.Database;
  /** The current setting (read at every pass). */
  retainPastDays(): number | null;
  /** Told after a pass that removed bookings. */
  onPruned(count: number): void;
  everyMs?: number;
  now?: () => number;
  log?: (line: string) => void;
}

/** Runs prune passes in the background; `kick()` asks for one soon, `close()` stops between batches. */
export class Pruner {
  readonly #o: PrunerOptions;
  #running: Promise<void> | null = null;
  #again = false;
  #closed = false;
  readonly #timer: NodeJS.Timeout;

  constructor(options: PrunerOptions) {
    this.#o = options;
    this.#timer = setInterval(() => this.kick(), options.everyMs ?? 5 * 60_000);
    this.#timer.unref();
  }

  /** Asks for a pass; resolves when the pass it joined (or started) ends. */
  kick(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = this.#pass().finally(() => {
      this.#running = null;
      if (this.#again && !this.#closed) {
        this.#again = false;
        void this.kick();
      }
    });
    return this.#running;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    await this.#running;
  }

  async #pass(): Promise<void> {
    const cutoff = retentionCutoff(this.#o.retainPastDays(), this.#o.now?.() ?? Date.now());
    if (cutoff === null) return;
    let total = 0;
    // Bounded: a 1M-booking replica is 2,000 batches; a pass that cannot finish resumes on the next kick.
    for (let i = 0; i < 10_000 && !this.#closed; i++) {
      let n: number;
      try {
        n = pruneBatch(this.#o.db, cutoff);
      } catch (error) {
        // The replica is closing, or busy: the next pass tries again.
        this.#o.log?.(`retention: ${(error as Error).message}`);
        break;
      }
      total += n;
      if (n < PRUNE_BATCH) break;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (total > 0) this.#o.onPruned(total);
  }
}
