/**
 * The one OS keychain stand-in of the suite. Electron's safeStorage cannot run here; what the tests
 * check is our handling of secrets (sealed, never in the clear on disk, refused without consent), not
 * the keychain's cryptography, so a reversible transformation stands in for it. Each `machine` tag is
 * another keychain: what one sealed, another cannot open (a reset keychain, a copied replica file).
 */
import { SecretStore, noKeychain, type Encryptor, type SecretKeeper } from '../../src/main/shell/secret-store.ts';

export function fakeKeychain(machine = 'this-machine'): Encryptor {
  const prefix = Buffer.from(`kc:${machine}:`);
  const flip = (data: Buffer): Buffer => Buffer.from([...data].map((b) => b ^ 0x5a));
  return {
    isEncryptionAvailable: () => true,
    encryptString: (text) => Buffer.concat([prefix, flip(Buffer.from(text, 'utf8'))]),
    decryptString: (data) => {
      if (!data.subarray(0, prefix.length).equals(prefix)) throw new Error(`sealed by another keychain than "${machine}"`);
      return flip(data.subarray(prefix.length)).toString('utf8');
    },
  };
}

/** A SecretKeeper with a working keychain (the stand-in above). */
export function keychainKeeper(machine = 'this-machine'): SecretKeeper {
  return new SecretStore(fakeKeychain(machine));
}

/** A SecretKeeper on a machine without a keychain (the CLI's `serve`, the browser fallback). */
export function noKeychainKeeper(): SecretKeeper {
  return noKeychain();
}
