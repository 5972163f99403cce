import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CalendarWorker, ConsoleCore, acquireWriterLock, createFeedRepublisher, ensureOwnerOnlyDir, scheduleDailyBackups, startRelayLink, type FeedRepublisher, type RelayConfig, type SecretKeeper } from './core/index.ts';
import { ContractError } from '../shared/contract/types.ts';
import { startRelay, type RelayHandle } from '../relay/index.ts';
import type { RelayStream, RelayStreamStatus } from '../relay/protocol/index.ts';
import { startSandbox, type Sandbox } from '../sandbox/index.ts';

export { parseRelayChannelUrl, type RelayConfig } from './core/index.ts';

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
  /**
   * Keeps the API key and relay secrets entered in Settings (Electron: the OS keychain). Absent: no
   * keychain, so they are stored only unencrypted and only when the user agreed to it.
   */
  secretKeeper?: SecretKeeper;
  /**
   * The relay channel this console listens on for webhooks. Absent: the relay set up in Settings,
   * else the demo tenant's own relay when on the demo.
   */
  relay?: RelayConfig;
  log?: (line: string) => void;
  /** When the first daily-backup check runs (db/backup.ts; default two minutes after start). */
  firstBackupCheckMs?: number;
  /**
   * The background damage check found the replica damaged (the core refuses every call from then on;
   * the engine host ends so that its supervisor shows why, and the next open refuses the file).
   */
  onReplicaDamaged?: (error: Error) => void;
  /** Wait after start before the background damage check (default 3 s). */
  integrityCheckDelayMs?: number;
}

/** How long connecting a relay from Settings waits for the relay to accept or refuse the device. */
const relayAnswerMs = 15_000;

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

