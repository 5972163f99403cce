/**
 * The sync engine: two loops over one shared rate budget.
 *  - pull loop: initial sync / periodic reconciliation of every change feed, and in between a cheap
 *    poll of PENDING bookings (there is no booking.created webhook);
 *  - push loop: drains the outbox whenever something is eligible (new intent, hold or back-off over).
 * It owns the connection status (online / offline / syncing with progress / paused with a reason /
 * error) and reports it through `onStatus`.
 */
import type { SyncReasonCode, SyncStatus } from '../../../shared/contract/types.ts';
import { ApiError, type ApiClient } from './api-client.ts';
import type { Outbox } from './outbox.ts';
import { Puller, type PullProgress, type Resource } from './pull.ts';
import { AuthPause, type Pusher } from './push.ts';
import { backoffMs } from '../../../shared/backoff.ts';
import type { Replica } from '../replica/replica.ts';

type Table = 'bookings' | 'offerings' | 'coupons' | 'availability' | 'intents' | 'conflicts';

export interface EngineHooks {
  onStatus(status: SyncStatus): void;
  /** `ids`: the records whose rows changed, when all are known. */
  onChange(tables: Table[], ids?: string[]): void;
  onNewPending(ids: string[]): void;
  /** After every full pull and PENDING poll: what reached the replica may be acted on (approval rules). */
  afterPull?(): void | Promise<void>;
}

/** A resettable wake-up: `wait(ms)` resolves after ms or as soon as `wake()` is called. */
class Wakeup {
  #resolve: (() => void) | null = null;
  #pending = false;
  wait(ms: number): Promise<void> {
    if (this.#pending) {
      this.#pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      let timer: ReturnType<typeof setTimeout> | null = null;
      const done = (): void => {
        if (timer) clearTimeout(timer);
        this.#resolve = null;
        resolve();
      };
      if (Number.isFinite(ms)) timer = setTimeout(done, Math.max(0, ms));
      this.#resolve = done;
    });
  }
  wake(): void {
    if (this.#resolve) this.#resolve();
    else this.#pending = true;
  }
}

export class SyncEngine {
  readonly replica: Replica;
  readonly outbox: Outbox;
  readonly pusher: Pusher;
  readonly puller: Puller;
  readonly pollIntervalMs: number;
  readonly reconcileIntervalMs: number;
  readonly hooks: EngineHooks;

  #api: ApiClient | null = null;
  #running = false;
  #abort = new AbortController();
  #loops: Promise<void>[] = [];
  #pullWake = new Wakeup();
  #pushWake = new Wakeup();
  #fullRequested = false;
  #nextReconcileAt = 0;
  #connection: SyncStatus['connection'] = 'offline';
  #reason: string | null = null;
  #reasonCode: SyncReasonCode | null = null;
  #progress: SyncStatus['progress'] = null;
  #lastEmitted = '';
  #pausedBy: 'auth' | 'none' | null = null;
  /** The last request failed to reach the server: cleared (and the outbox's back-off ended) by the first answer. */
  #unreachable = false;
  /** Pulls under way (fullSync, pollPending): the background search-index build stands aside meanwhile. */
  #pulls = 0;
  #indexWake = new Wakeup();
  /** The background search-index build under way, and what stops it (see #indexLoop). */
  #indexBuild: { done: Promise<void>; stop: AbortController } | null = null;

  constructor(opts: { replica: Replica; outbox: Outbox; pusher: Pusher; pollIntervalMs?: number; reconcileIntervalMs?: number; hooks: EngineHooks }) {
    this.replica = opts.replica;
    this.outbox = opts.outbox;
    this.pusher = opts.pusher;
    this.puller = new Puller(opts.replica);
    this.pollIntervalMs = opts.pollIntervalMs ?? 10_000;
    this.reconcileIntervalMs = opts.reconcileIntervalMs ?? 5 * 60_000;
    this.hooks = opts.hooks;
  }

  get running(): boolean {
    return this.#running;
  }

  get api(): ApiClient | null {
    return this.#api;
  }

  /** Sets (or clears) the server connection. A new key lifts an auth pause. */
  setApi(api: ApiClient | null): void {
    this.#api = api;
    if (!api) this.#setPaused('none', 'Not connected to an Orkestr account.', 'notConnected');
    else if (this.#pausedBy) {
      this.#pausedBy = null;
      this.#connection = 'online';
      this.#reason = null;
      this.#fullRequested = true;
      this.#pullWake.wake();
      this.#pushWake.wake();
    }
    this.emitStatus();
  }

  status(): SyncStatus {
    const counts = this.outbox.counts();
    return {
      connection: this.#connection,
      reason: this.#reason,
      reasonCode: this.#reason === null ? null : this.#reasonCode,
      progress: this.#progress,
      outboxLength: counts.queued,
      conflicts: counts.conflicts,
      lastSyncAt: this.replica.getMeta('lastSyncAt'),
    };
  }

