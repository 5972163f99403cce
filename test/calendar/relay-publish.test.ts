/**
 * Feed snapshots published to the real relay (src/relay): the relay-served feed is byte-equal to the
 * local one, answers 304 on its ETag, follows replica changes (debounced), and rotate / revoke remove
 * the old public URL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRelay, type RelayHandle } from '../../src/relay/index.ts';
import { Replica } from '../../src/main/core/replica/replica.ts';
import { addFeed, getFeed, revokeFeed, rotateFeed } from '../../src/main/core/calendar/feeds.ts';
import { createFeedHandler } from '../../src/main/core/calendar/feed-server.ts';
import { CalendarWorker } from '../../src/main/core/calendar/render-worker.ts';
import { createFeedRepublisher, publicFeedUrl, publishFeed, PublishError, type RelayTarget } from '../../src/main/core/calendar/publish.ts';
import { runMain } from '../support/cli.ts';
import { waitFor } from '../support/wait-for.ts';
import { parseBoth } from './helpers.ts';

const adminToken = 'relay-admin-token-for-calendar-tests-0123';
let dir: string;
let relay: RelayHandle;
let target: RelayTarget;
let replica: Replica;
let local: Server;
let localBase: string;

function putBooking(n: number, version: number, startIso: string): void {
  replica.transaction(() =>
    replica.applyRemoteBooking({
      id: `bkg_${n}`,
      status: 'CONFIRMED',
      offeringId: 'off_a',
      offeringTitle: 'Room A',
      customer: { id: 'cus_1', name: 'Zoë Øvergård-Đặng 東京', email: 'z@example.com', timezone: null },
      items: [{ id: `bki_${n}`, offeringId: 'off_a', startsAt: startIso, endsAt: new Date(Date.parse(startIso) + 3_600_000).toISOString(), quantity: 1, priceCents: 1 }],
      notes: '',
      createdAt: '2030-01-01T00:00:00.000Z',
      updatedAt: new Date(Date.parse('2030-01-02T00:00:00.000Z') + version * 60_000).toISOString(),
      version,
    } as never),
  );
}

async function fetchBytes(url: string, headers: Record<string, string> = {}): Promise<{ status: number; etag: string | null; body: Buffer }> {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
  return { status: res.status, etag: res.headers.get('etag'), body: Buffer.from(await res.arrayBuffer()) };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cal-relay-'));
  relay = await startRelay({ port: 0, store: join(dir, 'relay.db'), adminToken });
  const res = await fetch(`${relay.url}/v1/channels`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'calendar test' }),
  });
  expect(res.status).toBe(201);
  const ch = (await res.json()) as { id: string; deviceToken: string };
  target = { relayUrl: relay.url, channelId: ch.id, deviceToken: ch.deviceToken };
  replica = Replica.open(join(dir, 'replica.db'));
  replica.transaction(() => replica.setMeta('tenant', JSON.stringify({ name: 'Atlas Studios', subdomain: 'atlas' })));
  putBooking(1, 1, '2030-02-01T09:00:00.000Z');
  putBooking(2, 1, '2030-02-02T09:00:00.000Z');
  const handler = createFeedHandler(replica);
  local = createServer((req, res) => {
    if (!handler(req, res)) res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => local.listen(0, '127.0.0.1', resolve));
  localBase = `http://127.0.0.1:${(local.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => (local ? local.close(() => resolve()) : resolve()));
  replica?.close();
  await relay?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('publishing feeds to the relay', () => {
  it('serves a byte-equal copy of the local feed, with ETag/304, kept in step after changes', async () => {
    const { feed, token } = addFeed(replica, { name: 'Public, all', publish: true });
    const pub = createFeedRepublisher({ db: replica, target: () => target, debounceMs: 30 });
    try {
      expect(await pub.flush()).toEqual({ published: 1, deleted: 0, failed: 0 });
      const url = publicFeedUrl(relay.url, getFeed(replica, feed.id).publishKey);
      const [remote, mine] = await Promise.all([fetchBytes(url), fetchBytes(`${localBase}/calendar/${token}.ics`)]);
      expect(remote.status).toBe(200);
      expect(mine.status).toBe(200);
      expect(remote.body.equals(mine.body)).toBe(true);
      expect(parseBoth(remote.body.toString('utf8')).events.map((e) => e.uid)).toEqual(['bki_1@orkestr-console', 'bki_2@orkestr-console']);
      expect(remote.etag).toBeTruthy();
      expect((await fetchBytes(url, { 'If-None-Match': remote.etag ?? '' })).status).toBe(304);

      // Nothing changed: nothing is sent again.
      expect(await pub.flush()).toEqual({ published: 0, deleted: 0, failed: 0 });

      // A reschedule lands; the debounced republisher follows without an explicit flush.
      putBooking(2, 2, '2030-02-03T09:00:00.000Z');
      pub.notifyChanged();
      const changed = await waitFor(async () => {
        const r = await fetchBytes(url, { 'If-None-Match': remote.etag ?? '' });
        return r.status === 200 ? r : null;
      }, 'the relay to serve the new snapshot');
      const mineNow = await fetchBytes(`${localBase}/calendar/${token}.ics`);
      expect(changed.body.equals(mineNow.body)).toBe(true);
      const e2 = parseBoth(changed.body.toString('utf8')).events.find((e) => e.uid === 'bki_2@orkestr-console');
      expect(e2?.sequence).toBe(2);
      expect(e2?.start).toBe(Date.parse('2030-02-03T09:00:00.000Z'));
    } finally {
      await pub.close();
    }
  });

  it('follows a steady stream of changes: publishes within maxWaitMs though the quiet time never comes', async () => {
    const { feed } = addFeed(replica, { name: 'Busy', publish: true });
    // A quiet time the stream never leaves (webhooks at 500/s): before maxWaitMs it never published.
    const pub = createFeedRepublisher({ db: replica, target: () => target, debounceMs: 60_000, maxWaitMs: 200 });
    try {
      await pub.flush();
      const url = publicFeedUrl(relay.url, getFeed(replica, feed.id).publishKey);
      const before = await fetchBytes(url);
      expect(before.status).toBe(200);
      putBooking(3, 1, '2030-02-05T09:00:00.000Z');
      // Every poll is one more change, as a stream of webhooks would bring.
      const changed = await waitFor(async () => {
        pub.notifyChanged();
        const r = await fetchBytes(url, { 'If-None-Match': before.etag ?? '' });
        return r.status === 200 ? r : null;
      }, 'the relay to serve the snapshot with the new booking while changes keep coming');
      expect(parseBoth(changed.body.toString('utf8')).events.map((e) => e.uid)).toContain('bki_3@orkestr-console');
    } finally {
      await pub.close();
    }
  });

  it('renders in the calendar worker thread when given one, byte-equal to the local feed, following changes', async () => {
    const { feed, token } = addFeed(replica, { name: 'Off the loop', publish: true });
    const worker = new CalendarWorker(replica.sqlite.name);
    let rendered = 0;
    const pub = createFeedRepublisher({
      db: replica,
      target: () => target,
      debounceMs: 10_000,
      render: (f) => {
        rendered++;
        return worker.renderFeed(f);
      },
    });
    try {
      // The earlier tests' feeds are published too (one replica for the file): at least this one.
      const first = await pub.flush();
      expect(first.failed).toBe(0);
      expect(first.published).toBeGreaterThanOrEqual(1);
      expect(rendered).toBeGreaterThanOrEqual(first.published);
      const url = publicFeedUrl(relay.url, getFeed(replica, feed.id).publishKey);
      const [remote, mine] = await Promise.all([fetchBytes(url), fetchBytes(`${localBase}/calendar/${token}.ics`)]);
      expect(remote.body.equals(mine.body)).toBe(true);
      // The worker reads with its own connection: it sees what this one committed since.
      putBooking(4, 1, '2030-02-06T09:00:00.000Z');
      const second = await pub.flush();
      expect(second.failed).toBe(0);
      expect(second.published).toBeGreaterThanOrEqual(1);
      const after = await fetchBytes(url);
      expect(parseBoth(after.body.toString('utf8')).events.map((e) => e.uid)).toContain('bki_4@orkestr-console');
      expect(after.body.equals((await fetchBytes(`${localBase}/calendar/${token}.ics`)).body)).toBe(true);
    } finally {
      await pub.close();
      await worker.close();
    }
  });

  it('removes the old public snapshot after rotate and after revoke', async () => {
    const { feed } = addFeed(replica, { name: 'Rotating', publish: true });
    const pub = createFeedRepublisher({ db: replica, target: () => target, debounceMs: 10_000 });
    try {
      await pub.flush();
      const oldUrl = publicFeedUrl(relay.url, getFeed(replica, feed.id).publishKey);
      expect((await fetchBytes(oldUrl)).status).toBe(200);
      rotateFeed(replica, feed.id);
      expect(await pub.flush()).toMatchObject({ published: 1, deleted: 1, failed: 0 });
      expect((await fetchBytes(oldUrl)).status).toBe(404);
      const newUrl = publicFeedUrl(relay.url, getFeed(replica, feed.id).publishKey);
      expect(newUrl).not.toBe(oldUrl);
      expect((await fetchBytes(newUrl)).status).toBe(200);
      revokeFeed(replica, feed.id);
      expect(await pub.flush()).toMatchObject({ deleted: 1, failed: 0 });
      expect((await fetchBytes(newUrl)).status).toBe(404);
      expect(getFeed(replica, feed.id).retiredPublishKey).toBeNull();
    } finally {
      await pub.close();
    }
  });

  it('`feeds publish` puts the snapshots on the relay and prints their public URLs', async () => {
    const { feed } = addFeed(replica, { name: 'From the CLI', publish: true });
    const file = join(dir, 'replica.db');
    const { code, out, err } = await runMain('feeds', 'publish', '--db', file, '--relay', relay.url, '--channel', target.channelId, '--device-token', target.deviceToken, '--json');
    expect(code, err).toBe(0);
    const report = JSON.parse(out) as { published: number; failed: number; feeds: Array<{ id: string; url: string }> };
    expect(report.failed).toBe(0);
    expect(report.published).toBeGreaterThanOrEqual(1);
    const mine = report.feeds.find((f) => f.id === feed.id);
    expect(mine?.url).toBe(publicFeedUrl(relay.url, getFeed(replica, feed.id).publishKey));
    const served = await fetchBytes(mine?.url ?? '');
    expect(served.status).toBe(200);
    expect(parseBoth(served.body.toString('utf8')).name).toBe('From the CLI');
  });

  it('waits after a refused snapshot (wrong device token) until told again', async () => {
    await expect(
      publishFeed({ ...target, deviceToken: 'rdt_wrong', feedKey: 'k'.repeat(24), body: Buffer.from('BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n') }),
    ).rejects.toBeInstanceOf(PublishError);
    const { feed } = addFeed(replica, { name: 'Refused', publish: true });
    const logs: string[] = [];
    let wrong = true;
    const pub = createFeedRepublisher({
      db: replica,
      target: () => ({ ...target, deviceToken: wrong ? 'rdt_wrong' : target.deviceToken }),
      log: (l) => logs.push(l),
      debounceMs: 10,
      maxRetryMs: 20,
    });
    try {
      const first = await pub.flush();
      expect(first.failed).toBeGreaterThan(0);
      expect(logs.join('\n')).toContain('401');
      expect(pub.status()).toMatchObject({ retrying: false });
      expect(pub.status().lastError).toContain('401');
      expect(getFeed(replica, feed.id).publishedEtag).toBeNull();
      wrong = false;
      pub.notifyChanged(); // e.g. the relay settings were fixed
      await waitFor(() => getFeed(replica, feed.id).publishedEtag !== null, 'the publish after the fix');
      expect((await fetchBytes(publicFeedUrl(relay.url, getFeed(replica, feed.id).publishKey))).status).toBe(200);
      await waitFor(() => pub.status().lastError === null, 'a clean status');
      expect(pub.status().lastSuccessAt).not.toBeNull();
    } finally {
      await pub.close();
    }
  });

  it('retries by itself while the relay is unreachable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const { feed } = addFeed(replica, { name: 'Offline first', publish: true });
    let down = true;
    const pub = createFeedRepublisher({ db: replica, target: () => ({ ...target, relayUrl: down ? deadUrl : relay.url }), maxRetryMs: 30 });
    try {
      const first = await pub.flush();
      expect(first.failed).toBeGreaterThan(0);
      expect(pub.status().retrying).toBe(true);
      down = false;
      await waitFor(() => getFeed(replica, feed.id).publishedEtag !== null, 'the back-off retry to publish');
      expect((await fetchBytes(publicFeedUrl(relay.url, getFeed(replica, feed.id).publishKey))).status).toBe(200);
    } finally {
      await pub.close();
    }
  });
});