// eslint-disable-next-line max-lines-per-function -- one start sequence (replica, core, relay link, republisher, backups, stop) whose steps share the handles the stop undoes
export async function startConsole(options: ConsoleOptions): Promise<RunningConsole> {
  const log = options.log ?? (() => {});
  const dir = dirname(resolve(options.dbFile));
  // Owner-only (db/file-modes.ts); the console's own data folder is tightened if an older build made it 0755.
  ensureOwnerOnlyDir(dir, dir === defaultDataDir());
  // One long-lived owner per replica (db/writer-lock.ts): a second console or `serve` on it refuses.
  const writerLock = acquireWriterLock(resolve(options.dbFile), options.transport === 'electron' ? 'Orkestr Console (desktop app)' : 'orkestr-console serve');
  let sandbox: Sandbox | null = null;
  let relay: RelayHandle | null = null;
  let demoRelayConfig: RelayConfig | null = null;
  let link: RelayStream | null = null;
  let republisher: FeedRepublisher | null = null;
  /** Renders the published feeds off the engine's loop (its own thread and read connection). */
  let feedWorker: CalendarWorker | null = null;
  let linkConfig: RelayConfig | null = null;
  /** Links start only once the console is up (the demo may start its relay before). */
  let linksReady = false;

  const stopLink = async (): Promise<void> => {
    const [oldRepublisher, oldLink, oldWorker] = [republisher, link, feedWorker];
    republisher = null;
    link = null;
    feedWorker = null;
    linkConfig = null;
    await oldRepublisher?.close();
    await oldWorker?.close();
    await oldLink?.close();
  };

  /** Starts the relay link (webhooks in) and the feed republisher (calendar feeds out) on one channel. */
  const startLink = (config: RelayConfig, onStatus?: (status: RelayStreamStatus) => void): void => {
    linkConfig = config;
    link = startRelayLink(core, {
      ...config,
      log,
      onStatus: (status) => {
        log(`relay link: ${status.state}`);
        onStatus?.(status);
      },
    });
    // Calendar feeds marked "publish" follow the replica to the relay, which serves them over HTTPS
    // to Google or Outlook.com (debounced, at most 30 s behind under a steady stream of webhooks; only
    // when a feed's bytes changed), rendered in a worker thread so webhooks never wait for a render.
    const worker = (feedWorker = new CalendarWorker(core.replica.sqlite.name));
    republisher = createFeedRepublisher({
      db: core.replica.sqlite,
      target: () => ({ relayUrl: config.url, channelId: config.channelId, deviceToken: config.deviceToken }),
      render: (feed) => worker.renderFeed(feed),
      log,
    });
    republisher.notifyChanged();
  };

  /** The channel to listen on when Settings has none: the one given at start-up, else the demo's. */
  const fallbackRelay = (): RelayConfig | null => options.relay ?? demoRelayConfig;

  /**
   * Settings connected (or disconnected) a relay: switch the link, and keep it only once the relay
   * accepted this device; otherwise go back to the channel before and say why.
   */
  const switchRelay = async (config: RelayConfig | null): Promise<void> => {
    const previous = linkConfig;
    await stopLink();
    if (!config) {
      const fallback = fallbackRelay();
      if (fallback) startLink(fallback);
      return;
    }
    const answer = await new Promise<RelayStreamStatus | null>((resolveAnswer) => {
      const timer = setTimeout(() => resolveAnswer(null), relayAnswerMs);
      startLink(config, (status) => {
        if (status.state === 'open' || status.state === 'refused' || status.state === 'disconnected') {
          clearTimeout(timer);
          resolveAnswer(status);
        }
      });
    });
    if (answer?.state === 'open') return;
    await stopLink();
    if (previous) startLink(previous);
    if (answer?.state === 'refused') {
      throw new ContractError('BAD_INPUT', `The relay refused this device for channel ${config.channelId} (${answer.reason}).`, [{ path: 'deviceToken', message: 'refused by the relay for this channel' }]);
    }
    throw new ContractError('UNAVAILABLE', `Cannot reach the relay at ${config.url}${answer?.state === 'disconnected' && answer.reason ? ` (${answer.reason})` : ''}.`);
  };

  /** The demo tenant, started on first use (at start-up, or from Settings → "Use the demo tenant"). */
  const startDemo = async (): Promise<{ url: string; key: string }> => {
    const key = demoKey(dir);
    if (!sandbox) {
      const demoRelay = await startDemoRelay(dir, log);
      relay = demoRelay.relay;
      demoRelayConfig = demoRelay.config;
      sandbox = await startSandbox({
        dataFile: join(dir, 'demo-tenant.db'),
        port: 0,
        keys: [`${key}:read,write`],
        seed: 'demo',
        live: options.demoLiveSeconds ?? 20,
        webhook: { url: `${relay.url}/in/${demoRelayConfig.channelId}`, secret: demoRelayConfig.secrets[0]! },
        log,
      });
      log(`demo tenant: sandbox at ${sandbox.url}`);
      // Chosen from Settings while no channel is listened on: the demo's webhooks come in too.
      if (linksReady && !link) startLink(demoRelayConfig);
    }
    return { url: sandbox.url, key };
  };

  let core: ConsoleCore;
  try {
    core = new ConsoleCore({
      dbFile: options.dbFile,
      ...(options.api ? { api: options.api } : {}),
      transport: options.transport,
      appVersion,
      demo: startDemo,
      relayLink: switchRelay,
      log,
      ...(options.secretKeeper ? { secretKeeper: options.secretKeeper } : {}),
      // A long-lived console: the large tables are checked for damage after the first screen, off
      // the engine's thread (issue #16: a whole quick_check at 1M bookings is seconds of cold start).
      integrityCheck: 'background',
      ...(options.integrityCheckDelayMs !== undefined ? { integrityCheckDelayMs: options.integrityCheckDelayMs } : {}),
      onReplicaDamaged: (error) => (options.onReplicaDamaged ?? ((e: Error) => log(e.message)))(error),
    });
  } catch (error) {
    writerLock.release();
    throw error;
  }
  const stopBackups = scheduleDailyBackups(core.replica.sqlite, resolve(options.dbFile), log, options.firstBackupCheckMs);
  // Opening stored secrets may ask the keychain (another process, in the Electron shell): before any sync.
  await core.unlockSecrets();
  if (options.api) {
    // A key given at start-up (CLI or environment) works offline too: no round trip before start.
    core.replica.setMeta('mode', 'connected');
    core.start();
  } else if (core.session().mode === 'connected' || core.replica.getMeta('mode') === 'connected') {
    // Connected, or a tenant whose key is not here (kept for one session only, or stored where this
    // machine's keychain cannot open it): its replica and queued actions stay, waiting in mode "none"
    // for the key in Settings, and never go to the demo tenant.
    core.start();
  } else {
    // Nothing configured, or the demo chosen earlier: the demo tenant, whose sandbox listens on a new
    // port each run.
    core.start();
    const demo = await startDemo();
    await core.connect(demo.url, demo.key, 'demo');
  }
  core.on((event, payload) => {
    if (event === 'data.changed' && (payload as { tables: string[] }).tables.some((t) => t === 'bookings' || t === 'offerings' || t === 'feeds')) republisher?.notifyChanged();
  });
  linksReady = true;
  const initialRelay = options.relay ?? core.relayConfig() ?? demoRelayConfig;
  if (initialRelay) startLink(initialRelay);
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
      stopBackups();
      await stopLink();
      await core.close();
      writerLock.release();
      await sandbox?.close();
      await relay?.close();
    },
  };
}
