import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConsoleCore } from './core/core.ts';
import { createFeedRepublisher, type FeedRepublisher } from './core/calendar/index.ts';
import { startRelayLink } from './core/relay/relay-link.ts';
import { startRelay, type RelayHandle, type RelayStream } from '../relay/index.ts';
import { startSandbox, type Sandbox } from '../sandbox/index.ts';

/**
 * Starting the console, shared by the Electron shell, `npm start`'s browser fallback and
 * `orkestr-console serve`: one core, optionally on the built-in demo tenant.
 */
export interface ConsoleOptions {
  /** The replica's SQLite file. */
  dbFile: string;
  /** A real Orkestr API; absent → the demo tenant (an in-process sandbox in live mode). */
  api?: { url: string; key: string };
  transport: 'electron' | 'bridge';
  /** Seconds between the demo's simulated customer events; 0 turns live mode off. */
  demoLiveSeconds?: number;
  /** Encrypts an API key entered in Settings (Electron: safeStorage); absent → kept in memory only. */
  secretStore?: { encrypt(text: string): Buffer; decrypt(data: Buffer): string };
  /** The relay channel this console listens on for webhooks (the demo tenant wires its own). */
  relay?: RelayConfig;
  log?: (line: string) => void;
}

export interface RelayConfig {
  /** Relay base URL, e.g. https://relay.example.com. */
  url: string;
  channelId: string;
  deviceToken: string;
  /** Webhook signing secrets: current first, then the previous one during a rotation. */
  secrets: string[];
}

/**
 * `--relay` takes the channel's URL as the relay prints it (`https://relay.example.com/v1/channels/ch_…`),
 * which names both the relay and the channel.
 */
export function parseRelayChannelUrl(raw: string): { url: string; channelId: string } {
  const url = new URL(raw);
  const match = /^(.*)\/v1\/channels\/(ch_[A-Za-z0-9_-]+)\/?$/.exec(url.pathname);
  if (!match) throw new Error(`"${raw}" is not a relay channel URL (expected …/v1/channels/ch_…)`);
  return { url: `${url.origin}${match[1]}`, channelId: match[2]! };
}

export interface RunningConsole {
  core: ConsoleCore;
  mode: 'demo' | 'connected';
  sandbox: Sandbox | null;
  /** The demo's embedded relay (sandbox webhooks → relay → this console). */
  relay: RelayHandle | null;
  close(): Promise<void>;
}

interface DemoRelayState {
  adminToken: string;
  channelId: string | null;
  deviceToken: string | null;
  webhookSecret: string;
}

/**
 * The demo tenant's webhook path is real: sandbox → embedded relay (SQLite beside the replica) →
 * relay link in the core. Its tokens live in a file beside the demo data; they open only local demo
 * servers.
 */
async function startDemoRelay(dir: string, log: (line: string) => void): Promise<{ relay: RelayHandle; config: RelayConfig }> {
  const file = join(dir, 'demo-relay.json');
  let state: DemoRelayState;
  try {
    state = JSON.parse(readFileSync(file, 'utf8')) as DemoRelayState;
  } catch {
    state = { adminToken: randomBytes(24).toString('base64url'), channelId: null, deviceToken: null, webhookSecret: `whsec_${randomBytes(24).toString('base64url')}` };
  }
  const relay = await startRelay({ port: 0, store: join(dir, 'demo-relay.db'), adminToken: state.adminToken, log: () => {} });
  const channelWorks = state.channelId !== null && (await fetch(`${relay.url}/v1/channels/${state.channelId}`, { headers: { Authorization: `Bearer ${state.adminToken}` } })).ok;
  if (!channelWorks) {
    const res = await fetch(`${relay.url}/v1/channels`, { method: 'POST', headers: { Authorization: `Bearer ${state.adminToken}`, 'Content-Type': 'application/json' }, body: '{}' });
    if (!res.ok) throw new Error(`demo relay refused to create a channel: ${res.status}`);
    const channel = (await res.json()) as { id: string; deviceToken: string };
    state = { ...state, channelId: channel.id, deviceToken: channel.deviceToken };
  }
  writeFileSync(file, JSON.stringify(state), { mode: 0o600 });
  log(`demo tenant: relay at ${relay.url}`);
  return { relay, config: { url: relay.url, channelId: state.channelId!, deviceToken: state.deviceToken!, secrets: [state.webhookSecret] } };
}

