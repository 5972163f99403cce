/**
 * Secrets at rest (issue #8): the API key and the relay's device token and webhook secrets are sealed
 * by the SecretKeeper, refused unencrypted unless the user agreed, kept in memory only when asked,
 * and never returned through the contract. Real SQLite files, a real sandbox and a real relay on
 * loopback; the OS keychain is the suite's stand-in (test/support/keychain.ts). The core is reached
 * through the contract and its hosts' lifecycle; what it stored is read from the replica file.
 */
import Database from 'better-sqlite3';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsole, type RunningConsole } from '../../src/main/app.ts';
import { dispatchCall } from '../../src/main/dispatch.ts';
import type { SecretKeeper } from '../../src/main/shell/secret-store.ts';
import type { ContractErrorShape, MethodName } from '../../src/shared/contract/types.ts';
import { startRelay, type RelayHandle } from '../../src/relay/index.ts';
import { spawnCli } from '../support/cli.ts';
import { callCore, openCore, readReplica, type Core, type TestCore } from '../support/core.ts';
import { fakeKeychain, keychainKeeper, noKeychainKeeper } from '../support/keychain.ts';
import { startTestSandbox, type SandboxFixture } from '../support/sandbox.ts';
import { waitFor } from '../support/wait-for.ts';

const key = 'ork_secrets1.keep-me-secret-0123456789';
const keySecretPart = 'keep-me-secret-0123456789';
const admin = 'secrets-admin-token-0123';
const webhookSecret = 'whsec_secrets_test_current';
const previousSecret = 'whsec_secrets_test_previous';

let dir: string;
let sandbox: SandboxFixture;
let relay: RelayHandle;
let channel: { id: string; ingressUrl: string; deviceToken: string };
let fileNo = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'secrets-'));
  relay = await startRelay({ port: 0, store: join(dir, 'relay.db'), adminToken: admin, log: () => {} });
  const created = await fetch(`${relay.url}/v1/channels`, { method: 'POST', headers: { Authorization: `Bearer ${admin}`, 'Content-Type': 'application/json' }, body: '{}' });
  channel = (await created.json()) as typeof channel;
  sandbox = await startTestSandbox({ dir, keys: [key], seed: { bookings: 6, offerings: 2 }, webhook: { url: channel.ingressUrl, secret: webhookSecret, retryBaseMs: 20 } });
});

afterAll(async () => {
  await sandbox?.close();
  await relay?.close();
});

const newDb = (): string => join(dir, `replica-${++fileNo}.db`);
const open = (dbFile: string, keeper: SecretKeeper = noKeychainKeeper(), log?: (line: string) => void): TestCore =>
  openCore({ dbFile, transport: 'bridge', appVersion: 'test', holdMs: 0, secretKeeper: keeper, ...(log ? { log } : {}) });
/** The replica's meta table, read from the file. */
const meta = (dbFile: string): Record<string, string> =>
  readReplica(dbFile, (db) => Object.fromEntries((db.prepare('SELECT key, value FROM meta').all() as Array<{ key: string; value: string }>).map((r) => [r.key, r.value])));
