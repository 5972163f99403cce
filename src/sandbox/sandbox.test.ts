import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { apiKeyPattern } from '../shared/contract/types.ts';
import { generateToken, parseKeySpec } from './auth.ts';
import { startSandbox, type Sandbox } from './index.ts';
import { refundPercentFor } from './store.ts';
import { fromLocal, toLocal } from './tz.ts';
import { sign } from './webhooks.ts';
import { waitFor } from '../../test/support/wait-for.ts';

/** Answers are checked field by field; loosely typed on purpose. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const KEY = 'ork_unit0001.unit-test-secret-000001';
const dir = mkdtempSync(join(tmpdir(), 'sbx-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (): string => join(dir, `s${++n}.db`);

async function call(sb: Sandbox, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Json; headers: Headers }> {
  const admin = path.startsWith('/_sandbox');
  const res = await fetch(sb.url + path, {
    method,
    headers: { authorization: `Bearer ${admin ? sb.adminToken : KEY}`, 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

/** What connecting to a port answers: 'open', or the error code (ECONNREFUSED once nothing listens). */
function probePort(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve('open');
    });
    socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

describe('API keys: the contract’s apiKeyPattern', () => {
  it('mints keys the console accepts', () => {
    const minted = Array.from({ length: 200 }, () => generateToken());
    expect(minted.filter((key) => !apiKeyPattern.test(key))).toEqual([]);
    expect(new Set(minted.map((key) => key.slice(0, 12))).size).toBeGreaterThan(190);
  });

  it('takes on the command line exactly the keys the console accepts', () => {
    const good = 'ork_abcd1234.' + 's'.repeat(16);
    expect(parseKeySpec(`${good}:read@atlas`)).toEqual({ token: good, scopes: ['read'], tenant: 'atlas' });
    for (const bad of ['ork_ABCD1234.' + 's'.repeat(16), 'ork_abcd123.' + 's'.repeat(16), 'ork_abcd1234.' + 's'.repeat(15), 'ork_abcd1234.' + 's'.repeat(65), 'key_abcd1234.' + 's'.repeat(16)]) {
      expect(apiKeyPattern.test(bad), bad).toBe(false);
      expect(() => parseKeySpec(bad), bad).toThrow(/a key must look like ork_/);
    }
  });
});

describe('time zones (Intl only)', () => {
  it('maps New York wall-clock times across both DST switches', () => {
    expect(new Date(fromLocal('2026-03-07', 9 * 60, 'America/New_York')).toISOString()).toBe('2026-03-07T14:00:00.000Z');
    expect(new Date(fromLocal('2026-03-09', 9 * 60, 'America/New_York')).toISOString()).toBe('2026-03-09T13:00:00.000Z');
    // 02:30 does not exist on 8 March: the instant after the gap.
    expect(new Date(fromLocal('2026-03-08', 150, 'America/New_York')).toISOString()).toBe('2026-03-08T07:30:00.000Z');
    // 01:30 happens twice on 1 November: the earlier one.
    expect(new Date(fromLocal('2026-11-01', 90, 'America/New_York')).toISOString()).toBe('2026-11-01T05:30:00.000Z');
    expect(toLocal(Date.parse('2026-11-01T06:30:00.000Z'), 'America/New_York')).toMatchObject({ date: '2026-11-01', minutes: 90, weekday: 0 });
    expect(new Date(fromLocal('2026-03-29', 60, 'Europe/Lisbon')).toISOString()).toBe('2026-03-29T01:00:00.000Z');
  });
});

describe('cancellation policy table', () => {
  const start = Date.parse('2026-06-10T12:00:00.000Z');
  const at = (h: number): number => start - h * 3_600_000;
  it.each([
    ['FLEXIBLE', 120, 100], ['FLEXIBLE', 24, 100], ['FLEXIBLE', 23.99, 50], ['FLEXIBLE', 0, 0], ['FLEXIBLE', -1, 0],
    ['MODERATE', 120, 100], ['MODERATE', 119.99, 50], ['MODERATE', 24, 50], ['MODERATE', 23, 0],
    ['STRICT', 500, 50], ['STRICT', 120, 50], ['STRICT', 119, 0], ['STRICT', 1, 0],
  ] as const)('%s %s h before → %s%%', (policy, hours, percent) => {
    expect(refundPercentFor(policy, at(hours), start)).toBe(percent);
  });
});

