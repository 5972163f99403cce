/**
 * The console core's one entry point for its hosts (the engine, `serve`, the CLI, the shell, benches)
 * and its composition root: `createCore(options)` makes the replica, the sync machinery and the
 * session, hands one CoreContext to every feature, and merges the features' handler slices into the
 * contract's one ContractHandlers (src/shared/contract/types.ts). Hosts call those handlers through
 * dispatchCall (src/main/dispatch.ts): one validation path, one error mapping.
 *
 *   const core = createCore({ dbFile, api: { url, key }, transport: 'electron', appVersion });
 *   const off = core.on((event, payload) => …);   // contract events
 *   await core.unlockSecrets();                    // open the secrets kept at rest
 *   core.start();                                  // background sync when connected
 *   await dispatchCall(core, 'bookings.approve', { id });
 *   await core.close();
 *
 * For the webhook relay link: `core.replica` (apply helpers, see replica/replica.ts), then
 * `core.notifyChanged(tables)` / `core.notifyActivity(item)` / `core.syncNow()`.
 */
import { ContractError, type ActivityItem, type ConflictView, type SecretKeeping, type SessionInfo, type Settings, type SyncStatus, type TenantInfo } from '../../shared/contract/types.ts';
import type { ContractHandlers } from '../../shared/contract/schemas.ts';
import { activityHandlers } from './activity/handlers.ts';
import { bookingsHandlers } from './bookings/handlers.ts';
import { bookingViews, pendingCount } from './bookings/views.ts';
import { approve } from './bookings/intents.ts';
import { RuleRunner, rulesHandlers, type RulesHost } from './rules/index.ts';
import { calendarHandlers } from './calendar/handlers.ts';
import { catalogueHandlers } from './catalogue/handlers.ts';
import { conflicts, localView } from './conflicts/conflicts.ts';
import { conflictsHandlers } from './conflicts/handlers.ts';
import type { CoreContext, Listener, Table } from './context.ts';
import { importHandlers } from './import/handlers.ts';
import { insightsHandlers } from './insights/insights.ts';
import { BackgroundCheck } from './db/background-check.ts';
import { damagedError, markDamaged } from './db/integrity.ts';
import type { ConsoleCoreOptions } from './options.ts';
import type { RelayConfig } from './relay-link/relay-link.ts';
import { Replica } from './replica/replica.ts';
import { settingsHandlers } from './settings/handlers.ts';
import { Session } from './settings/session.ts';
import { keyScopes, settingsRow, tenantInfo } from './settings/store.ts';
import { ScopeWatch, guardWrites, scopesAllowWrite } from './settings/scopes.ts';
import { Pruner } from './retention/index.ts';
import { SyncEngine } from './sync/engine.ts';
import { APPLY_WORKER_IDLE_STOP_MS, ApplyWorker } from './sync/apply-host.ts';
import { syncHandlers } from './sync/handlers.ts';
import { Outbox } from './sync/outbox.ts';
import { Pusher } from './sync/push.ts';
import { RateBudget } from './sync/rate-budget.ts';

export type { ConsoleCoreOptions } from './options.ts';
export type { CoreContext } from './context.ts';
export { SecretStoreUnavailableError, isSecretStoreUnavailable, noKeychain, parseStoredSecret, type SecretKeeper, type StoredSecret } from './settings/secrets.ts';
export { parseRelayChannelUrl, startRelayLink, type RelayConfig } from './relay-link/relay-link.ts';
export { CalendarWorker } from './calendar/render-worker.ts';
export { createFeedHandler, createFeedRepublisher, type FeedRepublisher } from './calendar/index.ts';
// The CLI's `import`: the template files (no replica needed), the preview's wording, and its spellings of the options.
export { changeLines, columnHelpCsv, describeCounts, templateCsv } from './import/index.ts';
export { normalizeDelimiter } from './import/delimiter.ts';
export { normalizeEncoding } from './import/decode.ts';