  emitStatus(): void {
    const s = this.status();
    const key = JSON.stringify(s);
    if (key === this.#lastEmitted) return;
    this.#lastEmitted = key;
    this.hooks.onStatus(s);
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#abort = new AbortController();
    if (!this.#api) this.#setPaused('none', 'Not connected to an Orkestr account.', 'notConnected');
    this.#loops = [this.#pullLoop(), this.#pushLoop(), this.#indexLoop()];
  }

  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#abort.abort(new Error('sync stopped'));
    this.#pullWake.wake();
    this.#pushWake.wake();
    this.#indexWake.wake();
    await Promise.allSettled(this.#loops);
    this.#loops = [];
    this.#progress = null;
  }

  /** Pull everything now and push what is waiting, without waiting out a back-off (the user asked). */
  syncNow(): boolean {
    if (!this.#api) return false;
    this.outbox.resetBackoff('all');
    this.#fullRequested = true;
    this.#pullWake.wake();
    this.#pushWake.wake();
    return true;
  }

  /** A new intent is waiting (or a hold may have ended). */
  kickPush(): void {
    this.#pushWake.wake();
  }

  #setPaused(by: 'auth' | 'none', reason: string, code: SyncReasonCode): void {
    this.#pausedBy = by;
    this.#connection = 'paused';
    this.#reason = reason;
    this.#reasonCode = code;
    this.#progress = null;
    this.emitStatus();
  }

  #noteFailure(error: unknown): void {
    if (error instanceof ApiError && error.kind === 'network') {
      this.#unreachable = true;
      this.#connection = 'offline';
      this.#reason = 'The Orkestr server cannot be reached; changes are kept and sent when it is back.';
      this.#reasonCode = 'unreachable';
    } else {
      this.#connection = 'error';
      this.#reason = error instanceof Error ? error.message : String(error);
      this.#reasonCode = 'serverError';
    }
    this.#progress = null;
    this.emitStatus();
  }

  /** What the push side learnt about the connection. */
  noteNetwork(ok: boolean, error?: ApiError): void {
    if (this.#pausedBy) return;
    if (ok) {
      this.#reachable();
      if (this.#connection === 'offline' || this.#connection === 'error') this.#noteSuccess();
    } else if (error) this.#noteFailure(error);
  }

  /**
   * The server answered after being unreachable: intents that backed off while it was away are sent
   * now, not when their back-off (up to the retry cap) ends.
   */
  #reachable(): void {
    if (!this.#unreachable) return;
    this.#unreachable = false;
    if (this.outbox.resetBackoff('network') > 0) this.#pushWake.wake();
  }

  #noteSuccess(): void {
    if (this.#pausedBy) return;
    if (this.#connection !== 'syncing') {
      this.#connection = 'online';
      this.#reason = null;
    }
    this.emitStatus();
  }

  #authPause(error: AuthPause | ApiError): void {
    if (error.status === 403) this.#setPaused('auth', 'The API key is not allowed to do this (missing scope). Connect with a key that has read and write scopes.', 'keyScope');
    else this.#setPaused('auth', 'The API key was rejected (revoked or wrong). Sync is paused and your changes are kept; connect with a new key to resume.', 'keyRejected');
  }

  /**
   * Runs a pull with the background search-index build stopped (between two of its chunks) and
   * settled: a chunk would otherwise join the pull's open group commit and commit it early, or
   * contend for the write lock with pages applied on another connection. Woken again after it.
   */
  async #asPull(pull: () => Promise<void>): Promise<void> {
    this.#pulls++;
    try {
      const build = this.#indexBuild;
      if (build) {
        build.stop.abort(new Error('a pull began'));
        await build.done.catch(() => undefined);
      }
      await pull();
    } finally {
      if (--this.#pulls === 0) this.#indexWake.wake();
    }
  }

  /**
   * The full-text index left incomplete is built in the background whenever no pull is under way:
   * an initial load defers it and a full pull completes it, but a console that cannot reach its
   * server (or a copied replica) completes no pull, and its search would find nothing (#16). The
   * replica builds it in chunks of a few milliseconds, each committed alone, yielding in between,
   * so calls are answered meanwhile; search says how far it got (bookings/search.ts).
   */
  async #indexLoop(): Promise<void> {
    const signal = this.#abort.signal;
    while (this.#running) {
      if (this.#pulls > 0 || !this.replica.searchIndexState()) {
        await this.#indexWake.wait(Infinity);
        continue;
      }
      const stop = new AbortController();
      const done = this.replica.buildSearchIndex(AbortSignal.any([signal, stop.signal]));
      this.#indexBuild = { done, stop };
      try {
        await done;
        this.hooks.onChange(['bookings']);
      } catch {
        // Stopped by a pull or stop() (it continues from its watermark), or failed (another process
        // holding the write lock): tried again after the next pull, or in a minute.
        if (!stop.signal.aborted && !signal.aborted) await this.#indexWake.wait(60_000);
      } finally {
        this.#indexBuild = null;
      }
    }
  }

  /** One full reconciliation: tenant, every change feed from its cursor, availability. */
  fullSync(api: ApiClient, signal: AbortSignal): Promise<void> {
    return this.#asPull(() => this.#fullSync(api, signal));
  }

  async #fullSync(api: ApiClient, signal: AbortSignal): Promise<void> {
    this.#connection = 'syncing';
    this.#reason = null;
    this.#progress = { phase: 'connecting', done: 0, total: null };
    this.emitStatus();
    const onProgress = (p: PullProgress): void => {
      this.#progress = p;
      this.emitStatus();
    };
    const initialDone = this.replica.getSyncState('bookings').complete;
    try {
      await this.puller.me(api, signal);
      for (const resource of ['offerings', 'coupons', 'bookings'] as Resource[]) {
        await this.puller.pullResource(api, resource, {
          signal,
          onProgress,
          onPageApplied: (r, _rows, ids) => this.hooks.onChange([r === 'offerings' ? 'offerings' : r === 'coupons' ? 'coupons' : 'bookings'], ids),
          onNewPending: initialDone ? (ids) => this.hooks.onNewPending(ids) : undefined,
        });
      }
      // Indexes left out of an initial load (or of one a crash interrupted) are built now, off the
      // main thread when the checkpoint worker runs.
      if (this.replica.getSyncState('bookings').complete && this.replica.hasDeferredIndexes()) {
        await this.replica.buildDeferredIndexes(signal);
        this.hooks.onChange(['bookings']);
      }
      // The full-text index too, in short chunks on this thread (search says it is still indexing).
      if (this.replica.getSyncState('bookings').complete && this.replica.searchIndexState()) {
        await this.replica.buildSearchIndex(signal, (s) => onProgress({ phase: 'searchIndex', done: s.through, total: s.last }));
        this.hooks.onChange(['bookings']);
      }
      // The PENDING poll starts where the full feed ended (it would only re-read the same records).
      const pending = this.replica.getSyncState('bookings:PENDING');
      if (!pending.cursor) {
        const b = this.replica.getSyncState('bookings');
        if (b.cursor) this.replica.transaction(() => this.replica.setSyncState('bookings:PENDING', { cursor: b.cursor, complete: true }));
      }
      if (await this.puller.pullAvailability(api, signal)) this.hooks.onChange(['availability']);
      this.replica.transaction(() => this.replica.setMeta('lastSyncAt', new Date().toISOString()));
      await this.hooks.afterPull?.();
    } finally {
      this.#connection = 'online';
      this.#progress = null;
    }
  }

