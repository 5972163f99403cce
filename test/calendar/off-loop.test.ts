// Nothing long on the engine's loop: the calendar export and the feeds render in the calendar's
// worker thread (its own read-only connection), so calls made meanwhile are answered first.
import Database from 'better-sqlite3';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFeedHandler, renderFeed, findFeedByToken } from '../../src/main/core/calendar/index.ts';
import { CalendarWorker } from '../../src/main/core/calendar/render-worker.ts';
import { seedBulk } from '../../src/sandbox/index.ts';
import { openCore, readReplica, type TestCore } from '../support/core.ts';
import { startTestSandbox, TEST_KEY, type SandboxFixture } from '../support/sandbox.ts';
import { parseBoth } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'cal-off-loop-'));
let sbx: SandboxFixture;
let c: TestCore;

beforeAll(async () => {
  seedBulk(join(dir, 'sandbox.db'), { bookings: 8_000, offerings: 60 });
  sbx = await startTestSandbox({ dataFile: join(dir, 'sandbox.db') });
  c = openCore({ dbFile: join(dir, 'replica.db'), api: { url: sbx.url, key: TEST_KEY }, transport: 'bridge', appVersion: 'test', holdMs: 0 });
  const r = await c.core.runOnce(240_000);
  expect(r.pulled).toBe(true);
}, 300_000);

afterAll(async () => {
  await c.core.close();
  await sbx.dispose();
  rmSync(dir, { recursive: true, force: true });
});

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; etag: string | undefined; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (b: Buffer) => chunks.push(b));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, etag: res.headers.etag, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('calendar off the engine loop', () => {
  it('answers calls made while calendar.export renders before the export itself', async () => {
    const order: string[] = [];
    const exporting = c.call('calendar.export', { includePending: true }).then((r) => {
      order.push('export');
      return r;
    });
    // Five calls, each made on a later turn of the loop than the export.
    const calls = [1, 2, 3, 4, 5].map(
      (k) =>
        new Promise<void>((resolve) => setImmediate(resolve))
          .then(() => c.call('sync.status', {}))
          .then(() => {
            order.push(`status ${k}`);
          }),
    );
    const [result] = await Promise.all([exporting, ...calls]);
    expect(order.indexOf('export')).toBe(order.length - 1);
    expect(result.events).toBeGreaterThan(6_000);
    expect(parseBoth(result.ics ?? '').events.length).toBe(result.events);
  });

  it('with toFile, the worker writes the export beside the replica and the answer carries no text, byte for byte the text export', async () => {
    const inline = await c.call('calendar.export', { includePending: true });
    const order: string[] = [];
    const exporting = c.call('calendar.export', { includePending: true, toFile: true }).then((r) => {
      order.push('export');
      return r;
    });
    const status = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => c.call('sync.status', {}))
      .then(() => {
        order.push('status');
      });
    const [written] = await Promise.all([exporting, status]);
    expect(order).toEqual(['status', 'export']);
    expect(written.ics).toBeNull();
    expect(written.file).toBe(join(dirname(c.dbFile), 'exports', 'bookings.ics'));
    expect(written.events).toBe(inline.events);
    const bytes = readFileSync(written.file!);
    expect(bytes.length).toBe(written.bytes);
    expect(bytes.equals(Buffer.from(inline.ics!, 'utf8'))).toBe(true);
    expect(inline.bytes).toBe(written.bytes);
    // Written through a temporary file renamed into place: nothing else is left in the folder.
    expect(readdirSync(join(dirname(c.dbFile), 'exports'))).toEqual(['bookings.ics']);
  });

  it('serves a feed rendered by the worker, byte for byte what the engine would render', async () => {
    const added = await c.call('feeds.add', { name: 'Everything', filters: { includePending: true, pastDays: 4000 } });
    const worker = new CalendarWorker(c.dbFile);
    const lookup = new Database(c.dbFile, { readonly: true, fileMustExist: true });
    const handler = createFeedHandler(lookup, { worker });
    const server = createServer((req, res) => {
      if (!handler(req, res)) res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const got = await get(port, added.localPath);
      const expected = readReplica(c.dbFile, (db) => renderFeed(db, findFeedByToken(db, added.token)!));
      expect(got.status).toBe(200);
      expect(got.etag).toBe(expected.etag);
      expect(got.body.equals(expected.body)).toBe(true);
      expect((await get(port, added.localPath, { 'If-None-Match': expected.etag })).status).toBe(304);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await worker.close();
      lookup.close();
    }
  });
});
