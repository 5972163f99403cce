/**
 * The outbox: durable local intents. Each intent is written together with its optimistic effect in
 * one transaction, carries a UUID sent as `Idempotency-Key`, and records the server version it was
 * based on. State machine: queued (held while `hold_until` is in the future) → done | attention
 * (refused: a conflict) | discarded (undone, or resolved by the user). "sending" is not persisted as
 * a state: a sender first *claims* the intent (`claim`: one UPDATE … RETURNING that sets
 * `claimed_by` to its process and increments `attempts`, and succeeds only when no live process holds
 * it), so two processes on one replica (`sync --once` beside the app) never send one intent both. A
 * crash mid-send leaves the intent queued with a claim whose process is gone; the next sender takes
 * it over and sends again under the same key, and the server answers the stored result.
 */
import { randomUUID } from 'node:crypto';
import type { IntentKind } from '../../../shared/contract/types.ts';
import type { OutboxTable } from '../db/schema.ts';
import type { IntentRow } from './overlay.ts';
import type { Replica } from '../replica/replica.ts';
import { overlayOnly } from '../replica/truth-version.ts';
import type { RemoteBooking, RemoteCoupon, RemoteOffering } from './remote-types.ts';
import { isTokenDead, processToken } from '../db/writer-lock.ts';

/**
 * How long a claim holds against other processes even while its own process looks alive: longer than
 * a request may take (api-client.ts aborts at 30 s). Only a frozen (SIGSTOPped) sender is overtaken
 * after it; a dead one at once.
 */
export const claimLeaseMs = 120_000;

const nowIso = (): string => new Date().toISOString();

export interface NewIntent {
  kind: IntentKind;
  targetId: string;
  payload: Record<string, unknown>;
  method: string;
  path: string;
  body: string | null;
  baseVersion: number | null;
  holdMs: number;
  /** Sent as Idempotency-Key; default: the intent's own id. A rule's approval derives it from the booking (rules/runner.ts). */
  idempotencyKey?: string;
}

export function isTempId(id: string): boolean {
  return id.startsWith('tmp_');
}

export function recordKind(kind: string): 'booking' | 'offering' | 'coupon' {
  return kind.split('.')[0] as 'booking' | 'offering' | 'coupon';
}

export function recordPath(kind: string, id: string): string {
  const k = recordKind(kind);
  return `/api/${k === 'booking' ? 'bookings' : k === 'offering' ? 'offerings' : 'coupons'}/${encodeURIComponent(id)}`;
}

/** Version of the intent row format written by this build (`outbox.schema_version`). */
export const INTENT_SCHEMA_VERSION = 1;

/**
 * Upgrades of stored intents, listed statically like the migrations: entry i turns a row of version
 * i + 1 into version i + 2 (e.g. a renamed payload field, a new endpoint path). Intents written by an
 * older build are upgraded on open — never dropped.
 */
export const intentUpgrades: ReadonlyArray<(row: { kind: string; method: string; path: string; body: string | null; payload: string }) => typeof row> = [];

// Raw on purpose: every intent written, pushed or answered reads and writes its row here through
// cached prepared statements; a kysely compile per row measured 4.2× a prepared update (replica.ts).
export class Outbox {
  readonly replica: Replica;
  constructor(replica: Replica) {
    this.replica = replica;
    this.upgradeStored();
  }

  /** Brings every not-yet-finished intent written by an older build to the current row format. */
  upgradeStored(): number {
    const rows = this.replica
      .stmt("SELECT id, kind, method, path, body, payload, schema_version FROM outbox WHERE schema_version < ? AND state IN ('queued','attention')")
      .all(INTENT_SCHEMA_VERSION) as Array<{ id: string; kind: string; method: string; path: string; body: string | null; payload: string; schema_version: number }>;
    if (rows.length === 0) return 0;
    this.replica.transaction(() => {
      const upd = this.replica.stmt('UPDATE outbox SET kind = ?, method = ?, path = ?, body = ?, payload = ?, schema_version = ? WHERE id = ?');
      for (const row of rows) {
        let r = { kind: row.kind, method: row.method, path: row.path, body: row.body, payload: row.payload };
        for (let v = row.schema_version; v < INTENT_SCHEMA_VERSION; v++) r = intentUpgrades[v - 1]?.(r) ?? r;
        upd.run(r.kind, r.method, r.path, r.body, r.payload, INTENT_SCHEMA_VERSION, row.id);
      }
    });
    return rows.length;
  }

