import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConsoleCore } from './core/core.ts';
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
  log?: (line: string) => void;
}

export interface RunningConsole {
  core: ConsoleCore;
  mode: 'demo' | 'connected';
  sandbox: Sandbox | null;
  close(): Promise<void>;
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

  /** The demo tenant, started on first use (at start-up, or from Settings → "Use the demo tenant"). */
  const startDemo = async (): Promise<{ url: string; key: string }> => {
    const key = demoKey(dir);
    sandbox ??= await startSandbox({
      dataFile: join(dir, 'demo-tenant.db'),
      port: 0,
      keys: [`${key}:read,write`],
      seed: 'demo',
      live: options.demoLiveSeconds ?? 20,
      log,
    });
    log(`demo tenant: sandbox at ${sandbox.url}`);
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
  const mode = core.session().mode === 'demo' ? 'demo' : 'connected';
  return {
    core,
    mode,
    get sandbox() {
      return sandbox;
    },
    async close() {
      await core.close();
      await sandbox?.close();
    },
  };
}
