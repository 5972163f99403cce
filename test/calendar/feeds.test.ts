/**
 * Feed registry + the local feed handler over a real HTTP server on 127.0.0.1, reading a real replica
 * written through the replica's own apply path.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Replica } from '../../src/main/core/replica/replica.ts';
import type { RemoteBooking } from '../../src/main/core/sync/remote-types.ts';
import { addFeed, feedPath, getFeed, hashToken, listFeeds, revokeFeed, rotateFeed, FeedInputError, FeedNotFoundError } from '../../src/main/core/calendar/feeds.ts';
import { createFeedHandler } from '../../src/main/core/calendar/feed-server.ts';
import { readCalendarBookings, readTenant } from '../../src/main/core/calendar/source.ts';
import { exportIcs } from '../../src/main/core/calendar/ics.ts';
import { parseBoth } from './helpers.ts';

let dir: string;
let replica: Replica;
let server: Server;
let base: string;
let now = new Date('2026-05-10T12:00:00.000Z');

function remoteBooking(n: number, over: Partial<RemoteBooking> = {}): RemoteBooking {
  const start = Date.parse('2026-05-12T15:00:00.000Z') + n * 86_400_000;
  return {
    id: `bkg_${n}`,
    status: 'CONFIRMED',
    offeringId: n % 2 ? 'off_loft' : 'off_van',
    offeringTitle: n % 2 ? 'Soho Loft' : 'Cargo Van',
    customer: { id: `cus_${n}`, name: n === 1 ? 'José Müller-Łukasiewicz 東京' : `Customer ${n}`, email: 'c@example.com', timezone: null },
    items: [{ id: `bki_${n}`, offeringId: n % 2 ? 'off_loft' : 'off_van', startsAt: new Date(start).toISOString(), endsAt: new Date(start + 3_600_000).toISOString(), quantity: 1, priceCents: 1000 }],
    payments: [],
    subtotalCents: 1000,
    discountCents: 0,
    taxCents: 0,
    totalCents: 1000,
    currency: 'USD',
    couponCode: null,
    riskScore: 1,
    riskReviewStatus: 'NONE',
    notes: '',
    refundPercent: null,
    cancelReason: null,
    cancelledBy: null,
    createdAt: '2026-05-01T00:00:00.000Z',
    updatedAt: `2026-05-0${1 + (n % 5)}T10:00:00.000Z`,
    version: 1,
    ...over,
  } as RemoteBooking;
}

async function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const res = await fetch(base + path, { method, headers, signal: AbortSignal.timeout(10_000) });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cal-feeds-'));
  replica = Replica.open(join(dir, 'replica.db'));
  replica.transaction(() => {
    for (let n = 1; n <= 6; n++) replica.applyRemoteBooking(remoteBooking(n, n === 4 ? { status: 'PENDING' } : n === 5 ? { status: 'CANCELLED', version: 3 } : {}));
    replica.applyRemoteOffering({
      id: 'off_loft', slug: 'soho-loft', title: 'Soho Loft', description: '', status: 'PUBLISHED', productTypeKey: 'space', categories: [],
      attributes: { location: '12 Canal Street, New York' }, basePriceCents: 1000, currency: 'USD', taxRateBps: 0, pricingModel: 'HOURLY',
      cancellationPolicy: 'MODERATE', ratingAverage: null, reviewCount: 0, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z',
      deletedAt: null, version: 1,
    });
    replica.setMeta('tenant', JSON.stringify({ id: 'tnt_1', name: 'Atlas Studios', subdomain: 'atlas', displayCurrency: 'USD', timezone: 'America/New_York' }));
  });
  const handler = createFeedHandler(replica, { now: () => now });
  server = createServer((req, res) => {
    if (handler(req, res)) return;
    res.writeHead(418);
    res.end('not a feed');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  replica?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('replica adapter', () => {
  it('reads bookings, items, the offering location and the tenant', () => {
    const rows = readCalendarBookings(replica, { includePending: true });
    expect(rows.map((b) => b.id).sort()).toEqual(['bkg_1', 'bkg_2', 'bkg_3', 'bkg_4', 'bkg_5', 'bkg_6']);
    const b1 = rows.find((b) => b.id === 'bkg_1');
    expect(b1).toMatchObject({ status: 'CONFIRMED', version: 1, offeringTitle: 'Soho Loft', customerName: 'José Müller-Łukasiewicz 東京', location: '12 Canal Street, New York' });
    expect(b1?.items).toEqual([{ id: 'bki_1', startsAt: '2026-05-13T15:00:00.000Z', endsAt: '2026-05-13T16:00:00.000Z' }]);
    expect(readCalendarBookings(replica).some((b) => b.status === 'PENDING')).toBe(false);
    expect(readCalendarBookings(replica, { offeringIds: ['off_van'] }).map((b) => b.id).sort()).toEqual(['bkg_2', 'bkg_6']);
    expect(readCalendarBookings(replica, { from: '2026-05-15T00:00:00Z', to: '2026-05-16T00:00:00Z' }).map((b) => b.id)).toEqual(['bkg_3']);
    expect(readTenant(replica)).toEqual({ name: 'Atlas Studios', subdomain: 'atlas' });
  });
});

describe('feed registry', () => {
  it('stores only the SHA-256 of a token', () => {
    const { feed, token } = addFeed(replica, { name: 'Front desk', filters: { includePending: true } });
    expect(token).toMatch(/^ocf_[A-Za-z0-9_-]{43}$/);
    const row = replica.sqlite.prepare('SELECT * FROM calendar_feeds WHERE id = ?').get(feed.id) as Record<string, unknown>;
    expect(row['token_sha256']).toBe(hashToken(token));
    expect(JSON.stringify(row)).not.toContain(token.slice(4));
    replica.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    expect(readFileSync(join(dir, 'replica.db')).includes(Buffer.from(token.slice(4)))).toBe(false);
    expect(listFeeds(replica).map((f) => f.name)).toContain('Front desk');
    expect(feedPath(token)).toBe(`/calendar/${token}.ics`);
  });

  it('refuses to rotate or revoke unknown or revoked feeds, and nameless feeds', () => {
    expect(() => addFeed(replica, { name: '   ' })).toThrow(FeedInputError);
    expect(() => rotateFeed(replica, 'cf_nope')).toThrow(FeedNotFoundError);
    const { feed } = addFeed(replica, { name: 'Temp' });
    revokeFeed(replica, feed.id);
    expect(() => revokeFeed(replica, feed.id)).toThrow(FeedNotFoundError);
    expect(() => rotateFeed(replica, feed.id)).toThrow(FeedNotFoundError);
    expect(listFeeds(replica).some((f) => f.id === feed.id)).toBe(false);
    expect(listFeeds(replica, { includeRevoked: true }).some((f) => f.id === feed.id)).toBe(true);
  });
});

describe('feed over HTTP', () => {
  it('serves text/calendar with a strong ETag and Last-Modified, and the same bytes as the export', async () => {
    const { token } = addFeed(replica, { name: 'All, with pending', filters: { includePending: true }, now: new Date('2026-05-01T00:00:00.000Z') });
    const res = await get(`/calendar/${token}.ics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    const etag = res.headers.get('etag');
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    expect(res.headers.get('last-modified')).toBe(new Date('2026-05-10T00:00:00.000Z').toUTCString()); // window start > newest record
    const text = res.body.toString('utf8');
    const cal = parseBoth(text);
    expect(cal.name).toBe('All, with pending');
    expect(cal.events.map((e) => e.uid)).toEqual([1, 2, 3, 4, 5, 6].map((n) => `bki_${n}@orkestr-console`));
    expect(cal.events.find((e) => e.uid === 'bki_4@orkestr-console')?.status).toBe('TENTATIVE');
    expect(cal.events.find((e) => e.uid === 'bki_5@orkestr-console')?.status).toBe('CANCELLED');
    expect(cal.events.find((e) => e.uid === 'bki_1@orkestr-console')?.url).toBe('https://atlas.orkestr.in/provider/bookings/bkg_1');
    // Same bytes as the pure export over the adapter with the feed's window.
    const filter = { from: '2026-04-10T00:00:00.000Z', to: null, includePending: true };
    expect(text).toBe(exportIcs(readCalendarBookings(replica, filter), { calendarName: 'All, with pending', subdomain: 'atlas', filter }));
    // Unchanged data → same bytes, same ETag.
    const again = await get(`/calendar/${token}.ics`);
    expect(again.body.equals(res.body)).toBe(true);
    expect(again.headers.get('etag')).toBe(etag);
    // HEAD: headers only.
    const head = await get(`/calendar/${token}.ics`, {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers.get('etag')).toBe(etag);
    expect(head.body.length).toBe(0);
  });

  it('answers 304 to If-None-Match / If-Modified-Since, and 200 again after a change', async () => {
    const { token } = addFeed(replica, { name: 'Conditional', now: new Date('2026-05-01T00:00:00.000Z') });
    const path = `/calendar/${token}.ics`;
    const first = await get(path);
    const etag = first.headers.get('etag') ?? '';
    const lastModified = first.headers.get('last-modified') ?? '';
    const byEtag = await get(path, { 'If-None-Match': etag });
    expect(byEtag.status).toBe(304);
    expect(byEtag.body.length).toBe(0);
    expect(byEtag.headers.get('etag')).toBe(etag);
    expect((await get(path, { 'If-None-Match': `"other", W/${etag}` })).status).toBe(304);
    expect((await get(path, { 'If-None-Match': '"other"' })).status).toBe(200);
    expect((await get(path, { 'If-Modified-Since': lastModified })).status).toBe(304);
    expect((await get(path, { 'If-Modified-Since': new Date(Date.parse(lastModified) - 1000).toUTCString() })).status).toBe(200);
    // If-None-Match wins over If-Modified-Since (RFC 9110).
    expect((await get(path, { 'If-None-Match': '"other"', 'If-Modified-Since': lastModified })).status).toBe(200);

    // A reschedule lands in the replica: new body, new ETag, newer Last-Modified.
    replica.transaction(() =>
      replica.applyRemoteBooking(
        remoteBooking(2, {
          version: 2,
          updatedAt: '2026-05-10T13:00:00.000Z',
          items: [{ id: 'bki_2', offeringId: 'off_van', startsAt: '2026-05-20T09:00:00.000Z', endsAt: '2026-05-20T10:00:00.000Z', quantity: 1, priceCents: 1000 }],
        } as Partial<RemoteBooking>),
      ),
    );
    const changed = await get(path, { 'If-None-Match': etag, 'If-Modified-Since': lastModified });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    expect(changed.headers.get('last-modified')).toBe(new Date('2026-05-10T13:00:00.000Z').toUTCString());
    const e2 = parseBoth(changed.body.toString('utf8')).events.find((e) => e.uid === 'bki_2@orkestr-console');
    expect(e2?.sequence).toBe(2);
    expect(e2?.start).toBe(Date.parse('2026-05-20T09:00:00.000Z'));
    expect((await get(path, { 'If-Modified-Since': lastModified })).status).toBe(200);
  });

  it('sees commits made through another connection (another process, e.g. the sync CLI)', async () => {
    const { token } = addFeed(replica, { name: 'Other writer', now: new Date('2026-05-01T00:00:00.000Z') });
    const path = `/calendar/${token}.ics`;
    const first = await get(path);
    const other = new Replica(join(dir, 'replica.db'));
    try {
      other.transaction(() => other.applyRemoteBooking(remoteBooking(1, { version: 7, updatedAt: '2026-05-10T14:00:00.000Z', notes: 'changed elsewhere' })));
    } finally {
      other.close();
    }
    const second = await get(path, { 'If-None-Match': first.headers.get('etag') ?? '' });
    expect(second.status).toBe(200);
    const e1 = parseBoth(second.body.toString('utf8')).events.find((e) => e.uid === 'bki_1@orkestr-console');
    expect(e1?.sequence).toBe(7);
    expect(e1?.description).toContain('Notes: changed elsewhere');
  });

  it('answers 200 to If-Modified-Since when a booking has left the feed', async () => {
    const { token } = addFeed(replica, { name: 'Loft only', filters: { offeringIds: ['off_loft'] }, now: new Date('2026-05-01T00:00:00.000Z') });
    const path = `/calendar/${token}.ics`;
    const before = await get(path);
    expect(parseBoth(before.body.toString('utf8')).events.some((e) => e.uid === 'bki_3@orkestr-console')).toBe(true);
    // bkg_3 moves to another offering (an edit on the server), so it leaves this feed.
    replica.transaction(() =>
      replica.applyRemoteBooking(
        remoteBooking(3, {
          version: 5,
          offeringId: 'off_van',
          offeringTitle: 'Cargo Van',
          updatedAt: '2026-05-10T15:00:00.000Z',
          items: [{ id: 'bki_3', offeringId: 'off_van', startsAt: '2026-05-15T15:00:00.000Z', endsAt: '2026-05-15T16:00:00.000Z', quantity: 1, priceCents: 1000 }],
        } as Partial<RemoteBooking>),
      ),
    );
    const after = await get(path, { 'If-Modified-Since': before.headers.get('last-modified') ?? '' });
    expect(after.status).toBe(200);
    expect(parseBoth(after.body.toString('utf8')).events.some((e) => e.uid === 'bki_3@orkestr-console')).toBe(false);
    expect(Date.parse(after.headers.get('last-modified') ?? '')).toBeGreaterThan(Date.parse(before.headers.get('last-modified') ?? ''));
  });

  it('moves the window (and Last-Modified) at midnight UTC', async () => {
    const { token } = addFeed(replica, { name: 'Window', filters: { pastDays: 0, futureDays: 3 }, now: new Date('2026-05-01T00:00:00.000Z') });
    const path = `/calendar/${token}.ics`;
    const a = await get(path);
    // [2026-05-10, 2026-05-14): bki_1 (05-13); bki_2 was moved to 05-20, bki_3 is on 05-15.
    expect(parseBoth(a.body.toString('utf8')).events.map((e) => e.uid)).toEqual(['bki_1@orkestr-console']);
    now = new Date('2026-05-14T08:00:00.000Z');
    try {
      const b = await get(path, { 'If-None-Match': a.headers.get('etag') ?? '' });
      expect(b.status).toBe(200);
      expect(b.headers.get('last-modified')).toBe(new Date('2026-05-14T00:00:00.000Z').toUTCString());
      // [2026-05-14, 2026-05-18): bki_3, bki_5 (cancelled, still shown); bki_4 is PENDING (not asked for), bki_6 starts 05-18.
      expect(parseBoth(b.body.toString('utf8')).events.map((e) => e.uid)).toEqual(['bki_3@orkestr-console', 'bki_5@orkestr-console']);
    } finally {
      now = new Date('2026-05-10T12:00:00.000Z');
    }
  });

  it('answers 404 for unknown, malformed and revoked tokens', async () => {
    const { feed, token } = addFeed(replica, { name: 'To revoke' });
    expect((await get(`/calendar/${token}.ics`)).status).toBe(200);
    revokeFeed(replica, feed.id);
    const gone = await get(`/calendar/${token}.ics`);
    expect(gone.status).toBe(404);
    expect(gone.body.toString()).not.toContain('BEGIN:VCALENDAR');
    expect((await get(`/calendar/ocf_${'A'.repeat(43)}.ics`)).status).toBe(404);
    expect((await get('/calendar/a%2F..%2Fb.ics')).status).toBe(404);
    expect((await get(`/calendar/${token}`)).status).toBe(404);
    expect((await get('/calendar/')).status).toBe(404);
  });

  it('after a rotation the old token is 404 and the new one 200', async () => {
    const { feed, token: oldToken } = addFeed(replica, { name: 'To rotate' });
    expect((await get(`/calendar/${oldToken}.ics`)).status).toBe(200);
    const { token: newToken } = rotateFeed(replica, feed.id);
    expect(newToken).not.toBe(oldToken);
    expect((await get(`/calendar/${oldToken}.ics`)).status).toBe(404);
    const fresh = await get(`/calendar/${newToken}.ics`);
    expect(fresh.status).toBe(200);
    expect(parseBoth(fresh.body.toString('utf8')).name).toBe('To rotate');
    expect(getFeed(replica, feed.id).revokedAt).toBeNull();
  });

  it('answers 500 instead of throwing into the host server when the replica is unusable', async () => {
    const { token } = addFeed(replica, { name: 'Closing' });
    const scratch = new Replica(join(dir, 'scratch.db'));
    const handler = createFeedHandler(scratch);
    scratch.close();
    let status = 0;
    const res = { headersSent: false, writeHead: (s: number) => ((status = s), res), end: () => res, destroy: () => res };
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(handler({ url: `/calendar/${token}.ics`, method: 'GET', headers: {} } as never, res as never)).toBe(true);
    } finally {
      errors.mockRestore();
    }
    expect(status).toBe(500);
  });

  it('leaves other paths to the host server and refuses other methods', async () => {
    const other = await get('/api/anything');
    expect(other.status).toBe(418);
    const { token } = addFeed(replica, { name: 'Methods' });
    const post = await fetch(`${base}/calendar/${token}.ics`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });
});
