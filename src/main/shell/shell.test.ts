import { describe, expect, it } from 'vitest';
import type { ContractHandlers } from '../../shared/contract/schemas.ts';
import { dispatchCall } from '../dispatch.ts';
import { parseStoredSecret } from '../core/settings/secrets.ts';
import { SecretStore, SecretStoreUnavailableError, keychainEncryptor, noKeychain, type Encryptor } from './secret-store.ts';
import { rendererCsp } from '../../shared/csp.ts';
import { externalUrlAllowed, navigationAllowed, permissionAllowed, senderAllowed, windowOptions, withRendererCsp } from './window-policy.ts';
import { fakeKeychain } from '../../../test/support/keychain.ts';

describe('window policy', () => {
  it('isolates the renderer from Node and Electron', () => {
    const prefs = windowOptions('/app/out/preload/index.cjs').webPreferences;
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      disableBlinkFeatures: 'Auxclick',
    });
    expect(prefs.preload).toBe('/app/out/preload/index.cjs');
  });

  it('restores remembered bounds', () => {
    expect(windowOptions('p', { x: 10, y: 20, width: 1000, height: 700 })).toMatchObject({ x: 10, y: 20, width: 1000, height: 700 });
  });

  it('has a CSP without inline or remote scripts', () => {
    for (const csp of [rendererCsp(), rendererCsp({ meta: true }), rendererCsp({ connectSrc: ['ws://127.0.0.1:1'] })]) {
      expect(csp).toContain("script-src 'self';");
      expect(csp).not.toMatch(/script-src[^;]*unsafe/);
      expect(csp).toContain("object-src 'none'");
      expect(csp).toContain("default-src 'self'");
    }
    expect(rendererCsp()).toContain("frame-ancestors 'none'");
    expect(rendererCsp({ meta: true })).not.toContain('frame-ancestors'); // ignored in a meta tag
    expect(rendererCsp({ connectSrc: ['ws://127.0.0.1:1', 'ws://localhost:1'] })).toContain("connect-src 'self' ws://127.0.0.1:1 ws://localhost:1;");
  });

  it('puts that CSP on every response the Electron session loads, replacing any other', () => {
    expect(withRendererCsp({ 'content-security-policy': ["default-src *"], 'Content-Type': ['text/html'] })).toEqual({
      'Content-Type': ['text/html'],
      'Content-Security-Policy': [rendererCsp()],
    });
    expect(withRendererCsp(undefined)).toEqual({ 'Content-Security-Policy': [rendererCsp()] });
  });

  it('hands only https and mailto links without credentials to the system browser', () => {
    expect(externalUrlAllowed('https://atlas.orkestr.in/provider/disputes/dsp_1')).toBe(true);
    expect(externalUrlAllowed('mailto:ana@example.com')).toBe(true);
    expect(externalUrlAllowed('http://atlas.orkestr.in')).toBe(false);
    expect(externalUrlAllowed('file:///etc/passwd')).toBe(false);
    expect(externalUrlAllowed('javascript:alert(1)')).toBe(false);
    expect(externalUrlAllowed('https://user:pw@evil.example')).toBe(false);
    expect(externalUrlAllowed('not a url')).toBe(false);
  });

  it('keeps navigation inside the renderer document', () => {
    const renderer = 'file:///app/out/renderer/index.html';
    expect(navigationAllowed(renderer, `${renderer}#/bookings`)).toBe(true);
    expect(navigationAllowed(renderer, 'https://evil.example/')).toBe(false);
    expect(navigationAllowed(renderer, 'file:///etc/passwd')).toBe(false);
  });

  it('grants only notifications, and only to our renderer', () => {
    const renderer = 'file:///app/out/renderer/index.html';
    expect(permissionAllowed('notifications', renderer, renderer)).toBe(true);
    for (const p of ['media', 'geolocation', 'clipboard-read', 'midi', 'openExternal', 'hid', 'serial', 'usb']) expect(permissionAllowed(p, renderer, renderer)).toBe(false);
    expect(permissionAllowed('notifications', 'https://evil.example/', renderer)).toBe(false);
  });

  it('accepts IPC only from the main frame of our renderer', () => {
    const renderer = 'file:///app/out/renderer/index.html';
    expect(senderAllowed(`${renderer}#/queue`, renderer, true)).toBe(true);
    expect(senderAllowed(renderer, renderer, false)).toBe(false);
    expect(senderAllowed('https://evil.example/', renderer, true)).toBe(false);
    expect(senderAllowed(undefined, renderer, true)).toBe(false);
  });
});