  /**
   * Writes the intent and its optimistic effect in one transaction: outbox and overlay rows only, so
   * reads cached over the truth (the queue's counts) stay valid (replica/truth-version.ts).
   */
  enqueue(i: NewIntent): IntentRow {
    const id = randomUUID();
    const now = new Date();
    const holdUntil = i.holdMs > 0 ? new Date(now.getTime() + i.holdMs).toISOString() : null;
    return overlayOnly(this.replica, () => this.replica.transaction(() => {
      const target = this.resolveId(i.targetId);
      const path = target === i.targetId ? i.path : i.path.split(encodeURIComponent(i.targetId)).join(encodeURIComponent(target));
      this.replica
        .stmt(
          `INSERT INTO outbox (id, idempotency_key, kind, target_id, method, path, body, payload, base_version, state, created_at, hold_until, attempts, schema_version)
           VALUES (?,?,?,?,?,?,?,?,?,'queued',?,?,0,?)`,
        )
        .run(id, i.idempotencyKey ?? id, i.kind, target, i.method, path, i.body, JSON.stringify(i.payload), i.baseVersion, now.toISOString(), holdUntil, INTENT_SCHEMA_VERSION);
      if (recordKind(i.kind) === 'booking') this.replica.refreshBookingOverlay(target);
      return this.get(id)!;
    }));
  }

  /** The server id for a temporary id once its create landed (or the id itself). */
  resolveId(id: string): string {
    if (!isTempId(id)) return id;
    const row = this.replica.stmt('SELECT server_id FROM id_map WHERE temp_id = ?').get(id) as { server_id: string } | undefined;
    return row?.server_id ?? id;
  }

  get(id: string): IntentRow | undefined {
    return this.replica.stmt('SELECT * FROM outbox WHERE id = ?').get(id) as IntentRow | undefined;
  }

  /** Queued intents that may be sent now: hold and back-off passed, no earlier active intent on the same record. */
  eligible(now: number, limit: number, excludeTargets: ReadonlySet<string>): IntentRow[] {
    const iso = new Date(now).toISOString();
    const rows = this.replica
      .stmt(
        `SELECT o.* FROM outbox o
         WHERE o.state = 'queued' AND (o.hold_until IS NULL OR o.hold_until <= @now) AND (o.next_attempt_at IS NULL OR o.next_attempt_at <= @now)
           AND (o.claimed_by IS NULL OR o.claimed_by = @me OR o.claimed_until <= @now)
           AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.target_id = o.target_id AND p.seq < o.seq AND p.state IN ('queued','sending','attention'))
         ORDER BY o.seq LIMIT @limit`,
      )
      .all({ now: iso, me: processToken, limit: limit + excludeTargets.size }) as IntentRow[];
    return rows.filter((r) => !excludeTargets.has(r.target_id)).slice(0, limit);
  }

  /** When the next queued intent becomes eligible by time (hold or back-off), or null. */
  nextWakeAt(): number | null {
    const row = this.replica
      .stmt(
        `SELECT MIN(MAX(COALESCE(hold_until, ''), COALESCE(next_attempt_at, ''))) AS at FROM outbox o WHERE state = 'queued'
           AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.target_id = o.target_id AND p.seq < o.seq AND p.state IN ('queued','sending','attention'))`,
      )
      .get() as { at: string | null };
    if (row.at === null) return null;
    return row.at === '' ? Date.now() : Date.parse(row.at);
  }

  counts(): { queued: number; held: number; conflicts: number } {
    const now = nowIso();
    // Index-only counts: the held one over the partial outbox_held of migration 0012 (a SUM over the
    // rows read every queued intent, ~40 ms a call with an import's 100k queued).
    const held = (this.replica.stmt("SELECT COUNT(*) AS n FROM outbox INDEXED BY outbox_held WHERE state = 'queued' AND hold_until IS NOT NULL AND hold_until > ?").get(now) as { n: number }).n;
    const c = this.replica.stmt('SELECT COUNT(*) AS n FROM conflicts WHERE resolved_at IS NULL').get() as { n: number };
    return { queued: this.#queuedCount(), held, conflicts: c.n };
  }

  /** The last full count of queued intents, valid while `meta` 'outbox.mutations' stays `mutations`. */
  #queued: { mutations: string | null; throughSeq: number; n: number } | null = null;

  /**
   * Queued intents. Even from the outbox_state index, a full count reads every queued entry: 5-10 ms
   * a call, on every `sync.status`, while an import's 100k intents wait (#16). Intents are only
   * appended (seq AUTOINCREMENT, never reused) and every change of state or removal bumps `meta`
   * 'outbox.mutations' (trigger, migration 0014), in this process or any other on the file: while it
   * is unchanged, the last count plus the queued rows appended after it is the count.
   */
  #queuedCount(): number {
    const head = this.replica.stmt("SELECT (SELECT value FROM meta WHERE key = 'outbox.mutations') AS m, coalesce((SELECT max(seq) FROM outbox), 0) AS s").get() as { m: string | null; s: number };
    const last = this.#queued;
    const countFrom = last !== null && last.mutations === head.m && head.s >= last.throughSeq ? last.throughSeq : 0;
    const n = (this.replica.stmt("SELECT COUNT(*) AS n FROM outbox WHERE state = 'queued' AND seq > ? AND seq <= ?").get(countFrom, head.s) as { n: number }).n + (countFrom === 0 ? 0 : last!.n);
    // Inside a transaction that may still roll back, its appended seqs may be handed out again.
    this.#queued = this.replica.sqlite.inTransaction ? null : { mutations: head.m, throughSeq: head.s, n };
    return n;
  }

