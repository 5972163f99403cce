import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import {
  NoticeListeners,
  type ChannelRow,
  type ChannelStats,
  type DeviceRow,
  type FeedRow,
  type IngestInput,
  type IngestResult,
  type RelayStore,
  type StoreNotice,
  type StoredEvent,
} from './store.ts';

/**
 * Embedded store: one SQLite file in WAL mode with synchronous=FULL, so a committed ingest survives
 * power loss. Ingests share transactions (group commit): each caller is answered only after its
 * batch has committed. Writes run inline or in a writer thread; reads use this thread's connection
 * (WAL readers never wait for the writer).
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

interface EventDbRow {
  channel_id: string;
  seq: number;
  delivery_id: string | null;
  headers: string;
  body: Buffer;
  received_at: number;
}

interface DeviceDbRow {
  id: string;
  channel_id: string;
  acked_seq: number;
  created_at: number;
  revoked_at: number | null;
}

/** Opens the file with the relay's pragmas and applies pending migrations. */
export function openDatabase(file: string): Database.Database {
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
  return db;
}

/** Bytes that crossed a thread boundary arrive as a plain Uint8Array; SQLite binds Buffers. */
const asBuffer = (bytes: Uint8Array): Buffer => (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));

/**
 * Every write of the store, synchronous, on one connection. Runs inline (same thread as the server)
 * or inside the writer thread (`sqlite-writer.ts`), so that fsync never blocks the server's event loop.
 */
export function sqliteWriter(db: Database.Database) {
  const q = {
    insertChannel: db.prepare('INSERT INTO channels (id, name, created_at) VALUES (?, ?, ?)'),
    insertDevice: db.prepare('INSERT INTO devices (id, channel_id, token_hash, created_at) VALUES (?, ?, ?, ?)'),
    revokeDevice: db.prepare('UPDATE devices SET revoked_at = ? WHERE id = ? AND channel_id = ? AND revoked_at IS NULL'),
    findDuplicate: db.prepare<[string, string], { seq: number; body: Buffer }>('SELECT seq, body FROM events WHERE channel_id = ? AND delivery_id = ?'),
    nextSeq: db.prepare<[string], { last_seq: number }>('UPDATE channels SET last_seq = last_seq + 1 WHERE id = ? RETURNING last_seq'),
    insertEvent: db.prepare('INSERT INTO events (channel_id, seq, delivery_id, headers, body, received_at) VALUES (?, ?, ?, ?, ?, ?)'),
    ack: db.prepare('UPDATE devices SET acked_seq = ? WHERE id = ? AND channel_id = ? AND acked_seq < ?'),
    purgedPerChannel: db.prepare<[number], { channel_id: string; max_seq: number }>(
      'SELECT channel_id, MAX(seq) AS max_seq FROM events WHERE received_at < ? GROUP BY channel_id',
    ),
    setPurged: db.prepare('UPDATE channels SET purged_seq = MAX(purged_seq, ?) WHERE id = ?'),
    purge: db.prepare('DELETE FROM events WHERE channel_id = ? AND seq <= ?'),
    getFeedOwner: db.prepare<[string], { channel_id: string; etag: string }>('SELECT channel_id, etag FROM feeds WHERE feed_key = ?'),
    insertFeed: db.prepare('INSERT INTO feeds (feed_key, channel_id, body, etag, last_modified) VALUES (?, ?, ?, ?, ?)'),
    updateFeed: db.prepare('UPDATE feeds SET body = ?, etag = ?, last_modified = ? WHERE feed_key = ?'),
    deleteFeed: db.prepare('DELETE FROM feeds WHERE feed_key = ? AND channel_id = ?'),
  };

  const ingestOne = (input: IngestInput): IngestResult => {
    if (input.deliveryId !== null) {
      const dup = q.findDuplicate.get(input.channelId, input.deliveryId);
      if (dup) return { status: 'duplicate', seq: dup.seq, sameBody: asBuffer(input.body).equals(dup.body) };
    }
    const next = q.nextSeq.get(input.channelId);
    if (!next) return { status: 'unknown-channel' };
    q.insertEvent.run(input.channelId, next.last_seq, input.deliveryId, JSON.stringify(input.headers), asBuffer(input.body), input.receivedAt);
    return { status: 'stored', seq: next.last_seq };
  };

  return {
    /** One transaction (one fsync) for the whole batch. */
    ingestBatch(inputs: IngestInput[]): IngestResult[] {
      return db.transaction(() => inputs.map(ingestOne))();
    },
    createChannel(c: { id: string; name: string | null; createdAt: number }): void {
      q.insertChannel.run(c.id, c.name, c.createdAt);
    },
    addDevice(d: { id: string; channelId: string; tokenHash: string; createdAt: number }): void {
      q.insertDevice.run(d.id, d.channelId, d.tokenHash, d.createdAt);
    },
    revokeDevice(channelId: string, deviceId: string, at: number): boolean {
      return q.revokeDevice.run(at, deviceId, channelId).changes > 0;
    },
    /**
     * Without an fsync of its own (synchronous=NORMAL for this commit): in WAL mode it survives a crash
     * of the process, and the next ingest's FULL commit syncs it to disk with its own frames. Only a
     * power cut can drop it — the device then gets some events again, which it dedupes anyway
     * (at-least-once). With an fsync per ack, acks cost the writer as much as ingests at 500/s and
     * queue them behind (≈ half the writer's time in bench/webhook-path.ts).
     */
    ack(channelId: string, deviceId: string, seq: number): void {
      db.pragma('synchronous = NORMAL');
      try {
        q.ack.run(seq, deviceId, channelId, seq);
      } finally {
        db.pragma('synchronous = FULL');
      }
    },
    /**
     * Per channel: everything up to the newest expired seq goes, so the log stays a contiguous suffix
     * and `purged_seq` says exactly which cursors have missed events.
     */
    purge(before: number): number {
      return db.transaction(() => {
        let removed = 0;
        for (const row of q.purgedPerChannel.all(before)) {
          removed += q.purge.run(row.channel_id, row.max_seq).changes;
          q.setPurged.run(row.max_seq, row.channel_id);
        }
        return removed;
      })();
    },
    putFeed(feed: FeedRow): 'created' | 'updated' | 'unchanged' | 'forbidden' {
      return db.transaction(() => {
        const existing = q.getFeedOwner.get(feed.feedKey);
        if (!existing) {
          q.insertFeed.run(feed.feedKey, feed.channelId, asBuffer(feed.body), feed.etag, feed.lastModified);
          return 'created' as const;
        }
        if (existing.channel_id !== feed.channelId) return 'forbidden' as const;
        if (existing.etag === feed.etag) return 'unchanged' as const;
        q.updateFeed.run(asBuffer(feed.body), feed.etag, feed.lastModified, feed.feedKey);
        return 'updated' as const;
      })();
    },
    deleteFeed(channelId: string, feedKey: string): boolean {
      return q.deleteFeed.run(feedKey, channelId).changes > 0;
    },
  };
}