type KeysOf<T extends readonly object[]> = { [I in keyof T]: keyof T[I] }[number];
/** Methods given by more than one slice. */
type Doubled<T extends readonly object[]> = T extends readonly [infer H extends object, ...infer R extends readonly object[]] ? (keyof H & KeysOf<R>) | Doubled<R> : never;
/** Contract methods no slice gives. */
type Missing<T extends readonly object[]> = Exclude<keyof ContractHandlers, KeysOf<T>>;
/** The slices, or a type naming what is doubled or missing: merging them is then a compile error. */
type Complete<T extends readonly object[]> = [Doubled<T>] extends [never] ? ([Missing<T>] extends [never] ? T : { missingMethods: Missing<T> }) : { doubledMethods: Doubled<T> };

/** Merges the features' handler slices into one ContractHandlers; each method given exactly once (checked at compile time). */
export function composeHandlers<const T extends readonly object[]>(...slices: T & Complete<T>): ContractHandlers {
  return Object.assign({}, ...slices) as ContractHandlers;
}

/** The contract, one slice a feature folder. */
function contractHandlers(ctx: CoreContext, rules: { host: RulesHost; runner: RuleRunner }): ContractHandlers {
  return composeHandlers(
    settingsHandlers(ctx),
    syncHandlers(ctx),
    bookingsHandlers(ctx),
    catalogueHandlers(ctx),
    conflictsHandlers(ctx),
    insightsHandlers(ctx),
    activityHandlers(ctx),
    importHandlers(ctx),
    calendarHandlers(ctx),
    rulesHandlers(rules.host, rules.runner),
  );
}

/** The core its hosts hold: the contract's handlers, its events, and its lifecycle. */
export class ConsoleCore {
  readonly replica: Replica;
  readonly outbox: Outbox;
  readonly pusher: Pusher;
  readonly engine: SyncEngine;
  /** Removes bookings past the retention window in the background (settings.retainPastDays). */
  readonly pruner: Pruner;
  readonly handlers: ContractHandlers;
  readonly #closers: Array<() => Promise<void>> = [];
  readonly #starters: Array<() => Promise<unknown>> = [];
  #started: Promise<void> | null = null;
  /** Approval rules (#17): evaluated when bookings reach the replica and when a rule changes. */
  readonly rules: RuleRunner;
  /** Notices when a pull's /me changed the key's scopes (see #checkScopes). */
  readonly #scopeWatch: ScopeWatch;
  readonly #session: Session;
  readonly #listeners = new Set<Listener>();
  readonly #options: ConsoleCoreOptions;
  /** Set when the background check found damage: every call refuses with it from then on. */
  #damage: Error | null = null;
  #check: { timer: NodeJS.Timeout | null; worker: BackgroundCheck | null } | null = null;
  #closed = false;

