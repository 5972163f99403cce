/**
 * Issue #15: two processes on one replica must not send the same intent. Three real `sync --once`
 * processes push one outbox at the same time; a recording proxy in front of the sandbox counts the
 * requests that reach the server (not just the effects, which the server's idempotency memory would
 * hide). Each intent is claimed atomically before it is sent, so each is requested exactly once.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { openCore, readReplica } from '../support/core.ts';
import { startRecordingProxy, type RecordingProxy } from '../support/recording-proxy.ts';
import type { SandboxFixture } from '../support/sandbox.ts';
import { KEY, sandbox } from '../sync/helpers.ts';

let s: SandboxFixture;
let proxy: RecordingProxy;

beforeAll(async () => {
  s = await sandbox({ seed: 'demo' });
  proxy = await startRecordingProxy(s.url);
});

afterAll(async () => {
  await proxy?.close();
  await s?.dispose();
});

describe('intents are claimed before they are sent', { timeout: 240_000 }, () => {
  it('three concurrent sync --once on one replica: every queued approval reaches the server once', async () => {
    const db = join(s.dir, 'shared.db');
    const first = await runCli(['sync', '--once', '--api', proxy.url, '--key', KEY, '--db', db]);
    expect(first.code, first.stderr).toBe(0);
    const pending = readReplica(db, (r) => r.prepare("SELECT id FROM bookings WHERE status = 'PENDING' ORDER BY id LIMIT 10").all() as Array<{ id: string }>);
    expect(pending).toHaveLength(10);
    const c = openCore({ dbFile: db, transport: 'bridge', appVersion: 'test', holdMs: 0 });
    try {
      for (const b of pending) await c.call('bookings.approve', { id: b.id });
    } finally {
      await c.core.close();
    }
    // Slow answers keep the three pushes overlapping on a fast machine too.
    await s.admin('POST', '/_sandbox/faults', { latencyMs: 150 });
    proxy.requests.length = 0;
    const runs = await Promise.all([0, 1, 2].map(() => runCli(['sync', '--once', '--api', proxy.url, '--key', KEY, '--db', db], { timeoutMs: 180_000 })));
    for (const r of runs) expect(r.code, r.stderr + r.stdout).toBe(0);
    const approvals = proxy.requests.filter((r) => r.method === 'POST' && /\/approve$/.test(r.path));
    expect(approvals.map((r) => r.path).sort()).toEqual(pending.map((b) => `/v1/api/bookings/${b.id}/approve`).sort());
    const sent = runs.map((r) => Number(/sent (\d+)/.exec(r.stdout)?.[1] ?? -1));
    expect(sent.reduce((a, b) => a + b, 0)).toBe(10);
    const states = readReplica(db, (r) => r.prepare("SELECT state, COUNT(*) AS n FROM outbox GROUP BY state").all());
    expect(states).toEqual([{ state: 'done', n: 10 }]);
  });
});
