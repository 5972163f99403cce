/**
 * ConsoleCore: the console's core behind the contract (src/shared/contract/types.ts). It owns the replica
 * (server truth + outbox + conflicts), the sync engine, and turns contract calls into queries over
 * "truth with pending intents laid over it" and into intents written with their optimistic effect.
 *
 *   const core = new ConsoleCore({ dbFile, api: { url, key }, transport: 'electron', appVersion });
 *   const off = core.on((event, payload) => …);   // contract events
 *   core.start();                                  // background sync when connected
 *   await core.handlers['bookings.approve']({ id });
 *   await core.close();
 *
 * For the webhook relay client: `core.replica` (apply helpers, see replica.ts), then
 * `core.notifyChanged(tables)` / `core.notifyActivity(item)` / `core.syncNow()`.
 */
import { randomUUID } from 'node:crypto';
import { ContractError, type ActivityItem, type AvailabilityExceptionView, type AvailabilityRuleView, type BookingDetail, type BookingStatus, type BookingView, type ConflictView, type ContractEvents, type CouponView, type EventName, type HistoryEntry, type InsightsView, type IntentKind, type OfferingView, type SecretKeeping, type SessionInfo, type Settings, type SyncStatus, type TenantInfo } from '../../shared/contract/types.ts';
import type { ContractHandlers } from '../../shared/contract/schemas.ts';
import { ApiClient } from './api-client.ts';
import type { BookingsTable, CouponsTable, OfferingsTable } from './db/schema.ts';
import { Outbox, isTempId, recordKind, recordPath } from './outbox.ts';
import { describeIntent, describeIntentMessage, intentView, overlayBooking, overlayRecord, parsePayload, type IntentRow } from './overlay.ts';
import { Pusher } from './push.ts';
import { RateBudget } from './rate-budget.ts';
import { Replica } from './replica.ts';
import type { RemoteBooking, RemoteCoupon, RemoteOffering } from './remote-types.ts';
import { SyncEngine } from './sync-engine.ts';
import { keyScopesMeta, keyScopesOf } from './pull.ts';
import { cancelPreview, queueWindow, slotChecks } from './bookings/front-desk.ts';
import { extraHandlers } from './extras.ts';
import { RuleRunner, rulesHandlers } from './rules/index.ts';
import { parseRelayChannelUrl, type RelayConfig } from './relay/relay-link.ts';
import { SecretStoreUnavailableError, noKeychain, parseStoredSecret, type SecretKeeper, type StoredSecret } from '../shell/secret-store.ts';
import { asCoreMessage, coreMessage, type CoreMessage } from '../../shared/contract/messages.ts';

/** An activity row's stored message (JSON); null for rows from before messages were kept, or unreadable ones. */
function storedMessage(json: string | null): CoreMessage | null {
  if (!json) return null;
  try {
    return asCoreMessage(JSON.parse(json));
  } catch {
    return null;
  }
}

export interface ConsoleCoreOptions {
  dbFile: string;
  api?: { url: string; key: string };
  transport: 'electron' | 'bridge';
  appVersion: string;
  pollIntervalMs?: number;
  reconcileIntervalMs?: number;
  /**
   * Keeps the API key and the relay's secrets at rest (Electron: the OS keychain through safeStorage).
   * Default: no keychain, so they are kept on disk only unencrypted and only when the user agreed.
   */
  secretKeeper?: SecretKeeper;
  /**
   * Starts, switches or stops the webhook relay link when Settings connects or disconnects a relay
   * (startConsole); throws a ContractError when the relay refuses the channel or cannot be reached.
   */
  relayLink?: (config: RelayConfig | null) => Promise<void>;
  log?: (line: string) => void;
  /** Hold before an intent may leave the machine, overriding settings.undoSeconds (the CLI uses 0). */
  holdMs?: number;
  /** Starts the built-in demo sandbox and answers its URL and a key (for settings.useDemo). */
  demo?: () => Promise<{ url: string; key: string }>;
  /** Requests per minute the client allows itself before the server tells it (default 1,000). */
  ratePerMinute?: number;
  pushConcurrency?: number;
  /** Back-off cap between two attempts of one intent (default 60 s). */
  retryCapMs?: number;
}

type Listener = <E extends EventName>(event: E, payload: ContractEvents[E]) => void;
type Table = ContractEvents['data.changed']['tables'][number];

const apiKeyPattern = /^ork_[a-z0-9]{8}\.[A-Za-z0-9_-]{16,64}$/;

/** Meta keys of secrets at rest: a StoredSecret as JSON (older versions: bare base64 safeStorage ciphertext). */
const apiKeyMeta = 'apiKeySealed';
/** The relay set up in Settings: URL and channel in the clear, device token and secrets sealed together. */
const relayMeta = 'relayChannel';
interface StoredRelay {
  url: string;
  channelId: string;
  /** JSON {deviceToken, secrets}, sealed; null when the user kept them for one session only. */
  sealed: StoredSecret | null;
}

function needsConfirmation(what: string): ContractError {
  return new ContractError(
    'NEEDS_CONFIRMATION',
    `This machine has no encrypted storage for secrets (no OS keychain), so the ${what} cannot be stored encrypted. Keep it unencrypted on this computer (keep: "plain") or for this session only (keep: "session").`,
  );
}

const defaultSettings = { language: 'en' as const, theme: 'system' as const, undoSeconds: 5, relayUrl: null as string | null };

const inProcessEngine = { supervised: false, state: 'running', restarts: 0, lastCrash: null } as const;

const ACTIVE = "('queued','sending','attention')";
const noOverrides: ReadonlyMap<string, { startsAt: string; endsAt: string }> = new Map();

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

export class ConsoleCore {
  readonly replica: Replica;
  readonly outbox: Outbox;
  readonly pusher: Pusher;
  readonly engine: SyncEngine;
  readonly handlers: ContractHandlers;
  /** Approval rules (#17): evaluated when bookings reach the replica and when a rule changes. */
  readonly rules: RuleRunner;
  readonly #opts: ConsoleCoreOptions;
  readonly #listeners = new Set<Listener>();
  readonly #budget: RateBudget;
  readonly #keeper: SecretKeeper;
  #apiKey: string | null = null;
  #apiKeyKeeping: SecretKeeping | null = null;
  #apiUrl: string | null = null;
  /** The relay set up in Settings; `config` null when its secrets are not here (one session only, or unreadable). */
  #relay: { url: string; channelId: string; keeping: SecretKeeping | null; config: RelayConfig | null } | null = null;
  readonly #unreadable = new Set<'apiKey' | 'relay'>();
  #unlocked = false;
  #closed = false;