  constructor(options: ConsoleCoreOptions) {
    this.#options = options;
    this.replica = new Replica(options.dbFile, options.integrityCheck === 'background' ? 'local-state' : 'full');
    const replica = this.replica;
    // The query builder now, as the core opens, so that no call waits on it later (db/query-builder.ts).
    replica.db.loadKysely();
    // Whether the key may write, as `/me` last said: asked by the push and by every write method.
    const canWrite = (): boolean => scopesAllowWrite(keyScopes(replica));
    this.#scopeWatch = new ScopeWatch(() => keyScopes(replica));
    this.outbox = new Outbox(this.replica);
    this.pruner = new Pruner({
      db: this.replica.sqlite,
      retainPastDays: () => settingsRow(this.replica).retainPastDays,
      onPruned: () => this.#emit('data.changed', { tables: ['bookings'] }),
      ...(options.log ? { log: options.log } : {}),
    });
    const budget = new RateBudget(options.ratePerMinute ?? 1000);
    this.pusher = new Pusher(
      this.outbox,
      {
        localView: (intent) => localView(replica, intent),
        onChange: (tables, ids) => this.notifyChanged(tables, ids),
        onNetwork: (ok, error) => this.engine.noteNetwork(ok, error),
        canWrite,
      },
      options.pushConcurrency ?? 4,
      options.retryCapMs ?? 60_000,
    );
    this.engine = new SyncEngine({
      replica: this.replica,
      outbox: this.outbox,
      pusher: this.pusher,
      pollIntervalMs: options.pollIntervalMs,
      reconcileIntervalMs: options.reconcileIntervalMs,
      hooks: {
        onStatus: (s) => {
          this.#emit('sync.status', s);
          this.#checkScopes();
        },
        onChange: (tables, ids) => this.notifyChanged(tables, ids),
        onNewPending: (ids) => this.#emit('queue.new', { count: ids.length, bookingIds: ids }),
        afterPull: () => this.rules.runAll().then(() => undefined),
      },
    });
    const base = {
      options,
      replica: this.replica,
      outbox: this.outbox,
      pusher: this.pusher,
      engine: this.engine,
      emit: this.#emit,
      on: (listener: Listener) => this.on(listener),
      notifyChanged: (tables: Table[], ids?: readonly string[]) => this.notifyChanged(tables, ids),
      log: (line: string) => options.log?.(line),
      now: () => Date.now(),
      closed: () => this.#closed,
      pruner: this.pruner,
      onClose: (fn: () => Promise<void>) => {
        this.#closers.push(fn);
      },
      onStart: (fn: () => Promise<unknown>) => {
        this.#starters.push(fn);
      },
    };
    this.#session = new Session(base, budget);
    const ctx: CoreContext = { ...base, session: this.#session };
    const rulesHost: RulesHost = {
      replica,
      bookingViews: (rows) => bookingViews(replica, rows),
      approve: (id, idempotencyKey) => approve(ctx, id, idempotencyKey),
      session: () => this.#session.session(),
      tenant: () => tenantInfo(replica),
      notifyChanged: (tables) => this.notifyChanged(tables),
      notifyActivity: (item, o) => this.notifyActivity(item, o),
    };
    this.rules = new RuleRunner(rulesHost, (line) => options.log?.(line));
    this.handlers = commitWritesOnAnswer(refuseWhenDamaged(guardWrites(contractHandlers(ctx, { host: rulesHost, runner: this.rules }), canWrite), () => this.#damage), replica);
  }

  /**
   * The damage check of everything but the local state, in a worker (options.integrityCheck
   * 'background'): started once, integrityCheckDelayMs after the first start().
   */
  #scheduleBackgroundCheck(): void {
    const file = this.replica.file;
    if (this.#check || this.#options.integrityCheck !== 'background' || file === ':memory:' || file.startsWith('file:')) return;
    const check: { timer: NodeJS.Timeout | null; worker: BackgroundCheck | null } = { timer: null, worker: null };
    this.#check = check;
    check.timer = setTimeout(() => {
      check.timer = null;
      if (this.#closed) return;
      check.worker = new BackgroundCheck(file, {
        onDamaged: (problems) => this.#damaged(problems),
        onSound: () => this.#options.log?.(`replica check: ${file} is sound`),
        onError: (message) => this.#options.log?.(`replica check could not run: ${message}`),
      });
    }, this.#options.integrityCheckDelayMs ?? 3000);
    check.timer.unref();
  }

  /**
   * Damage found after open: nothing more is read from or written to the file (sync stops, every call
   * refuses with what to do), and the marker makes every later open check the whole file and refuse.
   */
  #damaged(problems: string[]): void {
    if (this.#closed || this.#damage) return;
    const error = damagedError(this.replica.file, problems);
    this.#damage = error;
    try {
      markDamaged(this.replica.file, problems);
    } catch (e) {
      this.#options.log?.(`could not leave the damage marker: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.#options.log?.(error.message);
    void this.engine.stop();
    this.#options.onReplicaDamaged?.(error);
  }

  on(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  readonly #emit: Listener = (event, payload) => {
    for (const l of this.#listeners) {
      try {
        l(event, payload);
      } catch {
        // a listener's failure is not the core's
      }
    }
  };

  /** `ids`: the records that changed, when all are known (the UI refreshes only the rows it shows of them). */
  notifyChanged(tables: Table[], ids?: readonly string[]): void {
    if (this.#closed) return;
    if (tables.includes('bookings')) void this.pruner.kick();
    this.#emit('data.changed', ids ? { tables: [...new Set(tables)], ids: [...new Set(ids)] } : { tables: [...new Set(tables)] });
    this.engine.emitStatus();
    this.#checkScopes();
    if (tables.includes('bookings')) this.rules.schedule();
  }

  /** The key's scopes changed (a pull's /me): the UI hears it; with write back, what waited is sent. */
  #checkScopes(): void {
    if (this.#closed || !this.#scopeWatch.changed()) return;
    const info = this.session();
    this.#emit('session.changed', info);
    if (info.writable) this.engine.kickPush();
  }

  /**
   * A new activity line for the UI. `changed: false` when the caller sends `notifyChanged` with
   * 'activity' itself, once for many lines (the relay link's batches): one data.changed and one status
   * check per batch instead of per webhook.
   */
  notifyActivity(item: ActivityItem, options: { changed?: boolean } = {}): void {
    this.#emit('activity.new', item);
    if (options.changed !== false) this.notifyChanged(['activity']);
  }

  /**
   * Opens the secrets kept at rest (API key, relay token and webhook secrets) with the SecretKeeper;
   * call it before start(). See Session.unlockSecrets.
   */
  unlockSecrets(): Promise<void> {
    return this.#session.unlockSecrets();
  }

  /** The relay set up in Settings, with its secrets; null when there is none or its secrets are not here. */
  relayConfig(): RelayConfig | null {
    return this.#session.relayConfig();
  }

  session(): SessionInfo {
    return this.#session.session();
  }

  settings(): Settings {
    return this.#session.settings();
  }

  /** Connects to a server with a key (see Session.connect); the demo host connects its own sandbox this way. */
  connect(url: string, key: string, mode: 'connected' | 'demo', keep?: SecretKeeping): Promise<SessionInfo> {
    return this.#session.connect(url, key, mode, keep);
  }

  start(): void {
    if (this.#damage) return;
    this.#scheduleBackgroundCheck();
    this.#startBackground();
    this.engine.start();
    // What features do ahead of need (the calendar's workers); a failure there is only logged.
    this.#started ??= this.#settled().then(() =>
      Promise.all(
        this.#starters.map((fn) =>
          this.#closed
            ? undefined
            : fn().catch((error: unknown) => {
                if (!this.#closed) this.#options.log?.(`start: ${error instanceof Error ? error.message : String(error)}`);
              }),
        ),
      ).then(() => undefined),
    );
  }

  /**
   * Work ahead of need waits until the console has settled: the bookings feed fully loaded (or no
   * server to load it from), then aheadOfNeedDelayMs. An initial sync of a large tenant holds both
   * cores and the memory budget for minutes, and warm calendar workers cost ~90 MB; the first screen
   * after start is served before either begins.
   */
  #settled(): Promise<void> {
    const loaded = (): boolean => this.#closed || this.#session.session().mode === 'none' || this.replica.getSyncState('bookings').complete;
    const waitLoaded = new Promise<void>((resolve) => {
      if (loaded()) return resolve();
      const off = this.on((event) => {
        if (event !== 'sync.status' || !loaded()) return;
        off();
        resolve();
      });
      this.#closers.push(async () => {
        off();
        resolve();
      });
    });
    return waitLoaded.then(
      () =>
        new Promise<void>((resolve) => {
          if (this.#closed) return resolve();
          const delayMs = this.#options.aheadOfNeedDelayMs ?? 3000;
          this.#options.log?.(`start: the bookings feed is loaded; work ahead of need begins in ${delayMs} ms`);
          setTimeout(resolve, delayMs).unref();
        }),
    );
  }

  /** Resolves when what start() began ahead of need has finished (at once before start()). */
  whenStarted(): Promise<void> {
    return this.#started ?? Promise.resolve();
  }

  async stop(): Promise<void> {
    await this.engine.stop();
    await this.#stopBackground();
  }

  /** Checkpoints and the pull's writes on worker threads of their own (db/checkpointer.ts, sync/apply-host.ts). */
  #startBackground(): void {
    this.replica.startBackgroundCheckpoints();
    if (this.replica.file !== ':memory:') this.engine.puller.applyWorker ??= new ApplyWorker(this.replica, { idleStopMs: APPLY_WORKER_IDLE_STOP_MS });
  }

  async #stopBackground(): Promise<void> {
    const w = this.engine.puller.applyWorker;
    this.engine.puller.applyWorker = null;
    await w?.stop();
    await this.replica.stopBackgroundCheckpoints();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    if (this.#check?.timer) clearTimeout(this.#check.timer);
    this.#check?.worker?.stop();
    this.rules.close();
    await this.engine.stop();
    await this.pruner.close();
    for (const fn of this.#closers.splice(0)) await fn();
    await this.#stopBackground();
    this.#closed = true;
    this.replica.close();
  }

  syncNow(): boolean {
    return this.engine.syncNow();
  }

  /** One pull + push pass (the CLI's `sync --once`). */
  async runOnce(timeoutMs?: number): ReturnType<SyncEngine['runOnce']> {
    this.#startBackground();
    try {
      return await this.engine.runOnce(timeoutMs);
    } finally {
      if (!this.engine.running) await this.#stopBackground();
    }
  }

  status(): SyncStatus {
    return this.engine.status();
  }

  /** How many bookings the queue shows (the dock badge), without building the views. */
  pendingCount(): number {
    return pendingCount(this.replica);
  }

  tenant(): TenantInfo | null {
    return tenantInfo(this.replica);
  }

  conflicts(): ConflictView[] {
    return conflicts(this.replica, this.outbox);
  }
}

/** Every method refuses (UNAVAILABLE, with the damage and what to do) once `damage()` says so. */
function refuseWhenDamaged(handlers: ContractHandlers, damage: () => Error | null): ContractHandlers {
  const guarded: Record<string, (input: unknown) => unknown> = {};
  for (const [method, inner] of Object.entries(handlers) as Array<[string, (input: unknown) => unknown]>) {
    guarded[method] = (input: unknown) => {
      const error = damage();
      if (error) throw new ContractError('UNAVAILABLE', error.message);
      return inner(input);
    };
  }
  return guarded as unknown as ContractHandlers;
}

/**
 * A call that wrote is committed before it is answered. Server truth (pull pages, relayed webhooks)
 * is applied in a group transaction left open for up to a second (Replica.bulk); a statement run
 * outside `replica.transaction()` while it is open (a feed added, a setting, a rule) joins that group,
 * and answering before the group commits would acknowledge what another connection (the feed server,
 * the calendar worker, a CLI) cannot see yet and a kill could still lose. Calls that wrote nothing
 * leave the group open, so a UI polling during a sync does not break the group commit.
 */
function commitWritesOnAnswer(handlers: ContractHandlers, replica: Replica): ContractHandlers {
  const totalChanges = replica.sqlite.prepare('SELECT total_changes()').pluck();
  const settle = (before: unknown): void => {
    if (totalChanges.get() !== before) replica.flushBulk(); // a no-op when no group is open
  };
  const wrapped: Record<string, (input: unknown) => unknown> = {};
  for (const [method, inner] of Object.entries(handlers) as Array<[string, (input: unknown) => unknown]>) {
    wrapped[method] = (input: unknown) => {
      const before = totalChanges.get();
      let result: unknown;
      try {
        result = inner(input);
      } catch (error) {
        settle(before);
        throw error;
      }
      if (!(result instanceof Promise)) {
        settle(before);
        return result;
      }
      return result.finally(() => settle(before));
    };
  }
  return wrapped as unknown as ContractHandlers;
}

export function createCore(options: ConsoleCoreOptions): ConsoleCore {
  return new ConsoleCore(options);
}

export * from './db/care.ts';
