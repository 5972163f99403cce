import type { RelayConfig } from './relay-link/relay-link.ts';
import type { SecretKeeper } from './settings/secrets.ts';

/** How a host makes a core (createCore in index.ts). */
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
  /**
   * How the replica is checked for damage (db/integrity.ts). 'on-open' (default): the whole file
   * before the core exists, as one-shot commands need. 'background': the tables of local state on
   * open and the rest in a worker thread from `start()` on (plus integrityCheckDelayMs), so a large
   * replica opens in milliseconds; damage found there makes every call refuse and onReplicaDamaged run.
   */
  integrityCheck?: 'on-open' | 'background';
  /** Wait after `start()` before the background check begins (default 3 s: the first screen is served first). */
  integrityCheckDelayMs?: number;
  /**
   * Wait, once the bookings feed is fully loaded, before work ahead of need begins (the calendar's
   * render workers; default 3 s). `whenStarted()` resolves when that work is done.
   */
  aheadOfNeedDelayMs?: number;
  /** The background check found damage (the core already refuses every call; a host may restart or stop). */
  onReplicaDamaged?: (error: Error) => void;
}
