/**
 * The session: which server and key this console uses, the relay set up in Settings, and their
 * secrets at rest (opened with the injected SecretKeeper). `settings()` and `session()` are what the
 * contract answers; `connect`, `connectRelay` and `disconnectRelay` change them.
 */
import { ContractError, apiKeyPattern, type SecretKeeping, type SessionInfo, type Settings } from '../../../shared/contract/types.ts';
import type { CoreBase } from '../base.ts';
import { parseRelayChannelUrl, type RelayConfig } from '../relay-link/relay-link.ts';
import { ApiClient } from '../sync/api-client.ts';
import { keyScopesMeta, keyScopesOf } from '../sync/pull.ts';
import type { RateBudget } from '../sync/rate-budget.ts';
import { isSecretStoreUnavailable, noKeychain, parseStoredSecret, type SecretKeeper, type StoredSecret } from './secrets.ts';
import { keyScopes, settingsRow, tenantInfo } from './store.ts';
import { readOnlyReason, scopesAllowWrite } from './scopes.ts';

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

/** What the session needs of the core (it is made before the context that holds it). */
export type SessionDeps = Pick<CoreBase, 'options' | 'replica' | 'engine' | 'emit' | 'notifyChanged' | 'log'>;

export class Session {
  readonly #deps: SessionDeps;
  readonly #budget: RateBudget;
  readonly #keeper: SecretKeeper;
  #apiKey: string | null = null;
  #apiKeyKeeping: SecretKeeping | null = null;
  #apiUrl: string | null = null;
  /** The relay set up in Settings; `config` null when its secrets are not here (one session only, or unreadable). */
  #relay: { url: string; channelId: string; keeping: SecretKeeping | null; config: RelayConfig | null } | null = null;
  readonly #unreadable = new Set<'apiKey' | 'relay'>();
  #unlocked = false;