  /**
   * Takes the intent for this process before it is sent, atomically (one UPDATE … RETURNING under the
   * write lock): only a queued intent no live process holds. From now on it may have reached the
   * server (attempts > 0: no more undo). Returns the row as claimed, or null when another process has it.
   */
  claim(id: string): IntentRow | null {
    const now = new Date();
    return this.replica.transaction(
      () =>
        (this.replica
          .stmt(
            `UPDATE outbox SET claimed_by = @me, claimed_until = @until, attempts = attempts + 1
             WHERE id = @id AND state = 'queued' AND (claimed_by IS NULL OR claimed_by = @me OR claimed_until <= @now)
             RETURNING *`,
          )
          .get({ id, me: processToken, now: now.toISOString(), until: new Date(now.getTime() + claimLeaseMs).toISOString() }) as IntentRow | undefined) ?? null,
    );
  }

  /** Frees claims whose process is gone (crashed, killed), so their intents go out now, not after the lease. */
  releaseDeadClaims(): number {
    const holders = this.replica.stmt("SELECT DISTINCT claimed_by FROM outbox WHERE claimed_by IS NOT NULL AND state = 'queued'").all() as Array<{ claimed_by: string }>;
    let freed = 0;
    for (const { claimed_by: holder } of holders) {
      if (holder === processToken || !isTokenDead(holder)) continue;
      freed += this.replica.transaction(() => this.replica.stmt("UPDATE outbox SET claimed_by = NULL, claimed_until = NULL WHERE claimed_by = ? AND state = 'queued'").run(holder).changes);
    }
    return freed;
  }

  retryLater(id: string, error: string, delayMs: number): void {
    this.replica.transaction(() =>
      this.replica
        .stmt('UPDATE outbox SET next_attempt_at = ?, last_error = ?, claimed_by = NULL, claimed_until = NULL WHERE id = ? AND (claimed_by IS NULL OR claimed_by = ?)')
        .run(new Date(Date.now() + delayMs).toISOString(), error, id, processToken),
    );
  }

  /**
   * Ends the back-off of queued intents so they are eligible at once: `network`, those whose last
   * attempt could not reach the server (it is reachable again); `all`, every back-off except a rate
   * limit's (the user asked to sync now). A hold (the undo window) is never cut short. Returns how many.
   */
  resetBackoff(which: 'network' | 'all'): number {
    const only = which === 'network' ? "last_error LIKE 'NETWORK:%'" : "(last_error IS NULL OR (last_error NOT LIKE 'RATE_LIMITED%' AND last_error NOT LIKE 'HTTP_429%'))";
    return this.replica.transaction(
      () => this.replica.stmt(`UPDATE outbox SET next_attempt_at = NULL WHERE state = 'queued' AND next_attempt_at IS NOT NULL AND ${only}`).run().changes,
    );
  }

  /** The server accepted the intent: apply its answer to the truth, map temp ids, clear the overlay. */
  complete(intent: IntentRow, status: number, body: unknown): void {
    this.replica.transaction(() => {
      const cur = this.get(intent.id);
      if (!cur || cur.state !== 'queued') return;
      this.replica.stmt("UPDATE outbox SET state = 'done', done_at = ?, response_status = ?, last_error = NULL, claimed_by = NULL, claimed_until = NULL WHERE id = ?").run(nowIso(), status, intent.id);
      const kind = recordKind(intent.kind);
      const record = body && typeof body === 'object' && typeof (body as { id?: unknown }).id === 'string' ? (body as { id: string }) : null;
      if (kind === 'booking') {
        if (record) this.replica.applyRemoteBooking(record as RemoteBooking);
        this.replica.refreshBookingOverlay(intent.target_id);
      } else if (record) {
        if (intent.kind.endsWith('.create') && isTempId(intent.target_id)) this.mapTempId(intent.target_id, record.id, kind);
        if (kind === 'offering') this.replica.applyRemoteOffering(record as RemoteOffering);
        else this.replica.applyRemoteCoupon(record as RemoteCoupon);
      }
    });
  }

