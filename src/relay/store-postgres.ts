import pg from 'pg';
import {
  NoticeListeners,
  type ChannelStats,
  type DeviceRow,
  type IngestInput,
  type IngestResult,
  type RelayStore,
  type StoreNotice,
  type StoredEvent,
} from './store.ts';

/**
 * Scale-out store: several relay processes share one PostgreSQL database.
 *
 * - Per-channel sequence: `SELECT last_seq … FOR UPDATE`, then the events, then `UPDATE … SET last_seq`,
 *   all in the ingest transaction. The row lock serialises ingests of one channel across nodes, so
 *   seqs are gap-free and strictly increasing in commit order; a rolled-back batch gives its numbers back.
 * - Group commit: ingests arriving while a transaction commits share the next one.
 * - Dedupe: `UNIQUE (channel_id, delivery_id)`, checked under the same row lock.
 * - Signal: `pg_notify('orkestr_relay', …)` in the same transaction (delivered on commit) reaches
 *   every node LISTENing, which pushes the event to its connected devices.
 * - Retention: an indexed, batched DELETE on `received_at` (see docs/relay.md for why not partitions).
 *
 * Migrations are listed statically, applied under an advisory lock, never edited once shipped.
 */
const migrations: string[] = [
  `CREATE TABLE relay_channels (
     id TEXT PRIMARY KEY,
     name TEXT,
     created_at BIGINT NOT NULL,
     last_seq BIGINT NOT NULL DEFAULT 0,
     purged_seq BIGINT NOT NULL DEFAULT 0
   );
   CREATE TABLE relay_devices (
     id TEXT PRIMARY KEY,
     channel_id TEXT NOT NULL REFERENCES relay_channels(id),
     token_hash TEXT NOT NULL UNIQUE,
     acked_seq BIGINT NOT NULL DEFAULT 0,
     created_at BIGINT NOT NULL,
     revoked_at BIGINT
   );
   CREATE INDEX relay_devices_channel ON relay_devices(channel_id);
   CREATE TABLE relay_events (
     channel_id TEXT NOT NULL REFERENCES relay_channels(id),
     seq BIGINT NOT NULL,
     delivery_id TEXT,
     headers TEXT NOT NULL,
     body BYTEA NOT NULL,
     received_at BIGINT NOT NULL,
     PRIMARY KEY (channel_id, seq),
     UNIQUE (channel_id, delivery_id)
   );
   CREATE INDEX relay_events_received_at ON relay_events(received_at);
   CREATE TABLE relay_feeds (
     feed_key TEXT PRIMARY KEY,
     channel_id TEXT NOT NULL REFERENCES relay_channels(id),
     body BYTEA NOT NULL,
     etag TEXT NOT NULL,
     last_modified BIGINT NOT NULL
   );`,
];

const notifyChannel = 'orkestr_relay';
const migrationLockKey = 72_311_905; // arbitrary constant for pg_advisory_xact_lock

// BIGINT columns come back as strings by default; ours stay far below 2^53.
const toNumber = (v: unknown): number => (typeof v === 'number' ? v : Number(v));

