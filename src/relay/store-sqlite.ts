import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import {
  NoticeListeners,
  type ChannelRow,
  type ChannelStats,
  type DeviceRow,
  type IngestInput,
  type IngestResult,
  type RelayStore,
  type StoreNotice,
  type StoredEvent,
} from './store.ts';

/**
 * Embedded store: one SQLite file in WAL mode with synchronous=FULL, so a committed ingest survives
 * power loss. Ingests arriving in the same event-loop turn share one transaction (group commit): each
 * caller is answered only after that transaction has committed.
 *
 * Migrations are listed here statically and never edited once shipped; add new ones at the end.
 */
const migrations: string[] = [
  `CREATE TABLE channels (
     id TEXT PRIMARY KEY,
     name TEXT,
     created_at INTEGER NOT NULL,
     last_seq INTEGER NOT NULL DEFAULT 0,
     purged_seq INTEGER NOT NULL DEFAULT 0
   );
   CREATE TABLE devices (
     id TEXT PRIMARY KEY,
     channel_id TEXT NOT NULL REFERENCES channels(id),
     token_hash TEXT NOT NULL UNIQUE,
     acked_seq INTEGER NOT NULL DEFAULT 0,
     created_at INTEGER NOT NULL,
     revoked_at INTEGER
   );
   CREATE INDEX devices_channel ON devices(channel_id);
   CREATE TABLE events (
     channel_id TEXT NOT NULL REFERENCES channels(id),
     seq INTEGER NOT NULL,
     delivery_id TEXT,
     headers TEXT NOT NULL,
     body BLOB NOT NULL,
     received_at INTEGER NOT NULL,
     PRIMARY KEY (channel_id, seq),
     UNIQUE (channel_id, delivery_id)
   );
   CREATE INDEX events_received_at ON events(received_at);
   CREATE TABLE feeds (
     feed_key TEXT PRIMARY KEY,
     channel_id TEXT NOT NULL REFERENCES channels(id),
     body BLOB NOT NULL,
     etag TEXT NOT NULL,
     last_modified INTEGER NOT NULL
   );`,
];

interface PendingIngest {
  input: IngestInput;
  resolve: (result: IngestResult) => void;
  reject: (error: unknown) => void;
}

interface EventDbRow {
  channel_id: string;
  seq: number;
  delivery_id: string | null;
  headers: string;
  body: Buffer;
  received_at: number;
}

