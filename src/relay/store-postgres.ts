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
 * - Group commit, per channel: ingests of a channel arriving while its transaction commits share the
 *   next one; channels commit independently (a lock held elsewhere on one never holds up another).
 * - Dedupe: `UNIQUE (channel_id, delivery_id)`, checked under the same row lock.
 * - Signal: `pg_notify('orkestr_relay', …)` in the same transaction (delivered on commit) reaches
 *   every node LISTENing, which pushes the event to its connected devices.
 * - Retention: an indexed, batched DELETE on `received_at` (see docs/relay.md for why not partitions).
 *
 * - Faults: every session has bounded lock, statement and idle-in-transaction timeouts and TCP
 *   keepalive (`sessionDefaults`), so a frozen or partitioned node loses its locks within seconds; a
 *   client checked out of the pool always has an error listener (a restart or a terminated backend
 *   fails that transaction, the caller answers 503, the node lives on).
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

/**
 * Every connection's limits (docs/relay.md, "Failure behaviour"). A parameter given in the store URL
 * (e.g. `?options=-c lock_timeout=10s`, `?application_name=…`) wins over these.
 * - idle_in_transaction_session_timeout: a node frozen (SIGSTOP, a long GC, a VM pause) or cut off in
 *   the middle of an ingest loses its transaction and its channel lock after 3 s;
 * - lock_timeout: waiting for a channel's lock gives up after 5 s (the caller answers 503 and the
 *   platform retries), longer than the 3 s above so a waiter normally gets the lock instead;
 * - statement_timeout 15 s, and a client-side query timeout 20 s for a database that stopped answering;
 * - TCP keepalive both ways, so a dead peer is noticed in about 25 s rather than the kernel's hours.
 */
export const sessionDefaults = {
  idle_in_transaction_session_timeout: 3000,
  lock_timeout: 5000,
  statement_timeout: 15_000,
  query_timeout: 20_000,
  connectionTimeoutMillis: 5000,
  keepAlive: true,
  keepAliveInitialDelayMillis: 10_000,
  options: '-c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3',
} as const;

/** At most this many ingest transactions at once per node (the pool keeps the rest for reads). */
const maxConcurrentIngests = 6;

function clientConfig(url: string): pg.ClientConfig {
  // application_name says which node a backend belongs to in pg_stat_activity.
  return { ...sessionDefaults, connectionString: url, application_name: `orkestr-relay:${process.pid}` };
}

/**
 * Runs `work` on a client checked out of the pool. While checked out, a client has no listener of
 * the pool's: an 'error' (restart, terminated backend, idle-in-transaction timeout) would be an
 * unhandled event that kills the process. This one keeps it, and a client that failed is destroyed
 * rather than returned to the pool.
 */
async function withClient<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (error: Error): void => {
    broken = error;
  };
  client.on('error', onError);
  try {
    return await work(client);
  } catch (error) {
    broken ??= error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    client.removeListener('error', onError);
    client.release(broken ?? undefined);
  }
}

/** A transaction on a pooled client; rolled back (if the connection still lives) when `work` throws. */
function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return withClient(pool, async (client) => {
    await client.query('BEGIN');
    try {
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    }
  });
}