describe('IPC input validation', () => {
  const calls: unknown[] = [];
  const host = {
    handlers: { 'bookings.cancel': (input: unknown) => (calls.push(input), { intentId: 'int_1' }) } as unknown as ContractHandlers,
    on: () => () => {},
  };

  it('refuses malformed input before any handler runs', async () => {
    const outcome = await dispatchCall(host, 'bookings.cancel', { id: 'bkg_1', reason: 7 });
    expect(outcome).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    const extra = await dispatchCall(host, 'bookings.cancel', { id: 'bkg_1', reason: 'x', sql: 'drop table' });
    expect(extra.ok).toBe(false);
    const notAMethod = await dispatchCall(host, { toString: () => 'bookings.cancel' }, {});
    expect(notAMethod.ok).toBe(false);
    const prototype = await dispatchCall(host, '__proto__', {});
    expect(prototype).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
    expect(calls).toEqual([]);
  });

  it('runs the handler with parsed input', async () => {
    const outcome = await dispatchCall(host, 'bookings.cancel', { id: 'bkg_1', reason: 'customer_request' });
    expect(outcome).toEqual({ ok: true, result: { intentId: 'int_1' } });
    expect(calls).toEqual([{ id: 'bkg_1', reason: 'customer_request' }]);
  });
});

describe('secret store', () => {
  // The suite's keychain stand-in: the store's logic is under test, not the keychain.
  const keychain: Encryptor = fakeKeychain();

  it('encrypts with the keychain and never stores the plain secret', async () => {
    const store = new SecretStore(keychain);
    expect(store.encryptionAvailable).toBe(true);
    const sealed = await store.seal('ork_abcdefgh.secretsecretsecret', 'encrypted');
    expect(sealed.scheme).toBe('safe');
    expect(Buffer.from(sealed.data, 'base64').toString()).not.toContain('secretsecret');
    expect(await store.open(sealed)).toBe('ork_abcdefgh.secretsecretsecret');
  });

  it('refuses to encrypt without a keychain, and keeps plain only when asked to', async () => {
    const none = noKeychain();
    expect(none.encryptionAvailable).toBe(false);
    await expect(none.seal('s', 'encrypted')).rejects.toThrow(SecretStoreUnavailableError);
    const unavailable = new SecretStore({ ...keychain, isEncryptionAvailable: () => false });
    expect(unavailable.encryptionAvailable).toBe(false);
    await expect(unavailable.seal('s', 'encrypted')).rejects.toThrow(SecretStoreUnavailableError);
    const sealed = await none.seal('s3cret', 'plain');
    expect(sealed.scheme).toBe('plain');
    expect(await none.open(sealed)).toBe('s3cret');
    // Plain is what the user asked for, even where the keychain could encrypt.
    expect((await new SecretStore(keychain).seal('s3cret', 'plain')).scheme).toBe('plain');
  });

  it('cannot open a keychain secret without the keychain', async () => {
    const sealed = await new SecretStore(keychain).seal('x', 'encrypted');
    await expect(noKeychain().open(sealed)).rejects.toThrow(SecretStoreUnavailableError);
  });

  it('treats Linux safeStorage on basic_text (no keyring) as no keychain', () => {
    const linux = { ...keychain, getSelectedStorageBackend: () => 'basic_text' };
    expect(keychainEncryptor(linux, 'linux')).toBeNull();
    expect(keychainEncryptor({ ...keychain, getSelectedStorageBackend: () => 'gnome_libsecret' }, 'linux')).not.toBeNull();
    expect(keychainEncryptor(keychain, 'darwin')).not.toBeNull();
    expect(keychainEncryptor({ ...keychain, isEncryptionAvailable: () => false }, 'win32')).toBeNull();
  });

  it('reads stored records and the older bare safeStorage ciphertext', () => {
    expect(parseStoredSecret('{"scheme":"plain","data":"czNjcmV0"}')).toEqual({ scheme: 'plain', data: 'czNjcmV0' });
    expect(parseStoredSecret('djEwAAAB+/x=')).toEqual({ scheme: 'safe', data: 'djEwAAAB+/x=' });
    expect(() => parseStoredSecret('{"scheme":"rot13","data":"x"}')).toThrow();
    expect(() => parseStoredSecret('not base64!')).toThrow();
  });
});

describe('application menu', () => {
  it('gives every screen a shortcut, each used once, and leaves the page its own keys', async () => {
    const { menuSections } = await import('./menu.ts');
    const entries = menuSections('linux', false).flatMap((s) => s.entries);
    const accelerators = entries.map((e) => e.accelerator).filter(Boolean);
    expect(new Set(accelerators).size).toBe(accelerators.length);
    const routes = entries.map((e) => e.route).filter(Boolean);
    expect(routes).toEqual(['#/queue', '#/attention', '#/today', '#/bookings', '#/catalogue', '#/disputes', '#/activity', '#/insights', '#/settings']);
    const palette = entries.find((e) => e.label === 'Command palette');
    expect(palette).toMatchObject({ passToPage: true, key: { keyCode: 'K', modifiers: ['control'] } });
    expect(menuSections('darwin', false).flatMap((s) => s.entries).find((e) => e.label === 'Command palette')?.key?.modifiers).toEqual(['meta']);
  });

  it('hides developer tools outside development', async () => {
    const { menuSections } = await import('./menu.ts');
    expect(menuSections('linux', false).flatMap((s) => s.entries).some((e) => e.role === 'toggleDevTools')).toBe(false);
    expect(menuSections('linux', true).flatMap((s) => s.entries).some((e) => e.role === 'toggleDevTools')).toBe(true);
  });
});
