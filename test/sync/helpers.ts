import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type SandboxOptions } from '../../src/sandbox/index.ts';
import { waitFor as sharedWaitFor } from '../support/wait-for.ts';

export const KEY = 'ork_synctest.abcdefghijklmnopqrstuvwx';
export const KEY2 = 'ork_synctst2.ZYXWVUTSRQPONMLKJIHGFEDCBA';

export interface TestSandbox {
  url: string;
  dir: string;
  admin<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  /** GET on the v1 API with the test key. */
  api<T = unknown>(path: string, key?: string): Promise<T>;
  effects(): Promise<Array<{ idempotencyKey: string; kind: string; targetId: string; at: string }>>;
  close(): Promise<void>;
}

export async function sandbox(opts: Partial<SandboxOptions> = {}): Promise<TestSandbox> {
  const dir = mkdtempSync(join(tmpdir(), 'sync-test-'));
  const sbx = await startSandbox({ dataFile: join(dir, 'sandbox.db'), port: 0, keys: [KEY], seed: 'demo', adminToken: 'admin-test-token', ...opts });
  const admin = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${sbx.url}/_sandbox${path}`, {
      method,
      headers: { authorization: `Bearer ${sbx.adminToken}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} /_sandbox${path} → ${res.status} ${text}`);
    return (text ? JSON.parse(text) : null) as T;
  };
  return {
    url: sbx.url,
    dir,
    admin,
    async api<T>(path: string, key = KEY): Promise<T> {
      const res = await fetch(`${sbx.url}/v1${path}`, { headers: { authorization: `Bearer ${key}` } });
      if (!res.ok) throw new Error(`GET ${path} → ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    },
    async effects() {
      return (await admin<{ effects: Array<{ idempotencyKey: string; kind: string; targetId: string; at: string }> }>('GET', '/effects')).effects;
    },
    async close() {
      await sbx.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Waits for a condition with a bounded polling loop. */
export function waitFor<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 20_000, everyMs = 25): Promise<NonNullable<T>> {
  return sharedWaitFor(fn, what, timeoutMs, everyMs);
}

/** Every record of a list endpoint, following the cursor. */
export async function listAll<T>(s: TestSandbox, path: string, key?: string): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 10_000; i++) {
    const sep = path.includes('?') ? '&' : '?';
    const page: { data: T[]; nextCursor: string | null; hasMore: boolean } = await s.api(`${path}${sep}limit=500${cursor ? `&cursor=${cursor}` : ''}`, key);
    out.push(...page.data);
    cursor = page.nextCursor;
    if (!page.hasMore) break;
  }
  return out;
}
