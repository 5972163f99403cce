/**
 * Client fallbacks against a minimal server that lacks our API choices: lists as bare arrays (no
 * cursor), records without `version`, errors that are not in the spec's shape, 429 without
 * Retry-After.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openCore } from '../support/core.ts';

const KEY = 'ork_fallback.abcdefghijklmnopqrstuvwx';
let server: Server;
let url: string;
let dir: string;
let offerings: Array<Record<string, unknown>>;
let bookings: Array<Record<string, unknown>>;
let approveAnswers: Map<string, Array<{ status: number; body: string; headers?: Record<string, string> }>>;
const requests: string[] = [];

function booking(id: string, status: string): Record<string, unknown> {
  return { id, status, offeringId: 'off_1', customer: { id: 'c', name: 'N', email: 'e@x' }, items: [{ id: `${id}_i`, startsAt: '2026-06-01T10:00:00.000Z', endsAt: '2026-06-01T11:00:00.000Z' }], totalCents: 100, currency: 'USD' };
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fallback-'));
  offerings = [
    { id: 'off_1', slug: 'a', title: 'A', status: 'PUBLISHED', productTypeKey: 'space', basePriceCents: 1, currency: 'USD' },
    { id: 'off_2', slug: 'b', title: 'B', status: 'PUBLISHED', productTypeKey: 'space', basePriceCents: 1, currency: 'USD' },
  ];
  bookings = [booking('bkg_1', 'PENDING'), booking('bkg_2', 'PENDING')];
  approveAnswers = new Map();
  requests.length = 0;
  server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const path = (req.url ?? '').split('?')[0]!;
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (path === '/v1/api/me') return json(200, { tenant: { id: 't', name: 'T', subdomain: 't', displayCurrency: 'USD' } });
    if (path === '/v1/api/offerings') return json(200, offerings);
    if (path === '/v1/api/coupons') return json(200, []);
    if (path === '/v1/api/bookings') return json(200, bookings);
    if (path === '/v1/api/availability') return json(422, { message: 'offeringId required' });
    const m = /^\/v1\/api\/bookings\/([^/]+)\/approve$/.exec(path);
    if (m && req.method === 'POST') {
      const next = approveAnswers.get(m[1]!)?.shift();
      if (next) {
        res.writeHead(next.status, { 'content-type': 'text/plain', ...(next.headers ?? {}) });
        return res.end(next.body);
      }
      const b = bookings.find((x) => x['id'] === m[1])!;
      b['status'] = 'CONFIRMED';
      return json(200, b);
    }
    const g = /^\/v1\/api\/bookings\/([^/]+)$/.exec(path);
    if (g) return json(200, bookings.find((x) => x['id'] === g[1]));
    json(404, {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterEach(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

it('reads bare arrays as the whole list, re-reads them on reconciliation and marks missing offerings deleted', async () => {
  const c = openCore({ dbFile: join(dir, 'r.db'), api: { url, key: KEY }, transport: 'bridge', appVersion: 't', holdMs: 0 });
  try {
    expect((await c.core.runOnce(10_000)).pulled).toBe(true);
    expect(requests.filter((r) => r.startsWith('GET /v1/api/bookings'))[0]).toContain('limit=500');
    expect((await c.call('queue.window', { limit: 1000 })).items.map((b) => b.id)).toEqual(['bkg_1', 'bkg_2']);
    // No version: a changed record is still taken.
    bookings[0]!['status'] = 'CONFIRMED';
    offerings.pop();
    await c.core.runOnce(10_000);
    expect((await c.call('bookings.get', { id: 'bkg_1' }))?.status).toBe('CONFIRMED');
    expect((await c.call('offerings.list', {})).map((o) => o.id)).toEqual(['off_1']);
    expect((await c.call('offerings.list', { includeDeleted: true })).find((o) => o.id === 'off_2')?.deleted).toBe(true);
  } finally {
    await c.core.close();
  }
});

it('decides by status code when the error body is not in the spec shape; 429 without Retry-After backs off', async () => {
  const c = openCore({ dbFile: join(dir, 'r.db'), api: { url, key: KEY }, transport: 'bridge', appVersion: 't', holdMs: 0 });
  try {
    await c.core.runOnce(10_000);
    approveAnswers.set('bkg_2', [{ status: 429, body: 'slow down' }, { status: 502, body: '<html>bad gateway</html>' }]);
    const ok = (await c.call('bookings.approve', { id: 'bkg_2' })).intentId!;
    approveAnswers.set('bkg_1', [{ status: 409, body: 'nope' }]);
    const refused = (await c.call('bookings.approve', { id: 'bkg_1' })).intentId!;
    const r = await c.core.runOnce(20_000);
    expect(r.pushed).toBe(true);
    const intents = await c.call('intents.list');
    const states = { ok: intents.find((i) => i.id === ok)!, refused: intents.find((i) => i.id === refused)! };
    expect(states.ok.state).toBe('done');
    // The 429 and the 502 were both retried: three sends.
    expect(states.ok.attempts).toBe(3);
    expect(states.refused.state).toBe('attention');
    const [conflict] = await c.call('conflicts.list');
    expect(conflict).toMatchObject({ httpStatus: 409, code: 'HTTP_409' });
    expect((conflict!.server as { id: string }).id).toBe('bkg_1'); // fetched with GET, since no details.current
  } finally {
    await c.core.close();
  }
});
