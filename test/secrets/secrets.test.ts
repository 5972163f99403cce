/**
 * Secrets at rest (issue #8): the API key and the relay's device token and webhook secrets are sealed
 * by the SecretKeeper, refused unencrypted unless the user agreed, kept in memory only when asked,
 * and never returned through the contract. Real SQLite files, a real sandbox and a real relay on
 * loopback; the OS keychain is a reversible stand-in (its logic is Electron's, not ours).
 */
import { spawn } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsole, type RunningConsole } from '../../src/main/app.ts';
import { ConsoleCore } from '../../src/main/core/core.ts';
import { dispatchCall } from '../../src/main/dispatch.ts';
import { SecretStore, noKeychain, type Encryptor, type SecretKeeper } from '../../src/main/shell/secret-store.ts';
import { ContractError } from '../../src/shared/contract/types.ts';
import { startRelay, type RelayHandle } from '../../src/relay/index.ts';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.ts';
import { waitFor } from '../support/wait-for.ts';

const key = 'ork_secrets1.keep-me-secret-0123456789';
const keySecretPart = 'keep-me-secret-0123456789';
const admin = 'secrets-admin-token-0123';
const webhookSecret = 'whsec_secrets_test_current';
const previousSecret = 'whsec_secrets_test_previous';

/** A reversible stand-in for one machine's keychain; another tag is another machine (or a reset keychain). */
function keychain(tag: string): Encryptor {
  const prefix = Buffer.from(`kc:${tag}:`);
  const flip = (b: Buffer): Buffer => Buffer.from([...b].map((x) => x ^ 0x5a));
  return {
    isEncryptionAvailable: () => true,
    encryptString: (text) => Buffer.concat([prefix, flip(Buffer.from(text))]),
    decryptString: (data) => {
      if (!data.subarray(0, prefix.length).equals(prefix)) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
      return flip(data.subarray(prefix.length)).toString();
    },
  };
}

let dir: string;
let sandbox: Sandbox;
let relay: RelayHandle;
let channel: { id: string; ingressUrl: string; deviceToken: string };
let fileNo = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'secrets-'));
  relay = await startRelay({ port: 0, store: join(dir, 'relay.db'), adminToken: admin, log: () => {} });
  const created = await fetch(`${relay.url}/v1/channels`, { method: 'POST', headers: { Authorization: `Bearer ${admin}`, 'Content-Type': 'application/json' }, body: '{}' });
  channel = (await created.json()) as typeof channel;
  sandbox = await startSandbox({ dataFile: join(dir, 'sandbox.db'), keys: [key], adminToken: admin, seed: { bookings: 6, offerings: 2 }, webhook: { url: channel.ingressUrl, secret: webhookSecret, retryBaseMs: 20 } });
});

afterAll(async () => {
  await sandbox?.close();
  await relay?.close();
});

