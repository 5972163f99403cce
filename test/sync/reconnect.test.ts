/**
 * Nothing waits once the server is back (issue #13): intents that backed off while the server could
 * not be reached go out as soon as it answers again, and "Sync now" sends what waits at once. The
 * sandbox is really stopped and started again on its port (HTTP over loopback, real sockets).
 *
 * A long outage is what makes the back-off long (it doubles per attempt up to the retry cap); rather
 * than wait minutes for it, each test sets the intents' next attempt an hour ahead in the replica
 * file (what a long outage leaves behind). Without the fix they would stay unsent for that hour.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCore, storedIntent, type TestCore } from '../support/core.ts';
import type { SandboxFixture } from '../support/sandbox.ts';
import { waitFor } from '../support/wait-for.ts';
import { KEY, sandbox } from './helpers.ts';

let s: SandboxFixture;
let c: TestCore;

beforeEach(async () => {
  s = await sandbox();
  c = openCore({ dbFile: join(s.dir, 'replica.db'), api: { url: s.url, key: KEY }, transport: 'bridge', appVersion: 'test', holdMs: 0 });
  c.core.start();
  await waitFor(async () => (await c.call('sync.status', {})).lastSyncAt, 'the first sync');
});

afterEach(async () => {
  await c.core.close();
  await s.dispose();
});

/** Pushes the next attempt of these intents an hour ahead, as many failed attempts in a row would. */
function longBackoff(intentIds: string[]): void {
  const db = new Database(c.dbFile);
  try {
    db.pragma('busy_timeout = 5000');
    const at = new Date(Date.now() + 3_600_000).toISOString();
    const update = db.prepare('UPDATE outbox SET next_attempt_at = ? WHERE id = ?');
    db.transaction(() => intentIds.forEach((id) => update.run(at, id)))();
  } finally {
    db.close();
  }
}

async function approveTen(): Promise<{ bookingIds: string[]; intentIds: string[] }> {
  const bookingIds = (await c.call('queue.window', { limit: 10 })).items.map((r) => r.id);
  expect(bookingIds).toHaveLength(10);
  const intentIds: string[] = [];
  for (const id of bookingIds) intentIds.push((await c.call('bookings.approve', { id })).intentId!);
  return { bookingIds, intentIds };
}

const approvedAtServer = async (): Promise<number> => (await s.effects()).filter((e) => e.kind === 'booking.approve').length;

describe('after the network returns', () => {
  it('intents that backed off while the server was down reach it as soon as it answers again', async () => {
    await s.close();
    const { intentIds } = await approveTen();
    await waitFor(() => intentIds.every((id) => storedIntent(c.dbFile, id).attempts >= 1), 'a failed first attempt of every intent');
    await waitFor(async () => (await c.call('sync.status', {})).connection === 'offline', 'the console to say it is offline');
    longBackoff(intentIds);
    await s.restart();
    await waitFor(async () => (await approvedAtServer()) === 10, 'the ten approvals at the server', 20_000);
    expect(intentIds.map((id) => storedIntent(c.dbFile, id).state)).toEqual(Array(10).fill('done'));
  });

  it('"Sync now" sends intents waiting out a back-off at once', async () => {
    // The server answers 5xx to everything: the intents back off, the console stays reachable.
    await s.adminJson('PUT', '/faults', { errorRate: 1 });
    const { intentIds } = await approveTen();
    await waitFor(() => intentIds.every((id) => storedIntent(c.dbFile, id).attempts >= 1), 'a failed first attempt of every intent');
    longBackoff(intentIds);
    await s.adminJson('DELETE', '/faults');
    expect(await approvedAtServer()).toBe(0);
    expect((await c.call('sync.now', {})).started).toBe(true);
    await waitFor(async () => (await approvedAtServer()) === 10, 'the ten approvals at the server', 20_000);
  });
});
