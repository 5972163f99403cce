import type { Replica } from '../replica/replica.ts';

/** How long an applied batch of relayed deliveries waits for its commit, with those arriving meanwhile. */
export const RELAY_COMMIT_MS = 50;

export interface GroupCommitHooks {
  /** More is committed (`durable()` moved): the stream may ack it. */
  committed(): void;
  /** The open group was lost (rolled back, or its commit failed): get everything after `cursor` again. */
  rewind(cursor: number | undefined): void;
  log?(line: string): void;
}

/**
 * Group commit of relayed deliveries (issue #16). Each batch the stream hands over is applied in the
 * replica's open group transaction (`Replica.bulk`, the one the pull uses) and the group commits
 * RELAY_COMMIT_MS after its first batch, or sooner when any other write commits it first
 * (`Replica.transaction` does). The UI is told at once: it reads through this connection, which sees
 * the open transaction.
 *
 * Why: a commit writes every page the batch touched, and one booking.confirmed touches about 34
 * B-tree pages (the booking's eleven indexes, the full-text segment, items, inbox, activity, the
 * cursor): 136 KiB of WAL per delivery committed alone, 66 KiB in the batches of 2–3 the stream hands
 * over at 500/s (33 MB/s, and the checkpoint thread's fsync of all of it), 16–24 KiB in groups of
 * 25–50. Measured with bench/webhook-path.ts's CPU per delivery (see the README's figures).
 *
 * Durability is unchanged: the relay is acked only what is committed (the stream's `durable`), and
 * the link resumes from the cursor committed with the rows, so a kill -9 before the commit loses
 * nothing the relay does not stream again. Whether the group still holds this link's work is checked
 * on the cursor itself (the value this link last wrote must still be there): when another writer's
 * failure rolled the group back, or the commit failed, the stream rewinds to the committed cursor.
 *
 * Why the group may commit with synchronous=NORMAL (no fsync; `Replica.bulk`) while the relay commits
 * each ingest with FULL (an fsync before it answers the platform 2xx): the relay's copy is the only
 * one of a delivery it has answered for, so it must be on disk first. The replica is a cache of
 * server state. A NORMAL commit survives a crash of this process (WAL); an OS crash or a power cut
 * can drop only its tail, and the cursor goes with the rows it was committed with. The link then
 * resumes from the older cursor, and the relay streams those deliveries again: it keeps events for
 * its retention whether or not they were acked. Past retention the gap notice makes a pull re-fetch
 * the records. So "acked only what is committed" holds in the replica's own commit order, and an
 * fsync here would only add ~3 ms a group on this disk (and contend with the relay's fsync on the
 * same disk). Outbox intents, which exist nowhere else, keep FULL (`Replica.transaction`).
 */
export class RelayGroupCommit {
  readonly #replica: Replica;
  readonly #cursorKey: string;
  readonly #hooks: GroupCommitHooks;
  readonly #commitMs: number;
  /** The cursor this link last wrote (committed or in the open group). */
  #applied: number | undefined;
  /** The cursor known committed. */
  #durable: number | undefined;
  #timer: NodeJS.Timeout | null = null;

  constructor(replica: Replica, cursorKey: string, hooks: GroupCommitHooks, commitMs = RELAY_COMMIT_MS) {
    this.#replica = replica;
    this.#cursorKey = cursorKey;
    this.#hooks = hooks;
    this.#commitMs = commitMs;
    const stored = replica.getMeta(cursorKey);
    this.#applied = this.#durable = stored === null ? undefined : Number(stored);
  }

  /** The highest seq committed with its rows (what the stream may ack). */
  durable(): number | undefined {
    return this.#durable;
  }

  /**
   * Runs `apply` (which writes the cursor `seq` with the batch's rows) in the open group, in a
   * savepoint of its own: when it throws, only this batch is rolled back and the error goes on to the
   * stream, which reconnects from the batch before. Returns null, without applying, when the group
   * holding earlier batches was lost: the stream is rewound and these deliveries come again.
   */
  run<T>(seq: number, apply: () => T): T | null {
    if (!this.#kept()) {
      this.#lost();
      return null;
    }
    let failed = false;
    let failure: unknown;
    const result = this.#replica.bulk(() => {
      try {
        return this.#replica.savepoint(apply);
      } catch (error) {
        failed = true;
        failure = error;
        return null;
      }
    });
    if (failed) throw failure;
    this.#applied = seq;
    this.#timer ??= setTimeout(() => this.commit(), this.#commitMs);
    return result;
  }

  /** Commits the open group now (the timer's work; also on close). */
  commit(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const replica = this.#replica;
    if (!replica.sqlite.open) return;
    if (this.#kept()) {
      try {
        replica.flushBulk();
      } catch (error) {
        this.#hooks.log?.(`relay link: could not commit applied deliveries: ${(error as Error).message}`);
        if (replica.sqlite.inTransaction) replica.sqlite.exec('ROLLBACK');
      }
    }
    if (!this.#kept()) return this.#lost();
    if (this.#durable === this.#applied) return;
    this.#durable = this.#applied;
    this.#hooks.committed();
  }

  close(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** The cursor this link last wrote is still there (committed, or in the open group). */
  #kept(): boolean {
    return this.#replica.getMeta(this.#cursorKey) === (this.#applied === undefined ? null : String(this.#applied));
  }

  #lost(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    // No group of this link is open now: what the cursor says is committed.
    const stored = this.#replica.getMeta(this.#cursorKey);
    const cursor = stored === null ? undefined : Number(stored);
    this.#hooks.log?.(`relay link: deliveries up to seq ${this.#applied ?? 0} were rolled back; getting them again after ${cursor ?? 'the relay cursor'}`);
    this.#applied = this.#durable = cursor;
    this.#hooks.rewind(cursor);
  }
}
