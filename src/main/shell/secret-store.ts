/**
 * Secrets (API key, relay device token, webhook secrets) at rest. Encrypted with the OS keychain
 * through Electron's safeStorage when it is available; where it is not, they are refused unless the
 * user explicitly agreed to plain storage. Values never travel to the renderer.
 */
export interface Encryptor {
  isEncryptionAvailable(): boolean;
  encryptString(text: string): Buffer;
  decryptString(data: Buffer): string;
}

export interface StoredSecret {
  /** `safe`: encrypted by the OS keychain; `plain`: user accepted unencrypted storage. */
  scheme: 'safe' | 'plain';
  data: string;
}

export class SecretStoreUnavailableError extends Error {
  override name = 'SecretStoreUnavailableError';
  constructor() {
    super('This system offers no encrypted storage for secrets; confirm to keep them unencrypted on this machine, or enter them each time.');
  }
}

export class SecretStore {
  readonly #encryptor: Encryptor | null;
  readonly #allowPlain: () => boolean;

  constructor(encryptor: Encryptor | null, allowPlain: () => boolean = () => false) {
    this.#encryptor = encryptor;
    this.#allowPlain = allowPlain;
  }

  get encrypted(): boolean {
    return this.#encryptor?.isEncryptionAvailable() === true;
  }

  seal(secret: string): StoredSecret {
    if (this.encrypted && this.#encryptor) return { scheme: 'safe', data: this.#encryptor.encryptString(secret).toString('base64') };
    if (!this.#allowPlain()) throw new SecretStoreUnavailableError();
    return { scheme: 'plain', data: Buffer.from(secret, 'utf8').toString('base64') };
  }

  open(stored: StoredSecret): string {
    if (stored.scheme === 'safe') {
      if (!this.#encryptor || !this.encrypted) throw new SecretStoreUnavailableError();
      return this.#encryptor.decryptString(Buffer.from(stored.data, 'base64'));
    }
    return Buffer.from(stored.data, 'base64').toString('utf8');
  }
}