export function openSqliteStore(file: string): RelayStore {
  const path = resolve(file);
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');

  const version = db.pragma('user_version', { simple: true }) as number;
  for (let i = version; i < migrations.length; i++) {
    db.transaction(() => {
      db.exec(migrations[i]!);
      db.pragma(`user_version = ${i + 1}`);
    })();
  }

  const q = {
    health: db.prepare('SELECT 1'),
    insertChannel: db.prepare('INSERT INTO channels (id, name, created_at) VALUES (?, ?, ?)'),
    getChannel: db.prepare<[string], { id: string; name: string | null; created_at: number; last_seq: number; purged_seq: number }>(
      'SELECT id, name, created_at, last_seq, purged_seq FROM channels WHERE id = ?',
    ),
    insertDevice: db.prepare('INSERT INTO devices (id, channel_id, token_hash, created_at) VALUES (?, ?, ?, ?)'),
    revokeDevice: db.prepare('UPDATE devices SET revoked_at = ? WHERE id = ? AND channel_id = ? AND revoked_at IS NULL'),
    findDevice: db.prepare<[string, string], { id: string; channel_id: string; acked_seq: number; created_at: number; revoked_at: number | null }>(
      'SELECT id, channel_id, acked_seq, created_at, revoked_at FROM devices WHERE channel_id = ? AND token_hash = ? AND revoked_at IS NULL',
    ),
    listDevices: db.prepare<[string], { id: string; channel_id: string; acked_seq: number; created_at: number; revoked_at: number | null }>(
      'SELECT id, channel_id, acked_seq, created_at, revoked_at FROM devices WHERE channel_id = ? ORDER BY created_at, id',
    ),
    findDuplicate: db.prepare<[string, string], { seq: number }>('SELECT seq FROM events WHERE channel_id = ? AND delivery_id = ?'),
    nextSeq: db.prepare<[string], { last_seq: number }>('UPDATE channels SET last_seq = last_seq + 1 WHERE id = ? RETURNING last_seq'),
    insertEvent: db.prepare('INSERT INTO events (channel_id, seq, delivery_id, headers, body, received_at) VALUES (?, ?, ?, ?, ?, ?)'),
    readEvents: db.prepare<[string, number, number], EventDbRow>(
      'SELECT channel_id, seq, delivery_id, headers, body, received_at FROM events WHERE channel_id = ? AND seq > ? ORDER BY seq LIMIT ?',
    ),
    ack: db.prepare('UPDATE devices SET acked_seq = ? WHERE id = ? AND channel_id = ? AND acked_seq < ?'),
    purgedPerChannel: db.prepare<[number], { channel_id: string; max_seq: number }>(
      'SELECT channel_id, MAX(seq) AS max_seq FROM events WHERE received_at < ? GROUP BY channel_id',
    ),
    setPurged: db.prepare('UPDATE channels SET purged_seq = MAX(purged_seq, ?) WHERE id = ?'),
    purge: db.prepare('DELETE FROM events WHERE channel_id = ? AND seq <= ?'),
    stats: db.prepare<[], { id: string; last_seq: number; min_acked: number | null; active: number }>(
      `SELECT c.id, c.last_seq, MIN(d.acked_seq) AS min_acked, COUNT(d.id) AS active
         FROM channels c LEFT JOIN devices d ON d.channel_id = c.id AND d.revoked_at IS NULL
        GROUP BY c.id ORDER BY c.id`,
    ),
    getFeed: db.prepare<[string], { feed_key: string; channel_id: string; body: Buffer; etag: string; last_modified: number }>(
      'SELECT feed_key, channel_id, body, etag, last_modified FROM feeds WHERE feed_key = ?',
    ),
    insertFeed: db.prepare('INSERT INTO feeds (feed_key, channel_id, body, etag, last_modified) VALUES (?, ?, ?, ?, ?)'),
    updateFeed: db.prepare('UPDATE feeds SET body = ?, etag = ?, last_modified = ? WHERE feed_key = ?'),
    deleteFeed: db.prepare('DELETE FROM feeds WHERE feed_key = ? AND channel_id = ?'),
  };

  const listeners = new NoticeListeners();
  let queue: PendingIngest[] = [];
  let flushScheduled = false;
  let closed = false;

  const ingestOne = (input: IngestInput): IngestResult => {
    if (input.deliveryId !== null) {
      const dup = q.findDuplicate.get(input.channelId, input.deliveryId);
      if (dup) return { status: 'duplicate', seq: dup.seq };
    }
    const next = q.nextSeq.get(input.channelId);
    if (!next) return { status: 'unknown-channel' };
    q.insertEvent.run(input.channelId, next.last_seq, input.deliveryId, JSON.stringify(input.headers), input.body, input.receivedAt);
    return { status: 'stored', seq: next.last_seq };
  };

  const flush = (): void => {
    flushScheduled = false;
    const batch = queue;
    queue = [];
    if (batch.length === 0) return;
    let results: IngestResult[];
    try {
      results = db.transaction(() => batch.map((p) => ingestOne(p.input)))();
    } catch (error) {
      for (const p of batch) p.reject(error);
      return;
    }
    // Committed (synchronous=FULL): now answer and signal.
    for (let i = 0; i < batch.length; i++) batch[i]!.resolve(results[i]!);
    for (let i = 0; i < batch.length; i++) {
      const r = results[i]!;
      if (r.status === 'stored') listeners.emit({ kind: 'event', channelId: batch[i]!.input.channelId, seq: r.seq });
    }
  };

  const toDevice = (r: { id: string; channel_id: string; acked_seq: number; created_at: number; revoked_at: number | null }): DeviceRow => ({
    id: r.id,
    channelId: r.channel_id,
    ackedSeq: r.acked_seq,
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
  });

  const store: RelayStore = {
    kind: 'sqlite',
    async health() {
      q.health.get();
    },
    async createChannel(c) {
      q.insertChannel.run(c.id, c.name, c.createdAt);
    },
    async getChannel(id): Promise<ChannelRow | null> {
      const r = q.getChannel.get(id);
      return r ? { id: r.id, name: r.name, createdAt: r.created_at, lastSeq: r.last_seq, purgedSeq: r.purged_seq } : null;
    },
    async addDevice(d) {
      q.insertDevice.run(d.id, d.channelId, d.tokenHash, d.createdAt);
    },
    async revokeDevice(channelId, deviceId, at) {
      return q.revokeDevice.run(at, deviceId, channelId).changes > 0;
    },
    async findDevice(channelId, tokenHash) {
      const r = q.findDevice.get(channelId, tokenHash);
      return r ? toDevice(r) : null;
    },
    async listDevices(channelId) {
      return q.listDevices.all(channelId).map(toDevice);
    },
    ingest(input) {
      if (closed) return Promise.reject(new Error('store closed'));
      return new Promise<IngestResult>((resolvePromise, reject) => {
        queue.push({ input, resolve: resolvePromise, reject });
        if (!flushScheduled) {
          flushScheduled = true;
          setImmediate(flush);
        }
      });
    },
    async readEvents(channelId, afterSeq, limit): Promise<StoredEvent[]> {
      return q.readEvents.all(channelId, afterSeq, limit).map((r) => ({
        channelId: r.channel_id,
        seq: r.seq,
        deliveryId: r.delivery_id,
        headers: JSON.parse(r.headers) as Record<string, string>,
        body: r.body,
        receivedAt: r.received_at,
      }));
    },
    async ack(channelId, deviceId, seq) {
      q.ack.run(seq, deviceId, channelId, seq);
    },
    async purge(before) {
      // Per channel: everything up to the newest expired seq goes, so the log stays a contiguous
      // suffix and `purged_seq` says exactly which cursors have missed events.
      return db.transaction(() => {
        let removed = 0;
        for (const row of q.purgedPerChannel.all(before)) {
          removed += q.purge.run(row.channel_id, row.max_seq).changes;
          q.setPurged.run(row.max_seq, row.channel_id);
        }
        return removed;
      })();
    },
    async stats(): Promise<ChannelStats[]> {
      return q.stats.all().map((r) => ({ channelId: r.id, lastSeq: r.last_seq, minAckedSeq: r.min_acked, activeDevices: r.active }));
    },
    async putFeed(feed) {
      return db.transaction(() => {
        const existing = q.getFeed.get(feed.feedKey);
        if (!existing) {
          q.insertFeed.run(feed.feedKey, feed.channelId, feed.body, feed.etag, feed.lastModified);
          return 'created' as const;
        }
        if (existing.channel_id !== feed.channelId) return 'forbidden' as const;
        if (existing.etag === feed.etag) return 'unchanged' as const;
        q.updateFeed.run(feed.body, feed.etag, feed.lastModified, feed.feedKey);
        return 'updated' as const;
      })();
    },
    async getFeed(feedKey) {
      const r = q.getFeed.get(feedKey);
      return r ? { feedKey: r.feed_key, channelId: r.channel_id, body: r.body, etag: r.etag, lastModified: r.last_modified } : null;
    },
    async deleteFeed(channelId, feedKey) {
      return q.deleteFeed.run(feedKey, channelId).changes > 0;
    },
    async publish(notice: StoreNotice) {
      listeners.emit(notice);
    },
    subscribe(listener) {
      return listeners.add(listener);
    },
    async close() {
      if (closed) return;
      closed = true;
      flush();
      db.close();
    },
  };
  return store;
}
