/**
 * The demo tenant as `npm start` runs it: sandbox → embedded relay → console, with calendar feeds
 * published to the relay and served locally through the bridge.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startBridge, type Bridge } from '../../src/main/bridge/bridge.ts';
import { startConsole, type RunningConsole } from '../../src/main/app.ts';
import { addFeed, createFeedHandler, feedPath } from '../../src/main/core/calendar/index.ts';
import { waitFor } from '../support/wait-for.ts';

let running: RunningConsole;
let bridge: Bridge;


beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'demo-'));
  running = await startConsole({ dbFile: join(dir, 'replica.db'), transport: 'bridge', demoLiveSeconds: 0 });
  bridge = await startBridge({ host: running.core, routes: createFeedHandler(running.core.replica) });
  await waitFor(() => running.core.status().lastSyncAt, 'the first sync');
});
afterAll(async () => {
  await bridge?.close();
  await running?.close();
});

it('runs on the demo tenant with webhooks arriving through the embedded relay', async () => {
  expect(running.mode).toBe('demo');
  expect(running.core.session()).toMatchObject({ mode: 'demo', live: true, tenant: { name: 'Atlas Studios' } });
  const sandbox = running.sandbox!;
  const ping = await fetch(`${sandbox.url}/_sandbox/webhook/test`, { method: 'POST', headers: { Authorization: `Bearer ${sandbox.adminToken}`, 'Content-Type': 'application/json' }, body: '{}' });
  expect(ping.ok).toBe(true);
  await waitFor(async () => (await running.core.handlers['activity.list']({ limit: 50 })).some((a) => a.event === 'webhook.test'), 'the test ping in Activity');
});

it('serves a calendar feed locally and publishes the same bytes to the relay', async () => {
  const { feed, token } = addFeed(running.core.replica.sqlite, { name: 'Front desk', publish: true, filters: { includePending: true } });
  const local = await fetch(`${bridge.url}${feedPath(token)}`);
  expect(local.status).toBe(200);
  expect(local.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
  const localBody = Buffer.from(await local.arrayBuffer());
  expect(localBody.toString('utf8')).toContain('BEGIN:VCALENDAR');

  running.core.notifyChanged(['bookings']);
  const publicUrl = `${running.relay!.url}/feeds/${feed.publishKey}.ics`;
  const published = await waitFor(async () => {
    const res = await fetch(publicUrl);
    return res.status === 200 ? Buffer.from(await res.arrayBuffer()) : null;
  }, 'the feed on the relay');
  expect(published.equals(localBody)).toBe(true);
});