export const appVersion: string = readPackageVersion();

function readPackageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** The folder holding package.json, found from this file (works from src/ and from out/ bundles). */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    dir = dirname(dir);
  }
  return process.cwd();
}

/** Where the console keeps its files when the user does not name them. */
export function defaultDataDir(): string {
  if (process.env['ORKESTR_CONSOLE_HOME']) return resolve(process.env['ORKESTR_CONSOLE_HOME']);
  const xdg = process.env['XDG_DATA_HOME'];
  return join(xdg && xdg !== '' ? xdg : join(homedir(), '.local', 'share'), 'orkestr-console');
}

/**
 * The demo tenant's API key: made once per data folder and kept beside the demo's data, so the
 * sandbox (which stores keys hashed) accepts it again after a restart. It opens only the local
 * sandbox, never a real tenant.
 */
function demoKey(dir: string): string {
  const file = join(dir, 'demo-key.txt');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const key = `ork_demo${randomBytes(2).toString('hex')}.${randomBytes(24).toString('base64url')}`;
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}

export async function startConsole(options: ConsoleOptions): Promise<RunningConsole> {
  const log = options.log ?? (() => {});
  const dir = dirname(resolve(options.dbFile));
  mkdirSync(dir, { recursive: true });
  let sandbox: Sandbox | null = null;
  let relay: RelayHandle | null = null;
  let relayConfig: RelayConfig | null = options.relay ?? null;
  let link: RelayStream | null = null;

  /** The demo tenant, started on first use (at start-up, or from Settings → "Use the demo tenant"). */
  const startDemo = async (): Promise<{ url: string; key: string }> => {
    const key = demoKey(dir);
    if (!sandbox) {
      const demoRelay = await startDemoRelay(dir, log);
      relay = demoRelay.relay;
      relayConfig = demoRelay.config;
      sandbox = await startSandbox({
        dataFile: join(dir, 'demo-tenant.db'),
        port: 0,
        keys: [`${key}:read,write`],
        seed: 'demo',
        live: options.demoLiveSeconds ?? 20,
        webhook: { url: `${relay.url}/in/${relayConfig.channelId}`, secret: relayConfig.secrets[0]! },
        log,
      });
      log(`demo tenant: sandbox at ${sandbox.url}`);
    }
    return { url: sandbox.url, key };
  };

  const core = new ConsoleCore({
    dbFile: options.dbFile,
    ...(options.api ? { api: options.api } : {}),
    transport: options.transport,
    appVersion,
    demo: startDemo,
    ...(options.secretStore ? { secretStore: options.secretStore } : {}),
  });
  if (options.api) {
    // A key given at start-up (CLI or environment) works offline too: no round trip before start.
    core.replica.setMeta('mode', 'connected');
    core.start();
  } else if (core.session().mode !== 'connected') {
    // Nothing configured (or a stored key this machine cannot decrypt), or the demo chosen earlier:
    // the demo tenant, whose sandbox listens on a new port each run.
    core.start();
    const demo = await startDemo();
    await core.connect(demo.url, demo.key, 'demo');
  } else {
    core.start();
  }
  let republisher: FeedRepublisher | null = null;
  if (relayConfig) {
    const config = relayConfig;
    link = startRelayLink(core, { ...config, log, onStatus: (status) => log(`relay link: ${status.state}`) });
    // Calendar feeds marked "publish" follow the replica to the relay, which serves them over HTTPS
    // to Google or Outlook.com (debounced; only when a feed's bytes changed).
    republisher = createFeedRepublisher({ db: core.replica.sqlite, target: () => ({ relayUrl: config.url, channelId: config.channelId, deviceToken: config.deviceToken }), log });
    const feedsFollow = republisher;
    core.on((event, payload) => {
      if (event === 'data.changed' && (payload as { tables: string[] }).tables.some((t) => t === 'bookings' || t === 'offerings' || t === 'feeds')) feedsFollow.notifyChanged();
    });
    feedsFollow.notifyChanged();
  }
  const mode = core.session().mode === 'demo' ? 'demo' : 'connected';
  return {
    core,
    mode,
    get sandbox() {
      return sandbox;
    },
    get relay() {
      return relay;
    },
    async close() {
      await republisher?.close();
      await link?.close();
      await core.close();
      await sandbox?.close();
      await relay?.close();
    },
  };
}
