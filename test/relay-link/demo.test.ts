/**
 * The demo tenant as `npm start` runs it: sandbox → embedded relay → console, with calendar feeds
 * published to the relay and served locally through the bridge.
 */
import Database from 'better-sqlite3';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startBridge, type Bridge } from '../../src/main/bridge/bridge.ts';
import { startConsole, type RunningConsole } from '../../src/main/app.ts';
import { createFeedHandler } from '../../src/main/core/calendar/index.ts';
import { callCore, readReplica } from '../support/core.ts';
import { waitFor } from '../support/wait-for.ts';

let running: RunningConsole;
let bridge: Bridge;
let dbFile: string;
let feedDb: Database.Database;

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'demo-'));
  dbFile = join(dir, 'replica.db');
  running = await startConsole({ dbFile, transport: 'bridge', demoLiveSeconds: 0 });
  // As `serve` mounts feeds: on a read-only connection of their own to the replica file.
  feedDb = new Database(dbFile, { readonly: true, fileMustExist: true });
  bridge = await startBridge({ host: running.core, routes: createFeedHandler(feedDb) });
  await waitFor(async () => (await callCore(running.core, 'sync.status')).lastSyncAt, 'the first sync');
});
afterAll(async () => {
  await bridge?.close();
  feedDb?.close();
  await running?.close();
});

it('runs on the demo tenant with webhooks arriving through the embedded relay', async () => {
  expect(running.mode).toBe('demo');
  expect(await callCore(running.core, 'session.info')).toMatchObject({ mode: 'demo', live: true, tenant: { name: 'Atlas Studios' } });
  const sandbox = running.sandbox!;
  const ping = await fetch(`${sandbox.url}/_sandbox/webhook/test`, { method: 'POST', headers: { Authorization: `Bearer ${sandbox.adminToken}`, 'Content-Type': 'application/json' }, body: '{}' });
  expect(ping.ok).toBe(true);
  await waitFor(async () => (await callCore(running.core, 'activity.list', { limit: 50 })).some((a) => a.event === 'webhook.test'), 'the test ping in Activity');
});

it('serves a calendar feed locally and publishes the same bytes to the relay', async () => {
  // Adding a published feed is a change the console publishes by itself (no explicit flush).
  const { feed, localPath } = await callCore(running.core, 'feeds.add', { name: 'Front desk', publish: true, filters: { includePending: true } });
  const local = await fetch(`${bridge.url}${localPath}`);
  expect(local.status).toBe(200);
  expect(local.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
  const localBody = Buffer.from(await local.arrayBuffer());
  expect(localBody.toString('utf8')).toContain('BEGIN:VCALENDAR');

  const publishKey = readReplica(dbFile, (db) => (db.prepare('SELECT publish_key AS k FROM calendar_feeds WHERE id = ?').get(feed.id) as { k: string }).k);
  const publicUrl = `${running.relay!.url}/feeds/${publishKey}.ics`;
  const published = await waitFor(async () => {
    const res = await fetch(publicUrl);
    return res.status === 200 ? Buffer.from(await res.arrayBuffer()) : null;
  }, 'the feed on the relay');
  expect(published.equals(localBody)).toBe(true);
});
