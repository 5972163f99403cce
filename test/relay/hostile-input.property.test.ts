/**
 * Property-based tests of the relay's outside input against the real thing: arbitrary request paths
 * sent to a running relay over loopback HTTP (and WebSocket upgrades), and arbitrary frames sent by a
 * real WebSocket server to the real device stream client. Bounded runs (fast-check), inside npm test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { connectRelayStream, type RelayEvent } from '../../src/relay/protocol/index.ts';
import { startRelay, type RelayHandle } from '../../src/relay/server.ts';
import { waitFor } from '../support/wait-for.ts';
import { adminToken, createChannel, type Channel } from './helpers.ts';

/** Path segments an attacker would try: escapes (valid, truncated, invalid UTF-8), dots, ids, junk. */
const segment = fc.oneof(
  fc.constantFrom('in', 'feeds', 'v1', 'channels', 'stream', 'devices', 'healthz', 'metrics', '..', '.', '', 'x.ics'),
  fc.constantFrom('%', '%2', '%zz', '%E0%A4%A', '%C0%AF', '%FF', '%00', '%2F', '%25', '%F0%9F%98', '%ED%A0%80'),
  fc.stringMatching(/^ch_[A-Za-z0-9_-]{16,30}$/),
  fc.string({ unit: fc.constantFrom('a', 'Z', '0', '_', '-', '%', '.', '~', '!', '$', '&', "'", '(', '*', '+', ',', ';', '=', ':', '@'), maxLength: 12 }),
);
const hostilePath = fc
  .tuple(fc.array(segment, { minLength: 0, maxLength: 6 }), fc.constantFrom('', '?', '?cursor=%', '?token=%E0%A4%A', '?a=1&b', '#x'), fc.boolean())
  .map(([parts, query, doubleSlash]) => `${doubleSlash ? '/' : ''}/${parts.join('/')}${query}`);

function rawRequest(base: string, method: string, path: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}/`, { method, path, headers, agent: false }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
    });
    req.once('error', reject);
    req.end();
  });
}

/** Sends a WebSocket upgrade by hand (any path) and returns the status line's code. */
function rawUpgrade(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      text += d;
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      if (m) {
        socket.destroy();
        resolve(Number(m[1]));
      }
    });
    socket.once('error', reject);
    socket.once('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0)));
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n` +
        `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nAuthorization: Bearer rdt_not_a_token\r\n\r\n`,
    );
  });
}

describe('hostile request paths against a running relay', () => {
  let relay: RelayHandle;
  let dir: string;
  let channel: Channel;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'relay-prop-'));
    relay = await startRelay({ store: join(dir, 'relay.db'), adminToken });
    channel = await createChannel(relay.url);
  });

  afterAll(async () => {
    await relay?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers every path with a 2xx-4xx, never 500/503, for each method', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(hostilePath, fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'HEAD'), fc.boolean(), async (path, method, asAdmin) => {
        const headers: Record<string, string> = asAdmin ? { authorization: `Bearer ${adminToken}` } : {};
        const status = await rawRequest(relay.url, method, path, headers);
        expect(status, `${method} ${path}`).toBeGreaterThanOrEqual(200);
        expect(status, `${method} ${path}`).toBeLessThan(500);
      }),
      { numRuns: 200 },
    );
    // The channel still works after all that.
    expect(await rawRequest(relay.url, 'GET', `/v1/channels/${channel.id}`, { authorization: `Bearer ${adminToken}` })).toBe(200);
  });

  it('refuses every hostile stream upgrade with 400/401/404, never 5xx', { timeout: 120_000 }, async () => {
    const streamish = fc
      .tuple(fc.oneof(segment, fc.constant(channel.id)), fc.constantFrom('', '?cursor=%', '?cursor=1e3', '?token=%E0%A4%A', '?cursor=-1'))
      .map(([id, query]) => `/v1/channels/${id}/stream${query}`);
    await fc.assert(
      fc.asyncProperty(fc.oneof(streamish, hostilePath), async (path) => {
        const status = await rawUpgrade(relay.port, path);
        expect([400, 401, 404], path).toContain(status);
      }),
      { numRuns: 200 },
    );
  });
});