export type SqliteWriter = ReturnType<typeof sqliteWriter>;
export type WriterOp = keyof SqliteWriter;
export interface WriterRequest {
  id: number;
  op: WriterOp | 'close';
  args: unknown[];
}
export type WriterResponse = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

export interface SqliteStoreOptions {
  /** Run writes (and their fsync) in a worker thread so they never block the event loop; default false. */
  writerThread?: boolean;
  /** With the writer thread: how often its checkpoint thread runs a PASSIVE checkpoint; default 2 s (each one fsyncs the database: more often costs CPU for nothing). */
  checkpointEveryMs?: number;
}

interface PendingIngest {
  input: IngestInput;
  resolve: (result: IngestResult) => void;
  reject: (error: unknown) => void;
}

/** Calls the writer inline or in its thread; same promise-returning shape either way. */
type WriteCall = <K extends WriterOp>(op: K, ...args: Parameters<SqliteWriter[K]>) => Promise<ReturnType<SqliteWriter[K]>>;

function inlineWriter(db: Database.Database): { call: WriteCall; close(): Promise<void> } {
  const writer = sqliteWriter(db);
  return {
    call: async (op, ...args) => (writer[op] as (...a: unknown[]) => never)(...args),
    async close() {},
  };
}

function threadWriter(path: string, checkpointEveryMs: number): { call: WriteCall; close(): Promise<void> } {
  const worker = new Worker(new URL('./sqlite-writer.ts', import.meta.url), { workerData: { path, role: 'writer' } });
  // Checkpoints in a thread of their own, never inside an ingest's commit (see sqlite-writer.ts).
  const checkpointer = new Worker(new URL('./sqlite-writer.ts', import.meta.url), { workerData: { path, role: 'checkpoint', checkpointEveryMs } });
  checkpointer.on('error', () => {});
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  let nextId = 1;
  let failure: Error | null = null;
  worker.on('message', (m: WriterResponse) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.ok) p.resolve(m.result);
    else p.reject(new Error(m.error));
  });
  const failAll = (error: Error): void => {
    failure = error;
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  worker.on('error', (e) => failAll(e));
  worker.on('exit', (code) => failAll(new Error(`SQLite writer thread exited (${code})`)));
  const send = (op: WriterOp | 'close', args: unknown[]): Promise<unknown> => {
    if (failure) return Promise.reject(failure);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, op, args } satisfies WriterRequest);
    });
  };
  return {
    call: ((op: WriterOp, ...args: unknown[]) => send(op, args)) as WriteCall,
    async close() {
      if (!failure) await send('close', []).catch(() => {});
      await worker.terminate();
      // Last: closing the final connection checkpoints what is left and removes the WAL.
      checkpointer.postMessage({ id: 0, op: 'close', args: [] } satisfies WriterRequest);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 2000);
        checkpointer.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      await checkpointer.terminate();
    },
  };
}