  constructor(opts: ConsoleCoreOptions) {
    this.#opts = opts;
    this.#keeper = opts.secretKeeper ?? noKeychain();
    this.replica = new Replica(opts.dbFile);
    this.outbox = new Outbox(this.replica);
    this.#budget = new RateBudget(opts.ratePerMinute ?? 1000);
    this.pusher = new Pusher(
      this.outbox,
      {
        localView: (intent) => this.#localView(intent),
        onChange: (tables) => this.notifyChanged(tables),
        onNetwork: (ok, error) => this.engine.noteNetwork(ok, error),
      },
      opts.pushConcurrency ?? 4,
      opts.retryCapMs ?? 60_000,
    );
    this.engine = new SyncEngine({
      replica: this.replica,
      outbox: this.outbox,
      pusher: this.pusher,
      pollIntervalMs: opts.pollIntervalMs,
      reconcileIntervalMs: opts.reconcileIntervalMs,
      hooks: {
        onStatus: (s) => this.#emit('sync.status', s),
        onChange: (tables) => this.notifyChanged(tables),
        onNewPending: (ids) => this.#emit('queue.new', { count: ids.length, bookingIds: ids }),
        afterPull: () => this.rules.runAll().then(() => undefined),
      },
    });
    this.rules = new RuleRunner(this, (line) => this.#log(line));
    if (opts.api) {
      // Given at start-up (CLI, environment): used, never stored.
      this.#apiUrl = opts.api.url;
      this.#apiKey = opts.api.key;
      this.#apiKeyKeeping = 'session';
      this.engine.setApi(new ApiClient({ url: this.#apiUrl, key: this.#apiKey, budget: this.#budget }));
    } else {
      // The stored key is opened by unlockSecrets() (the keychain may answer asynchronously).
      this.#apiUrl = this.replica.getMeta('apiUrl');
    }
    this.handlers = this.#makeHandlers();
  }

  #log(line: string): void {
    this.#opts.log?.(line);
  }

  /**
   * Opens the secrets kept at rest (API key, relay token and webhook secrets) with the SecretKeeper;
   * call it before start(). A secret this machine cannot open (keychain changed or reset, the file
   * copied from another computer) is left alone and reported in session().secrets.unreadable: the
   * console stays unconnected until the user enters it again.
   */
  async unlockSecrets(): Promise<void> {
    if (this.#unlocked) return;
    this.#unlocked = true;
    const raw = this.replica.getMeta(apiKeyMeta);
    // The demo tenant's key lives beside its data and is never a secret worth a keychain.
    if (!this.#opts.api && raw && this.replica.getMeta('mode') !== 'demo') {
      try {
        const stored = parseStoredSecret(raw);
        // Older versions stored bare safeStorage ciphertext: rewrite it as a record once.
        if (!raw.trim().startsWith('{')) this.replica.transaction(() => this.replica.setMeta(apiKeyMeta, JSON.stringify(stored)));
        const key = await this.#keeper.open(stored);
        if (!apiKeyPattern.test(key)) throw new Error('what it holds is not an API key');
        this.#apiKey = key;
        this.#apiKeyKeeping = stored.scheme === 'safe' ? 'encrypted' : 'plain';
        if (this.#apiUrl) this.engine.setApi(new ApiClient({ url: this.#apiUrl, key, budget: this.#budget }));
      } catch (error) {
        this.#unreadable.add('apiKey');
        this.#log(`The stored API key cannot be opened on this machine (${error instanceof Error ? error.message : String(error)}); connect again in Settings.`);
      }
    }
    const rawRelay = this.replica.getMeta(relayMeta);
    if (rawRelay) {
      try {
        const stored = JSON.parse(rawRelay) as StoredRelay;
        this.#relay = { url: stored.url, channelId: stored.channelId, keeping: null, config: null };
        if (stored.sealed) {
          const opened = JSON.parse(await this.#keeper.open(stored.sealed)) as { deviceToken?: unknown; secrets?: unknown };
          const secrets = Array.isArray(opened.secrets) ? opened.secrets.filter((s): s is string => typeof s === 'string') : [];
          if (typeof opened.deviceToken !== 'string' || secrets.length === 0) throw new Error('the record holds no device token or secrets');
          this.#relay.config = { url: stored.url, channelId: stored.channelId, deviceToken: opened.deviceToken, secrets };
          this.#relay.keeping = stored.sealed.scheme === 'safe' ? 'encrypted' : 'plain';
        }
      } catch (error) {
        this.#unreadable.add('relay');
        this.#log(`The stored relay token and webhook secrets cannot be opened on this machine (${error instanceof Error ? error.message : String(error)}); connect the relay again in Settings.`);
      }
    }
  }

  /** The relay set up in Settings, with its secrets; null when there is none or its secrets are not here. */
  relayConfig(): RelayConfig | null {
    return this.#relay?.config ?? null;
  }

  /** Seals for keeping at rest; a keychain that stopped working answers NEEDS_CONFIRMATION. */
  async #seal(secret: string, keep: 'encrypted' | 'plain', what: string): Promise<StoredSecret> {
    try {
      return await this.#keeper.seal(secret, keep);
    } catch (error) {
      if (error instanceof SecretStoreUnavailableError) throw needsConfirmation(what);
      throw new ContractError('UNAVAILABLE', `The system keychain could not encrypt the ${what}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  // ---- lifecycle & events -----------------------------------------------------------------------

  on(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit<E extends EventName>(event: E, payload: ContractEvents[E]): void {
    for (const l of this.#listeners) {
      try {
        l(event, payload);
      } catch {
        // a listener's failure is not the core's
      }
    }
  }

  notifyChanged(tables: Table[]): void {
    if (this.#closed) return;
    this.#emit('data.changed', { tables: [...new Set(tables)] });
    this.engine.emitStatus();
    if (tables.includes('bookings')) this.rules.schedule();
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

  start(): void {
    // Load the query builder in the background now, so the first list query does not block on it.
    void import('kysely').catch(() => undefined);
    this.replica.startBackgroundCheckpoints();
    this.engine.start();
  }

  async stop(): Promise<void> {
    await this.engine.stop();
    await this.replica.stopBackgroundCheckpoints();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.rules.close();
    await this.engine.stop();
    await this.replica.stopBackgroundCheckpoints();
    this.#closed = true;
    this.replica.close();
  }

  syncNow(): boolean {
    return this.engine.syncNow();
  }

  /** One pull + push pass (the CLI's `sync --once`). */
  async runOnce(timeoutMs?: number): ReturnType<SyncEngine['runOnce']> {
    this.replica.startBackgroundCheckpoints();
    try {
      return await this.engine.runOnce(timeoutMs);
    } finally {
      if (!this.engine.running) await this.replica.stopBackgroundCheckpoints();
    }
  }

  status(): SyncStatus {
    return this.engine.status();
  }

  // ---- settings & session -----------------------------------------------------------------------

  #settingsRow(): typeof defaultSettings {
    try {
      return { ...defaultSettings, ...(JSON.parse(this.replica.getMeta('settings') ?? '{}') as Partial<typeof defaultSettings>) };
    } catch {
      return { ...defaultSettings };
    }
  }

  settings(): Settings {
    const s = this.#settingsRow();
    return {
      language: s.language,
      theme: s.theme,
      undoSeconds: s.undoSeconds,
      relayUrl: this.#relay?.url ?? null,
      relayChannelId: this.#relay?.channelId ?? null,
      apiUrl: this.#apiUrl,
      hasApiKey: this.#apiKey !== null,
    };
  }

  tenant(): TenantInfo | null {
    const raw = this.replica.getMeta('tenant');
    if (!raw) return null;
    try {
      const t = JSON.parse(raw) as Record<string, unknown>;
      const kyb = t['kybStatus'];
      return {
        id: String(t['id'] ?? ''),
        name: String(t['name'] ?? ''),
        subdomain: String(t['subdomain'] ?? ''),
        displayCurrency: String(t['displayCurrency'] ?? 'USD'),
        timezone: typeof t['timezone'] === 'string' ? t['timezone'] : 'UTC',
        kybStatus: kyb === 'VERIFIED' || kyb === 'REJECTED' ? kyb : 'PENDING',
      };
    } catch {
      return null;
    }
  }

  /** The key's scopes as `/me` last said; null when not known yet. */
  keyScopes(): string[] | null {
    const raw = this.replica.getMeta(keyScopesMeta);
    if (!raw) return null;
    try {
      return keyScopesOf(JSON.parse(raw));
    } catch {
      return null;
    }
  }

  session(): SessionInfo {
    const stored = this.replica.getMeta('mode');
    const mode = this.#apiKey ? (stored === 'demo' ? 'demo' : 'connected') : 'none';
    const scopes = this.keyScopes();
    // Unknown scopes (no answer yet, or a server that does not say) are taken as read + write, as keys default to.
    const writable = scopes === null || scopes.includes('write');
    return {
      scopes,
      writable,
      readOnlyReason: writable ? null : 'This API key is read-only (it lacks the write scope).',
      mode,
      tenant: this.tenant(),
      apiUrl: this.#apiUrl,
      live: this.engine.running && !!this.engine.api,
      appVersion: this.#opts.appVersion,
      transport: this.#opts.transport,
      secrets: {
        encryptionAvailable: this.#keeper.encryptionAvailable,
        apiKey: mode === 'connected' ? this.#apiKeyKeeping : null,
        relay: this.#relay?.config ? this.#relay.keeping : null,
        unreadable: [...this.#unreadable],
      },
    };
  }

  /**
   * Connects to a server with a key (verified with GET /me first). `keep` says how the key is kept:
   * `encrypted` (the default) needs the OS keychain, and without one this answers NEEDS_CONFIRMATION
   * before anything is contacted or changed; `plain` and `session` are the user's answer to that.
   * The demo tenant's key is never stored here (it lives beside the demo's data).
   */
  async connect(url: string, key: string, mode: 'connected' | 'demo', keep?: SecretKeeping): Promise<SessionInfo> {
    const keeping: SecretKeeping | null = mode === 'demo' ? null : (keep ?? 'encrypted');
    if (keeping === 'encrypted' && !this.#keeper.encryptionAvailable) throw needsConfirmation('API key');
    const api = new ApiClient({ url, key, budget: this.#budget });
    let tenant: { id?: string } | undefined;
    let scopes: string[] | null = null;
    try {
      const me = await api.get('/api/me', { priority: 'user' });
      const body = me.body as { tenant?: { id?: string }; scopes?: unknown } | null;
      tenant = body?.tenant;
      scopes = keyScopesOf(body?.scopes);
    } catch (error) {
      const e = error as { kind?: string; message?: string };
      if (e.kind === 'auth' || e.kind === 'forbidden') throw new ContractError('BAD_INPUT', `The server rejected this API key: ${e.message ?? ''}`, [{ path: 'apiKey', message: 'rejected by the server' }]);
      throw new ContractError('UNAVAILABLE', `Cannot reach ${url}: ${e.message ?? String(error)}`);
    }
    const sealed = keeping === 'encrypted' || keeping === 'plain' ? await this.#seal(key, keeping, 'API key') : null;
    const previous = this.tenant();
    this.replica.transaction(() => {
      if (previous && tenant?.id && previous.id !== tenant.id) {
        // Another tenant: its truth must not be shown as ours. Intents stay (they will answer 404 → attention).
        for (const t of ['bookings', 'booking_items', 'payments', 'offerings', 'coupons', 'availability_rules', 'availability_exceptions', 'disputes', 'reviews', 'sync_state', 'booking_overlay']) {
          this.replica.stmt(`DELETE FROM ${t}`).run();
        }
        this.replica.setMeta('lastSyncAt', null);
      }
      if (tenant) this.replica.setMeta('tenant', JSON.stringify(tenant));
      this.replica.setMeta(keyScopesMeta, scopes ? JSON.stringify(scopes) : null);
      this.replica.setMeta('apiUrl', url);
      this.replica.setMeta('mode', mode);
      this.replica.setMeta(apiKeyMeta, sealed ? JSON.stringify(sealed) : null);
    });
    this.#apiUrl = url;
    this.#apiKey = key;
    this.#apiKeyKeeping = keeping;
    this.#unreadable.delete('apiKey');
    this.engine.setApi(api);
    this.engine.syncNow();
    const info = this.session();
    this.#emit('session.changed', info);
    this.notifyChanged(['bookings', 'offerings', 'coupons', 'availability']);
    return info;
  }

  /**
   * Receives webhooks through a relay channel from now on. Same `keep` rule as connect(); the relay
   * link is (re)started and must be accepted by the relay before anything is stored.
   */
  async connectRelay(input: { channelUrl: string; deviceToken: string; webhookSecret: string; previousWebhookSecret?: string | undefined; keep?: SecretKeeping | undefined }): Promise<Settings> {
    let target: { url: string; channelId: string };
    try {
      target = parseRelayChannelUrl(input.channelUrl);
    } catch (error) {
      throw new ContractError('BAD_INPUT', (error as Error).message, [{ path: 'channelUrl', message: 'not a relay channel URL (…/v1/channels/ch_…)' }]);
    }
    const keeping = input.keep ?? 'encrypted';
    if (keeping === 'encrypted' && !this.#keeper.encryptionAvailable) throw needsConfirmation('relay device token and webhook secrets');
    const config: RelayConfig = { ...target, deviceToken: input.deviceToken, secrets: [input.webhookSecret, ...(input.previousWebhookSecret ? [input.previousWebhookSecret] : [])] };
    const sealed = keeping === 'session' ? null : await this.#seal(JSON.stringify({ deviceToken: config.deviceToken, secrets: config.secrets }), keeping, 'relay device token and webhook secrets');
    await this.#opts.relayLink?.(config);
    const stored: StoredRelay = { ...target, sealed };
    this.replica.transaction(() => this.replica.setMeta(relayMeta, JSON.stringify(stored)));
    this.#relay = { ...target, keeping, config };
    this.#unreadable.delete('relay');
    this.#emit('session.changed', this.session());
    this.notifyChanged(['feeds']);
    return this.settings();
  }

  /** Stops listening on the relay set up in Settings and forgets it (the demo tenant's own relay takes over again). */
  async disconnectRelay(): Promise<Settings> {
    await this.#opts.relayLink?.(null);
    this.replica.transaction(() => this.replica.setMeta(relayMeta, null));
    this.#relay = null;
    this.#unreadable.delete('relay');
    this.#emit('session.changed', this.session());
    this.notifyChanged(['feeds']);
    return this.settings();
  }

  // ---- intents ------------------------------------------------------------------------------------

  #holdMs(): number {
    return this.#opts.holdMs ?? this.#settingsRow().undoSeconds * 1000;
  }

  #enqueue(kind: IntentKind, targetId: string, payload: Record<string, unknown>, req: { method: string; path: string; body: string | null }, baseVersion: number | null, idempotencyKey?: string): IntentRow {
    const row = this.outbox.enqueue({ kind, targetId, payload, ...req, baseVersion, holdMs: this.#holdMs(), ...(idempotencyKey ? { idempotencyKey } : {}) });
    const k = recordKind(kind);
    this.notifyChanged(['intents', k === 'booking' ? 'bookings' : k === 'offering' ? 'offerings' : 'coupons']);
    this.engine.kickPush();
    if (row.hold_until) {
      const wait = Date.parse(row.hold_until) - Date.now();
      setTimeout(() => {
        if (!this.#closed) {
          this.engine.kickPush();
          this.notifyChanged(['intents']);
        }
      }, wait + 5).unref?.();
    }
    return row;
  }

  approve(id: string, idempotencyKey?: string): string | null {
    const b = this.bookingDetail(id);
    if (!b) throw new ContractError('NOT_FOUND', `Booking ${id} is not in the replica (sync first).`);
    if (b.status === 'CONFIRMED' || b.status === 'COMPLETED') return null;
    if (b.status !== 'PENDING') throw new ContractError('CONFLICT', `Booking ${id} is ${b.status}; only PENDING bookings can be approved.`);
    return this.#enqueue('booking.approve', id, {}, { method: 'POST', path: `${recordPath('booking', id)}/approve`, body: '{}' }, this.#version('bookings', id), idempotencyKey).id;
  }

  cancel(id: string, reason: string): string | null {
    const b = this.bookingDetail(id);
    if (!b) throw new ContractError('NOT_FOUND', `Booking ${id} is not in the replica (sync first).`);
    if (b.status === 'CANCELLED') return null;
    if (b.status !== 'PENDING' && b.status !== 'CONFIRMED') throw new ContractError('CONFLICT', `Booking ${id} is ${b.status}; only PENDING or CONFIRMED bookings can be cancelled.`);
    return this.#enqueue('booking.cancel', id, { reason }, { method: 'POST', path: `${recordPath('booking', id)}/cancel`, body: JSON.stringify({ reason }) }, this.#version('bookings', id)).id;
  }

  reschedule(id: string, itemId: string, startsAt: string, endsAt: string): string {
    const b = this.bookingDetail(id);
    if (!b) throw new ContractError('NOT_FOUND', `Booking ${id} is not in the replica (sync first).`);
    if (b.status !== 'PENDING' && b.status !== 'CONFIRMED') throw new ContractError('CONFLICT', `Booking ${id} is ${b.status}; only PENDING or CONFIRMED bookings can be rescheduled.`);
    if (!b.items.some((i) => i.id === itemId)) throw new ContractError('BAD_INPUT', `Booking ${id} has no item ${itemId}.`, [{ path: 'itemId', message: 'unknown item' }]);
    const s = new Date(startsAt).toISOString();
    const e = new Date(endsAt).toISOString();
    if (e <= s) throw new ContractError('BAD_INPUT', 'endsAt must be after startsAt.', [{ path: 'endsAt', message: 'must be after startsAt' }]);
    const payload = { itemId, startsAt: s, endsAt: e };
    return this.#enqueue('booking.reschedule', id, payload, { method: 'PATCH', path: recordPath('booking', id), body: JSON.stringify(payload) }, this.#version('bookings', id)).id;
  }

  setNotes(id: string, notes: string): string {
    if (!this.#bookingRow(id)) throw new ContractError('NOT_FOUND', `Booking ${id} is not in the replica (sync first).`);
    return this.#enqueue('booking.notes', id, { notes }, { method: 'PATCH', path: recordPath('booking', id), body: JSON.stringify({ notes }) }, this.#version('bookings', id)).id;
  }

  #version(table: 'bookings' | 'offerings' | 'coupons', id: string): number | null {
    const r = this.replica.stmt(`SELECT version FROM ${table} WHERE id = ?`).get(id) as { version: number | null } | undefined;
    return r?.version ?? null;
  }

  #createRecord(kind: 'offering' | 'coupon', fields: Record<string, unknown>): { intentId: string; id: string } {
    const tempId = `tmp_${kind === 'offering' ? 'off' : 'cpn'}_${randomUUID()}`;
    const body = kind === 'coupon' && typeof fields['code'] === 'string' ? { ...fields, code: fields['code'].toUpperCase() } : fields;
    const row = this.#enqueue(`${kind}.create`, tempId, { fields: body }, { method: 'POST', path: kind === 'offering' ? '/api/offerings' : '/api/coupons', body: JSON.stringify(body) }, null);
    return { intentId: row.id, id: tempId };
  }

  #patchRecord(kind: 'offering' | 'coupon', id: string, fields: Record<string, unknown> | null): string {
    const target = this.outbox.resolveId(id);
    const table = kind === 'offering' ? 'offerings' : 'coupons';
    const known = this.replica.stmt(`SELECT 1 FROM ${table} WHERE id = ?`).get(target) || (isTempId(target) && this.replica.hasActiveIntents(target));
    if (!known) throw new ContractError('NOT_FOUND', `No ${kind} ${id}.`);
    const k: IntentKind = fields ? `${kind}.patch` : `${kind}.delete`;
    const body = fields && kind === 'coupon' && typeof fields['code'] === 'string' ? { ...fields, code: fields['code'].toUpperCase() } : fields;
    return this.#enqueue(k, target, fields ? { fields: body } : {}, { method: fields ? 'PATCH' : 'DELETE', path: recordPath(k, target), body: body ? JSON.stringify(body) : null }, this.#version(table, target)).id;
  }

  // ---- booking views ----------------------------------------------------------------------------

  #bookingRow(id: string): BookingsTable | undefined {
    return this.replica.stmt('SELECT * FROM bookings WHERE id = ?').get(id) as BookingsTable | undefined;
  }

  /** Builds views for truth rows, laying pending intents over them. */
  bookingViews(rows: BookingsTable[]): BookingView[] {
    if (rows.length === 0) return [];
    const items = new Map<string, BookingView['items']>();
    const intents = new Map<string, IntentRow[]>();
    for (const part of chunks(rows, 500)) {
      const marks = part.map(() => '?').join(',');
      const ids = part.map((r) => r.id);
      for (const it of this.replica
        .stmt(`SELECT * FROM booking_items WHERE booking_id IN (${marks}) ORDER BY booking_id, position`)
        .all(...ids) as Array<{ id: string; booking_id: string; offering_id: string; starts_at: string; ends_at: string; quantity: number; price_cents: number }>) {
        let list = items.get(it.booking_id);
        if (!list) items.set(it.booking_id, (list = []));
        list.push({ id: it.id, offeringId: it.offering_id, startsAt: it.starts_at, endsAt: it.ends_at, quantity: it.quantity, priceCents: it.price_cents });
      }
      for (const row of this.replica
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

  bookingDetail(id: string): BookingDetail | null {
    const row = this.#bookingRow(id);
    if (!row) return null;
    const [view] = this.bookingViews([row]);
    if (!view) return null;
    const payments = (this.replica.stmt('SELECT * FROM payments WHERE booking_id = ? ORDER BY created_at').all(id) as Array<{ id: string; amount_cents: number; currency: string; status: string; created_at: string }>).map(
      (p) => ({ id: p.id, amountCents: p.amount_cents, currency: p.currency, status: p.status, createdAt: p.created_at }),
    );
    const history: HistoryEntry[] = [];
    const now = Date.now();
    for (const i of this.replica.stmt('SELECT * FROM outbox WHERE target_id = ? ORDER BY seq').all(id) as IntentRow[]) {
      history.push({ at: i.created_at, kind: 'intent', summary: describeIntent(i), summaryMessage: describeIntentMessage(i), state: intentView(i, now).state });
    }
    for (const a of this.replica.stmt('SELECT at, event, summary, message FROM activity WHERE booking_id = ? ORDER BY at').all(id) as Array<{ at: string; event: string; summary: string; message: string | null }>) {
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

  /** PENDING bookings as the UI sees them: truth without intents, plus overlaid ones that are PENDING. */
  static readonly #pendingRows = `SELECT b.* FROM bookings b WHERE b.status = 'PENDING' AND b.id NOT IN (SELECT booking_id FROM booking_overlay)
         UNION ALL SELECT b.* FROM booking_overlay o JOIN bookings b ON b.id = o.booking_id WHERE o.status = 'PENDING'`;

  queue(): BookingView[] {
    const rows = this.replica.stmt(`${ConsoleCore.#pendingRows} ORDER BY created_at, id`).all() as BookingsTable[];
    return this.bookingViews(rows);
  }

  /** How many bookings the queue shows (for badges), without building the views. */
  pendingCount(): number {
    return (this.replica.stmt(`SELECT count(*) AS n FROM (${ConsoleCore.#pendingRows})`).get() as { n: number }).n;
  }

  /**
   * Bookings by first start, newest first. With a status filter the query is a UNION ALL of "truth
   * has this status and no overlay" and "the overlay has this status": each arm walks an index in
   * order, so even deep offsets over 100k rows never sort the table.
   */
  listBookings(f: { status?: BookingStatus; offeringId?: string; from?: string; to?: string; search?: string; offset: number; limit: number }): { items: BookingView[]; total: number } {
    const { kysely } = this.replica.db;
    type Q = ReturnType<typeof kysely.selectFrom<'bookings as b'>>;
    const filters = (q: Q): Q => {
      if (f.offeringId) q = q.where('b.offering_id', '=', f.offeringId);
      if (f.from) q = q.where('b.starts_at', '>=', new Date(f.from).toISOString());
      if (f.to) q = q.where('b.starts_at', '<', new Date(f.to).toISOString());
      if (f.search && f.search.trim()) {
        const like = `%${escapeLike(f.search.trim())}%`;
        const { sql } = this.replica.db.kyselyModule;
        const match = (column: string) => sql<boolean>`${sql.ref(column)} LIKE ${like} ESCAPE '\\'`;
        q = q.where((eb) => eb.or([match('b.customer_name'), match('b.customer_email'), match('b.id'), match('b.offering_title')]));
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
      const n1 = this.replica.db.first(truthArm.select((eb) => eb.fn.countAll<number>().as('n')))?.n ?? 0;
      const n2 = this.replica.db.first(overlayArm.select((eb) => eb.fn.countAll<number>().as('n')))?.n ?? 0;
      total = Number(n1) + Number(n2);
      rows = this.replica.db.all(
        truthArm.selectAll('b').unionAll(overlayArm.selectAll('b')).orderBy('starts_at', 'desc').orderBy('id', 'desc').limit(f.limit).offset(f.offset),
      ) as BookingsTable[];
    } else {
      const q = filters(kysely.selectFrom('bookings as b'));
      total = Number(this.replica.db.first(q.select((eb) => eb.fn.countAll<number>().as('n')))?.n ?? 0);
      rows = this.replica.db.all(q.selectAll('b').orderBy('b.starts_at', 'desc').orderBy('b.id', 'desc').limit(f.limit).offset(f.offset)) as BookingsTable[];
    }
    return { items: this.bookingViews(rows), total };
  }

  // ---- offerings & coupons views ----------------------------------------------------------------

  #activeIntentsByTarget(prefix: 'offering' | 'coupon'): Map<string, IntentRow[]> {
    const map = new Map<string, IntentRow[]>();
    for (const row of this.replica.stmt(`SELECT * FROM outbox WHERE kind LIKE ? AND state IN ${ACTIVE} ORDER BY seq`).all(`${prefix}.%`) as IntentRow[]) {
      let list = map.get(row.target_id);
      if (!list) map.set(row.target_id, (list = []));
      list.push(row);
    }
    return map;
  }

  /**
   * Server rows with their pending intents laid over them, plus records that exist only as local
   * intents (created offline). Shared by offerings and coupons.
   */
  #overlaid<Row extends { id: string; deleted_at: string | null }, View>(
    prefix: 'offering' | 'coupon',
    rows: Row[],
    truthOf: (row: Row) => Record<string, unknown>,
    includeDeleted: boolean,
    view: (id: string, record: Record<string, unknown>, deleted: boolean, syncState: OfferingView['syncState']) => View,
  ): View[] {
    const intents = this.#activeIntentsByTarget(prefix);
    const out: View[] = [];
    const seen = new Set<string>();
    const build = (id: string, truth: Record<string, unknown> | null, serverDeleted: boolean): void => {
      const o = overlayRecord(truth, intents.get(id) ?? []);
      if (!o.record) return;
      const deleted = serverDeleted || o.deleted;
      if (deleted && !includeDeleted) return;
      out.push(view(id, o.record, deleted, o.syncState));
    };
    for (const r of rows) {
      seen.add(r.id);
      build(r.id, truthOf(r), r.deleted_at !== null);
    }
    for (const id of intents.keys()) if (!seen.has(id)) build(id, null, false);
    return out;
  }

  offerings(includeDeleted = false): OfferingView[] {
    const rows = this.replica.stmt('SELECT * FROM offerings ORDER BY title, id').all() as OfferingsTable[];
    return this.#overlaid('offering', rows, offeringTruth, includeDeleted, (id, r, deleted, syncState) => ({
      id,
      slug: String(r['slug'] ?? ''),
      title: String(r['title'] ?? ''),
      description: String(r['description'] ?? ''),
      status: (r['status'] ?? 'DRAFT') as OfferingView['status'],
      productTypeKey: String(r['productTypeKey'] ?? ''),
      basePriceCents: Number(r['basePriceCents'] ?? 0),
      currency: String(r['currency'] ?? ''),
      taxRateBps: Number(r['taxRateBps'] ?? 0),
      pricingModel: String(r['pricingModel'] ?? 'ONE_TIME'),
      cancellationPolicy: String(r['cancellationPolicy'] ?? 'MODERATE'),
      ratingAverage: (r['ratingAverage'] as number | null | undefined) ?? null,
      reviewCount: Number(r['reviewCount'] ?? 0),
      deleted,
      syncState,
    }));
  }

  coupons(includeDeleted = false): CouponView[] {
    const rows = this.replica.stmt('SELECT * FROM coupons ORDER BY code, id').all() as CouponsTable[];
    return this.#overlaid('coupon', rows, couponTruth, includeDeleted, (id, r, deleted, syncState) => ({
      id,
      code: String(r['code'] ?? ''),
      kind: (r['kind'] ?? 'PERCENT') as CouponView['kind'],
      amount: Number(r['amount'] ?? 0),
      currency: (r['currency'] as string | null | undefined) ?? null,
      validFrom: (r['validFrom'] as string | null | undefined) ?? null,
      validUntil: (r['validUntil'] as string | null | undefined) ?? null,
      maxRedemptions: (r['maxRedemptions'] as number | null | undefined) ?? null,
      minSubtotalCents: Number(r['minSubtotalCents'] ?? 0),
      redeemedCount: Number(r['redeemedCount'] ?? 0),
      active: deleted ? false : r['active'] !== false,
      deleted,
      syncState,
    }));
  }

  // ---- intents, conflicts -----------------------------------------------------------------------

  intents(): ReturnType<ContractHandlers['intents.list']> {
    const now = Date.now();
    const rows = this.replica
      .stmt(`SELECT * FROM (SELECT * FROM outbox WHERE state IN ${ACTIVE} UNION SELECT * FROM (SELECT * FROM outbox WHERE state NOT IN ${ACTIVE} ORDER BY seq DESC LIMIT 100)) ORDER BY seq DESC`)
      .all() as IntentRow[];
    return rows.map((r) => {
      const v = intentView(r, now);
      return this.pusher.inFlight.has(r.id) ? { ...v, state: 'sending' as const } : v;
    });
  }

  conflicts(): ConflictView[] {
    const rows = this.replica.stmt('SELECT * FROM conflicts WHERE resolved_at IS NULL ORDER BY created_at').all() as Array<{
      id: string;
      intent_id: string;
      http_status: number;
      code: string;
      message: string;
      server: string | null;
      local: string | null;
      created_at: string;
    }>;
    const out: ConflictView[] = [];
    for (const c of rows) {
      const intent = this.outbox.get(c.intent_id);
      if (!intent) continue;
      out.push({
        id: c.id,
        intent: intentView(intent),
        summary: describeIntent(intent),
        summaryMessage: describeIntentMessage(intent),
        httpStatus: c.http_status,
        code: c.code,
        message: c.message,
        server: c.server ? (JSON.parse(c.server) as unknown) : null,
        local: c.local ? (JSON.parse(c.local) as unknown) : null,
        createdAt: c.created_at,
      });
    }
    return out;
  }

  async resolveConflict(id: string, choice: 'retry' | 'discard' | 'takeServer'): Promise<boolean> {
    const intent = this.outbox.resolve(id, choice);
    if (!intent) return false;
    if (choice === 'takeServer' && this.engine.api && !isTempId(intent.target_id)) {
      try {
        const res = await this.engine.api.get(recordPath(intent.kind, intent.target_id), { priority: 'user' });
        const k = recordKind(intent.kind);
        this.replica.transaction(() => {
          if (k === 'booking') this.replica.applyRemoteBooking(res.body as RemoteBooking);
          else if (k === 'offering') this.replica.applyRemoteOffering(res.body as RemoteOffering);
          else this.replica.applyRemoteCoupon(res.body as RemoteCoupon);
        });
      } catch {
        // the truth stored with the conflict stays; the next reconciliation refreshes it
      }
    }
    if (choice === 'retry') this.engine.kickPush();
    this.notifyChanged(['intents', 'conflicts', 'bookings', 'offerings', 'coupons']);
    return true;
  }

  /** The record as the user meant it: the truth with this intent's effect applied, whatever the server did since. */
  #localView(intent: IntentRow): unknown {
    const k = recordKind(intent.kind);
    if (k === 'booking') {
      const view = this.bookingDetail(intent.target_id);
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
    const list = k === 'offering' ? this.offerings(true) : this.coupons(true);
    return list.find((r) => r.id === intent.target_id) ?? parsePayload(intent)['fields'] ?? null;
  }

  // ---- insights ---------------------------------------------------------------------------------

  /**
   * score = 0.5·rating/5 + 0.3·responseRate + 0.2·confirmationRate, from the replica (server truth):
   * - rating: review-count-weighted average of the offerings' ratingAverage;
   * - responseRate: of the bookings that needed an answer (all but those still PENDING for < 24 h),
   *   the share that got one (no longer PENDING);
   * - confirmationRate: confirmed (CONFIRMED/COMPLETED) over provider decisions (confirmed + cancelled
   *   by the provider + refunded);
   * - lever: the input with the largest weighted shortfall, weight × (1 − value): the one to move.
   */
  insights(now = Date.now()): InsightsView {
    const r = this.replica.stmt('SELECT SUM(rating_average * review_count) AS w, SUM(review_count) AS n FROM offerings WHERE deleted_at IS NULL AND rating_average IS NOT NULL').get() as {
      w: number | null;
      n: number | null;
    };
    const reviews = r.n ?? 0;
    const average = reviews > 0 ? (r.w ?? 0) / reviews : null;
    const dayAgo = new Date(now - 24 * 3600_000).toISOString();
    const s = this.replica
      .stmt(
        `SELECT
           SUM(CASE WHEN status = 'PENDING' AND created_at >= ? THEN 0 ELSE 1 END) AS total,
           SUM(CASE WHEN status <> 'PENDING' THEN 1 ELSE 0 END) AS answered,
           SUM(CASE WHEN status IN ('CONFIRMED','COMPLETED') THEN 1 ELSE 0 END) AS confirmed,
           SUM(CASE WHEN status IN ('CONFIRMED','COMPLETED','REFUNDED') OR (status = 'CANCELLED' AND COALESCE(cancelled_by, 'provider') <> 'customer') THEN 1 ELSE 0 END) AS decided
         FROM bookings`,
      )
      .get(dayAgo) as { total: number | null; answered: number | null; confirmed: number | null; decided: number | null };
    const total = s.total ?? 0;
    const answered = s.answered ?? 0;
    const confirmed = s.confirmed ?? 0;
    const decided = s.decided ?? 0;
    const ratingValue = average === null ? 0 : Math.min(1, average / 5);
    const responseValue = total > 0 ? answered / total : 0;
    const confirmationValue = decided > 0 ? confirmed / decided : 0;
    const parts = {
      rating: { weight: 0.5, value: ratingValue },
      responseRate: { weight: 0.3, value: responseValue },
      confirmationRate: { weight: 0.2, value: confirmationValue },
    };
    let lever: InsightsView['lever'] = 'rating';
    let worst = -1;
    for (const [name, p] of Object.entries(parts) as Array<[InsightsView['lever'], { weight: number; value: number }]>) {
      const gap = p.weight * (1 - p.value);
      if (gap > worst + 1e-12) {
        worst = gap;
        lever = name;
      }
    }
    const round = (x: number): number => Math.round(x * 10_000) / 10_000;
    const rc = 0.5 * ratingValue;
    const pc = 0.3 * responseValue;
    const cc = 0.2 * confirmationValue;
    return {
      score: round(rc + pc + cc),
      rating: { average: average === null ? null : round(average), reviews, contribution: round(rc) },
      responseRate: { value: round(responseValue), answered, total, contribution: round(pc) },
      confirmationRate: { value: round(confirmationValue), confirmed, decided, contribution: round(cc) },
      lever,
    };
  }

  // ---- handlers ---------------------------------------------------------------------------------

  #makeHandlers(): ContractHandlers {
    return {
      'session.info': () => this.session(),
      // In this process the core is not supervised; the shell's supervisor answers these itself.
      'engine.status': () => inProcessEngine,
      'engine.restart': () => {
        throw new ContractError('BAD_INPUT', 'The engine runs inside this process; restart the console instead.');
      },
      'sync.status': () => this.engine.status(),
      'queue.list': () => this.queue(),
      'queue.window': (i) => {
        const timeZone = this.tenant()?.timezone ?? 'UTC';
        return queueWindow(this.queue(), i, (views) => slotChecks(this.replica, views, timeZone), timeZone);
      },
      'bookings.slots': (i) => {
        const rows = i.ids.map((id) => this.#bookingRow(id)).filter((r): r is BookingsTable => !!r);
        return slotChecks(this.replica, this.bookingViews(rows), this.tenant()?.timezone ?? 'UTC');
      },
      'bookings.search': (i) => {
        const page = this.listBookings({ search: i.text, offset: 0, limit: i.limit ?? 20 });
        return { items: page.items, total: page.total };
      },
      'bookings.cancelPreview': (i) => {
        const row = this.#bookingRow(i.id);
        const [view] = row ? this.bookingViews([row]) : [];
        return view ? cancelPreview(this.replica, view) : null;
      },
      'bookings.list': (i) => this.listBookings(i),
      'bookings.get': (i) => this.bookingDetail(i.id),
      'offerings.list': (i) => this.offerings(i.includeDeleted ?? false),
      'coupons.list': (i) => this.coupons(i.includeDeleted ?? false),
      'availability.get': (i) => {
        const id = this.outbox.resolveId(i.offeringId);
        const rules = (this.replica.stmt('SELECT * FROM availability_rules WHERE offering_id = ? ORDER BY day_of_week, start_time').all(id) as Array<Record<string, unknown>>).map(
          (r): AvailabilityRuleView => ({
            id: String(r['id']),
            offeringId: String(r['offering_id']),
            dayOfWeek: Number(r['day_of_week']),
            startTime: String(r['start_time']),
            endTime: String(r['end_time']),
            slotMinutes: Number(r['slot_minutes']),
            capacity: Number(r['capacity']),
            validFrom: (r['valid_from'] as string | null) ?? null,
            validUntil: (r['valid_until'] as string | null) ?? null,
          }),
        );
        const exceptions = (this.replica.stmt('SELECT * FROM availability_exceptions WHERE offering_id = ? ORDER BY date, start_time').all(id) as Array<Record<string, unknown>>).map(
          (r): AvailabilityExceptionView => ({
            id: String(r['id']),
            offeringId: String(r['offering_id']),
            kind: r['kind'] === 'OPEN' ? 'OPEN' : 'BLOCK',
            date: String(r['date']),
            startTime: (r['start_time'] as string | null) ?? null,
            endTime: (r['end_time'] as string | null) ?? null,
            reason: (r['reason'] as string | null) ?? null,
          }),
        );
        return { timezone: this.tenant()?.timezone ?? 'UTC', rules, exceptions };
      },
      'disputes.list': () => {
        const rows = this.replica.stmt('SELECT * FROM disputes ORDER BY opened_at DESC').all() as Array<{ id: string; booking_id: string; opened_by_id: string; reason: string; status: string; opened_at: string }>;
        const bookings = new Map(
          this.bookingViews(
            rows.map((d) => this.#bookingRow(d.booking_id)).filter((b): b is BookingsTable => !!b),
          ).map((b) => [b.id, b]),
        );
        return rows.map((d) => ({ id: d.id, bookingId: d.booking_id, openedById: d.opened_by_id, reason: d.reason, status: d.status, openedAt: d.opened_at, booking: bookings.get(d.booking_id) ?? null }));
      },
      'activity.list': (i) =>
        (this.replica.stmt('SELECT * FROM activity ORDER BY at DESC, id LIMIT ?').all(i.limit) as Array<{ id: string; at: string; event: string; summary: string; message: string | null; booking_id: string | null; read: number }>).map((a) => ({
          id: a.id,
          at: a.at,
          event: a.event,
          summary: a.summary,
          summaryMessage: storedMessage(a.message),
          bookingId: a.booking_id,
          read: a.read === 1,
        })),
      'intents.list': () => this.intents(),
      'conflicts.list': () => this.conflicts(),
      'insights.get': () => this.insights(),
      'settings.get': () => this.settings(),
      'bookings.approve': (i) => ({ intentId: this.approve(i.id) }),
      'bookings.cancel': (i) => ({ intentId: this.cancel(i.id, i.reason) }),
      'bookings.reschedule': (i) => ({ intentId: this.reschedule(i.id, i.itemId, i.startsAt, i.endsAt) }),
      'bookings.setNotes': (i) => ({ intentId: this.setNotes(i.id, i.notes) }),
      'offerings.create': (i) => this.#createRecord('offering', i.fields),
      'offerings.patch': (i) => ({ intentId: this.#patchRecord('offering', i.id, i.fields) }),
      'offerings.delete': (i) => ({ intentId: this.#patchRecord('offering', i.id, null) }),
      'coupons.create': (i) => this.#createRecord('coupon', i.fields),
      'coupons.patch': (i) => ({ intentId: this.#patchRecord('coupon', i.id, i.fields) }),
      'coupons.delete': (i) => ({ intentId: this.#patchRecord('coupon', i.id, null) }),
      'intents.undo': (i) => {
        const undone = this.outbox.undo(i.id, this.pusher.inFlight);
        if (undone) this.notifyChanged(['intents', 'bookings', 'offerings', 'coupons']);
        return { undone };
      },
      'conflicts.resolve': async (i) => ({ resolved: await this.resolveConflict(i.id, i.choice) }),
      'activity.markRead': (i) => {
        let updated = 0;
        this.replica.transaction(() => {
          const stmt = this.replica.stmt('UPDATE activity SET read = 1 WHERE id = ? AND read = 0');
          for (const id of i.ids) updated += stmt.run(id).changes;
        });
        if (updated) this.notifyChanged(['activity']);
        return { updated };
      },
      'sync.now': () => ({ started: this.engine.syncNow() }),
      'settings.set': (i) => {
        const next = { ...this.#settingsRow(), ...Object.fromEntries(Object.entries(i).filter(([, v]) => v !== undefined)) };
        this.replica.transaction(() => this.replica.setMeta('settings', JSON.stringify(next)));
        return this.settings();
      },
      'settings.connect': (i) => this.connect(i.apiUrl, i.apiKey, 'connected', i.keep),
      'settings.connectRelay': (i) => this.connectRelay(i),
      'settings.disconnectRelay': () => this.disconnectRelay(),
      'settings.useDemo': async () => {
        if (!this.#opts.demo) throw new ContractError('UNAVAILABLE', 'The demo sandbox is not available in this build.');
        const { url, key } = await this.#opts.demo();
        return this.connect(url, key, 'demo');
      },
      ...extraHandlers(this, (event, payload) => this.#emit(event, payload)),
      ...rulesHandlers(this, this.rules),
    };
  }
}

function offeringTruth(r: OfferingsTable): Record<string, unknown> {
  return {
    slug: r.slug,
    title: r.title,
    description: r.description,
    status: r.status,
    productTypeKey: r.product_type_key,
    basePriceCents: r.base_price_cents,
    currency: r.currency,
    taxRateBps: r.tax_rate_bps,
    pricingModel: r.pricing_model,
    cancellationPolicy: r.cancellation_policy,
    ratingAverage: r.rating_average,
    reviewCount: r.review_count,
  };
}

function couponTruth(r: CouponsTable): Record<string, unknown> {
  return {
    code: r.code,
    kind: r.kind,
    amount: r.amount,
    currency: r.currency,
    validFrom: r.valid_from,
    validUntil: r.valid_until,
    maxRedemptions: r.max_redemptions,
    minSubtotalCents: r.min_subtotal_cents,
    redeemedCount: r.redeemed_count,
    active: r.active === 1,
  };
}
