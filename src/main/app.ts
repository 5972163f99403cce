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
  mkdirSync(dirname(resolve(options.dbFile)), { recursive: true });
  let sandbox: Sandbox | null = null;
  let api = options.api;
  if (!api) {
    const dir = dirname(resolve(options.dbFile));
    const key = demoKey(dir);
    sandbox = await startSandbox({
      dataFile: join(dir, 'demo-tenant.db'),
      port: 0,
      keys: [`${key}:read,write`],
      seed: 'demo',
      live: options.demoLiveSeconds ?? 20,
      log,
    });
    api = { url: sandbox.url, key };
    log(`demo tenant: sandbox at ${sandbox.url}`);
  }
  const core = new ConsoleCore({
    dbFile: options.dbFile,
    api,
    mode: sandbox ? 'demo' : 'connected',
    transport: options.transport,
    appVersion,
    ...(options.secretStore ? { secretStore: options.secretStore } : {}),
  });
  await core.start();
  return {
    core,
    mode: sandbox ? 'demo' : 'connected',
    sandbox,
    async close() {
      await core.close();
      await sandbox?.close();
    },
  };
}
