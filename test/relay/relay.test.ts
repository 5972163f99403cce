import { createHmac } from 'node:crypto';
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startRelay, type RelayHandle } from '../../src/relay/server.ts';
import { getTestPostgres, type TestPostgres } from '../support/postgres.ts';
import { waitFor } from '../support/wait-for.ts';
import { addDevice, adminToken, collect, createChannel, postMany, postWebhook, webhookSecret } from './helpers.ts';

const maxBodyBytes = 64 * 1024;
/** Feeds are whole calendars: their own, larger limit. */
const maxFeedBytes = 512 * 1024;
const day = 86_400_000;

/** Opens a raw WebSocket to a channel stream and records every message (for protocol-level checks). */
function rawStream(baseUrl: string, channelId: string, token: string, query = ''): Promise<{ ws: WebSocket; messages: Array<Record<string, unknown>> } | { status: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/v1/channels/${channelId}/stream${query}`, { headers: { authorization: `Bearer ${token}` } });
    const messages: Array<Record<string, unknown>> = [];
    ws.on('message', (d: Buffer) => messages.push(JSON.parse(d.toString()) as Record<string, unknown>));
    ws.once('open', () => resolve({ ws, messages }));
    ws.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0 });
      ws.terminate();
    });
    ws.once('error', (e) => reject(e));
  });
}

function closeWs(ws: WebSocket): Promise<void> {
  return new Promise((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) return resolve();
    ws.once('close', () => resolve());
    ws.close();
  });
}

/** Posts a body of `size` bytes in chunks without Content-Length (chunked), like a streaming sender. */
function postChunked(url: string, size: number): Promise<number | 'reset'> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-orkestr-delivery-id': 'dlv_big_chunked' } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve('reset'));
    const chunk = Buffer.alloc(16 * 1024, 0x20);
    let sent = 0;
    const pump = (): void => {
      while (sent < size) {
        sent += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
      req.end();
    };
    pump();
  });
}

const stores = ['sqlite', 'sqlite-thread', 'postgres'] as const;

describe.each(stores)('relay on %s', (kind) => {
  let relay: RelayHandle;
  let pgServer: TestPostgres | undefined;
  let dir: string;
  let clockOffset = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'relay-test-'));
    let store: string;
    if (kind === 'postgres') {
      pgServer = await getTestPostgres();
      store = pgServer.url;
    } else {
      store = join(dir, 'relay.db');
    }
    relay = await startRelay({
      store,
      adminToken,
      maxBodyBytes,
      maxFeedBytes,
      heartbeatMs: 200,
      retentionMs: 7 * day,
      purgeIntervalMs: 3_600_000,
      now: () => Date.now() + clockOffset,
      publicUrl: 'https://relay.example.test/',
      sqliteWriterThread: kind === 'sqlite-thread',
    });
  });

  afterAll(async () => {
    await relay?.close();
    await pgServer?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates channels only for the admin, with an absolute ingress URL and a device token', async () => {
    const denied = await fetch(`${relay.url}/v1/channels`, { method: 'POST', headers: { authorization: 'Bearer wrong-token-wrong-token' } });
    expect(denied.status).toBe(401);
    const ch = await createChannel(relay.url);
    expect(ch.id).toMatch(/^ch_[A-Za-z0-9_-]{30,}$/);
    expect(ch.ingressUrl).toBe(`https://relay.example.test/in/${ch.id}`);
    expect(ch.deviceToken).toMatch(/^rdt_/);
    const info = await fetch(`${relay.url}/v1/channels/${ch.id}`, { headers: { authorization: `Bearer ${adminToken}` } });
    const body = (await info.json()) as { devices: Array<{ deviceId: string }>; lastSeq: number };
    expect(body.devices.map((d) => d.deviceId)).toEqual([ch.deviceId]);
    expect(body.lastSeq).toBe(0);
    // Tokens are stored hashed: the channel listing never shows them.
    expect(JSON.stringify(body)).not.toContain(ch.deviceToken);
  });

  it('delivers bodies byte-identical (whitespace, key order, non-ASCII, stray bytes) with their headers', async () => {
    const ch = await createChannel(relay.url);
    const ingress = `${relay.url}/in/${ch.id}`;
    const bodies = [
      Buffer.from('{"event":"booking.confirmed","data":{"z":1,"a":2}}'),
      Buffer.from('{ "data" : { "b":1.50 , "a": [ 1,2 ,3 ] },\n\t"event":"booking.cancelled"   }\r\n'),
      Buffer.from('{"event":"review.created","data":{"body":"Très bien — 日本語 🎉 \\u00e9","rating":5}}', 'utf8'),
      Buffer.concat([Buffer.from('{"event":"webhook.test","data":{"message":"'), Buffer.from([0xff, 0xfe, 0x00, 0x80]), Buffer.from('"}}')]),
      Buffer.from('{"event":"dispute.opened","data":{"n":1e3,"m":-0.0,"dup":1,"dup":2}}'),
    ];
    for (let i = 0; i < bodies.length; i++) {
      const r = await postWebhook(ingress, bodies[i]!, `dlv_bytes_${i}`, i === 2 ? 'review.created' : 'booking.confirmed');
      expect(r).toEqual({ status: 202, seq: i + 1 });
    }
    const c = collect(relay.url, ch.id, ch.deviceToken);
    try {
      await waitFor(() => c.events.length >= bodies.length, 'all bodies');
      for (let i = 0; i < bodies.length; i++) {
        const ev = c.events[i]!;
        expect(ev.seq).toBe(i + 1);
        expect(ev.deliveryId).toBe(`dlv_bytes_${i}`);
        expect(Buffer.compare(ev.body, bodies[i]!)).toBe(0);
        // An independent HMAC over the received bytes matches the sender's signature header.
        const mac = createHmac('sha256', webhookSecret).update(ev.body).digest('hex');
        expect(ev.headers['x-orkestr-signature']).toBe(mac);
        expect(ev.headers['content-type']).toBe('application/json');
        expect(ev.headers['x-orkestr-delivery-id']).toBe(`dlv_bytes_${i}`);
      }
      expect(c.events[2]!.headers['x-orkestr-event']).toBe('review.created');
    } finally {
      await c.stream.close();
    }
  });

  it('refuses oversized bodies with 413 and stores nothing; unknown channel is 404', async () => {
    const ch = await createChannel(relay.url);
    const ingress = `${relay.url}/in/${ch.id}`;
    const big = Buffer.alloc(maxBodyBytes + 1, 0x61);
    expect((await postWebhook(ingress, big, 'dlv_big_1')).status).toBe(413);
    // The relay answers 413 and cuts the connection while the sender is still writing: which of the
    // two the sender sees first is a race. Either way the relay refused it: it is counted below (3
    // too-large bodies) and nothing was stored (the next body gets seq 1).
    const chunked = await postChunked(ingress, 4 * 1024 * 1024);
    expect([413, 'reset']).toContain(chunked);
    // A sender announcing a big body with Expect: 100-continue is refused before it sends it.
    const expectContinue = await new Promise<{ status: number; continued: boolean }>((resolve, reject) => {
      let continued = false;
      const req = request(ingress, { method: 'POST', headers: { 'content-length': String(maxBodyBytes * 4), expect: '100-continue' } }, (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, continued });
      });
      req.on('continue', () => {
        continued = true;
        req.end(Buffer.alloc(maxBodyBytes * 4));
      });
      req.on('error', reject);
      req.flushHeaders();
    });
    expect(expectContinue).toEqual({ status: 413, continued: false });
    // Exactly at the limit is fine, and gets seq 1: nothing was stored for the refused ones.
    const atLimit = await postWebhook(ingress, Buffer.alloc(maxBodyBytes, 0x62), 'dlv_ok');
    expect(atLimit).toEqual({ status: 202, seq: 1 });

    expect((await postWebhook(`${relay.url}/in/ch_doesnotexist0000000000000000`, '{}', 'dlv_x')).status).toBe(404);
    expect((await postWebhook(`${relay.url}/in/not-a-channel`, '{}', 'dlv_x')).status).toBe(404);
    const get = await fetch(ingress);
    expect(get.status).toBe(405);

    const metrics = await (await fetch(`${relay.url}/metrics`, { headers: { authorization: `Bearer ${adminToken}` } })).text();
    const tooLarge = Number(/orkestr_relay_rejected_bodies_total\{reason="too_large"\} (\d+)/.exec(metrics)?.[1]);
    expect(tooLarge).toBe(3);
    expect(Number(/orkestr_relay_rejected_bodies_total\{reason="unknown_channel"\} (\d+)/.exec(metrics)?.[1])).toBeGreaterThanOrEqual(2);
  });

  it('stores a repeated delivery id once and answers 200 with the original seq', async () => {
    const ch = await createChannel(relay.url);
    const ingress = `${relay.url}/in/${ch.id}`;
    expect(await postWebhook(ingress, '{"a":1}', 'dlv_same')).toEqual({ status: 202, seq: 1 });
    expect(await postWebhook(ingress, '{"a":1}', 'dlv_same')).toEqual({ status: 200, seq: 1, duplicate: true });
    // concurrent retries of one delivery: still one copy
    const results = await Promise.all(Array.from({ length: 8 }, () => postWebhook(ingress, '{"b":2}', 'dlv_race')));
    expect(new Set(results.map((r) => r.seq))).toEqual(new Set([2]));
    expect(results.filter((r) => r.status === 202)).toHaveLength(1);
    expect(await postWebhook(ingress, '{"c":3}', 'dlv_next')).toEqual({ status: 202, seq: 3 });
    const c = collect(relay.url, ch.id, ch.deviceToken);
    try {
      await waitFor(() => c.events.length >= 3, '3 events');
      expect(c.events.map((e) => e.deliveryId)).toEqual(['dlv_same', 'dlv_race', 'dlv_next']);
    } finally {
      await c.stream.close();
    }
  });

  it('refuses a bad device token, and a revoked device both at connect and while connected', async () => {
    const ch = await createChannel(relay.url);
    const other = await createChannel(relay.url);
    expect(await rawStream(relay.url, ch.id, 'rdt_not-a-real-token')).toEqual({ status: 401 });
    // a token of another channel does not open this one
    expect(await rawStream(relay.url, ch.id, other.deviceToken)).toEqual({ status: 401 });
    expect(await rawStream(relay.url, 'ch_doesnotexist0000000000000000', ch.deviceToken)).toEqual({ status: 404 });
    // ?token= works for clients that cannot set headers
    const viaQuery = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${relay.url.replace('http', 'ws')}/v1/channels/${ch.id}/stream?token=${encodeURIComponent(ch.deviceToken)}`);
      ws.once('open', () => {
        resolve(101);
        ws.close();
      });
      ws.once('unexpected-response', (_q, res) => resolve(res.statusCode ?? 0));
    });
    expect(viaQuery).toBe(101);

    const second = await addDevice(relay.url, ch.id);
    const c = collect(relay.url, ch.id, second.deviceToken);
    await waitFor(() => c.statuses.some((s) => s.state === 'open'), 'second device open');
    const del = await fetch(`${relay.url}/v1/channels/${ch.id}/devices/${second.deviceId}`, { method: 'DELETE', headers: { authorization: `Bearer ${adminToken}` } });
    expect(del.status).toBe(204);
    await waitFor(() => c.statuses.some((s) => s.state === 'refused'), 'revoked device disconnected');
    await c.stream.close();
    expect(await rawStream(relay.url, ch.id, second.deviceToken)).toEqual({ status: 401 });
    // the first device still works
    const first = await rawStream(relay.url, ch.id, ch.deviceToken);
    expect('ws' in first).toBe(true);
    if ('ws' in first) await closeWs(first.ws);
  });

  it('keeps a separate cursor per device and records it only on ack (unacked events come again)', async () => {
    const ch = await createChannel(relay.url);
    const devB = await addDevice(relay.url, ch.id);
    const ingress = `${relay.url}/in/${ch.id}`;
    await postMany(ingress, Array.from({ length: 5 }, (_, i) => ({ body: `{"n":${i + 1}}`, deliveryId: `dlv_ack_${i + 1}` })), 1);

    // Device A receives 1..5 but acks only 3, then drops.
    const a = await rawStream(relay.url, ch.id, ch.deviceToken);
    if (!('ws' in a)) throw new Error('device A refused');
    await waitFor(() => a.messages.filter((m) => m['type'] === 'event').length >= 5, 'A gets 5 events');
    expect(a.messages[0]).toMatchObject({ type: 'hello', cursor: 0, lastSeq: 5 });
    a.ws.send(JSON.stringify({ type: 'ack', seq: 3 }));
    await waitFor(async () => {
      const info = (await (await fetch(`${relay.url}/v1/channels/${ch.id}`, { headers: { authorization: `Bearer ${adminToken}` } })).json()) as { devices: Array<{ deviceId: string; ackedSeq: number }> };
      return info.devices.find((d) => d.deviceId === ch.deviceId)?.ackedSeq === 3;
    }, 'A cursor stored as 3');
    await closeWs(a.ws);

    // B never acked anything: its stored cursor is still 0.
    const b = await rawStream(relay.url, ch.id, devB.deviceToken);
    if (!('ws' in b)) throw new Error('device B refused');
    await waitFor(() => b.messages.filter((m) => m['type'] === 'event').length >= 5, 'B gets 5 events');
    expect(b.messages.filter((m) => m['type'] === 'event').map((m) => m['seq'])).toEqual([1, 2, 3, 4, 5]);
    await closeWs(b.ws);

    // A reconnects without a cursor: the server resumes after its acked 3, so 4 and 5 come again.
    const a2 = await rawStream(relay.url, ch.id, ch.deviceToken);
    if (!('ws' in a2)) throw new Error('device A refused');
    await waitFor(() => a2.messages.filter((m) => m['type'] === 'event').length >= 2, 'A gets the unacked events');
    expect(a2.messages[0]).toMatchObject({ type: 'hello', cursor: 3 });
    expect(a2.messages.filter((m) => m['type'] === 'event').map((m) => m['seq'])).toEqual([4, 5]);
    const ev = a2.messages.find((m) => m['type'] === 'event')!;
    expect(ev).toMatchObject({ deliveryId: 'dlv_ack_4', headers: { 'x-orkestr-delivery-id': 'dlv_ack_4' } });
    expect(Buffer.from(String(ev['body']), 'base64').toString()).toBe('{"n":4}');
    expect(typeof ev['receivedAt']).toBe('string');
    // An explicit ?cursor= wins over the stored one.
    await closeWs(a2.ws);
    const a3 = await rawStream(relay.url, ch.id, ch.deviceToken, '?cursor=1');
    if (!('ws' in a3)) throw new Error('device A refused');
    await waitFor(() => a3.messages.filter((m) => m['type'] === 'event').length >= 4, 'A from cursor 1');
    expect(a3.messages.filter((m) => m['type'] === 'event').map((m) => m['seq'])).toEqual([2, 3, 4, 5]);
    await closeWs(a3.ws);
    // A cursor ahead of the channel is refused (it belongs to some other log).
    expect(await rawStream(relay.url, ch.id, ch.deviceToken, '?cursor=99')).toEqual({ status: 409 });
  });

  it('client: a failing handler is not acked and the event comes again; the rest arrive in order once', async () => {
    const ch = await createChannel(relay.url);
    const ingress = `${relay.url}/in/${ch.id}`;
    let failures = 0;
    const c = collect(relay.url, ch.id, ch.deviceToken, {
      onEvent: (ev) => {
        if (ev.seq === 3 && failures < 2) {
          failures++;
          throw new Error('disk full (simulated)');
        }
      },
    });
    await postMany(ingress, Array.from({ length: 6 }, (_, i) => ({ body: `{"n":${i + 1}}`, deliveryId: `dlv_cl_${i + 1}` })), 1);
    try {
      await waitFor(() => c.events.length >= 6, 'all 6 handled');
      expect(failures).toBe(2);
      expect(c.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(c.stream.cursor()).toBe(6);
      // live push: an event ingested now reaches the open stream
      await postWebhook(ingress, '{"n":7}', 'dlv_cl_7');
      await waitFor(() => c.events.length >= 7, 'live event');
      expect(c.events[6]!.deliveryId).toBe('dlv_cl_7');
    } finally {
      await c.stream.close();
    }
    // close() sends the ack still pending (acks go at most every 100 ms); the relay stores it in its
    // own time, so the test waits for it rather than reading once.
    const ackedSeq = async (): Promise<number> =>
      ((await (await fetch(`${relay.url}/v1/channels/${ch.id}`, { headers: { authorization: `Bearer ${adminToken}` } })).json()) as { devices: Array<{ ackedSeq: number }> }).devices[0]!.ackedSeq;
    await waitFor(async () => (await ackedSeq()) === 7, 'the relay to store the ack of seq 7');
    expect(await ackedSeq()).toBe(7);
  });

  it('sends a gap notice when the cursor is older than retention, then the retained events', async () => {
    const ch = await createChannel(relay.url);
    const ingress = `${relay.url}/in/${ch.id}`;
    await postMany(ingress, Array.from({ length: 4 }, (_, i) => ({ body: `{"old":${i}}`, deliveryId: `dlv_old_${i}` })), 1);
    clockOffset += 8 * day; // four old events are now beyond the 7-day retention
    await postMany(ingress, Array.from({ length: 2 }, (_, i) => ({ body: `{"new":${i}}`, deliveryId: `dlv_new_${i}` })), 1);
    expect(await relay.purgeNow()).toBeGreaterThanOrEqual(4);

    const raw = await rawStream(relay.url, ch.id, ch.deviceToken);
    if (!('ws' in raw)) throw new Error('refused');
    await waitFor(() => raw.messages.filter((m) => m['type'] === 'event').length >= 2, 'retained events');
    const kinds = raw.messages.filter((m) => m['type'] !== 'heartbeat');
    expect(kinds.map((m) => m['type'])).toEqual(['hello', 'gap', 'event', 'event']);
    expect(kinds[1]).toEqual({ type: 'gap', from: 1, to: 4 });
    expect(kinds.slice(2).map((m) => m['seq'])).toEqual([5, 6]);
    await closeWs(raw.ws);

    const c = collect(relay.url, ch.id, ch.deviceToken);
    try {
      await waitFor(() => c.events.length >= 2, 'client after gap');
      expect(c.gaps).toEqual([{ from: 1, to: 4 }]);
      expect(c.events.map((e) => e.deliveryId)).toEqual(['dlv_new_0', 'dlv_new_1']);
    } finally {
      await c.stream.close();
    }
  });

  it('sends a gap notice when every event after the cursor has expired', async () => {
    const ch = await createChannel(relay.url);
    await postMany(`${relay.url}/in/${ch.id}`, Array.from({ length: 3 }, (_, i) => ({ body: `{"x":${i}}`, deliveryId: `dlv_all_${i}` })), 1);
    clockOffset += 8 * day;
    expect(await relay.purgeNow()).toBeGreaterThanOrEqual(3);
    const c = collect(relay.url, ch.id, ch.deviceToken);
    try {
      await waitFor(() => c.gaps.length === 1, 'gap notice');
      expect(c.gaps[0]).toEqual({ from: 1, to: 3 });
      expect(c.events).toEqual([]);
      // the gap is acked like an event: the stored cursor moves past it
      await waitFor(async () => {
        const info = (await (await fetch(`${relay.url}/v1/channels/${ch.id}`, { headers: { authorization: `Bearer ${adminToken}` } })).json()) as { devices: Array<{ ackedSeq: number }>; purgedSeq: number };
        return info.purgedSeq === 3 && info.devices[0]!.ackedSeq === 3;
      }, 'cursor past the gap');
      await postWebhook(`${relay.url}/in/${ch.id}`, '{"x":"new"}', 'dlv_all_new');
      await waitFor(() => c.events.length === 1, 'new event after the gap');
      expect(c.events[0]!.seq).toBe(4);
    } finally {
      await c.stream.close();
    }
  });

  it('sends heartbeats on an idle stream', async () => {
    const ch = await createChannel(relay.url);
    const raw = await rawStream(relay.url, ch.id, ch.deviceToken);
    if (!('ws' in raw)) throw new Error('refused');
    await waitFor(() => raw.messages.some((m) => m['type'] === 'heartbeat'), 'a heartbeat', 5000);
    const hb = raw.messages.find((m) => m['type'] === 'heartbeat')!;
    expect(Number.isNaN(Date.parse(String(hb['at'])))).toBe(false);
    // a non-ack message is a protocol error and closes the stream
    const closed = new Promise<number>((resolve) => raw.ws.once('close', (code) => resolve(code)));
    raw.ws.send('{"type":"nonsense"}');
    expect(await closed).toBe(4400);
  });

  it('takes feed snapshots up to their own limit, far above the webhook body limit, and refuses larger ones', async () => {
    const ch = await createChannel(relay.url);
    const put = (key: string, body: Buffer, headers: Record<string, string> = {}) =>
      fetch(`${relay.url}/v1/channels/${ch.id}/feeds/${key}`, { method: 'PUT', headers: { authorization: `Bearer ${ch.deviceToken}`, 'content-type': 'text/calendar', ...headers }, body });
    const calendar = (bytes: number): Buffer => {
      const head = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\n';
      const tail = 'END:VCALENDAR\r\n';
      return Buffer.from(head + 'X'.repeat(bytes - head.length - tail.length) + tail);
    };
    const large = calendar(maxFeedBytes);
    expect(large.length).toBeGreaterThan(maxBodyBytes * 4);
    expect((await put('feedKey_large_0123456789abcdef', large)).status).toBe(201);
    const served = Buffer.from(await (await fetch(`${relay.url}/feeds/feedKey_large_0123456789abcdef.ics`)).arrayBuffer());
    expect(served.equals(large)).toBe(true);
    expect((await put('feedKey_huge_0123456789abcdefg', calendar(maxFeedBytes + 1))).status).toBe(413);
    // A webhook stays bound by the body limit.
    expect((await postWebhook(`${relay.url}/in/${ch.id}`, Buffer.alloc(maxBodyBytes + 1, 0x61), 'dlv_feedlimit')).status).toBe(413);
  });

  it('publishes calendar feed snapshots with ETag, Last-Modified and 304', async () => {
    const ch = await createChannel(relay.url);
    const other = await createChannel(relay.url);
    const key = 'feedKey_0123456789abcdefXYZ';
    const ics = Buffer.from('BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nX-WR-CALNAME:Caf\u00e9\r\nEND:VCALENDAR\r\n', 'utf8');
    const put = (token: string, body: Buffer, k = key, channelId = ch.id) =>
      fetch(`${relay.url}/v1/channels/${channelId}/feeds/${k}`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/calendar' }, body });

    expect((await put('rdt_wrong', ics)).status).toBe(401);
    expect((await put(ch.deviceToken, ics, 'short')).status).toBe(400);
    const created = await put(ch.deviceToken, ics);
    expect(created.status).toBe(201);
    const meta = (await created.json()) as { url: string; etag: string };
    expect(meta.url).toBe(`https://relay.example.test/feeds/${key}.ics`);
    expect(meta.etag).toMatch(/^"[0-9a-f]{32}"$/);

    const get = await fetch(`${relay.url}/feeds/${key}.ics`);
    expect(get.status).toBe(200);
    expect(get.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    expect(get.headers.get('etag')).toBe(meta.etag);
    const lastModified = get.headers.get('last-modified');
    expect(lastModified).toMatch(/GMT$/);
    expect(Buffer.compare(Buffer.from(await get.arrayBuffer()), ics)).toBe(0);

    expect((await fetch(`${relay.url}/feeds/${key}.ics`, { headers: { 'if-none-match': meta.etag } })).status).toBe(304);
    expect((await fetch(`${relay.url}/feeds/${key}.ics`, { headers: { 'if-none-match': '"other", ' + meta.etag } })).status).toBe(304);
    expect((await fetch(`${relay.url}/feeds/${key}.ics`, { headers: { 'if-modified-since': lastModified! } })).status).toBe(304);
    expect((await fetch(`${relay.url}/feeds/${key}.ics`, { headers: { 'if-none-match': '"stale"' } })).status).toBe(200);

    // same bytes → same ETag; new bytes → new ETag; another channel cannot take the key
    expect(((await (await put(ch.deviceToken, ics)).json()) as { etag: string; outcome: string })).toMatchObject({ etag: meta.etag, outcome: 'unchanged' });
    const changed = Buffer.concat([ics, Buffer.from('X-EXTRA:1\r\n')]);
    const updated = (await (await put(ch.deviceToken, changed)).json()) as { etag: string };
    expect(updated.etag).not.toBe(meta.etag);
    expect((await fetch(`${relay.url}/feeds/${key}.ics`, { headers: { 'if-none-match': meta.etag } })).status).toBe(200);
    expect((await put(other.deviceToken, ics, key, other.id)).status).toBe(403);

    const del = await fetch(`${relay.url}/v1/channels/${ch.id}/feeds/${key}`, { method: 'DELETE', headers: { authorization: `Bearer ${ch.deviceToken}` } });
    expect(del.status).toBe(204);
    expect((await fetch(`${relay.url}/feeds/${key}.ics`)).status).toBe(404);
    expect((await fetch(`${relay.url}/feeds/unknownFeedKey_0123456789abc.ics`)).status).toBe(404);
  });

  it('answers /healthz and /metrics with the expected series', async () => {
    const health = await fetch(`${relay.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.text()).toBe('ok');
    expect((await fetch(`${relay.url}/metrics`)).status).toBe(401);

    const ch = await createChannel(relay.url);
    await postMany(`${relay.url}/in/${ch.id}`, Array.from({ length: 3 }, (_, i) => ({ body: `{"m":${i}}`, deliveryId: `dlv_m_${i}` })), 1);
    const dev2 = await addDevice(relay.url, ch.id);
    const c = collect(relay.url, ch.id, ch.deviceToken);
    try {
      await waitFor(() => c.events.length >= 3, 'events for metrics');
      const scrape = async (): Promise<string> => (await fetch(`${relay.url}/metrics`, { headers: { authorization: `Bearer ${adminToken}` } })).text();
      // device 1 acked 3, device 2 acked nothing: lag = 3 - 0
      await waitFor(async () => (await scrape()).includes(`orkestr_relay_channel_lag{channel="${ch.id}"} 3`), 'lag 3');
      const text = await scrape();
      for (const series of [
        'orkestr_relay_events_ingested_total',
        'orkestr_relay_events_delivered_total',
        'orkestr_relay_rejected_bodies_total{reason="too_large"}',
        'orkestr_relay_connected_devices',
        'orkestr_relay_ingest_seconds_bucket{le="+Inf"}',
        `orkestr_relay_channel_last_seq{channel="${ch.id}"} 3`,
        `orkestr_relay_channel_devices{channel="${ch.id}"} 2`,
        'orkestr_relay_store_up 1',
      ]) {
        expect(text).toContain(series);
      }
      expect(Number(/^orkestr_relay_connected_devices (\d+)$/m.exec(text)?.[1])).toBeGreaterThanOrEqual(1);
      expect(Number(/^orkestr_relay_events_ingested_total (\d+)$/m.exec(text)?.[1])).toBeGreaterThanOrEqual(3);
      expect(Number(/^orkestr_relay_events_delivered_total (\d+)$/m.exec(text)?.[1])).toBeGreaterThanOrEqual(3);
      // revoking the lagging device drops the lag to 0
      await fetch(`${relay.url}/v1/channels/${ch.id}/devices/${dev2.deviceId}`, { method: 'DELETE', headers: { authorization: `Bearer ${adminToken}` } });
      await waitFor(async () => (await scrape()).includes(`orkestr_relay_channel_lag{channel="${ch.id}"} 0`), 'lag 0');
    } finally {
      await c.stream.close();
    }
  });
});