const newDb = (): string => join(dir, `replica-${++fileNo}.db`);
const open = (dbFile: string, keeper: SecretKeeper = noKeychain()): ConsoleCore => new ConsoleCore({ dbFile, transport: 'bridge', appVersion: 'test', holdMs: 0, secretKeeper: keeper });
const meta = (core: ConsoleCore): Record<string, string> => Object.fromEntries((core.replica.stmt('SELECT key, value FROM meta').all() as Array<{ key: string; value: string }>).map((r) => [r.key, r.value]));
/** Every byte SQLite wrote for this replica (database, WAL), as text. */
const bytesOnDisk = (dbFile: string): string => [dbFile, `${dbFile}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f).toString('latin1')).join('\n');
const channelUrl = (): string => `${relay.url}/v1/channels/${channel.id}`;

async function expectCode(answer: unknown, code: string): Promise<ContractError> {
  const error = await Promise.resolve(answer).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ContractError);
  expect((error as ContractError).code).toBe(code);
  return error as ContractError;
}

/** What the UI can ever read about the session and settings, as one string. */
async function contractView(core: ConsoleCore): Promise<string> {
  return JSON.stringify([await core.handlers['session.info']({}), await core.handlers['settings.get']({}), core.session()]);
}

describe('the API key', () => {
  it('is sealed by the keychain by default, never on disk in the clear, and opened again after a restart', async () => {
    const db = newDb();
    const machine = new SecretStore(keychain('a'));
    const core = open(db, machine);
    await core.unlockSecrets();
    const session = await core.handlers['settings.connect']({ apiUrl: sandbox.url, apiKey: key });
    expect(session.mode).toBe('connected');
    expect(session.secrets).toEqual({ encryptionAvailable: true, apiKey: 'encrypted', relay: null, unreadable: [] });
    const stored = JSON.parse(meta(core)['apiKeySealed']!) as { scheme: string; data: string };
    expect(stored.scheme).toBe('safe');
    expect(JSON.stringify(meta(core))).not.toContain(keySecretPart);
    expect(await contractView(core)).not.toContain(keySecretPart);
    await core.close();
    expect(bytesOnDisk(db)).not.toContain(keySecretPart);

    const again = open(db, machine);
    expect(again.session().mode).toBe('none');
    await again.unlockSecrets();
    expect(again.session()).toMatchObject({ mode: 'connected', apiUrl: sandbox.url, secrets: { apiKey: 'encrypted', unreadable: [] } });
    expect((await again.runOnce(30_000)).pulled).toBe(true);
    await again.close();
  });

  it('without a keychain asks first: NEEDS_CONFIRMATION before the server is contacted, and nothing changes', async () => {
    const db = newDb();
    const core = open(db);
    await core.unlockSecrets();
    const before = meta(core);
    // A server that is not there: had it been contacted, the answer would be UNAVAILABLE.
    const error = await expectCode(core.handlers['settings.connect']({ apiUrl: 'http://127.0.0.1:9/v1', apiKey: key }), 'NEEDS_CONFIRMATION');
    expect(error.message).toMatch(/no encrypted storage/);
    await expectCode(core.handlers['settings.connect']({ apiUrl: sandbox.url, apiKey: key, keep: 'encrypted' }), 'NEEDS_CONFIRMATION');
    expect(meta(core)).toEqual(before);
    expect(core.session()).toMatchObject({ mode: 'none', tenant: null, apiUrl: null, secrets: { encryptionAvailable: false, apiKey: null } });
    // The same through the transport's dispatcher (the bridge answers it as HTTP 428).
    const outcome = await dispatchCall(core, 'settings.connect', { apiUrl: sandbox.url, apiKey: key });
    expect(outcome).toMatchObject({ ok: false, error: { code: 'NEEDS_CONFIRMATION' } });
    expect(meta(core)).toEqual(before);
    await core.close();
  });

  it('kept unencrypted when the user agreed: marked plain, and connected again after a restart, also through startConsole', async () => {
    const db = newDb();
    const core = open(db);
    await core.unlockSecrets();
    const session = await core.handlers['settings.connect']({ apiUrl: sandbox.url, apiKey: key, keep: 'plain' });
    expect(session.secrets).toMatchObject({ encryptionAvailable: false, apiKey: 'plain' });
    expect(JSON.parse(meta(core)['apiKeySealed']!)).toMatchObject({ scheme: 'plain' });
    expect(await contractView(core)).not.toContain(keySecretPart);
    await core.close();

    const again = open(db);
    await again.unlockSecrets();
    expect(again.session()).toMatchObject({ mode: 'connected', secrets: { apiKey: 'plain' } });
    await again.close();

    // What `serve` without --api does: the stored tenant, not the demo.
    const running = await startConsole({ dbFile: db, transport: 'bridge', demoLiveSeconds: 0 });
    try {
      expect(running.core.session()).toMatchObject({ mode: 'connected', apiUrl: sandbox.url, secrets: { apiKey: 'plain' } });
      expect(running.sandbox).toBeNull();
      await waitFor(() => running.core.status().lastSyncAt, 'a sync with the stored key');
    } finally {
      await running.close();
    }
  });

  it('kept for this session only: nothing on disk, and after a restart the tenant waits for the key (no demo)', async () => {
    const db = newDb();
    const core = open(db);
    await core.unlockSecrets();
    const session = await core.handlers['settings.connect']({ apiUrl: sandbox.url, apiKey: key, keep: 'session' });
    expect(session).toMatchObject({ mode: 'connected', secrets: { apiKey: 'session' } });
    expect(meta(core)['apiKeySealed']).toBeUndefined();
    expect((await core.runOnce(30_000)).pulled).toBe(true);
    await core.close();
    expect(bytesOnDisk(db)).not.toContain(keySecretPart);

    const running = await startConsole({ dbFile: db, transport: 'bridge', demoLiveSeconds: 0 });
    try {
      expect(running.core.session()).toMatchObject({ mode: 'none', apiUrl: sandbox.url, secrets: { apiKey: null, unreadable: [] } });
      expect((await running.core.handlers['settings.get']({})).hasApiKey).toBe(false);
      expect(running.sandbox).toBeNull();
      // The tenant's replica is still there.
      expect(running.core.tenant()).not.toBeNull();
    } finally {
      await running.close();
    }
  });

  it('a key this machine can no longer open leaves the console unconnected with a reason, not crashed', async () => {
    const db = newDb();
    const core = open(db, new SecretStore(keychain('old')));
    await core.unlockSecrets();
    await core.handlers['settings.connect']({ apiUrl: sandbox.url, apiKey: key });
    await core.close();

    for (const keeper of [new SecretStore(keychain('new')), noKeychain()]) {
      const lines: string[] = [];
      const again = new ConsoleCore({ dbFile: db, transport: 'bridge', appVersion: 'test', secretKeeper: keeper, log: (line) => lines.push(line) });
      await again.unlockSecrets();
      expect(again.session()).toMatchObject({ mode: 'none', secrets: { apiKey: null, unreadable: ['apiKey'] } });
      expect(lines.join('\n')).toMatch(/stored API key cannot be opened on this machine/);
      await again.close();
    }

    // Through startConsole too (the Electron shell's path): no crash, no demo, and connecting again clears it.
    const running = await startConsole({ dbFile: db, transport: 'bridge', secretKeeper: new SecretStore(keychain('new')), demoLiveSeconds: 0 });
    try {
      expect(running.core.session()).toMatchObject({ mode: 'none', secrets: { unreadable: ['apiKey'] } });
      expect(running.sandbox).toBeNull();
      const session = await running.core.handlers['settings.connect']({ apiUrl: sandbox.url, apiKey: key });
      expect(session.secrets).toMatchObject({ apiKey: 'encrypted', unreadable: [] });
    } finally {
      await running.close();
    }
  });

  it('reads a key stored by the earlier version (bare safeStorage ciphertext) and rewrites it as a record', async () => {
    const db = newDb();
    const machine = keychain('a');
    const core = open(db);
    core.replica.transaction(() => {
      core.replica.setMeta('apiUrl', sandbox.url);
      core.replica.setMeta('mode', 'connected');
      core.replica.setMeta('apiKeySealed', machine.encryptString(key).toString('base64'));
    });
    await core.close();
    const again = open(db, new SecretStore(machine));
    await again.unlockSecrets();
    expect(again.session()).toMatchObject({ mode: 'connected', secrets: { apiKey: 'encrypted' } });
    expect(JSON.parse(meta(again)['apiKeySealed']!)).toMatchObject({ scheme: 'safe' });
    await again.close();
  });
});

describe('orkestr-console serve', () => {
  it('comes back connected after a restart when the key was kept unencrypted with consent (no --api)', { timeout: 120_000 }, async () => {
    const db = newDb();
    const core = open(db);
    await core.unlockSecrets();
    await core.handlers['settings.connect']({ apiUrl: sandbox.url, apiKey: key, keep: 'plain' });
    await core.close();
    const child = spawn(process.execPath, [join(import.meta.dirname, '../../bin/orkestr-console.mjs'), 'serve', '--db', db, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      const line = await waitFor(() => /Orkestr Console \((.*)\) at (http:\/\/\S+)/.exec(stdout), `serve to print its URL (stderr: ${stderr})`, 90_000);
      expect(line[1]).toBe(sandbox.url);
      // Asked through the bridge as the UI would: connected, the key kept plain, and never in the answer.
      const url = new URL(line[2]!);
      const token = url.hash.replace(/^#token=/, '');
      const res = await fetch(`${url.origin}/api/call`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ method: 'session.info', input: {} }) });
      const body = await res.text();
      expect(JSON.parse(body)).toMatchObject({ ok: true, result: { mode: 'connected', apiUrl: sandbox.url, secrets: { apiKey: 'plain', encryptionAvailable: false } } });
      expect(body).not.toContain(keySecretPart);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });
});

describe('the webhook relay set up in Settings', () => {
  /** A console connected to the sandbox (plain key, no keychain on this "machine" unless given). */
  async function connectedDb(keeper: SecretKeeper): Promise<string> {
    const db = newDb();
    const core = open(db, keeper);
    await core.unlockSecrets();
    await core.handlers['settings.connect']({ apiUrl: sandbox.url, apiKey: key, keep: keeper.encryptionAvailable ? 'encrypted' : 'plain' });
    await core.close();
    return db;
  }

  const activityCount = (running: RunningConsole, event: string): number => (running.core.replica.stmt('SELECT count(*) AS n FROM activity WHERE event = ?').get(event) as { n: number }).n;

  async function pingArrives(running: RunningConsole): Promise<void> {
    const before = activityCount(running, 'webhook.test');
    const res = await fetch(`${sandbox.url}/_sandbox/webhook/test`, { method: 'POST', headers: { Authorization: `Bearer ${admin}`, 'Content-Type': 'application/json' }, body: '{}' });
    expect(res.ok).toBe(true);
    await waitFor(() => activityCount(running, 'webhook.test') > before, 'the webhook through the relay');
  }

  it('is sealed with the keychain, never returned, and listened on again after a restart', async () => {
    const machine = new SecretStore(keychain('relay'));
    const db = await connectedDb(machine);
    let running = await startConsole({ dbFile: db, transport: 'bridge', secretKeeper: machine });
    try {
      const settings = await running.core.handlers['settings.connectRelay']({ channelUrl: channelUrl(), deviceToken: channel.deviceToken, webhookSecret, previousWebhookSecret: previousSecret });
      expect(settings).toMatchObject({ relayUrl: relay.url, relayChannelId: channel.id });
      expect(running.core.session().secrets).toMatchObject({ relay: 'encrypted' });
      const stored = JSON.parse(meta(running.core)['relayChannel']!) as { url: string; channelId: string; sealed: { scheme: string } };
      expect(stored).toMatchObject({ url: relay.url, channelId: channel.id, sealed: { scheme: 'safe' } });
      const everything = JSON.stringify(meta(running.core)) + (await contractView(running.core));
      for (const secret of [channel.deviceToken, webhookSecret, previousSecret]) expect(everything).not.toContain(secret);
      await pingArrives(running);
    } finally {
      await running.close();
    }
    for (const secret of [channel.deviceToken, webhookSecret, previousSecret]) expect(bytesOnDisk(db)).not.toContain(secret);

    // Another keychain cannot open them: reported, not listened on, nothing crashes.
    const elsewhere = open(db, new SecretStore(keychain('elsewhere')));
    await elsewhere.unlockSecrets();
    expect(elsewhere.session().secrets).toMatchObject({ relay: null, unreadable: ['apiKey', 'relay'] });
    expect(elsewhere.relayConfig()).toBeNull();
    expect((await elsewhere.handlers['settings.get']({})).relayChannelId).toBe(channel.id);
    await elsewhere.close();

    running = await startConsole({ dbFile: db, transport: 'bridge', secretKeeper: machine });
    try {
      expect(running.core.session().secrets).toMatchObject({ apiKey: 'encrypted', relay: 'encrypted', unreadable: [] });
      await pingArrives(running);
      const settings = await running.core.handlers['settings.disconnectRelay']({});
      expect(settings).toMatchObject({ relayUrl: null, relayChannelId: null });
      expect(meta(running.core)['relayChannel']).toBeUndefined();
      expect(running.core.session().secrets.relay).toBeNull();
    } finally {
      await running.close();
    }
  });

  it('without a keychain asks first, then keeps what the user chose', async () => {
    const db = await connectedDb(noKeychain());
    const running = await startConsole({ dbFile: db, transport: 'bridge' });
    try {
      const before = meta(running.core);
      const input = { channelUrl: channelUrl(), deviceToken: channel.deviceToken, webhookSecret };
      const error = await expectCode(running.core.handlers['settings.connectRelay'](input), 'NEEDS_CONFIRMATION');
      expect(error.message).toMatch(/no encrypted storage/);
      expect(meta(running.core)).toEqual(before);
      await running.core.handlers['settings.connectRelay']({ ...input, keep: 'session' });
      expect(running.core.session().secrets.relay).toBe('session');
      expect(JSON.parse(meta(running.core)['relayChannel']!)).toEqual({ url: relay.url, channelId: channel.id, sealed: null });
      await pingArrives(running);
      await running.core.handlers['settings.connectRelay']({ ...input, keep: 'plain' });
      expect(running.core.session().secrets.relay).toBe('plain');
      expect(JSON.parse(meta(running.core)['relayChannel']!)).toMatchObject({ sealed: { scheme: 'plain' } });
    } finally {
      await running.close();
    }
  });

  it('refuses a device token the relay does not accept, and stores nothing', async () => {
    const db = await connectedDb(noKeychain());
    const running = await startConsole({ dbFile: db, transport: 'bridge' });
    try {
      const error = await expectCode(running.core.handlers['settings.connectRelay']({ channelUrl: channelUrl(), deviceToken: 'rdt_not-a-real-device-token', webhookSecret, keep: 'plain' }), 'BAD_INPUT');
      expect(error.fields?.map((f) => f.path)).toEqual(['deviceToken']);
      expect(meta(running.core)['relayChannel']).toBeUndefined();
      expect((await running.core.handlers['settings.get']({})).relayUrl).toBeNull();
      // A channel URL that is not one is refused by the contract, per field.
      const outcome = await dispatchCall(running.core, 'settings.connectRelay', { channelUrl: `${relay.url}/channels/x`, deviceToken: channel.deviceToken, webhookSecret });
      expect(outcome).toMatchObject({ ok: false, error: { code: 'BAD_INPUT', fields: [{ path: 'channelUrl' }] } });
    } finally {
      await running.close();
    }
  });
});
