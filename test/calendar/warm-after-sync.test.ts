import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCore, readReplica, type TestCore } from '../support/core.ts';
import { startTestSandbox, TEST_KEY, type SandboxFixture } from '../support/sandbox.ts';
import { waitFor } from '../support/wait-for.ts';

// The calendar's render workers are warmed ahead of need (#16), but not while an initial sync still
// holds the CPU and the memory budget: only once the bookings feed is loaded.

let s: SandboxFixture;
let c: TestCore | null = null;
const logs: string[] = [];

beforeAll(async () => {
  s = await startTestSandbox({ seed: 'demo' });
});
afterAll(async () => {
  await c?.core.close();
  await s?.dispose();
});

const feedLoaded = (dbFile: string): boolean => readReplica(dbFile, (db) => (db.prepare("SELECT complete FROM sync_state WHERE resource = 'bookings'").get() as { complete: number } | undefined)?.complete === 1);

describe('work ahead of need', () => {
  it('waits for the bookings feed to be loaded, then warms the calendar workers', async () => {
    await s.close();
    const dbFile = join(s.dir, 'replica.db');
    c = openCore({ dbFile, api: { url: s.url, key: TEST_KEY }, transport: 'bridge', appVersion: 'test', aheadOfNeedDelayMs: 0, log: (line) => logs.push(line) });
    let started = false;
    c.core.start();
    void c.core.whenStarted().then(() => (started = true));
    await waitFor(() => c!.eventsOf('sync.status').some((e) => e.connection === 'offline'), 'the first sync to fail (server down)');
    expect(logs.filter((l) => l.includes('work ahead of need'))).toEqual([]);
    expect(started).toBe(false);

    await s.restart();
    await c.call('sync.now', {});
    await waitFor(() => started, 'the warm-up after the first full sync', 60_000);
    expect(feedLoaded(dbFile)).toBe(true);
    expect(logs.filter((l) => l.includes('work ahead of need'))).toHaveLength(1);
  });
});
