/**
 * The one sandbox fixture of the suite: an Orkestr-compatible server (src/sandbox) on 127.0.0.1 with a
 * temporary data file, the keys and seed a test asks for, and small clients for its API (`/v1`) and
 * its control surface (`/_sandbox`, which lets tests inject faults and simulate customers).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.ts';
import { startBelowEphemeralPorts } from './ports.ts';

/** A read/write key for tenant atlas, given to every fixture unless `keys` says otherwise. */
export const TEST_KEY = 'ork_testkey1.test-key-secret-0123456789';
export const SANDBOX_ADMIN_TOKEN = 'sandbox-admin-token-for-tests-0123';

export interface RequestOptions {
  /** API key; null sends no Authorization. */
  key?: string | null;
  /** Objects are sent as JSON; strings and Buffers as they are. */
  body?: unknown;
  headers?: Record<string, string>;
  idempotencyKey?: string;
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed JSON, or null. The suites read answers field by field, so it is loosely typed on purpose. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export interface Effect {
  idempotencyKey: string;
  kind: string;
  targetId: string;
  at: string;
  tenant: string;
}

export interface SandboxFixture {
  readonly sandbox: Sandbox;
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  readonly dataFile: string;
  readonly adminToken: string;
  /** The sandbox's log lines (the first 2,000). */
  readonly logs: string[];
  /** Any request to the server; `path` from the root (`/v1/api/me`). Default key: the first of `keys`. */
  api(method: string, path: string, options?: RequestOptions): Promise<HttpAnswer>;
  /** A request to the control surface; `path` from the root (`/_sandbox/faults`). */
  admin(method: string, path: string, body?: unknown): Promise<HttpAnswer>;
  /** GET `/v1${path}`, its JSON; throws on a non-2xx answer. */
  getJson<T>(path: string, key?: string): Promise<T>;
  /** `/_sandbox${path}`, its JSON; throws on a non-2xx answer. */
  adminJson<T>(method: string, path: string, body?: unknown): Promise<T>;
  /** What the server did under each idempotency key (one row per effect). */
  effects(): Promise<Effect[]>;
  /** Every record of a list endpoint (`/api/bookings?status=PENDING`), following the cursor. */
  listAll<T>(path: string, key?: string): Promise<T[]>;
  /** Stops the server (idempotent); the data file stays. */
  close(): Promise<void>;
  /** Starts it again on the same port and data file (state persists). */
  restart(): Promise<void>;
  /** Stops the server and deletes its folder (when the fixture made it). */
  dispose(): Promise<void>;
}

export type FixtureOptions = Partial<SandboxOptions> & {
  /** Folder for the data file; a new temporary one (deleted by dispose) when absent. */
  dir?: string;
};

/** Restartable on its port: `restart()` must find that port free (test/support/ports.ts). */
function startOutsideEphemeralPorts(options: SandboxOptions): Promise<Sandbox> {
  return options.port ? startSandbox(options) : startBelowEphemeralPorts((port) => startSandbox({ ...options, port }));
}

export async function startTestSandbox(options: FixtureOptions = {}): Promise<SandboxFixture> {
  const { dir: givenDir, ...rest } = options;
  const dir = givenDir ?? (await mkdtemp(join(tmpdir(), 'orkestr-sbx-')));
  const dataFile = rest.dataFile ?? join(dir, 'sandbox.db');
  const logs: string[] = [];
  const sandboxOptions: SandboxOptions = {
    host: '127.0.0.1',
    port: 0,
    keys: [TEST_KEY],
    seed: 'none',
    adminToken: SANDBOX_ADMIN_TOKEN,
    log: (line) => {
      if (logs.length < 2000) logs.push(line);
    },
    ...rest,
    dataFile,
  };
  const defaultKey = (sandboxOptions.keys ?? [])[0]?.split(/[:@]/)[0] ?? null;
  let sandbox = await startOutsideEphemeralPorts(sandboxOptions);
  let closed = false;
  const url = (): string => sandbox.url.replace(/\/+$/, '');

  const api = (method: string, path: string, o: RequestOptions = {}): Promise<HttpAnswer> => request(url(), method, path, { ...o, key: o.key === undefined ? defaultKey : o.key });
  const admin = (method: string, path: string, body?: unknown): Promise<HttpAnswer> => request(url(), method, path, { key: null, body, headers: { authorization: `Bearer ${sandbox.adminToken}` } });
  const ok = <T>(what: string, answer: HttpAnswer): T => {
    if (answer.status < 200 || answer.status >= 300) throw new Error(`${what} → ${answer.status} ${answer.text.slice(0, 400)}`);
    return answer.body as T;
  };
  const fixture: SandboxFixture = {
    get sandbox() {
      return sandbox;
    },
    get url() {
      return url();
    },
    get port() {
      return sandbox.port;
    },
    dir,
    dataFile,
    get adminToken() {
      return sandbox.adminToken;
    },
    logs,
    api,
    admin,
    getJson: async <T>(path: string, key?: string) => ok<T>(`GET /v1${path}`, await api('GET', `/v1${path}`, key === undefined ? {} : { key })),
    adminJson: async <T>(method: string, path: string, body?: unknown) => ok<T>(`${method} /_sandbox${path}`, await admin(method, `/_sandbox${path}`, body)),
    async effects() {
      return ok<{ effects: Effect[] }>('GET /_sandbox/effects', await admin('GET', '/_sandbox/effects')).effects;
    },
    async listAll<T>(path: string, key?: string): Promise<T[]> {
      const out: T[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < 10_000; page++) {
        const sep = path.includes('?') ? '&' : '?';
        const body: { data: T[]; nextCursor: string | null; hasMore: boolean } = await fixture.getJson(`${path}${sep}limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, key);
        out.push(...body.data);
        cursor = body.nextCursor;
        if (!body.hasMore) return out;
      }
      throw new Error(`${path}: more than 10,000 pages`);
    },
    async close() {
      if (closed) return;
      closed = true;
      await sandbox.close();
    },
    async restart() {
      await fixture.close();
      sandbox = await startSandbox({ ...sandboxOptions, port: sandbox.port, seed: 'none' });
      closed = false;
    },
    async dispose() {
      await fixture.close();
      if (!givenDir) await rm(dir, { recursive: true, force: true });
    },
  };
  return fixture;
}

export async function request(base: string, method: string, path: string, o: RequestOptions = {}): Promise<HttpAnswer> {
  const headers: Record<string, string> = {};
  if (o.key) headers['authorization'] = `Bearer ${o.key}`;
  let body: string | Buffer | undefined;
  if (o.body !== undefined) {
    body = typeof o.body === 'string' || Buffer.isBuffer(o.body) ? o.body : JSON.stringify(o.body);
    headers['content-type'] = 'application/json';
  }
  if (o.idempotencyKey !== undefined) headers['idempotency-key'] = o.idempotencyKey;
  Object.assign(headers, o.headers ?? {});
  const res = await fetch(base + path, { method, headers, body, signal: AbortSignal.timeout(15_000) });
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text.length > 0 ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  return { status: res.status, headers: res.headers, text, body: parsed };
}