  mapTempId(tempId: string, serverId: string, kind: string): void {
    this.replica.stmt('INSERT OR REPLACE INTO id_map (temp_id, server_id, kind) VALUES (?,?,?)').run(tempId, serverId, kind);
    const rows = this.replica.stmt('SELECT id, path FROM outbox WHERE target_id = ?').all(tempId) as Array<{ id: string; path: string }>;
    const upd = this.replica.stmt('UPDATE outbox SET target_id = ?, path = ? WHERE id = ?');
    for (const r of rows) upd.run(serverId, r.path.split(encodeURIComponent(tempId)).join(encodeURIComponent(serverId)), r.id);
  }

  /** A permanent refusal: the intent needs attention; the server's truth is stored beside it. */
  conflict(intent: IntentRow, c: { status: number; code: string; message: string; server: unknown; local: unknown }): string {
    const id = `cfl_${randomUUID()}`;
    this.replica.transaction(() => {
      const cur = this.get(intent.id);
      if (!cur || cur.state !== 'queued') return;
      this.replica.stmt("UPDATE outbox SET state = 'attention', response_status = ?, last_error = ?, claimed_by = NULL, claimed_until = NULL WHERE id = ?").run(c.status, `${c.code}: ${c.message}`, intent.id);
      this.replica
        .stmt('INSERT INTO conflicts (id, intent_id, http_status, code, message, server, local, created_at) VALUES (?,?,?,?,?,?,?,?)')
        .run(id, intent.id, c.status, c.code, c.message, c.server == null ? null : JSON.stringify(c.server), c.local == null ? null : JSON.stringify(c.local), nowIso());
      const server = c.server as { id?: unknown } | null;
      const kind = recordKind(intent.kind);
      if (server && typeof server === 'object' && typeof server.id === 'string' && server.id === intent.target_id) {
        if (kind === 'booking') this.replica.applyRemoteBooking(server as RemoteBooking);
        else if (kind === 'offering') this.replica.applyRemoteOffering(server as RemoteOffering);
        else this.replica.applyRemoteCoupon(server as RemoteCoupon);
      }
      if (kind === 'booking') this.replica.refreshBookingOverlay(intent.target_id);
    });
    return id;
  }

  /**
   * The user's choice on a conflict. retry: queue again under a new idempotency key (the server would
   * replay the stored refusal for the old one); discard / takeServer: drop the intent (the caller
   * refreshes the record from the server for takeServer).
   */
  resolve(conflictId: string, choice: 'retry' | 'discard' | 'takeServer'): OutboxTable | null {
    return this.replica.transaction(() => {
      const c = this.replica.stmt('SELECT intent_id FROM conflicts WHERE id = ? AND resolved_at IS NULL').get(conflictId) as { intent_id: string } | undefined;
      if (!c) return null;
      const intent = this.get(c.intent_id);
      this.replica.stmt('UPDATE conflicts SET resolved_at = ?, resolution = ? WHERE id = ?').run(nowIso(), choice, conflictId);
      if (!intent) return null;
      if (choice === 'retry') {
        this.replica
          .stmt("UPDATE outbox SET state = 'queued', idempotency_key = ?, next_attempt_at = NULL, hold_until = NULL, last_error = NULL, claimed_by = NULL, claimed_until = NULL WHERE id = ?")
          .run(randomUUID(), intent.id);
      } else {
        this.replica.stmt("UPDATE outbox SET state = 'discarded', done_at = ? WHERE id = ?").run(nowIso(), intent.id);
        if (intent.kind.endsWith('.create')) this.discardDependents(intent.target_id);
      }
      if (recordKind(intent.kind) === 'booking') this.replica.refreshBookingOverlay(intent.target_id);
      return this.get(intent.id) ?? null;
    });
  }

  discardDependents(targetId: string): void {
    this.replica.stmt("UPDATE outbox SET state = 'discarded', done_at = ?, last_error = 'its record was never created' WHERE target_id = ? AND state IN ('queued','attention')").run(nowIso(), targetId);
    this.replica.stmt("UPDATE conflicts SET resolved_at = ?, resolution = 'discard' WHERE resolved_at IS NULL AND intent_id IN (SELECT id FROM outbox WHERE target_id = ?)").run(nowIso(), targetId);
  }

  /** Removes an intent that never left the machine, with its optimistic effect. */
  undo(id: string, inFlight: ReadonlySet<string>): boolean {
    // Outbox and overlay rows only, as enqueue.
    return overlayOnly(this.replica, () => this.replica.transaction(() => {
      const intent = this.get(id);
      if (!intent || intent.state !== 'queued' || intent.attempts > 0 || inFlight.has(id)) return false;
      this.replica.stmt("UPDATE outbox SET state = 'discarded', done_at = ?, last_error = 'undone' WHERE id = ?").run(nowIso(), id);
      if (intent.kind.endsWith('.create')) this.discardDependents(intent.target_id);
      if (recordKind(intent.kind) === 'booking') this.replica.refreshBookingOverlay(intent.target_id);
      return true;
    }));
  }
}