  constructor(deps: SessionDeps, budget: RateBudget) {
    this.#deps = deps;
    this.#budget = budget;
    this.#keeper = deps.options.secretKeeper ?? noKeychain();
    const { api } = deps.options;
    if (api) {
      // Given at start-up (CLI, environment): used, never stored.
      this.#apiUrl = api.url;
      this.#apiKey = api.key;
      this.#apiKeyKeeping = 'session';
      deps.engine.setApi(new ApiClient({ url: api.url, key: api.key, budget: this.#budget }));
    } else {
      // The stored key is opened by unlockSecrets() (the keychain may answer asynchronously).
      this.#apiUrl = deps.replica.getMeta('apiUrl');
    }
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
    const raw = this.#deps.replica.getMeta(apiKeyMeta);
    // The demo tenant's key lives beside its data and is never a secret worth a keychain.
    if (!this.#deps.options.api && raw && this.#deps.replica.getMeta('mode') !== 'demo') {
      try {
        const stored = parseStoredSecret(raw);
        // Older versions stored bare safeStorage ciphertext: rewrite it as a record once.
        if (!raw.trim().startsWith('{')) this.#deps.replica.transaction(() => this.#deps.replica.setMeta(apiKeyMeta, JSON.stringify(stored)));
        const key = await this.#keeper.open(stored);
        if (!apiKeyPattern.test(key)) throw new Error('what it holds is not an API key');
        this.#apiKey = key;
        this.#apiKeyKeeping = stored.scheme === 'safe' ? 'encrypted' : 'plain';
        if (this.#apiUrl) this.#deps.engine.setApi(new ApiClient({ url: this.#apiUrl, key, budget: this.#budget }));
      } catch (error) {
        this.#unreadable.add('apiKey');
        this.#deps.log(`The stored API key cannot be opened on this machine (${error instanceof Error ? error.message : String(error)}); connect again in Settings.`);
      }
    }
    const rawRelay = this.#deps.replica.getMeta(relayMeta);
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
        this.#deps.log(`The stored relay token and webhook secrets cannot be opened on this machine (${error instanceof Error ? error.message : String(error)}); connect the relay again in Settings.`);
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
      if (isSecretStoreUnavailable(error)) throw needsConfirmation(what);
      throw new ContractError('UNAVAILABLE', `The system keychain could not encrypt the ${what}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  settings(): Settings {
    const s = settingsRow(this.#deps.replica);
    return {
      language: s.language,
      theme: s.theme,
      undoSeconds: s.undoSeconds,
      retainPastDays: s.retainPastDays,
      relayUrl: this.#relay?.url ?? null,
      relayChannelId: this.#relay?.channelId ?? null,
      apiUrl: this.#apiUrl,
      hasApiKey: this.#apiKey !== null,
    };
  }

  session(): SessionInfo {
    const stored = this.#deps.replica.getMeta('mode');
    const mode = this.#apiKey ? (stored === 'demo' ? 'demo' : 'connected') : 'none';
    const scopes = keyScopes(this.#deps.replica);
    // Unknown scopes (no answer yet, or a server that does not say) are taken as read + write, as keys default to.
    const writable = scopesAllowWrite(scopes);
    return {
      scopes,
      writable,
      readOnlyReason: writable ? null : readOnlyReason,
      mode,
      tenant: tenantInfo(this.#deps.replica),
      apiUrl: this.#apiUrl,
      live: this.#deps.engine.running && !!this.#deps.engine.api,
      appVersion: this.#deps.options.appVersion,
      transport: this.#deps.options.transport,
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
    const previous = tenantInfo(this.#deps.replica);
    this.#deps.replica.transaction(() => {
      if (previous && tenant?.id && previous.id !== tenant.id) {
        // Another tenant: its truth must not be shown as ours. Intents stay (they will answer 404 → attention).
        for (const t of ['bookings', 'booking_items', 'payments', 'offerings', 'coupons', 'availability_rules', 'availability_exceptions', 'disputes', 'reviews', 'sync_state', 'booking_overlay']) {
          this.#deps.replica.stmt(`DELETE FROM ${t}`).run();
        }
        this.#deps.replica.setMeta('lastSyncAt', null);
      }
      if (tenant) this.#deps.replica.setMeta('tenant', JSON.stringify(tenant));
      this.#deps.replica.setMeta(keyScopesMeta, scopes ? JSON.stringify(scopes) : null);
      this.#deps.replica.setMeta('apiUrl', url);
      this.#deps.replica.setMeta('mode', mode);
      this.#deps.replica.setMeta(apiKeyMeta, sealed ? JSON.stringify(sealed) : null);
    });
    this.#apiUrl = url;
    this.#apiKey = key;
    this.#apiKeyKeeping = keeping;
    this.#unreadable.delete('apiKey');
    this.#deps.engine.setApi(api);
    this.#deps.engine.syncNow();
    const info = this.session();
    this.#deps.emit('session.changed', info);
    this.#deps.notifyChanged(['bookings', 'offerings', 'coupons', 'availability']);
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
    await this.#deps.options.relayLink?.(config);
    const stored: StoredRelay = { ...target, sealed };
    this.#deps.replica.transaction(() => this.#deps.replica.setMeta(relayMeta, JSON.stringify(stored)));
    this.#relay = { ...target, keeping, config };
    this.#unreadable.delete('relay');
    this.#deps.emit('session.changed', this.session());
    this.#deps.notifyChanged(['feeds']);
    return this.settings();
  }

  /** Stops listening on the relay set up in Settings and forgets it (the demo tenant's own relay takes over again). */
  async disconnectRelay(): Promise<Settings> {
    await this.#deps.options.relayLink?.(null);
    this.#deps.replica.transaction(() => this.#deps.replica.setMeta(relayMeta, null));
    this.#relay = null;
    this.#unreadable.delete('relay');
    this.#deps.emit('session.changed', this.session());
    this.#deps.notifyChanged(['feeds']);
    return this.settings();
  }
}
