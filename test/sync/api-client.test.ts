/**
 * Unit: the Orkestr API client against a real HTTP server on loopback that answers what each test
 * scripts and notes what it received (headers, arrival time). What the client sends, how it reads
 * every kind of answer, and how a Retry-After blocks the budget it shares with the rest of sync.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApiClient, ApiError, apiBase, kindForStatus, parseListPage, parseRetryAfter } from '../../src/main/core/sync/api-client.ts';
import { RateBudget } from '../../src/main/core/sync/rate-budget.ts';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}
interface Scripted {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Never answer (to test the client's timeout). */
  hang?: boolean;
}

const KEY = 'ork_apiunit1.api-client-secret-0123';
let server: Server;
let origin: string;
/** This test's base URL: `/t<n>` in front of the path, so a late request of an earlier test (one it aborted) cannot take this test's answers. */
let base: string;
let testNo = 0;
const sockets = new Set<Socket>();
let seen: Seen[] = [];
let script: Scripted[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const tagged = /^\/t(\d+)(\/.*)$/.exec(req.url ?? '');
      if (!tagged || Number(tagged[1]) !== testNo) {
        res.writeHead(410).end();
        return;
      }
      seen.push({ method: req.method ?? '', url: tagged[2]!, headers: req.headers, body, at: Date.now() });
      const next = script.shift() ?? { status: 200, body: '{}' };
      if (next.hang) return;
      res.writeHead(next.status, { 'content-type': 'application/json', ...next.headers });
      res.end(next.body ?? '');
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  testNo++;
  base = `${origin}/t${testNo}`;
  seen = [];
  script = [];
});

const client = (budget = new RateBudget()): ApiClient => new ApiClient({ url: base, key: KEY, budget });
const error = (code: string, message: string, details?: unknown): string => JSON.stringify({ error: { code, message, ...(details ? { details } : {}) } });

async function failure(p: Promise<unknown>): Promise<ApiError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(ApiError);
  return e as ApiError;
}

