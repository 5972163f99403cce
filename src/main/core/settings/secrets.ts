/**
 * Secrets at rest (API key, relay device token, webhook secrets) as the core sees them: a SecretKeeper,
 * asynchronous because the core may run in a process of its own (Electron utilityProcess) where the
 * OS keychain is reached by asking the main process. The hosts inject the keeper: the shell's keychain
 * store (src/main/shell/secret-store.ts) implements this interface; without one, `noKeychain()` keeps
 * secrets only unencrypted and only when the user agreed (`keep: 'plain'`).
 */

export interface StoredSecret {
  /** `safe`: encrypted by the OS keychain; `plain`: user accepted unencrypted storage. */
  scheme: 'safe' | 'plain';
  data: string;
}

export interface SecretKeeper {
  /** Whether the OS keychain can encrypt (fixed for the process's life). */
  readonly encryptionAvailable: boolean;
  /** keep 'encrypted' needs encryptionAvailable; 'plain' is only used after the user agreed. */
  seal(secret: string, keep: 'encrypted' | 'plain'): Promise<StoredSecret>;
  open(stored: StoredSecret): Promise<string>;
}

/**
 * What a keeper rejects with where no keychain can encrypt. Known by its name, not its class: the
 * shell's keychain store (another bundle, never loading the core) throws its own error of this name.
 */
export class SecretStoreUnavailableError extends Error {
  override name = 'SecretStoreUnavailableError';
  constructor() {
    super('This system offers no encrypted storage for secrets; confirm to keep them unencrypted on this machine, or enter them each time.');
  }
}

export function isSecretStoreUnavailable(error: unknown): boolean {
  return error instanceof Error && error.name === 'SecretStoreUnavailableError';
}

/** A stored secret record, as written to the replica (JSON), or the older bare base64 safeStorage ciphertext. */
export function parseStoredSecret(raw: string): StoredSecret {
  const text = raw.trim();
  if (text.startsWith('{')) {
    const value = JSON.parse(text) as Partial<StoredSecret>;
    if ((value.scheme === 'safe' || value.scheme === 'plain') && typeof value.data === 'string') return { scheme: value.scheme, data: value.data };
    throw new Error('not a stored secret record');
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) throw new Error('not a stored secret record');
  return { scheme: 'safe', data: text };
}

/** The keeper of runs without an OS keychain (CLI `serve`, the browser fallback, tests): plain, and only when asked. */
export function noKeychain(): SecretKeeper {
  return {
    encryptionAvailable: false,
    async seal(secret, keep) {
      if (keep !== 'plain') throw new SecretStoreUnavailableError();
      return { scheme: 'plain', data: Buffer.from(secret, 'utf8').toString('base64') };
    },
    async open(stored) {
      if (stored.scheme === 'safe') throw new SecretStoreUnavailableError();
      if (stored.scheme === 'plain') return Buffer.from(stored.data, 'base64').toString('utf8');
      throw new Error(`Unknown secret scheme "${String(stored.scheme)}"`);
    },
  };
}