export async function openPostgresStore(url: string): Promise<RelayStore> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  pool.on('error', () => {
    // idle client errors (server restart): the pool drops the client and makes a new one next time
  });
  const listeners = new NoticeListeners();
  let closed = false;

  // Migrations, once, even when several nodes start together.
  {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [migrationLockKey]);
      await client.query('CREATE TABLE IF NOT EXISTS relay_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())');
      const done = await client.query<{ v: number | null }>('SELECT MAX(version) AS v FROM relay_migrations');
      const current = done.rows[0]?.v ?? 0;
      for (let i = current; i < migrations.length; i++) {
        await client.query(migrations[i]!);
        await client.query('INSERT INTO relay_migrations (version) VALUES ($1)', [i + 1]);
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      client.release();
      await pool.end();
      throw error;
    }
    client.release();
  }

  // The LISTEN connection, re-established with back-off when it drops; after a reconnect the
  // streams re-read the log (`resync`) because notifications sent meanwhile are lost.
  let listenClient: pg.Client | null = null;
  let reconnectTimer: NodeJS.Timeout | null = null;
  let attempt = 0;
  const connectListener = async (): Promise<void> => {
    const client = new pg.Client({ connectionString: url });
    client.on('notification', (msg) => {
      if (msg.channel !== notifyChannel || !msg.payload) return;
      try {
        listeners.emit(JSON.parse(msg.payload) as StoreNotice);
      } catch {
        // malformed payload from a foreign sender: ignore
      }
    });
    client.on('error', () => {
      if (listenClient === client) scheduleReconnect();
    });
    client.on('end', () => {
      if (listenClient === client) scheduleReconnect();
    });
    await client.connect();
    await client.query(`LISTEN ${notifyChannel}`);
    listenClient = client;
    attempt = 0;
  };
  const scheduleReconnect = (): void => {
    const old = listenClient;
    listenClient = null;
    old?.end().catch(() => {});
    if (closed || reconnectTimer) return;
    const delay = Math.min(30_000, 250 * 2 ** attempt++);
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      if (closed) return;
      connectListener().then(
        () => listeners.emit({ kind: 'resync' }),
        () => scheduleReconnect(),
      );
    }, delay);
    reconnectTimer.unref();
  };
  await connectListener();

  const toDevice = (r: Record<string, unknown>): DeviceRow => ({
    id: String(r['id']),
    channelId: String(r['channel_id']),
    ackedSeq: toNumber(r['acked_seq']),
    createdAt: toNumber(r['created_at']),
    revokedAt: r['revoked_at'] === null ? null : toNumber(r['revoked_at']),
  });

  /**
   * Group commit. One ingest transaction at a time per node; ingests that arrive while it commits
   * form the next batch. Under load this turns N fsyncs (each holding the channel's row lock) into
   * one, which is what lets one hot channel go faster than 1 / commit latency.
   */
  interface Pending {
    input: IngestInput;
    resolve: (result: IngestResult) => void;
    reject: (error: unknown) => void;
  }
  let queue: Pending[] = [];
  let flushing = false;
  let flushDone: Promise<void> = Promise.resolve();
  const maxBatchRows = 500;
  const maxBatchBytes = 8 * 1024 * 1024;

  const flushLoop = (): Promise<void> => {
    flushing = true;
    flushDone = (async () => {
      try {
        while (queue.length > 0) {
          let bytes = 0;
          let n = 0;
          while (n < queue.length && n < maxBatchRows && (n === 0 || bytes + queue[n]!.input.body.length <= maxBatchBytes)) bytes += queue[n++]!.input.body.length;
          const batch = queue.slice(0, n);
          queue = queue.slice(n);
          try {
            const results = await commitBatch(batch.map((p) => p.input));
            batch.forEach((p, i) => p.resolve(results[i]!));
          } catch (error) {
            for (const p of batch) p.reject(error);
          }
        }
      } finally {
        flushing = false;
      }
    })();
    return flushDone;
  };

  const commitBatch = async (inputs: IngestInput[]): Promise<IngestResult[]> => {
    const results = new Array<IngestResult>(inputs.length);
    const byChannel = new Map<string, number[]>();
    inputs.forEach((input, i) => {
      const list = byChannel.get(input.channelId);
      if (list) list.push(i);
      else byChannel.set(input.channelId, [i]);
    });
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      // Channels in id order: two nodes locking overlapping sets can never deadlock.
      for (const channelId of [...byChannel.keys()].sort()) {
        const indexes = byChannel.get(channelId)!;
        // The row lock serialises this channel's ingests across all nodes until COMMIT.
        const locked = await client.query('SELECT last_seq FROM relay_channels WHERE id = $1 FOR UPDATE', [channelId]);
        if (!locked.rows[0]) {
          for (const i of indexes) results[i] = { status: 'unknown-channel' };
          continue;
        }
        let seq = toNumber(locked.rows[0].last_seq);
        const ids = [...new Set(indexes.map((i) => inputs[i]!.deliveryId).filter((d): d is string => d !== null))];
        const known = new Map<string, number>();
        if (ids.length > 0) {
          const dup = await client.query('SELECT delivery_id, seq FROM relay_events WHERE channel_id = $1 AND delivery_id = ANY($2::text[])', [channelId, ids]);
          for (const row of dup.rows) known.set(row.delivery_id, toNumber(row.seq));
        }
        const rows: unknown[] = [];
        const values: string[] = [];
        for (const i of indexes) {
          const input = inputs[i]!;
          const earlier = input.deliveryId !== null ? known.get(input.deliveryId) : undefined;
          if (earlier !== undefined) {
            results[i] = { status: 'duplicate', seq: earlier };
            continue;
          }
          seq++;
          if (input.deliveryId !== null) known.set(input.deliveryId, seq);
          results[i] = { status: 'stored', seq };
          const b = rows.length;
          values.push(`($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6})`);
          rows.push(channelId, seq, input.deliveryId, JSON.stringify(input.headers), input.body, input.receivedAt);
        }
        if (values.length === 0) continue;
        await client.query(`INSERT INTO relay_events (channel_id, seq, delivery_id, headers, body, received_at) VALUES ${values.join(', ')}`, rows);
        await client.query('UPDATE relay_channels SET last_seq = $1 WHERE id = $2', [seq, channelId]);
        await client.query('SELECT pg_notify($1, $2)', [notifyChannel, JSON.stringify({ kind: 'event', channelId, seq })]);
      }
      await client.query('COMMIT');
      return results;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  };

  const store: RelayStore = {
    kind: 'postgres',
    async health() {
      await pool.query('SELECT 1');
      if (!listenClient) throw new Error('LISTEN connection is down');
    },
    async createChannel(c) {
      await pool.query('INSERT INTO relay_channels (id, name, created_at) VALUES ($1, $2, $3)', [c.id, c.name, c.createdAt]);
    },
    async getChannel(id) {
      const r = await pool.query('SELECT id, name, created_at, last_seq, purged_seq FROM relay_channels WHERE id = $1', [id]);
      const row = r.rows[0];
      if (!row) return null;
      return { id: row.id, name: row.name, createdAt: toNumber(row.created_at), lastSeq: toNumber(row.last_seq), purgedSeq: toNumber(row.purged_seq) };
    },
    async addDevice(d) {
      await pool.query('INSERT INTO relay_devices (id, channel_id, token_hash, created_at) VALUES ($1, $2, $3, $4)', [d.id, d.channelId, d.tokenHash, d.createdAt]);
    },
    async revokeDevice(channelId, deviceId, at) {
      const r = await pool.query('UPDATE relay_devices SET revoked_at = $1 WHERE id = $2 AND channel_id = $3 AND revoked_at IS NULL', [at, deviceId, channelId]);
      return (r.rowCount ?? 0) > 0;
    },
    async findDevice(channelId, tokenHash) {
      const r = await pool.query(
        'SELECT id, channel_id, acked_seq, created_at, revoked_at FROM relay_devices WHERE channel_id = $1 AND token_hash = $2 AND revoked_at IS NULL',
        [channelId, tokenHash],
      );
      return r.rows[0] ? toDevice(r.rows[0]) : null;
    },
    async listDevices(channelId) {
      const r = await pool.query('SELECT id, channel_id, acked_seq, created_at, revoked_at FROM relay_devices WHERE channel_id = $1 ORDER BY created_at, id', [channelId]);
      return r.rows.map(toDevice);
    },
    ingest(input): Promise<IngestResult> {
      if (closed) return Promise.reject(new Error('store closed'));
      return new Promise<IngestResult>((resolve, reject) => {
        queue.push({ input, resolve, reject });
        if (!flushing) void flushLoop();
      });
    },
    async readEvents(channelId, afterSeq, limit): Promise<StoredEvent[]> {
      const r = await pool.query(
        'SELECT channel_id, seq, delivery_id, headers, body, received_at FROM relay_events WHERE channel_id = $1 AND seq > $2 ORDER BY seq LIMIT $3',
        [channelId, afterSeq, limit],
      );
      return r.rows.map((row) => ({
        channelId: row.channel_id,
        seq: toNumber(row.seq),
        deliveryId: row.delivery_id,
        headers: JSON.parse(row.headers) as Record<string, string>,
        body: row.body as Buffer,
        receivedAt: toNumber(row.received_at),
      }));
    },
    async ack(channelId, deviceId, seq) {
      await pool.query('UPDATE relay_devices SET acked_seq = $1 WHERE id = $2 AND channel_id = $3 AND acked_seq < $1', [seq, deviceId, channelId]);
    },
    async purge(before) {
      // Per channel, delete up to the newest expired seq (the log stays a contiguous suffix), in
      // batches so one run never holds long locks. received_at is indexed.
      let removed = 0;
      const expired = await pool.query('SELECT channel_id, MAX(seq) AS max_seq FROM relay_events WHERE received_at < $1 GROUP BY channel_id', [before]);
      for (const row of expired.rows) {
        const maxSeq = toNumber(row.max_seq);
        await pool.query('UPDATE relay_channels SET purged_seq = GREATEST(purged_seq, $1) WHERE id = $2', [maxSeq, row.channel_id]);
        for (let batch = 0; batch < 100_000; batch++) {
          const r = await pool.query(
            'DELETE FROM relay_events WHERE ctid IN (SELECT ctid FROM relay_events WHERE channel_id = $1 AND seq <= $2 LIMIT 5000)',
            [row.channel_id, maxSeq],
          );
          removed += r.rowCount ?? 0;
          if ((r.rowCount ?? 0) < 5000) break;
        }
      }
      return removed;
    },
    async stats(): Promise<ChannelStats[]> {
      const r = await pool.query(
        `SELECT c.id, c.last_seq, MIN(d.acked_seq) AS min_acked, COUNT(d.id) AS active
           FROM relay_channels c LEFT JOIN relay_devices d ON d.channel_id = c.id AND d.revoked_at IS NULL
          GROUP BY c.id ORDER BY c.id`,
      );
      return r.rows.map((row) => ({
        channelId: row.id,
        lastSeq: toNumber(row.last_seq),
        minAckedSeq: row.min_acked === null ? null : toNumber(row.min_acked),
        activeDevices: toNumber(row.active),
      }));
    },
    async putFeed(feed) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const existing = await client.query('SELECT channel_id, etag FROM relay_feeds WHERE feed_key = $1 FOR UPDATE', [feed.feedKey]);
        let outcome: 'created' | 'updated' | 'unchanged' | 'forbidden';
        if (!existing.rows[0]) {
          const ins = await client.query(
            'INSERT INTO relay_feeds (feed_key, channel_id, body, etag, last_modified) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (feed_key) DO NOTHING',
            [feed.feedKey, feed.channelId, feed.body, feed.etag, feed.lastModified],
          );
          outcome = ins.rowCount === 1 ? 'created' : 'forbidden';
        } else if (existing.rows[0].channel_id !== feed.channelId) {
          outcome = 'forbidden';
        } else if (existing.rows[0].etag === feed.etag) {
          outcome = 'unchanged';
        } else {
          await client.query('UPDATE relay_feeds SET body = $1, etag = $2, last_modified = $3 WHERE feed_key = $4', [feed.body, feed.etag, feed.lastModified, feed.feedKey]);
          outcome = 'updated';
        }
        await client.query('COMMIT');
        return outcome;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    async getFeed(feedKey) {
      const r = await pool.query('SELECT feed_key, channel_id, body, etag, last_modified FROM relay_feeds WHERE feed_key = $1', [feedKey]);
      const row = r.rows[0];
      return row ? { feedKey: row.feed_key, channelId: row.channel_id, body: row.body as Buffer, etag: row.etag, lastModified: toNumber(row.last_modified) } : null;
    },
    async deleteFeed(channelId, feedKey) {
      const r = await pool.query('DELETE FROM relay_feeds WHERE feed_key = $1 AND channel_id = $2', [feedKey, channelId]);
      return (r.rowCount ?? 0) > 0;
    },
    async publish(notice) {
      await pool.query('SELECT pg_notify($1, $2)', [notifyChannel, JSON.stringify(notice)]);
    },
    subscribe(listener) {
      return listeners.add(listener);
    },
    async close() {
      if (closed) return;
      closed = true;
      await flushDone;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      const client = listenClient;
      listenClient = null;
      await client?.end().catch(() => {});
      await pool.end();
    },
  };
  return store;
}