/** Every byte SQLite wrote for this replica (database, WAL), as text. */
const bytesOnDisk = (dbFile: string): string => [dbFile, `${dbFile}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f).toString('latin1')).join('\n');
const channelUrl = (): string => `${relay.url}/v1/channels/${channel.id}`;
const session = (core: Core) => callCore(core, 'session.info');

/** A contract call expected to fail with `code`: its error. */
async function expectCode(core: Core, method: MethodName, input: Record<string, unknown>, code: string): Promise<ContractErrorShape> {
  const out = await dispatchCall(core, method, input);
  if (out.ok) throw new Error(`${method} was expected to fail with ${code}`);
  expect(out.error.code).toBe(code);
  return out.error;
}

/** What the UI can ever read about the session and settings, as one string. */
async function contractView(core: Core): Promise<string> {
  return JSON.stringify([await session(core), await callCore(core, 'settings.get')]);
}

describe('the API key', () => {
  it('is sealed by the keychain by default, never on disk in the clear, and opened again after a restart', async () => {
    const db = newDb();
    const machine = keychainKeeper('a');
    const c = open(db, machine);
    await c.core.unlockSecrets();
    const connected = await c.call('settings.connect', { apiUrl: sandbox.url, apiKey: key });
    expect(connected.mode).toBe('connected');
    expect(connected.secrets).toEqual({ encryptionAvailable: true, apiKey: 'encrypted', relay: null, unreadable: [] });
    const stored = JSON.parse(meta(db)['apiKeySealed']!) as { scheme: string; data: string };
    expect(stored.scheme).toBe('safe');
    expect(JSON.stringify(meta(db))).not.toContain(keySecretPart);
    expect(await contractView(c.core)).not.toContain(keySecretPart);
    await c.core.close();
    expect(bytesOnDisk(db)).not.toContain(keySecretPart);

    const again = open(db, machine);
    expect((await again.call('session.info')).mode).toBe('none');
    await again.core.unlockSecrets();
    expect(await again.call('session.info')).toMatchObject({ mode: 'connected', apiUrl: sandbox.url, secrets: { apiKey: 'encrypted', unreadable: [] } });
    expect((await again.core.runOnce(30_000)).pulled).toBe(true);
    await again.core.close();
  });

  it('without a keychain asks first: NEEDS_CONFIRMATION before the server is contacted, and nothing changes', async () => {
    const db = newDb();
    const c = open(db);
    await c.core.unlockSecrets();
    const before = meta(db);
    // A server that is not there: had it been contacted, the answer would be UNAVAILABLE (the bridge
    // answers NEEDS_CONFIRMATION as HTTP 428).
    const error = await expectCode(c.core, 'settings.connect', { apiUrl: 'http://127.0.0.1:9/v1', apiKey: key }, 'NEEDS_CONFIRMATION');
    expect(error.message).toMatch(/no encrypted storage/);
    await expectCode(c.core, 'settings.connect', { apiUrl: sandbox.url, apiKey: key, keep: 'encrypted' }, 'NEEDS_CONFIRMATION');
    expect(meta(db)).toEqual(before);
    expect(await c.call('session.info')).toMatchObject({ mode: 'none', tenant: null, apiUrl: null, secrets: { encryptionAvailable: false, apiKey: null } });
    await expectCode(c.core, 'settings.connect', { apiUrl: sandbox.url, apiKey: key }, 'NEEDS_CONFIRMATION');
    expect(meta(db)).toEqual(before);
    await c.core.close();
  });

  it('kept unencrypted when the user agreed: marked plain, and connected again after a restart, also through startConsole', async () => {
    const db = newDb();
    const c = open(db);
    await c.core.unlockSecrets();
    const connected = await c.call('settings.connect', { apiUrl: sandbox.url, apiKey: key, keep: 'plain' });
    expect(connected.secrets).toMatchObject({ encryptionAvailable: false, apiKey: 'plain' });
    expect(JSON.parse(meta(db)['apiKeySealed']!)).toMatchObject({ scheme: 'plain' });
    expect(await contractView(c.core)).not.toContain(keySecretPart);
    await c.core.close();

    const again = open(db);
    await again.core.unlockSecrets();
    expect(await again.call('session.info')).toMatchObject({ mode: 'connected', secrets: { apiKey: 'plain' } });
    await again.core.close();

    // What `serve` without --api does: the stored tenant, not the demo.
    const running = await startConsole({ dbFile: db, transport: 'bridge', demoLiveSeconds: 0 });
    try {
      expect(await session(running.core)).toMatchObject({ mode: 'connected', apiUrl: sandbox.url, secrets: { apiKey: 'plain' } });
      expect(running.sandbox).toBeNull();
      await waitFor(async () => (await callCore(running.core, 'sync.status')).lastSyncAt, 'a sync with the stored key');
    } finally {
      await running.close();
    }
  });

  it('kept for this session only: nothing on disk, and after a restart the tenant waits for the key (no demo)', async () => {
    const db = newDb();
    const c = open(db);
    await c.core.unlockSecrets();
    const connected = await c.call('settings.connect', { apiUrl: sandbox.url, apiKey: key, keep: 'session' });
    expect(connected).toMatchObject({ mode: 'connected', secrets: { apiKey: 'session' } });
    expect(meta(db)['apiKeySealed']).toBeUndefined();
    expect((await c.core.runOnce(30_000)).pulled).toBe(true);
    await c.core.close();
    expect(bytesOnDisk(db)).not.toContain(keySecretPart);

    const running = await startConsole({ dbFile: db, transport: 'bridge', demoLiveSeconds: 0 });
    try {
      const waiting = await session(running.core);
      expect(waiting).toMatchObject({ mode: 'none', apiUrl: sandbox.url, secrets: { apiKey: null, unreadable: [] } });
      expect((await callCore(running.core, 'settings.get')).hasApiKey).toBe(false);
      expect(running.sandbox).toBeNull();
      // The tenant's replica is still there.
      expect(waiting.tenant).not.toBeNull();
    } finally {
      await running.close();
    }
  });

  it('a key this machine can no longer open leaves the console unconnected with a reason, not crashed', async () => {
    const db = newDb();
    const c = open(db, keychainKeeper('old'));
    await c.core.unlockSecrets();
    await c.call('settings.connect', { apiUrl: sandbox.url, apiKey: key });
    await c.core.close();

    for (const keeper of [keychainKeeper('new'), noKeychainKeeper()]) {
      const lines: string[] = [];
      const again = open(db, keeper, (line) => lines.push(line));
      await again.core.unlockSecrets();
      expect(await again.call('session.info')).toMatchObject({ mode: 'none', secrets: { apiKey: null, unreadable: ['apiKey'] } });
      expect(lines.join('\n')).toMatch(/stored API key cannot be opened on this machine/);
      await again.core.close();
    }

    // Through startConsole too (the Electron shell's path): no crash, no demo, and connecting again clears it.
    const running = await startConsole({ dbFile: db, transport: 'bridge', secretKeeper: keychainKeeper('new'), demoLiveSeconds: 0 });
    try {
      expect(await session(running.core)).toMatchObject({ mode: 'none', secrets: { unreadable: ['apiKey'] } });
      expect(running.sandbox).toBeNull();
      const reconnected = await callCore(running.core, 'settings.connect', { apiUrl: sandbox.url, apiKey: key });
      expect(reconnected.secrets).toMatchObject({ apiKey: 'encrypted', unreadable: [] });
    } finally {
      await running.close();
    }
  });

  it('reads a key stored by the earlier version (bare safeStorage ciphertext) and rewrites it as a record', async () => {
    const db = newDb();
    // A replica as the earlier version left it: the key as bare base64 safeStorage ciphertext in meta.
    await open(db).core.close();
    const old = new Database(db);
    const put = old.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
    old.transaction(() => {
      put.run('apiUrl', sandbox.url);
      put.run('mode', 'connected');
      put.run('apiKeySealed', fakeKeychain('a').encryptString(key).toString('base64'));
    })();
    old.close();
    const again = open(db, keychainKeeper('a'));
    await again.core.unlockSecrets();
    expect(await again.call('session.info')).toMatchObject({ mode: 'connected', secrets: { apiKey: 'encrypted' } });
    expect(JSON.parse(meta(db)['apiKeySealed']!)).toMatchObject({ scheme: 'safe' });
    await again.core.close();
  });
});

describe('orkestr-console serve', () => {
  it('comes back connected after a restart when the key was kept unencrypted with consent (no --api)', { timeout: 120_000 }, async () => {
    const db = newDb();
    const c = open(db);
    await c.core.unlockSecrets();
    await c.call('settings.connect', { apiUrl: sandbox.url, apiKey: key, keep: 'plain' });
    await c.core.close();
    const child = spawnCli(['serve', '--db', db, '--port', '0'], { timeoutMs: 120_000 });
    try {
      const line = await child.waitForOutput(/Orkestr Console \((.*)\) at (http:\/\/\S+)/, 'serve to print its URL', 90_000);
      expect(line[1]).toBe(sandbox.url);
      // Asked through the bridge as the UI would: connected, the key kept plain, and never in the answer.
      const url = new URL(line[2]!);
      const token = url.hash.replace(/^#token=/, '');
      const res = await fetch(`${url.origin}/api/call`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ method: 'session.info', input: {} }) });
      const body = await res.text();
      expect(JSON.parse(body)).toMatchObject({ ok: true, result: { mode: 'connected', apiUrl: sandbox.url, secrets: { apiKey: 'plain', encryptionAvailable: false } } });
      expect(body).not.toContain(keySecretPart);
    } finally {
      await child.stop('SIGTERM');
    }
  });
});

describe('the webhook relay set up in Settings', () => {
  /** A console connected to the sandbox (plain key, no keychain on this "machine" unless given). */
  async function connectedDb(keeper: SecretKeeper): Promise<string> {
    const db = newDb();
    const c = open(db, keeper);
    await c.core.unlockSecrets();
    await c.call('settings.connect', { apiUrl: sandbox.url, apiKey: key, keep: keeper.encryptionAvailable ? 'encrypted' : 'plain' });
    await c.core.close();
    return db;
  }

  const activityCount = async (running: RunningConsole, event: string): Promise<number> => (await callCore(running.core, 'activity.list', { limit: 1000 })).filter((a) => a.event === event).length;

  async function pingArrives(running: RunningConsole): Promise<void> {
    const before = await activityCount(running, 'webhook.test');
    expect((await sandbox.admin('POST', '/_sandbox/webhook/test', {})).status).toBe(202);
    await waitFor(async () => (await activityCount(running, 'webhook.test')) > before, 'the webhook through the relay');
  }

  it('is sealed with the keychain, never returned, and listened on again after a restart', async () => {
    const machine = keychainKeeper('relay');
    const db = await connectedDb(machine);
    let running = await startConsole({ dbFile: db, transport: 'bridge', secretKeeper: machine });
    try {
      const settings = await callCore(running.core, 'settings.connectRelay', { channelUrl: channelUrl(), deviceToken: channel.deviceToken, webhookSecret, previousWebhookSecret: previousSecret });
      expect(settings).toMatchObject({ relayUrl: relay.url, relayChannelId: channel.id });
      expect((await session(running.core)).secrets).toMatchObject({ relay: 'encrypted' });
      const stored = JSON.parse(meta(db)['relayChannel']!) as { url: string; channelId: string; sealed: { scheme: string } };
      expect(stored).toMatchObject({ url: relay.url, channelId: channel.id, sealed: { scheme: 'safe' } });
      const everything = JSON.stringify(meta(db)) + (await contractView(running.core));
      for (const secret of [channel.deviceToken, webhookSecret, previousSecret]) expect(everything).not.toContain(secret);
      await pingArrives(running);
    } finally {
      await running.close();
    }
    for (const secret of [channel.deviceToken, webhookSecret, previousSecret]) expect(bytesOnDisk(db)).not.toContain(secret);

    // Another keychain cannot open them: reported, not listened on, nothing crashes.
    const elsewhere = open(db, keychainKeeper('elsewhere'));
    await elsewhere.core.unlockSecrets();
    expect((await elsewhere.call('session.info')).secrets).toMatchObject({ relay: null, unreadable: ['apiKey', 'relay'] });
    expect((await elsewhere.call('settings.get')).relayChannelId).toBe(channel.id);
    await elsewhere.core.close();

    running = await startConsole({ dbFile: db, transport: 'bridge', secretKeeper: machine });
    try {
      expect((await session(running.core)).secrets).toMatchObject({ apiKey: 'encrypted', relay: 'encrypted', unreadable: [] });
      await pingArrives(running);
      const settings = await callCore(running.core, 'settings.disconnectRelay');
      expect(settings).toMatchObject({ relayUrl: null, relayChannelId: null });
      expect(meta(db)['relayChannel']).toBeUndefined();
      expect((await session(running.core)).secrets.relay).toBeNull();
    } finally {
      await running.close();
    }
  });

  it('without a keychain asks first, then keeps what the user chose', async () => {
    const db = await connectedDb(noKeychainKeeper());
    const running = await startConsole({ dbFile: db, transport: 'bridge' });
    try {
      const before = meta(db);
      const input = { channelUrl: channelUrl(), deviceToken: channel.deviceToken, webhookSecret };
      const error = await expectCode(running.core, 'settings.connectRelay', input, 'NEEDS_CONFIRMATION');
      expect(error.message).toMatch(/no encrypted storage/);
      expect(meta(db)).toEqual(before);
      await callCore(running.core, 'settings.connectRelay', { ...input, keep: 'session' });
      expect((await session(running.core)).secrets.relay).toBe('session');
      expect(JSON.parse(meta(db)['relayChannel']!)).toEqual({ url: relay.url, channelId: channel.id, sealed: null });
      await pingArrives(running);
      await callCore(running.core, 'settings.connectRelay', { ...input, keep: 'plain' });
      expect((await session(running.core)).secrets.relay).toBe('plain');
      expect(JSON.parse(meta(db)['relayChannel']!)).toMatchObject({ sealed: { scheme: 'plain' } });
    } finally {
      await running.close();
    }
  });

  it('refuses a device token the relay does not accept, and stores nothing', async () => {
    const db = await connectedDb(noKeychainKeeper());
    const running = await startConsole({ dbFile: db, transport: 'bridge' });
    try {
      const error = await expectCode(running.core, 'settings.connectRelay', { channelUrl: channelUrl(), deviceToken: 'rdt_not-a-real-device-token', webhookSecret, keep: 'plain' }, 'BAD_INPUT');
      expect(error.fields?.map((f) => f.path)).toEqual(['deviceToken']);
      expect(meta(db)['relayChannel']).toBeUndefined();
      expect((await callCore(running.core, 'settings.get')).relayUrl).toBeNull();
      // A channel URL that is not one is refused by the contract, per field.
      const outcome = await dispatchCall(running.core, 'settings.connectRelay', { channelUrl: `${relay.url}/channels/x`, deviceToken: channel.deviceToken, webhookSecret });
      expect(outcome).toMatchObject({ ok: false, error: { code: 'BAD_INPUT', fields: [{ path: 'channelUrl' }] } });
    } finally {
      await running.close();
    }
  });
});