// eslint-disable-next-line max-lines-per-function -- the store's methods are closures over its writer worker and pending requests
export function openSqliteStore(file: string, options: SqliteStoreOptions = {}): RelayStore {
  const path = resolve(file);
  const db = openDatabase(path); // migrations run here, before any writer thread opens the file
  const writer = options.writerThread ? threadWriter(path, options.checkpointEveryMs ?? 2000) : inlineWriter(db);

  const q = {
    health: db.prepare('SELECT 1'),
    getChannel: db.prepare<[string], { id: string; name: string | null; created_at: number; last_seq: number; purged_seq: number }>(
      'SELECT id, name, created_at, last_seq, purged_seq FROM channels WHERE id = ?',
    ),
    findDevice: db.prepare<[string, string], DeviceDbRow>(
      'SELECT id, channel_id, acked_seq, created_at, revoked_at FROM devices WHERE channel_id = ? AND token_hash = ? AND revoked_at IS NULL',
    ),
    listDevices: db.prepare<[string], DeviceDbRow>('SELECT id, channel_id, acked_seq, created_at, revoked_at FROM devices WHERE channel_id = ? ORDER BY created_at, id'),
    readEvents: db.prepare<[string, number, number], EventDbRow>(
      'SELECT channel_id, seq, delivery_id, headers, body, received_at FROM events WHERE channel_id = ? AND seq > ? ORDER BY seq LIMIT ?',
    ),
    stats: db.prepare<[], { id: string; last_seq: number; min_acked: number | null; active: number }>(
      `SELECT c.id, c.last_seq, MIN(d.acked_seq) AS min_acked, COUNT(d.id) AS active
         FROM channels c LEFT JOIN devices d ON d.channel_id = c.id AND d.revoked_at IS NULL
        GROUP BY c.id ORDER BY c.id`,
    ),
    getFeed: db.prepare<[string], { feed_key: string; channel_id: string; body: Buffer; etag: string; last_modified: number }>(
      'SELECT feed_key, channel_id, body, etag, last_modified FROM feeds WHERE feed_key = ?',
    ),
  };

  const listeners = new NoticeListeners();
  let closed = false;

  // Group commit: ingests queue up; one batch (one transaction, one fsync) is written at a time and
  // whatever arrived meanwhile forms the next. Callers are answered after their batch committed.
  let queue: PendingIngest[] = [];
  let flushing = false;
  let flushDone: Promise<void> = Promise.resolve();
  const maxBatch = 1000;
  const flushLoop = (): void => {
    flushing = true;
    flushDone = (async () => {
      // Let the rest of this event-loop turn's requests join the first batch.
      await new Promise<void>((r) => setImmediate(r));
      try {
        while (queue.length > 0) {
          const batch = queue.slice(0, maxBatch);
          queue = queue.slice(batch.length);
          let results: IngestResult[];
          try {
            results = await writer.call('ingestBatch', batch.map((p) => p.input));
          } catch (error) {
            for (const p of batch) p.reject(error);
            continue;
          }
          batch.forEach((p, i) => p.resolve(results[i]!));
          batch.forEach((p, i) => {
            const r = results[i]!;
            if (r.status !== 'stored') return;
            const { channelId, deliveryId, headers, body, receivedAt } = p.input;
            // The event as readEvents would return it, for the streams to send without a read (stream.ts).
            listeners.emit({ kind: 'event', channelId, seq: r.seq, event: { channelId, seq: r.seq, deliveryId, headers, body: asBuffer(body), receivedAt } });
          });
        }
      } finally {
        flushing = false;
      }
    })();
  };

  const toDevice = (r: DeviceDbRow): DeviceRow => ({ id: r.id, channelId: r.channel_id, ackedSeq: r.acked_seq, createdAt: r.created_at, revokedAt: r.revoked_at });

  const store: RelayStore = {
    kind: 'sqlite',
    async health() {
      q.health.get();
    },
    createChannel: (c) => writer.call('createChannel', c),
    async getChannel(id): Promise<ChannelRow | null> {
      const r = q.getChannel.get(id);
      return r ? { id: r.id, name: r.name, createdAt: r.created_at, lastSeq: r.last_seq, purgedSeq: r.purged_seq } : null;
    },
    addDevice: (d) => writer.call('addDevice', d),
    revokeDevice: (channelId, deviceId, at) => writer.call('revokeDevice', channelId, deviceId, at),
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
        if (!flushing) flushLoop();
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
    ack: (channelId, deviceId, seq) => writer.call('ack', channelId, deviceId, seq),
    purge: (before) => writer.call('purge', before),
    async stats(): Promise<ChannelStats[]> {
      return q.stats.all().map((r) => ({ channelId: r.id, lastSeq: r.last_seq, minAckedSeq: r.min_acked, activeDevices: r.active }));
    },
    putFeed: (feed) => writer.call('putFeed', feed),
    async getFeed(feedKey) {
      const r = q.getFeed.get(feedKey);
      return r ? { feedKey: r.feed_key, channelId: r.channel_id, body: r.body, etag: r.etag, lastModified: r.last_modified } : null;
    },
    deleteFeed: (channelId, feedKey) => writer.call('deleteFeed', channelId, feedKey),
    async publish(notice: StoreNotice) {
      listeners.emit(notice);
    },
    subscribe(listener) {
      return listeners.add(listener);
    },
    async close() {
      if (closed) return;
      closed = true;
      await flushDone;
      await writer.close();
      db.close();
    },
  };
  return store;
}
