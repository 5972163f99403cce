/**
 * The relay link's group commit (issue #16): batches the stream hands over are applied in the
 * replica's open group transaction and commit together, so a webhook's ~34 B-tree pages are not
 * written to the WAL once per batch. What must hold: the core's own connection (the UI's reads) sees
 * a batch at once; the stream may ack only what is committed; a batch that fails rolls back alone; a
 * group lost to another writer's failure rewinds the stream to the committed cursor; and a kill -9
 * before the commit leaves the replica with the committed batches and their cursor only, so the relay
 * streams the rest again. Real replica files; the kill is a real SIGKILL of a child process.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { statSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { RelayGroupCommit } from '../../src/main/core/relay-link/group-commit.ts';
import { applyRelayedBatch, applyWithCursor } from '../../src/main/core/relay-link/relay-link.ts';
import { Replica } from '../../src/main/core/replica/replica.ts';
import { readReplica } from '../support/core.ts';
import { delivery, noEffects, secret } from './group-commit-deliveries.ts';

const host = (replica: Replica) => ({ replica, notifyChanged: () => {}, notifyActivity: () => {}, syncNow: () => false });
const fresh = async (): Promise<string> => join(await mkdtemp(join(tmpdir(), 'group-commit-')), 'replica.db');
const count = (replica: Replica): number => (replica.stmt('SELECT count(*) AS n FROM bookings').get() as { n: number }).n;
const committedCount = (file: string): number => readReplica(file, (db) => (db.prepare('SELECT count(*) AS n FROM bookings').get() as { n: number }).n);
const walBytes = (file: string): number => statSync(`${file}-wal`).size;

/** A group whose timer never fires within a test: it commits when the test says. */
function manualGroup(replica: Replica) {
  const calls = { committed: 0, rewinds: [] as Array<number | undefined> };
  const group = new RelayGroupCommit(replica, 'relay.cursor', { committed: () => calls.committed++, rewind: (c) => calls.rewinds.push(c) }, 3_600_000);
  return { group, calls, apply: (from: number, to: number) => group.run(to, () => applyWithCursor(replica, [secret], Array.from({ length: to - from + 1 }, (_, i) => delivery(from + i)), noEffects())) };
}

describe('relay link group commit', () => {
  it('batches share one commit: seen at once on the core connection, by others after the commit, acked only then, with a fraction of the WAL', async () => {
    const perBatch = Replica.open(await fresh());
    perBatch.sqlite.pragma('wal_autocheckpoint = 0');
    const file = await fresh();
    const grouped = Replica.open(file);
    grouped.sqlite.pragma('wal_autocheckpoint = 0');
    const walBefore = [walBytes(perBatch.file), walBytes(file)];
    for (let seq = 1; seq <= 40; seq++) applyRelayedBatch(host(perBatch), [secret], [delivery(seq)]);
    const { group, calls, apply } = manualGroup(grouped);
    for (let seq = 1; seq <= 40; seq++) apply(seq, seq);
    expect(count(grouped)).toBe(40);
    expect(committedCount(file)).toBe(0);
    expect(group.durable()).toBeUndefined();
    group.commit();
    expect(committedCount(file)).toBe(40);
    expect(group.durable()).toBe(40);
    expect(calls.committed).toBe(1);
    const perBatchWal = walBytes(perBatch.file) - walBefore[0]!;
    const groupedWal = walBytes(file) - walBefore[1]!;
    expect(groupedWal).toBeLessThan(perBatchWal / 4);
    perBatch.close();
    grouped.close();
  });

  it('a batch that fails rolls back alone; the batches before it in the group commit', async () => {
    const replica = Replica.open(await fresh());
    const { group, calls, apply } = manualGroup(replica);
    apply(1, 2);
    expect(() =>
      group.run(4, () => {
        applyWithCursor(replica, [secret], [delivery(3), delivery(4)], noEffects());
        throw new Error('disk full, say');
      }),
    ).toThrow('disk full');
    group.commit();
    expect(committedCount(replica.file)).toBe(2);
    expect(replica.getMeta('relay.cursor')).toBe('2');
    expect(group.durable()).toBe(2);
    expect(calls.rewinds).toEqual([]);
    replica.close();
  });

  it("a group lost to another writer's failure rewinds the stream to the committed cursor", async () => {
    const replica = Replica.open(await fresh());
    const { group, calls, apply } = manualGroup(replica);
    apply(1, 2);
    group.commit();
    apply(3, 4);
    // The pull fails inside the same open group: SQLite rolls back everything in it, 3 and 4 too.
    expect(() =>
      replica.bulk(() => {
        throw new Error('bad page');
      }),
    ).toThrow('bad page');
    // The next batch is not applied past the hole: the stream is rewound to 2 instead.
    expect(apply(5, 6)).toBeNull();
    expect(calls.rewinds).toEqual([2]);
    expect(group.durable()).toBe(2);
    // Streamed again from 3: applied and committed.
    apply(3, 6);
    group.commit();
    expect(committedCount(replica.file)).toBe(6);
    expect(group.durable()).toBe(6);
    replica.close();
  });

  it('kill -9 before the commit: the replica holds the committed batches and their cursor, nothing of the rest', { timeout: 60_000 }, async () => {
    const file = await fresh();
    Replica.open(file).close(); // migrations applied here, not in the child
    const child = spawn(process.execPath, [join(import.meta.dirname, 'group-commit-child.ts'), file], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines = createInterface({ input: child.stdout });
    const [line] = (await once(lines, 'line')) as [string];
    expect(line).toBe('applied 4');
    child.kill('SIGKILL');
    await once(child, 'exit');
    const replica = Replica.open(file);
    expect(count(replica)).toBe(2);
    expect(replica.getMeta('relay.cursor')).toBe('2');
    // The link restarts from the stored cursor: the relay streams 3 and 4 again, and they apply.
    const { group, apply } = manualGroup(replica);
    expect(group.durable()).toBe(2);
    apply(3, 4);
    group.commit();
    expect(committedCount(file)).toBe(4);
    replica.close();
  });
});
