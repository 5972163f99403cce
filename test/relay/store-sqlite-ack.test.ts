/**
 * Device cursors are written without an fsync of their own (synchronous=NORMAL for that one commit);
 * ingests must keep synchronous=FULL on the same connection, or an acknowledged event could be lost.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, sqliteWriter } from '../../src/relay/store-sqlite.ts';

const FULL = 2;

describe('SQLite store: ack commits', () => {
  const dir = mkdtempSync(join(tmpdir(), 'relay-ack-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('store the cursor, then leave the connection at synchronous=FULL for the next ingest', () => {
    const file = join(dir, 'relay.db');
    const db = openDatabase(file);
    const writer = sqliteWriter(db);
    writer.createChannel({ id: 'ch_ack_test_0123456789', name: null, createdAt: 1 });
    writer.addDevice({ id: 'dev_ack_test_01', channelId: 'ch_ack_test_0123456789', tokenHash: 'h', createdAt: 1 });
    const [stored] = writer.ingestBatch([{ channelId: 'ch_ack_test_0123456789', deliveryId: 'dlv_1', headers: {}, body: Buffer.from('{}'), receivedAt: 2 }]);
    expect(stored).toEqual({ status: 'stored', seq: 1 });

    writer.ack('ch_ack_test_0123456789', 'dev_ack_test_01', 1);
    expect(db.pragma('synchronous', { simple: true })).toBe(FULL);

    // An ack that fails (here: its table is gone) still restores FULL.
    db.exec('ALTER TABLE devices RENAME TO devices_gone');
    expect(() => writer.ack('ch_ack_test_0123456789', 'dev_ack_test_01', 2)).toThrow();
    expect(db.pragma('synchronous', { simple: true })).toBe(FULL);
    db.exec('ALTER TABLE devices_gone RENAME TO devices');

    // Committed: another connection (as after a crash of this process) sees the cursor.
    const other = openDatabase(file);
    expect(other.prepare('SELECT acked_seq FROM devices WHERE id = ?').get('dev_ack_test_01')).toEqual({ acked_seq: 1 });
    other.close();
    db.close();
  });
});
