import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { ContractEvents, EventName, SyncStatus } from '../../shared/contract/types.ts';
import type { ContractHandlers } from '../../shared/contract/schemas.ts';
import { rendererCsp } from '../../shared/csp.ts';
import type { ContractHost } from '../dispatch.ts';
import { startBridge, type Bridge } from './bridge.ts';

/** A small contract host: the transport is under test here, not the core. */
function makeHost(): ContractHost & { emit: <E extends EventName>(event: E, payload: ContractEvents[E]) => void } {
  const listeners = new Set<(event: EventName, payload: unknown) => void>();
  const status: SyncStatus = { connection: 'online', reason: null, reasonCode: null, progress: null, outboxLength: 0, conflicts: 0, lastSyncAt: null };
  const handlers = {
    'sync.status': () => status,
    'bookings.approve': (input: { id: string }) => ({ intentId: `int_for_${input.id}` }),
  } as unknown as ContractHandlers;
  return {
    handlers,
    on(listener) {
      const l = listener as (event: EventName, payload: unknown) => void;
      listeners.add(l);
      return () => listeners.delete(l);
    },
    emit(event, payload) {
      for (const l of listeners) l(event, payload);
    },
  };
}

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** node:http instead of fetch: fetch forbids setting Host, which these tests must forge. */
function raw(bridge: Bridge, path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: bridge.port, path, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

function call(bridge: Bridge, body: unknown, headers: Record<string, string> = {}): Promise<RawAnswer> {
  return raw(bridge, '/api/call', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${bridge.token}`, ...headers },
    body: JSON.stringify(body),
  });
}

function openSocket(url: string, origin?: string): Promise<{ ws: WebSocket; opened: boolean; status?: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, origin ? { origin } : {});
    ws.once('open', () => resolve({ ws, opened: true }));
    ws.once('unexpected-response', (_req, res) => resolve({ ws, opened: false, status: res.statusCode }));
    ws.once('error', () => resolve({ ws, opened: false }));
  });
}

describe('loopback bridge', () => {
  let bridge: Bridge;
  const host = makeHost();

  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bridge-'));
    await mkdir(join(dir, 'assets'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>console</title>');
    await writeFile(join(dir, 'assets', 'app.js'), 'console.log(1)');
    await writeFile(join(dir, '..', 'secret.txt'), 'do not serve');
    bridge = await startBridge({
      host,
      staticDir: dir,
      routes: (req, res) => {
        if (!req.url?.startsWith('/calendar/')) return false;
        res.writeHead(200, { 'Content-Type': 'text/calendar; charset=utf-8' }).end('BEGIN:VCALENDAR\r\n');
        return true;
      },
    });
  });
  afterAll(async () => bridge.close());

  it('binds to loopback and puts the token in the URL fragment', () => {
    expect(bridge.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(bridge.openUrl).toBe(`${bridge.url}/#token=${bridge.token}`);
    expect(bridge.token.length).toBeGreaterThanOrEqual(32);
  });

  it('refuses a body over its limit with a 413 the browser can read', async () => {
    const small = await startBridge({ host, maxBodyBytes: 1024 });
    try {
      const answer = await call(small, { method: 'bookings.approve', input: { id: 'x'.repeat(2048) } });
      expect(answer.status).toBe(413);
      expect(answer.headers['connection']).toBe('close');
      expect(JSON.parse(answer.body)).toEqual({ ok: false, error: { code: 'BAD_INPUT', message: 'Body over 1024 bytes' } });
      expect((await call(small, { method: 'bookings.approve', input: { id: 'bkg_2' } })).status).toBe(200);
    } finally {
      await small.close();
    }
  });

  it('answers a call with the right token', async () => {
    const answer = await call(bridge, { method: 'bookings.approve', input: { id: 'bkg_1' } });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ ok: true, result: { intentId: 'int_for_bkg_1' } });
  });

  it('refuses a call without the token or with a wrong one', async () => {
    const none = await raw(bridge, '/api/call', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"method":"sync.status","input":{}}' });
    expect(none.status).toBe(401);
    const wrong = await call(bridge, { method: 'sync.status', input: {} }, { Authorization: `Bearer ${'x'.repeat(bridge.token.length)}` });
    expect(wrong.status).toBe(401);
  });

  it('refuses a foreign Origin even with the token', async () => {
    const answer = await call(bridge, { method: 'sync.status', input: {} }, { Origin: 'http://evil.example' });
    expect(answer.status).toBe(403);
    const ok = await call(bridge, { method: 'sync.status', input: {} }, { Origin: bridge.url });
    expect(ok.status).toBe(200);
  });

  it('refuses a foreign Host (DNS rebinding) even with the token', async () => {
    const answer = await call(bridge, { method: 'sync.status', input: {} }, { Host: `evil.example:${bridge.port}` });
    expect(answer.status).toBe(403);
    const page = await raw(bridge, '/', { headers: { Host: 'evil.example' } });
    expect(page.status).toBe(403);
    const local = await raw(bridge, '/', { headers: { Host: `localhost:${bridge.port}` } });
    expect(local.status).toBe(200);
  });

  it('validates input against the contract and says which field is wrong', async () => {
    const answer = await call(bridge, { method: 'bookings.approve', input: { id: 42 } });
    expect(answer.status).toBe(400);
    const body = JSON.parse(answer.body) as { ok: boolean; error: { code: string; fields: Array<{ path: string }> } };
    expect(body.error.code).toBe('BAD_INPUT');
    expect(body.error.fields[0]?.path).toBe('id');
    const unknown = await call(bridge, { method: 'fs.readFile', input: {} });
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body).error.code).toBe('UNKNOWN_METHOD');
  });

  it('needs JSON content type so a cross-site form cannot post', async () => {
    const answer = await raw(bridge, '/api/call', {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain', Authorization: `Bearer ${bridge.token}` },
      body: '{"method":"sync.status","input":{}}',
    });
    expect(answer.status).toBe(415);
  });

  it('serves the renderer with a strict CSP and falls back to index.html', async () => {
    const page = await raw(bridge, '/queue');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>console</title>');
    // The one policy (src/shared/csp.ts), with the bridge's own WebSocket origins to connect to.
    expect(page.headers['content-security-policy']).toBe(rendererCsp({ connectSrc: [`ws://127.0.0.1:${bridge.port}`, `ws://localhost:${bridge.port}`] }));
    const asset = await raw(bridge, '/assets/app.js');
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toContain('text/javascript');
    const missing = await raw(bridge, '/assets/missing.js');
    expect(missing.status).toBe(404);
  });

  it('serves routes with their own credential (calendar feeds) without the bridge token, but still checks Host', async () => {
    const feed = await raw(bridge, '/calendar/abc.ics');
    expect(feed.status).toBe(200);
    expect(feed.body).toBe('BEGIN:VCALENDAR\r\n');
    const rebound = await raw(bridge, '/calendar/abc.ics', { headers: { Host: 'evil.example' } });
    expect(rebound.status).toBe(403);
  });

  it('never serves files outside the renderer folder', async () => {
    const answer = await raw(bridge, '/..%2fsecret.txt');
    expect(answer.body).not.toContain('do not serve');
    const dotted = await raw(bridge, '/assets/../../secret.txt');
    expect(dotted.body).not.toContain('do not serve');
  });

  it('pushes contract events over the WebSocket only with the token and a local Origin', async () => {
    const wsUrl = `ws://127.0.0.1:${bridge.port}/api/events`;
    const noToken = await openSocket(wsUrl);
    expect(noToken.opened).toBe(false);
    expect(noToken.status).toBe(403);
    const foreign = await openSocket(`${wsUrl}?token=${bridge.token}`, 'http://evil.example');
    expect(foreign.opened).toBe(false);
    const good = await openSocket(`${wsUrl}?token=${bridge.token}`, bridge.url);
    expect(good.opened).toBe(true);
    const received = new Promise<unknown>((resolve) => good.ws.once('message', (data) => resolve(JSON.parse(String(data)))));
    host.emit('queue.new', { count: 1, bookingIds: ['bkg_9'] });
    expect(await received).toEqual({ event: 'queue.new', payload: { count: 1, bookingIds: ['bkg_9'] } });
    good.ws.close();
  });
});