describe('ApiClient requests', () => {
  it('sends the key as Bearer, JSON with its type, and the Idempotency-Key on writes; reads JSON and a replay mark', async () => {
    script = [
      { status: 200, body: '{"tenant":{"id":"tnt_1"}}' },
      { status: 201, headers: { 'idempotent-replayed': 'true' }, body: '{"id":"bkg_1","status":"CONFIRMED"}' },
    ];
    const api = client();
    const me = await api.get('/api/me');
    expect(me).toMatchObject({ status: 200, body: { tenant: { id: 'tnt_1' } }, replayed: false });
    const w = await api.request('POST', '/api/bookings/bkg_1/approve', { body: '{}', idempotencyKey: 'idem-1', priority: 'user' });
    expect(w).toMatchObject({ status: 201, body: { id: 'bkg_1' }, replayed: true });
    expect(seen.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /v1/api/me', 'POST /v1/api/bookings/bkg_1/approve']);
    expect(seen[0]!.headers).toMatchObject({ authorization: `Bearer ${KEY}`, accept: 'application/json' });
    expect(seen[0]!.headers['idempotency-key']).toBeUndefined();
    expect(seen[0]!.headers['content-type']).toBeUndefined();
    expect(seen[1]!.headers).toMatchObject({ 'idempotency-key': 'idem-1', 'content-type': 'application/json' });
    expect(seen[1]!.body).toBe('{}');
  });

  it('addresses v1 whether or not the URL names it', () => {
    expect(apiBase('https://api.orkestr.in')).toBe('https://api.orkestr.in/v1');
    expect(apiBase('https://api.orkestr.in/v1/')).toBe('https://api.orkestr.in/v1');
    expect(new ApiClient({ url: `${base}/v1`, key: KEY }).base).toBe(`${base}/v1`);
  });
});

describe('ApiClient failures', () => {
  it('reads the documented error shape, and sorts each status into what the caller does with it', async () => {
    script = [{ status: 409, body: error('BOOKING_NOT_PENDING', 'Booking is CANCELLED', { current: { status: 'CANCELLED' } }) }];
    const e = await failure(client().request('POST', '/api/bookings/b/approve', { body: '{}' }));
    expect(e).toMatchObject({ status: 409, code: 'BOOKING_NOT_PENDING', message: 'Booking is CANCELLED', kind: 'permanent', details: { current: { status: 'CANCELLED' } }, retryAfterMs: null });
    const kinds = Object.fromEntries([400, 401, 403, 404, 408, 409, 422, 425, 429, 500, 502, 503].map((s) => [s, kindForStatus(s)]));
    expect(kinds).toEqual({
      400: 'permanent',
      401: 'auth',
      403: 'forbidden',
      404: 'notFound',
      408: 'transient',
      409: 'permanent',
      422: 'permanent',
      425: 'transient',
      429: 'transient',
      500: 'transient',
      502: 'transient',
      503: 'transient',
    });
  });

  it('falls back to the status alone when the body is not the error shape', async () => {
    script = [
      { status: 502, headers: { 'content-type': 'text/html' }, body: '<html>Bad gateway</html>' },
      { status: 422, body: '{"message":"nope"}' },
    ];
    const api = client();
    const html = await failure(api.get('/api/offerings'));
    expect(html).toMatchObject({ status: 502, code: 'HTTP_502', kind: 'transient', details: null });
    expect(html.message).toBe('GET /api/offerings answered 502: <html>Bad gateway</html>');
    const other = await failure(api.get('/api/offerings'));
    expect(other).toMatchObject({ status: 422, code: 'HTTP_422', kind: 'permanent' });
  });

  it('a closed port and a server that never answers are network failures', async () => {
    const closed = new ApiClient({ url: 'http://127.0.0.1:9', key: KEY });
    expect(await failure(closed.get('/api/me'))).toMatchObject({ status: 0, code: 'NETWORK', kind: 'network' });
    script = [{ status: 200, hang: true }];
    expect(await failure(client().get('/api/me', { timeoutMs: 300 }))).toMatchObject({ status: 0, kind: 'network' });
  });

  it('a caller\'s abort is the caller\'s, not a network failure', async () => {
    script = [{ status: 200, hang: true }];
    const abort = new AbortController();
    const pending = client().get('/api/me', { signal: abort.signal });
    setTimeout(() => abort.abort(new Error('sync stopped')), 50);
    await expect(pending).rejects.toThrow('sync stopped');
  });
});

describe('Retry-After', () => {
  it('parses seconds and HTTP dates; ignores what is neither', () => {
    const now = Date.parse('2026-05-12T10:00:00.000Z');
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter(' 1.5 ', now)).toBe(1500);
    expect(parseRetryAfter('Tue, 12 May 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Tue, 12 May 2026 09:59:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });

  it('a 429 with Retry-After blocks the shared budget: the next request, of any caller, arrives no sooner', async () => {
    script = [{ status: 429, headers: { 'retry-after': '1' }, body: error('RATE_LIMITED', 'slow down') }, { status: 200, body: '{}' }];
    const budget = new RateBudget();
    const push = client(budget);
    const pull = client(budget);
    const e = await failure(push.request('POST', '/api/bookings/b/approve', { body: '{}', priority: 'user' }));
    expect(e).toMatchObject({ status: 429, kind: 'transient', retryAfterMs: 1000 });
    await pull.get('/api/bookings');
    expect(seen).toHaveLength(2);
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(1000);
  });

  it('an HTTP-date Retry-After blocks until that date', async () => {
    const until = Math.ceil((Date.now() + 1500) / 1000) * 1000;
    script = [{ status: 429, headers: { 'retry-after': new Date(until).toUTCString() }, body: error('RATE_LIMITED', 'slow down') }, { status: 200, body: '{}' }];
    const api = client();
    const e = await failure(api.get('/api/me'));
    expect(e.retryAfterMs).toBeGreaterThan(0);
    expect(e.retryAfterMs).toBeLessThanOrEqual(until - seen[0]!.at);
    await api.get('/api/me');
    expect(seen[1]!.at).toBeGreaterThanOrEqual(until);
  });

  it('a 429 without Retry-After still blocks for a second; a 503 blocks only when it says how long', async () => {
    const budget = new RateBudget();
    script = [{ status: 429, body: error('RATE_LIMITED', 'slow down') }];
    const before = Date.now();
    expect(await failure(client(budget).get('/api/me'))).toMatchObject({ status: 429, retryAfterMs: null });
    expect(budget.blockedUntil).toBeGreaterThanOrEqual(before + 1000);

    const plain = new RateBudget();
    script = [{ status: 503, body: error('UNAVAILABLE', 'down') }];
    expect(await failure(client(plain).get('/api/me'))).toMatchObject({ status: 503, kind: 'transient', retryAfterMs: null });
    expect(plain.blockedUntil).toBe(0);

    const told = new RateBudget();
    script = [{ status: 503, headers: { 'retry-after': '3' }, body: error('UNAVAILABLE', 'down') }];
    const at = Date.now();
    expect(await failure(client(told).get('/api/me'))).toMatchObject({ status: 503, retryAfterMs: 3000 });
    expect(told.blockedUntil).toBeGreaterThanOrEqual(at + 3000);
  });
});

describe('parseListPage', () => {
  it('reads the spec\'s page, and falls back for a bare array or a page without a cursor', () => {
    expect(parseListPage({ data: [1, 2], nextCursor: 'c2', hasMore: true })).toEqual({ data: [1, 2], nextCursor: 'c2', hasMore: true, cursorSupported: true });
    expect(parseListPage({ data: [1], nextCursor: null, hasMore: false })).toEqual({ data: [1], nextCursor: null, hasMore: false, cursorSupported: true });
    expect(parseListPage([1, 2, 3])).toEqual({ data: [1, 2, 3], nextCursor: null, hasMore: false, cursorSupported: false });
    expect(parseListPage({ items: [4] })).toEqual({ data: [4], nextCursor: null, hasMore: false, cursorSupported: false });
    expect(parseListPage('nonsense')).toEqual({ data: [], nextCursor: null, hasMore: false, cursorSupported: false });
  });
});
