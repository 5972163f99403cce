/**
 * The loopback bridge holds the built renderer's hashed assets in memory once read (asset-cache.ts:
 * a chunk streamed from disk waited behind the core's answer to the queue's first call, #16), and
 * still reads index.html afresh on every request (it names the current build's assets). Real
 * loopback HTTP and real files in a temporary folder.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridge, type Bridge } from '../../src/main/bridge/bridge.ts';
import type { ContractHost } from '../../src/main/dispatch.ts';
import type { ContractHandlers } from '../../src/shared/contract/schemas.ts';

let bridge: Bridge;
const dir = mkdtempSync(join(tmpdir(), 'bridge-assets-'));
const chunk = 'export const app = "' + 'x'.repeat(600_000) + '";\n';

beforeAll(async () => {
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>one</title>');
  writeFileSync(join(dir, 'assets', 'boot-abc123.js'), chunk);
  const host: ContractHost = { handlers: {} as unknown as ContractHandlers, on: () => () => {} };
  bridge = await startBridge({ host, staticDir: dir });
});
afterAll(async () => {
  await bridge?.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = async (path: string) => {
  const res = await fetch(`http://127.0.0.1:${bridge.port}${path}`);
  return { status: res.status, body: await res.text(), cache: res.headers.get('cache-control'), type: res.headers.get('content-type') };
};

describe('the bridge’s static files', () => {
  it('serves a hashed asset from memory once read (gone from disk, still whole), and index.html afresh', async () => {
    const first = await get('/assets/boot-abc123.js');
    expect([first.status, first.body.length, first.cache]).toEqual([200, chunk.length, 'public, max-age=31536000, immutable']);
    rmSync(join(dir, 'assets', 'boot-abc123.js'));
    const again = await get('/assets/boot-abc123.js');
    expect([again.status, again.body === chunk, again.type, again.cache]).toEqual([200, true, first.type, first.cache]);
    expect((await get('/assets/other-def456.js')).status).toBe(404);
    expect((await get('/')).body).toContain('<title>one</title>');
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>two</title>');
    expect((await get('/')).body).toContain('<title>two</title>');
  });
});