/** Opens the store, migrating first. Long: the store's methods are closures over its pool, LISTEN link and per-channel queues. */
// eslint-disable-next-line max-lines-per-function -- the store's methods are closures over its pool, LISTEN link and per-channel queues
export async function openPostgresStore(url: string): Promise<RelayStore> {
  const pool = new pg.Pool({ ...clientConfig(url), max: 10 });
  pool.on('error', () => {
    // idle client errors (server restart): the pool drops the client and makes a new one next time
  });
  const listeners = new NoticeListeners();
  let closed = false;

  // Migrations, once, even when several nodes start together.
  try {
    await inTransaction(pool, async (client) => {
      // A migration may take longer than an ingest statement, and another node may hold the lock
      // while it migrates: wider limits for this transaction only.
      await client.query("SET LOCAL statement_timeout = '5min'");
      await client.query("SET LOCAL lock_timeout = '2min'");
      await client.query('SELECT pg_advisory_xact_lock($1)', [migrationLockKey]);
      await client.query('CREATE TABLE IF NOT EXISTS relay_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())');
      const done = await client.query<{ v: number | null }>('SELECT MAX(version) AS v FROM relay_migrations');
      const current = done.rows[0]?.v ?? 0;
      for (let i = current; i < migrations.length; i++) {
        await client.query(migrations[i]!);
        await client.query('INSERT INTO relay_migrations (version) VALUES ($1)', [i + 1]);
      }
    });
  } catch (error) {
    await pool.end();
    throw error;
  }

  // The LISTEN connection, re-established with back-off when it drops; after a reconnect the
  // streams re-read the log (`resync`) because notifications sent meanwhile are lost.
  let listenClient: pg.Client | null = null;
  let reconnectTimer: NodeJS.Timeout | null = null;
  let attempt = 0;
  const connectListener = async (): Promise<void> => {
    const client = new pg.Client(clientConfig(url));
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
    const delay = Math.min(5000, 250 * 2 ** attempt++);
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
   * Group commit, per channel. One ingest transaction at a time per channel on this node; ingests of
   * that channel arriving while it commits form its next batch. Under load this turns N fsyncs (each
   * holding the channel's row lock) into one, which is what lets one hot channel go faster than
   * 1 / commit latency. Channels do not wait for each other: each has its own queue, and up to
   * `maxConcurrentIngests` channels commit at once (one row lock per transaction, so no deadlock).
   */
  interface Pending {
    input: IngestInput;
    resolve: (result: IngestResult) => void;
    reject: (error: unknown) => void;
  }
  const queues = new Map<string, Pending[]>();
  const flushes = new Set<Promise<void>>();
  const maxBatchRows = 500;
  const maxBatchBytes = 8 * 1024 * 1024;
  let running = 0;
  const waitingForSlot: Array<() => void> = [];
  const takeSlot = async (): Promise<void> => {
    if (running < maxConcurrentIngests) {
      running++;
      return;
    }
    await new Promise<void>((resolve) => waitingForSlot.push(resolve));
  };
  const giveSlot = (): void => {
    const next = waitingForSlot.shift();
    if (next) next(); // the slot passes on; `running` stays
    else running--;
  };

  const flushChannel = (channelId: string): void => {
    const done = (async () => {
      for (;;) {
        const queue = queues.get(channelId)!;
        if (queue.length === 0) break;
        await takeSlot();
        let n = 0;
        let bytes = 0;
        while (n < queue.length && n < maxBatchRows && (n === 0 || bytes + queue[n]!.input.body.length <= maxBatchBytes)) bytes += queue[n++]!.input.body.length;
        const batch = queue.splice(0, n);
        try {
          const results = await commitBatch(channelId, batch.map((p) => p.input));
          batch.forEach((p, i) => p.resolve(results[i]!));
        } catch (error) {
          for (const p of batch) p.reject(error);
        } finally {
          giveSlot();
        }
      }
      // Synchronously after the empty check: no ingest can have been queued in between.
      queues.delete(channelId);
    })();
    flushes.add(done);
    void done.finally(() => flushes.delete(done));
  };

  /** One channel's batch in one transaction: lock its row, dedupe, insert, bump last_seq, notify. */
  const commitBatch = (channelId: string, inputs: IngestInput[]): Promise<IngestResult[]> =>
    inTransaction(pool, async (client) => {
      // The row lock serialises this channel's ingests across all nodes until COMMIT.
      const locked = await client.query('SELECT last_seq FROM relay_channels WHERE id = $1 FOR UPDATE', [channelId]);
      if (!locked.rows[0]) return inputs.map((): IngestResult => ({ status: 'unknown-channel' }));
      let seq = toNumber(locked.rows[0].last_seq);
      const ids = [...new Set(inputs.map((input) => input.deliveryId).filter((d): d is string => d !== null))];
      const known = new Map<string, { seq: number; body: Buffer }>();
      if (ids.length > 0) {
        const dup = await client.query('SELECT delivery_id, seq, body FROM relay_events WHERE channel_id = $1 AND delivery_id = ANY($2::text[])', [channelId, ids]);
        for (const row of dup.rows) known.set(row.delivery_id, { seq: toNumber(row.seq), body: row.body as Buffer });
      }
      const results: IngestResult[] = [];
      const rows: unknown[] = [];
      const values: string[] = [];
      for (const input of inputs) {
        const earlier = input.deliveryId !== null ? known.get(input.deliveryId) : undefined;
        if (earlier !== undefined) {
          results.push({ status: 'duplicate', seq: earlier.seq, sameBody: earlier.body.equals(input.body) });
          continue;
        }
        seq++;
        if (input.deliveryId !== null) known.set(input.deliveryId, { seq, body: input.body });
        results.push({ status: 'stored', seq });
        const b = rows.length;
        values.push(`($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6})`);
        rows.push(channelId, seq, input.deliveryId, JSON.stringify(input.headers), input.body, input.receivedAt);
      }
      if (values.length > 0) {
        await client.query(`INSERT INTO relay_events (channel_id, seq, delivery_id, headers, body, received_at) VALUES ${values.join(', ')}`, rows);
        await client.query('UPDATE relay_channels SET last_seq = $1 WHERE id = $2', [seq, channelId]);
        await client.query('SELECT pg_notify($1, $2)', [notifyChannel, JSON.stringify({ kind: 'event', channelId, seq })]);
      }
      return results;
    });

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
        const queue = queues.get(input.channelId);
        if (queue) queue.push({ input, resolve, reject });
        else {
          queues.set(input.channelId, [{ input, resolve, reject }]);
          flushChannel(input.channelId);
        }
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
    putFeed(feed) {
      return inTransaction(pool, async (client) => {
        const existing = await client.query('SELECT channel_id, etag FROM relay_feeds WHERE feed_key = $1 FOR UPDATE', [feed.feedKey]);
        if (!existing.rows[0]) {
          const ins = await client.query(
            'INSERT INTO relay_feeds (feed_key, channel_id, body, etag, last_modified) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (feed_key) DO NOTHING',
            [feed.feedKey, feed.channelId, feed.body, feed.etag, feed.lastModified],
          );
          return ins.rowCount === 1 ? 'created' : 'forbidden';
        }
        if (existing.rows[0].channel_id !== feed.channelId) return 'forbidden';
        if (existing.rows[0].etag === feed.etag) return 'unchanged';
        await client.query('UPDATE relay_feeds SET body = $1, etag = $2, last_modified = $3 WHERE feed_key = $4', [feed.body, feed.etag, feed.lastModified, feed.feedKey]);
        return 'updated';
      });
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
      for (let i = 0; i < 1000 && flushes.size > 0; i++) await Promise.allSettled([...flushes]);
      if (reconnectTimer) clearTimeout(reconnectTimer);
      const client = listenClient;
      listenClient = null;
      await client?.end().catch(() => {});
      await pool.end();
    },
  };
  return store;
}
