/**
 * With its writer thread, the SQLite store never checkpoints inside an ingest's commit: SQLite's
 * automatic checkpoint ran in the commit that crossed 1,000 WAL pages (copy them back, fsync the
 * database), and every ingest queued behind it waited. A checkpoint thread of its own does it instead.
 * Observed on the files: the database file grows only when a checkpoint copies pages into it.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/relay/store-sqlite.ts';
import type { RelayStore } from '../../src/relay/store.ts';
import { waitFor } from '../support/wait-for.ts';

const dir = mkdtempSync(join(tmpdir(), 'relay-ckpt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** About 1,500 WAL pages: well past SQLite's automatic checkpoint threshold (1,000). */
async function ingestBurst(store: RelayStore, channelId: string): Promise<void> {
  const body = Buffer.alloc(16 * 1024, 'x');
  const results = await Promise.all(
    Array.from({ length: 360 }, (_, i) => store.ingest({ channelId, deliveryId: `dlv_${i}`, headers: {}, body, receivedAt: Date.now() })),
  );
  expect(results.every((r) => r.status === 'stored')).toBe(true);
}

describe('SQLite store with its writer thread: checkpoints', () => {
  it('answers ingests without checkpointing in their commits (the database file is untouched until a checkpoint thread runs)', async () => {
    const file = join(dir, 'quiet.db');
    const store = openSqliteStore(file, { writerThread: true, checkpointEveryMs: 3_600_000 });
    try {
      await store.createChannel({ id: 'ch_ckpt_quiet_0123456789', name: null, createdAt: 1 });
      const before = statSync(file).size;
      await ingestBurst(store, 'ch_ckpt_quiet_0123456789');
      expect(statSync(`${file}-wal`).size).toBeGreaterThan(1000 * 4096);
      expect(statSync(file).size).toBe(before);
      expect((await store.readEvents('ch_ckpt_quiet_0123456789', 0, 1000)).length).toBe(360);
    } finally {
      await store.close();
    }
    // Closing checkpointed everything: a fresh open finds every event in the database file.
    const reopened = openSqliteStore(file);
    try {
      expect((await reopened.readEvents('ch_ckpt_quiet_0123456789', 0, 1000)).length).toBe(360);
    } finally {
      await reopened.close();
    }
  });

  it('copies the WAL back into the database file in its checkpoint thread', async () => {
    const file = join(dir, 'busy.db');
    const store = openSqliteStore(file, { writerThread: true, checkpointEveryMs: 20 });
    try {
      await store.createChannel({ id: 'ch_ckpt_busy_01234567890', name: null, createdAt: 1 });
      await ingestBurst(store, 'ch_ckpt_busy_01234567890');
      await waitFor(() => statSync(file).size > 1000 * 4096, 'the checkpoint thread to copy the WAL into the database file');
    } finally {
      await store.close();
    }
  });
});