  /** The cheap poll: new and changed PENDING bookings since the last poll. */
  pollPending(api: ApiClient, signal: AbortSignal): Promise<void> {
    return this.#asPull(() => this.#pollPending(api, signal));
  }

  async #pollPending(api: ApiClient, signal: AbortSignal): Promise<void> {
    await this.puller.pullResource(api, 'bookings:PENDING', {
      signal,
      onPageApplied: (_r, _rows, ids) => this.hooks.onChange(['bookings'], ids),
      onNewPending: (ids) => this.hooks.onNewPending(ids),
    });
    this.replica.transaction(() => this.replica.setMeta('lastSyncAt', new Date().toISOString()));
    await this.hooks.afterPull?.();
  }

  async #pullLoop(): Promise<void> {
    let failures = 0;
    const signal = this.#abort.signal;
    while (this.#running) {
      const api = this.#api;
      if (!api || this.#pausedBy) {
        await this.#pullWake.wait(Infinity);
        continue;
      }
      let delay = this.pollIntervalMs;
      try {
        // Back from unreachable: one cheap request first, so the outbox goes out now rather than
        // after the pull (a full reconciliation can take long).
        if (this.#unreachable) {
          await api.get('/api/me', { priority: 'user', signal });
          this.#reachable();
        }
        const full = this.#fullRequested || !this.replica.getSyncState('bookings').complete || Date.now() >= this.#nextReconcileAt;
        if (full) {
          this.#fullRequested = false;
          await this.fullSync(api, signal);
          this.#nextReconcileAt = Date.now() + this.reconcileIntervalMs;
        } else {
          await this.pollPending(api, signal);
        }
        failures = 0;
        this.#reachable();
        this.#noteSuccess();
      } catch (error) {
        if (signal.aborted) break;
        if (error instanceof ApiError && (error.kind === 'auth' || error.kind === 'forbidden')) {
          this.#authPause(error);
          continue;
        }
        failures++;
        this.#noteFailure(error);
        // While the server is unreachable and intents wait, look again every second at most: they
        // should leave within a second of it coming back.
        const waiting = this.#unreachable && this.outbox.counts().queued > 0;
        delay = Math.min(this.pollIntervalMs, backoffMs(failures, 500, waiting ? 1000 : 30_000));
        if (error instanceof ApiError && error.retryAfterMs) delay = Math.max(delay, error.retryAfterMs);
      }
      await this.#pullWake.wait(delay);
    }
  }

  async #pushLoop(): Promise<void> {
    const signal = this.#abort.signal;
    while (this.#running) {
      const api = this.#api;
      if (!api || this.#pausedBy) {
        await this.#pushWake.wait(Infinity);
        continue;
      }
      try {
        await this.pusher.drain(api, signal);
      } catch (error) {
        if (signal.aborted) break;
        if (error instanceof AuthPause) {
          this.#authPause(error);
          continue;
        }
        this.#noteFailure(error);
      }
      this.emitStatus();
      const next = this.outbox.nextWakeAt();
      // Other processes (the CLI's approve) may add intents: look again at least every poll interval.
      const delay = next === null ? this.pollIntervalMs : Math.min(this.pollIntervalMs, Math.max(0, next - Date.now()));
      await this.#pushWake.wait(Math.max(delay, 5));
    }
  }

  /**
   * One pass for scripts: full pull, then push until nothing sendable is left (waiting out holds and
   * back-offs up to `timeoutMs`, which also aborts a request still under way then). Resolves with
   * what succeeded; never throws for server failures. `unreachable`: the pull never reached the
   * server; `blocked`: intents kept because the key is read-only (nothing is sent then).
   */
  async runOnce(timeoutMs = 120_000): Promise<RunOnceResult> {
    const api = this.#api;
    const result: RunOnceResult = { pulled: false, pushed: false, error: null, sent: 0, conflicts: 0, blocked: 0, unreachable: false };
    if (!api) return { ...result, error: 'not connected' };
    const deadline = Date.now() + timeoutMs;
    const signal = AbortSignal.any([this.#abort.signal, AbortSignal.timeout(Math.max(1, timeoutMs))]);
    for (let attempt = 1; Date.now() < deadline && !result.pulled; attempt++) {
      try {
        await this.fullSync(api, signal);
        result.pulled = true;
        result.unreachable = false;
        this.#noteSuccess();
      } catch (e) {
        result.error = e instanceof Error ? e.message : String(e);
        if (e instanceof ApiError && (e.kind === 'auth' || e.kind === 'forbidden')) {
          this.#authPause(e);
          return result;
        }
        result.unreachable = (e instanceof ApiError && e.kind === 'network') || (signal.aborted && result.unreachable);
        // An attempt cut off by the run's own deadline is a server that did not answer in time:
        // unreachable (offline), not "error" with the abort's words.
        this.#noteFailure(signal.aborted && !(e instanceof ApiError) ? new ApiError({ status: 0, code: 'NETWORK', message: 'No answer from the server before the deadline.', kind: 'network' }) : e);
        const wait = Math.max(backoffMs(attempt, 300, 5000), e instanceof ApiError ? (e.retryAfterMs ?? 0) : 0);
        await new Promise((r) => setTimeout(r, Math.min(wait, Math.max(0, deadline - Date.now()))));
      }
    }
    const writable = this.pusher.writable();
    if (!writable) {
      result.blocked = this.outbox.counts().queued;
      result.pushed = result.blocked === 0;
      if (result.blocked > 0) result.error = 'The API key is read-only: queued actions are kept and sent when a key with the write scope is connected.';
    }
    while (writable && Date.now() < deadline) {
      try {
        const r = await this.pusher.drain(api, signal);
        result.sent += r.sent;
        result.conflicts += r.conflicts;
      } catch (e) {
        result.error = e instanceof Error ? e.message : String(e);
        if (e instanceof AuthPause) {
          this.#authPause(e);
          break;
        }
      }
      if (this.outbox.counts().queued === 0) {
        result.pushed = true;
        break;
      }
      const next = this.outbox.nextWakeAt() ?? Date.now() + 100;
      await new Promise((r) => setTimeout(r, Math.min(Math.max(10, next - Date.now()), Math.max(0, deadline - Date.now()), 5000)));
    }
    if (result.pushed && result.pulled) result.error = null;
    this.emitStatus();
    return result;
  }
}

export interface RunOnceResult {
  pulled: boolean;
  pushed: boolean;
  error: string | null;
  sent: number;
  conflicts: number;
  /** Queued intents kept because the key is read-only. */
  blocked: number;
  /** The last pull attempt could not reach the server (network, or the time ran out). */
  unreachable: boolean;
}