describe('sandbox behaviour', () => {
  it('checks reschedules against local rules across a DST switch, and capacity', async () => {
    // One offering: "Soho Loft", every day 09:00–21:00 New York, 120-minute slots, capacity 1.
    const sb = await startSandbox({ dataFile: file(), seed: { bookings: 0, offerings: 1 }, keys: [KEY] });
    try {
      const offering = (await call(sb, 'GET', '/v1/api/offerings')).body.data[0];
      await call(sb, 'POST', '/_sandbox/clock', { now: '2026-03-01T12:00:00.000Z' });
      const a = (await call(sb, 'POST', '/_sandbox/simulate/booking', { offeringId: offering.id, startsAt: '2026-03-06T14:00:00.000Z' })).body;
      const b = (await call(sb, 'POST', '/_sandbox/simulate/booking', { offeringId: offering.id, startsAt: '2026-03-06T16:00:00.000Z' })).body;
      const move = (bk: Json, startsAt: string, endsAt: string) => call(sb, 'PATCH', `/v1/api/bookings/${bk.id}`, { itemId: bk.items[0].id, startsAt, endsAt });
      // 09:00 local after the switch (EDT, UTC−4) is 13:00Z: fine. 13:00Z before the switch would be 08:00 EST: too early.
      expect((await move(a, '2026-03-09T13:00:00.000Z', '2026-03-09T15:00:00.000Z')).status).toBe(200);
      expect((await move(b, '2026-03-06T13:00:00.000Z', '2026-03-06T15:00:00.000Z')).body.error.code).toBe('SLOT_UNAVAILABLE');
      // Ending after 21:00 local is outside the rule.
      expect((await move(b, '2026-03-09T00:00:00.000Z', '2026-03-09T02:00:00.000Z')).body.error.code).toBe('SLOT_UNAVAILABLE');
      // The slot `a` now holds is full (capacity 1); an overlapping one is taken too.
      const taken = await move(b, '2026-03-09T13:00:00.000Z', '2026-03-09T15:00:00.000Z');
      expect(taken.status).toBe(409);
      expect(taken.body.error.code).toBe('SLOT_TAKEN');
      expect(taken.body.error.details.current.id).toBe(b.id);
      expect((await move(b, '2026-03-09T14:00:00.000Z', '2026-03-09T16:00:00.000Z')).body.error.code).toBe('SLOT_TAKEN');
      // Availability shows the switch: 09:00 local is 14:00Z on the 7th and 13:00Z on the 9th.
      const av = (await call(sb, 'GET', `/v1/api/availability?offeringId=${offering.id}&from=2026-03-07&to=2026-03-10`)).body;
      const starts = av.slots.map((s: Json) => s.startsAt);
      expect(starts).toContain('2026-03-07T14:00:00.000Z');
      expect(starts).toContain('2026-03-09T13:00:00.000Z');
      expect(av.slots.find((s: Json) => s.startsAt === '2026-03-09T13:00:00.000Z')).toMatchObject({ capacity: 1, booked: 1, available: 0 });
      expect(av.slots).toHaveLength(18);
    } finally {
      await sb.close();
    }
  });

  it('pages the change feed by seq, and a change moves a record to the end', async () => {
    const sb = await startSandbox({ dataFile: file(), seed: { bookings: 120, offerings: 3 }, keys: [KEY] });
    try {
      const seen: string[] = [];
      let cursor: string | null = null;
      for (let i = 0; i < 10; i++) {
        const page: Json = (await call(sb, 'GET', `/v1/api/bookings?limit=50${cursor ? `&cursor=${cursor}` : ''}`)).body;
        seen.push(...page.data.map((b: Json) => b.id));
        cursor = page.nextCursor;
        if (!page.hasMore) break;
      }
      expect(seen).toHaveLength(120);
      expect(new Set(seen).size).toBe(120);
      const empty = (await call(sb, 'GET', `/v1/api/bookings?cursor=${cursor}`)).body;
      expect(empty).toEqual({ data: [], nextCursor: cursor, hasMore: false });
      const target = seen[3]!;
      await call(sb, 'PATCH', `/v1/api/bookings/${target}`, { notes: 'moved to the end' });
      const after = (await call(sb, 'GET', `/v1/api/bookings?cursor=${cursor}`)).body;
      expect(after.data.map((b: Json) => b.id)).toEqual([target]);
      expect(after.data[0].notes).toBe('moved to the end');
      expect((await call(sb, 'GET', '/v1/api/bookings?cursor=nope')).status).toBe(400);
      expect((await call(sb, 'GET', '/v1/api/bookings?limit=0')).status).toBe(400);
    } finally {
      await sb.close();
    }
  });

  it('applies an approve once when the answer is lost, and replays it to the retry', async () => {
    const sb = await startSandbox({ dataFile: file(), seed: 'none', keys: [KEY] });
    try {
      await call(sb, 'POST', '/_sandbox/keys', { token: KEY });
      const o = (await call(sb, 'POST', '/v1/api/offerings', { title: 'Room', productTypeKey: 'space', basePriceCents: 1000, currency: 'USD', status: 'PUBLISHED' })).body;
      const bk = (await call(sb, 'POST', '/_sandbox/simulate/booking', { offeringId: o.id, startsAt: '2030-01-01T15:00:00.000Z' })).body;
      await call(sb, 'PUT', '/_sandbox/faults', { dropRate: 1 });
      await expect(call(sb, 'POST', `/v1/api/bookings/${bk.id}/approve`, undefined, { 'idempotency-key': 'approve-1' })).rejects.toThrow();
      await call(sb, 'DELETE', '/_sandbox/faults');
      const retry = await call(sb, 'POST', `/v1/api/bookings/${bk.id}/approve`, undefined, { 'idempotency-key': 'approve-1' });
      expect(retry.status).toBe(200);
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      expect(retry.body.status).toBe('CONFIRMED');
      expect(retry.body.version).toBe(2);
      const effects = (await call(sb, 'GET', '/_sandbox/effects')).body.effects.filter((e: Json) => e.idempotencyKey === 'approve-1');
      expect(effects).toHaveLength(1);
      expect(effects[0]).toMatchObject({ kind: 'booking.approve', targetId: bk.id });
      const reused = await call(sb, 'POST', `/v1/api/bookings/${bk.id}/cancel`, {}, { 'idempotency-key': 'approve-1' });
      expect(reused.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    } finally {
      await sb.close();
    }
  });

  it('keeps an undelivered webhook across a restart and delivers it with the same id and a valid signature', async () => {
    const received: { id: string; sig: string; body: string }[] = [];
    let up = false;
    const server: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ id: String(req.headers['x-orkestr-delivery-id']), sig: String(req.headers['x-orkestr-signature']), body: Buffer.concat(chunks).toString() });
        res.writeHead(up ? 204 : 503).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const hook = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, secret: 'whsec_unit', retryBaseMs: 20 };
    const dataFile = file();
    try {
      let sb = await startSandbox({ dataFile, seed: 'none', keys: [KEY], webhook: { ...hook, retryBaseMs: 60_000 } });
      await call(sb, 'POST', '/_sandbox/webhook/test');
      await waitFor(() => received.length >= 1, 'first attempt');
      await sb.close();
      up = true;
      sb = await startSandbox({ dataFile, keys: [KEY], webhook: hook });
      await call(sb, 'PUT', '/_sandbox/webhook', hook); // the restart keeps the row; retry now
      await waitFor(async () => (await call(sb, 'GET', '/_sandbox/deliveries')).body.deliveries[0]?.status === 'DELIVERED', 'delivery after restart', 70_000);
      const last = received[received.length - 1]!;
      expect(last.id).toBe(received[0]!.id);
      expect(last.sig).toBe(sign(last.body, hook.secret));
      expect(JSON.parse(last.body).event).toBe('webhook.test');
      await sb.close();
    } finally {
      server.close();
    }
  });

  it('seeds the same rows for the same options on the same day', async () => {
    const ids = async (): Promise<string[]> => {
      const sb = await startSandbox({ dataFile: file(), seed: { bookings: 300, offerings: 7 }, keys: [KEY] });
      try {
        return (await call(sb, 'GET', '/v1/api/bookings?limit=500')).body.data.map((b: Json) => `${b.id}:${b.status}:${b.items[0].startsAt}`);
      } finally {
        await sb.close();
      }
    };
    const [a, b] = [await ids(), await ids()];
    expect(a).toHaveLength(300);
    expect(b).toEqual(a);
  });

  it('live mode creates customer activity and stops on close', async () => {
    const sb = await startSandbox({ dataFile: file(), seed: 'demo', keys: [KEY], live: 0.02 });
    const count = async (): Promise<number> => (await call(sb, 'GET', '/_sandbox/state')).body.tenants.atlas.seq;
    const before = await count();
    await waitFor(async () => (await count()) >= before + 3, 'live activity');
    expect(await probePort(sb.port)).toBe('open');
    await sb.close();
    // Closed: nothing listens on its port any more, and its API does not answer.
    expect(await probePort(sb.port)).toBe('ECONNREFUSED');
    await expect(call(sb, 'GET', '/_sandbox/state')).rejects.toThrow();
  });
});