/** Arbitrary JSON values, plus near-valid frames with one field wrong. */
const nearFrame = fc.oneof(
  fc.record({ type: fc.constant('event'), seq: fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(null), fc.constant(1e300)), deliveryId: fc.oneof(fc.string(), fc.constant(null), fc.integer()), headers: fc.oneof(fc.dictionary(fc.string(), fc.string()), fc.constant(null), fc.array(fc.string())), body: fc.oneof(fc.base64String(), fc.integer(), fc.constant(null), fc.string()), receivedAt: fc.oneof(fc.string(), fc.integer()) }, { requiredKeys: [] }),
  fc.record({ type: fc.constant('gap'), from: fc.oneof(fc.integer(), fc.string(), fc.constant(null)), to: fc.oneof(fc.integer(), fc.string(), fc.constant(1e300)) }, { requiredKeys: [] }),
  fc.record({ type: fc.constant('heartbeat'), at: fc.oneof(fc.string(), fc.integer()) }, { requiredKeys: [] }),
  fc.jsonValue(),
);

describe('the device stream client against a relay that sends hostile frames', () => {
  let server: WebSocketServer;
  let port: number;
  let nextFrame = '';
  /** The hostile frame goes out on the first connection of a run only (the client may drop it and come back). */
  let hostileSent = false;

  beforeAll(async () => {
    server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    port = (server.address() as { port: number }).port;
    server.on('connection', (ws: WebSocket) => {
      ws.send(JSON.stringify({ type: 'hello', channelId: 'ch_0123456789abcdefgh', deviceId: 'dev_01234567', cursor: 0, lastSeq: 1, heartbeatMs: 60_000 }));
      if (!hostileSent) ws.send(nextFrame);
      hostileSent = true;
      ws.send(JSON.stringify({ type: 'event', seq: 1, deliveryId: 'dlv_ok', headers: {}, body: Buffer.from('{"ok":true}').toString('base64'), receivedAt: new Date(0).toISOString() }));
    });
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('never throws, never hands on a malformed event, and never moves its cursor past a valid one', { timeout: 180_000 }, async () => {
    const crashes: unknown[] = [];
    const onCrash = (error: unknown): void => {
      crashes.push(error);
    };
    process.on('uncaughtException', onCrash);
    try {
      await fc.assert(
        fc.asyncProperty(nearFrame, async (frame) => {
          nextFrame = JSON.stringify(frame);
          hostileSent = false;
          const events: RelayEvent[] = [];
          const states: string[] = [];
          const stream = connectRelayStream({
            url: `http://127.0.0.1:${port}`,
            channelId: 'ch_0123456789abcdefgh',
            deviceToken: 'rdt_test',
            minBackoffMs: 10,
            maxBackoffMs: 20,
            onEvent: (ev) => {
              events.push(ev);
            },
            onStatus: (s) => states.push(s.state),
          });
          try {
            // Either the frame was refused (the client drops the connection and comes back) or it was
            // a valid event or gap, which legitimately moves the cursor to its seq: then the good
            // event with seq 1 is below it and skipped. The stream goes on in both cases.
            const movedOn = (): boolean => {
              const at = stream.cursor();
              return at !== undefined && at >= 1;
            };
            await waitFor(() => events.some((e) => e.deliveryId === 'dlv_ok') || movedOn() || crashes.length > 0, `the stream to go on after ${nextFrame}`, 10_000);
          } finally {
            await stream.close();
          }
          expect(crashes).toEqual([]);
          for (const ev of events) {
            expect(Number.isSafeInteger(ev.seq) && ev.seq >= 1, nextFrame).toBe(true);
            expect(Buffer.isBuffer(ev.body), nextFrame).toBe(true);
            expect(ev.deliveryId === null || typeof ev.deliveryId === 'string', nextFrame).toBe(true);
            expect(Object.values(ev.headers ?? {}).every((v) => typeof v === 'string'), nextFrame).toBe(true);
            expect(ev.headers !== null && typeof ev.headers === 'object' && !Array.isArray(ev.headers), nextFrame).toBe(true);
          }
          const at = stream.cursor();
          expect(at === undefined || (Number.isSafeInteger(at) && at >= 1), nextFrame).toBe(true);
          const good = events.find((e) => e.deliveryId === 'dlv_ok');
          expect(good === undefined ? at! >= 1 : good.body.toString() === '{"ok":true}', nextFrame).toBe(true);
        }),
        { numRuns: 200 },
      );
    } finally {
      process.off('uncaughtException', onCrash);
    }
  });
});
