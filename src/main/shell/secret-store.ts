/**
 * Secrets (API key, relay device token, webhook secrets) at rest. Encrypted with the OS keychain
 * through Electron's safeStorage when it is available; where it is not, the core refuses to keep them
 * on disk unless the user explicitly agreed to plain storage (`keep: 'plain'`). Values never travel to
 * the renderer.
 *
 * The core only sees a SecretKeeper, which is asynchronous: the core may run in a process of its own
 * (Electron utilityProcess) where safeStorage does not exist, and then reaches the keychain by asking
 * the main process. That interface (SecretKeeper), the stored record and its parser are the core's
 * (src/main/core/settings/secrets.ts); this file is the keychain side the hosts inject. Type-only
 * imports: the shell's main process never loads the core.
 */
import type { SecretKeeper, StoredSecret } from '../core/index.ts';

export type { SecretKeeper, StoredSecret } from '../core/index.ts';

export interface Encryptor {
  isEncryptionAvailable(): boolean;
  encryptString(text: string): Buffer;
  decryptString(data: Buffer): string;
}

/** What seal/open reject with where no keychain can encrypt; the core knows it by its name (see secrets.ts there). */
export class SecretStoreUnavailableError extends Error {
  override name = 'SecretStoreUnavailableError';
  constructor() {
    super('This system offers no encrypted storage for secrets; confirm to keep them unencrypted on this machine, or enter them each time.');
  }
}

/** A SecretKeeper over a safeStorage-like encryptor (null: no keychain on this machine). */
export class SecretStore implements SecretKeeper {
  readonly #encryptor: Encryptor | null;
  readonly encryptionAvailable: boolean;

  constructor(encryptor: Encryptor | null) {
    this.#encryptor = encryptor;
    this.encryptionAvailable = encryptor?.isEncryptionAvailable() === true;
  }

  async seal(secret: string, keep: 'encrypted' | 'plain'): Promise<StoredSecret> {
    if (keep === 'plain') return { scheme: 'plain', data: Buffer.from(secret, 'utf8').toString('base64') };
    if (!this.encryptionAvailable || !this.#encryptor) throw new SecretStoreUnavailableError();
    return { scheme: 'safe', data: this.#encryptor.encryptString(secret).toString('base64') };
  }

  async open(stored: StoredSecret): Promise<string> {
    if (stored.scheme === 'safe') {
      if (!this.encryptionAvailable || !this.#encryptor) throw new SecretStoreUnavailableError();
      return this.#encryptor.decryptString(Buffer.from(stored.data, 'base64'));
    }
    if (stored.scheme === 'plain') return Buffer.from(stored.data, 'base64').toString('utf8');
    throw new Error(`Unknown secret scheme "${String(stored.scheme)}"`);
  }
}

/** The keeper of runs without an OS keychain (CLI `serve`, the browser fallback, tests). */
export function noKeychain(): SecretKeeper {
  return new SecretStore(null);
}

/** What this file needs of Electron's safeStorage (main process only). */
export interface SafeStorageLike extends Encryptor {
  /** Linux only: which secret store Chromium picked. */
  getSelectedStorageBackend?(): string;
}

/**
 * Electron's safeStorage as an Encryptor, or null when it offers no real encryption: on Linux without
 * a keyring (GNOME Keyring, KWallet) it falls back to `basic_text`, a hard-coded password that
 * protects nothing, while still reporting encryption as available.
 */
export function keychainEncryptor(safeStorage: SafeStorageLike, platform: NodeJS.Platform): Encryptor | null {
  if (!safeStorage.isEncryptionAvailable()) return null;
  if (platform === 'linux' && safeStorage.getSelectedStorageBackend?.() === 'basic_text') return null;
  return safeStorage;
}
