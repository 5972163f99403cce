/** The CLI commands over the same core: sync --once, approve/cancel/reschedule offline, status, exit codes. */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli as run } from '../support/cli.ts';
import type { SandboxFixture } from '../support/sandbox.ts';
import { KEY, sandbox } from './helpers.ts';

let s: SandboxFixture;
let db: string;

beforeAll(async () => {
  s = await sandbox();
  db = join(s.dir, 'cli.db');
});

afterAll(async () => {
  await s.dispose();
});

// Each test starts up to nine CLI processes one after the other: a minute is not enough on a loaded 2-core machine.
describe('orkestr-console sync / approve / cancel / reschedule / status', { timeout: 180_000 }, () => {
  it('prints help and rejects bad usage with exit code 2', async () => {
    for (const name of ['sync', 'approve', 'cancel', 'reschedule', 'status']) {
      const help = await run([name, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`orkestr-console ${name}`);
    }
    expect((await run(['sync', '--db', db, '--key', KEY])).code).toBe(2); // no --api
    expect((await run(['sync', '--api', s.url, '--key', 'nope', '--db', db])).code).toBe(2);
    expect((await run(['approve', '--db', db])).code).toBe(2); // no id
    expect((await run(['cancel', 'bkg_x', '--db', db])).code).toBe(2); // no reason
    expect((await run(['reschedule', 'bkg_x', '--item', 'i', '--starts', 'tomorrow', '--ends', '2026-01-01T00:00:00Z', '--db', db])).code).toBe(2);
  });

  it('queues intents offline, sends them with sync --once, reports status', async () => {
    const first = await run(['sync', '--once', '--api', s.url, '--key', KEY, '--db', db]);
    expect(first.code, first.stderr).toBe(0);
    const pending = await s.listAll<{ id: string; items: Array<{ id: string; startsAt: string; endsAt: string }> }>('/api/bookings?status=PENDING');
    const [a, b, c] = pending;

    const approve = await run(['approve', a!.id, '--db', db]);
    expect(approve.code, approve.stderr).toBe(0);
    const approveId = approve.stdout.trim();
    expect(approveId).toMatch(/^[0-9a-f-]{36}$/);
    const cancel = await run(['cancel', b!.id, '--reason', 'customer_request', '--db', db]);
    expect(cancel.code, cancel.stderr).toBe(0);
    const item = c!.items[0]!;
    const notes = await run(['reschedule', c!.id, '--item', item.id, '--starts', item.startsAt, '--ends', item.endsAt, '--db', db]);
    expect(notes.code, notes.stderr).toBe(0);
    expect((await run(['approve', 'bkg_unknown', '--db', db])).code).toBe(1);

    const before = JSON.parse((await run(['status', '--db', db, '--json'])).stdout) as { outboxLength: number; intents: Record<string, number>; lastSyncAt: string | null };
    expect(before.outboxLength).toBe(3);
    expect(before.lastSyncAt).not.toBeNull();

    const sync = await run(['sync', '--once', '--api', s.url, '--key', KEY, '--db', db]);
    expect(sync.code, sync.stderr + sync.stdout).toBe(0);
    const after = JSON.parse((await run(['status', '--db', db, '--json'])).stdout) as { outboxLength: number; intents: Record<string, number>; conflicts: unknown[] };
    expect(after.outboxLength).toBe(0);
    expect(after.intents['done']).toBe(3);
    expect(after.conflicts).toHaveLength(0);
    expect((await s.getJson<{ status: string }>(`/api/bookings/${a!.id}`)).status).toBe('CONFIRMED');
    expect((await s.getJson<{ status: string }>(`/api/bookings/${b!.id}`)).status).toBe('CANCELLED');
    expect((await s.effects()).filter((e) => e.idempotencyKey === approveId)).toHaveLength(1);
    const text = await run(['status', '--db', db]);
    expect(text.stdout).toMatch(/outbox:\s+0 waiting/);
  });

  it('sync --once exits 1 when the server rejects the key', async () => {
    const r = await run(['sync', '--once', '--api', s.url, '--key', 'ork_nokeyher.abcdefghijklmnopqrstuv', '--db', join(s.dir, 'other.db')]);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/FAILED/);
  });
});
