/**
 * The relay as an attacker and a database outage find it (issue #15): what /healthz tells strangers,
 * what every request answers while the store is down, malformed paths, and a delivery id reused with
 * another body. Real relays on loopback, a real SQLite file and a real PostgreSQL cluster.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startRelay, type RelayHandle } from '../../src/relay/server.ts';
import { getTestPostgres, type TestPostgres } from '../support/postgres.ts';
import { waitFor } from '../support/wait-for.ts';
import { adminToken, createChannel, postWebhook, sign } from './helpers.ts';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request with the path sent exactly as given (fetch would normalise it). */
function raw(base: string, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}/`, { method, path, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.once('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.once('error', reject);
    req.end(body);
  });
}

/** Status of a WebSocket upgrade (101 when it opened). */
function upgradeStatus(url: string, token: string): Promise<{ status: number; retryAfter: string | undefined }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
    ws.once('open', () => {
      ws.terminate();
      resolve({ status: 101, retryAfter: undefined });
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] as string | undefined });
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

const logsOf = (lines: string[]): Array<Record<string, unknown>> => lines.map((l) => JSON.parse(l) as Record<string, unknown>);

describe('relay on SQLite: paths, health, reused delivery ids', () => {
  let relay: RelayHandle;
  let dir: string;
  const lines: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'relay-hard-'));
    relay = await startRelay({ store: join(dir, 'relay.db'), adminToken, log: (l) => lines.push(l) });
  });

  afterAll(async () => {
    await relay?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers malformed paths 400 or 404, never 500/503', async () => {
    const ch = await createChannel(relay.url);
    const admin = { authorization: `Bearer ${adminToken}` };
    const cases: Array<[string, string, Record<string, string>]> = [
      ['POST', '/in/%E0%A4%A', {}],
      ['POST', '/in/%', {}],
      ['POST', '/in/%zz', {}],
      ['POST', `/in/${ch.id}%ff`, {}],
      ['GET', '/feeds/%E0%A4%A.ics', {}],
      ['GET', '/feeds/%.ics', {}],
      ['GET', '/v1/channels/%E0%A4%A', admin],
      ['GET', `/v1/channels/${ch.id}/devices/%E0%A4%A`, admin],
      ['DELETE', `/v1/channels/${ch.id}/devices/%`, admin],
      ['PUT', `/v1/channels/${ch.id}/feeds/%E0%A4%A`, { authorization: `Bearer ${ch.deviceToken}` }],
      ['GET', '/v1/channels/%E0%A4%A/stream', {}],
      ['POST', '//in/x', {}],
    ];
    for (const [method, path, headers] of cases) {
      const answer = await raw(relay.url, method, path, headers);
      expect([400, 404], `${method} ${path} → ${answer.status} ${answer.body}`).toContain(answer.status);
    }
    // The stream's upgrade too (it answered 503 before).
    const ws = await upgradeStatus(`${relay.url.replace('http', 'ws')}/v1/channels/%E0%A4%A/stream`, ch.deviceToken);
    expect([400, 404]).toContain(ws.status);
    // A well-formed escape still reaches the channel.
    expect((await postWebhook(`${relay.url}/in/${encodeURIComponent(ch.id)}`, '{"ok":1}', 'dlv_escaped')).status).toBe(202);
  });

  it('answers /healthz with "ok" and nothing else', async () => {
    const r = await raw(relay.url, 'GET', '/healthz');
    expect(r.status).toBe(200);
    expect(r.body).toBe('ok');
    expect(r.headers['cache-control']).toBe('no-store');
  });

  it('answers a delivery id reused with another body as a duplicate, and logs and counts the mismatch', async () => {
    const ch = await createChannel(relay.url);
    const ingress = `${relay.url}/in/${ch.id}`;
    expect(await postWebhook(ingress, '{"event":"booking.confirmed","data":{"id":"b1"}}', 'dlv_reused')).toEqual({ status: 202, seq: 1 });
    // The platform's own retry: same id, same bytes → a plain duplicate.
    expect(await postWebhook(ingress, '{"event":"booking.confirmed","data":{"id":"b1"}}', 'dlv_reused')).toEqual({ status: 200, seq: 1, duplicate: true });
    expect(logsOf(lines).filter((l) => l['msg'] === 'ingest_duplicate_mismatch')).toEqual([]);
    // Same id, other bytes: still a duplicate (stores nothing), but it is not a retry.
    expect(await postWebhook(ingress, '{"event":"booking.cancelled","data":{"id":"b1"}}', 'dlv_reused')).toEqual({ status: 200, seq: 1, duplicate: true });
    const mismatches = logsOf(lines).filter((l) => l['msg'] === 'ingest_duplicate_mismatch');
    expect(mismatches).toHaveLength(1);
    expect(mismatches[0]).toMatchObject({ level: 'warn', channelId: ch.id, deliveryId: 'dlv_reused', seq: 1 });
    expect(JSON.stringify(mismatches[0])).not.toContain('booking.cancelled'); // bodies are never logged
    const metrics = await (await fetch(`${relay.url}/metrics`, { headers: { authorization: `Bearer ${adminToken}` } })).text();
    expect(metrics).toContain('orkestr_relay_duplicate_body_mismatch_total 1');
  });
});

describe('relay on PostgreSQL while the database is down', () => {
  let pgServer: TestPostgres;
  let nodeA: RelayHandle;
  let nodeB: RelayHandle;
  const linesA: string[] = [];

  beforeAll(async () => {
    pgServer = await getTestPostgres();
    nodeA = await startRelay({ store: pgServer.url, adminToken, log: (l) => linesA.push(l), intakeBlockedAfterMs: 300 });
    nodeB = await startRelay({ store: pgServer.url, adminToken });
  });

  afterAll(async () => {
    await nodeA?.close();
    await nodeB?.close();
    await pgServer?.stop();
  });

  it('answers 503 + Retry-After to every request that needs the store, /healthz "degraded" without details, then recovers by itself', { timeout: 120_000 }, async () => {
    const cached = await createChannel(nodeA.url);
    const other = await createChannel(nodeB.url); // node A has never seen it: not in its cache
    expect((await postWebhook(cached.ingressUrl.replace(/^.*\/in\//, `${nodeA.url}/in/`), '{"before":1}', 'dlv_before')).status).toBe(202);
    const feedKey = 'feedKey_0123456789abcdefXYZ';
    expect((await fetch(`${nodeA.url}/v1/channels/${cached.id}/feeds/${feedKey}`, { method: 'PUT', headers: { authorization: `Bearer ${cached.deviceToken}` }, body: 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n' })).status).toBe(201);

    await pgServer.serverCtl('stop');
    try {
      const body = '{"during":1}';
      const signed = { 'content-type': 'application/json', 'x-orkestr-signature': sign(Buffer.from(body)), 'x-orkestr-delivery-id': 'dlv_during' };
      const admin = { authorization: `Bearer ${adminToken}` };
      const requests: Array<[string, string, Record<string, string>, string | undefined]> = [
        ['POST', `/in/${cached.id}`, signed, body],
        ['POST', `/in/${other.id}`, signed, body],
        ['GET', `/v1/channels/${cached.id}`, admin, undefined],
        ['POST', '/v1/channels', { ...admin, 'content-type': 'application/json' }, '{}'],
        ['POST', `/v1/channels/${cached.id}/devices`, admin, undefined],
        ['GET', `/feeds/${feedKey}.ics`, {}, undefined],
        ['PUT', `/v1/channels/${cached.id}/feeds/${feedKey}`, { authorization: `Bearer ${cached.deviceToken}` }, 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n'],
      ];
      for (const [method, path, headers, payload] of requests) {
        const answer = await raw(nodeA.url, method, path, headers, payload);
        expect(answer.status, `${method} ${path}: ${answer.body}`).toBe(503);
        expect(Number(answer.headers['retry-after']), `${method} ${path}`).toBeGreaterThan(0);
      }
      const ws = await upgradeStatus(`${nodeA.url.replace('http', 'ws')}/v1/channels/${other.id}/stream`, other.deviceToken);
      expect(ws.status).toBe(503);
      expect(Number(ws.retryAfter)).toBeGreaterThan(0);

      const health = await raw(nodeA.url, 'GET', '/healthz');
      expect(health.status).toBe(503);
      expect(health.body).toBe('degraded');
      // The details are the operator's: in the log (and /metrics), not on the unauthenticated endpoint.
      expect(logsOf(linesA).some((l) => l['msg'] === 'health_degraded' && typeof l['reason'] === 'string')).toBe(true);
      const metrics = await raw(nodeA.url, 'GET', '/metrics', { authorization: `Bearer ${adminToken}` });
      expect(metrics.body).toContain('orkestr_relay_store_up 0');
    } finally {
      await pgServer.serverCtl('start');
    }
    // Nobody restarts the relay: it comes back by itself, including for the channel it never cached.
    await waitFor(async () => (await raw(nodeA.url, 'GET', '/healthz')).body === 'ok', 'node A healthy again', 60_000);
    await waitFor(async () => (await postWebhook(`${nodeA.url}/in/${other.id}`, '{"after":1}', 'dlv_after')).status === 202, 'ingest on the uncached channel again', 30_000);
    expect((await postWebhook(`${nodeA.url}/in/${cached.id}`, '{"after":2}', 'dlv_after_2')).status).toBe(202);
  });

  it('reports "degraded" while intake is blocked on a channel lock, and "ok" once it moves', { timeout: 60_000 }, async () => {
    const ch = await createChannel(nodeA.url);
    const locker = new pg.Client({ connectionString: pgServer.url });
    await locker.connect();
    let pending: Promise<{ status: number }> | undefined;
    try {
      await locker.query('BEGIN');
      await locker.query('SELECT 1 FROM relay_channels WHERE id = $1 FOR UPDATE', [ch.id]);
      pending = postWebhook(`${nodeA.url}/in/${ch.id}`, '{"blocked":1}', 'dlv_blocked');
      await waitFor(async () => (await raw(nodeA.url, 'GET', '/healthz')).body === 'degraded', 'degraded while blocked', 20_000);
      const metrics = await raw(nodeA.url, 'GET', '/metrics', { authorization: `Bearer ${adminToken}` });
      expect(metrics.body).toContain('orkestr_relay_intake_blocked 1');
    } finally {
      await locker.query('COMMIT');
      await locker.end();
    }
    expect((await pending!).status).toBe(202);
    await waitFor(async () => (await raw(nodeA.url, 'GET', '/healthz')).body === 'ok', 'ok again', 20_000);
  });

  it('logs and counts a delivery id reused with another body, also within one batch', async () => {
    const ch = await createChannel(nodeA.url);
    const ingress = `${nodeA.url}/in/${ch.id}`;
    const [first, second] = await Promise.all([postWebhook(ingress, '{"v":1}', 'dlv_pg_reused'), postWebhook(ingress, '{"v":2}', 'dlv_pg_reused')]);
    expect([first.status, second.status].sort()).toEqual([200, 202]);
    expect(await postWebhook(ingress, '{"v":3}', 'dlv_pg_reused')).toMatchObject({ status: 200, duplicate: true });
    const mismatches = logsOf(linesA).filter((l) => l['msg'] === 'ingest_duplicate_mismatch' && l['channelId'] === ch.id);
    expect(mismatches).toHaveLength(2);
  });
});
