// Child process for bench/webhook-path.ts: the honest floor of the webhook path (issue #16), in the
// spirit of the sync's floor ("the same pages fetched raw and inserted raw"): the work the path
// cannot avoid, done raw, in one process and one thread —
//   HTTP receive → one durable append (a SQLite file opened with the relay store's own pragmas:
//   WAL, synchronous=FULL, so each commit waits for the WAL's fsync; on the same disk, the temp dir
//   the relay's file is in) → 202 → one raw insert into a second SQLite file with the replica's
//   settings for relayed deliveries (WAL, synchronous=NORMAL: no fsync) → WebSocket send of the id.
// Deliveries that arrive while a commit waits for its fsync share the next commit (a group commit,
// as any durable store at 500/s must do; one fsync per delivery would be the path's work done badly,
// not raw). The relay's file gets the relay store's own checkpoint thread (sqlite-writer.ts, a
// PASSIVE checkpoint every 2 s), as in the relay: without it the WAL only grows, and each fdatasync
// must then also journal the file's new size, which made this floor's p50 slower than the path's
// on this ext4 disk: slower, not rawer. What the path may move off its hot path is left out: no
// checkpoints of the replica-settings file (the console's thread also fdatasyncs its WAL every
// 100 ms), no verification, no indexes but the primary key, one WebSocket hop instead of two.
// Prints {port, wsPort} once listening.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { WebSocketServer } from 'ws';
import { openDatabase } from '../src/relay/store-sqlite.ts';

const dir = mkdtempSync(join(tmpdir(), 'bench-webhook-floor-'));
// The relay's own opener: its pragmas (WAL, synchronous=FULL), its schema; a channel to append to.
const relayFile = join(dir, 'relay.db');
const relayDb = openDatabase(relayFile);
relayDb.pragma('wal_autocheckpoint = 0');
new Worker(new URL('../src/relay/sqlite-writer.ts', import.meta.url), { workerData: { path: relayFile, role: 'checkpoint', checkpointEveryMs: 2000 } }).unref();
relayDb.prepare('INSERT INTO channels (id, created_at) VALUES (?, ?)').run('ch_floor', Date.now());
const append = relayDb.prepare('INSERT INTO events (channel_id, seq, delivery_id, headers, body, received_at) VALUES (?, ?, ?, ?, ?, ?)');
// The replica's settings for what the relay link applies (db/open.ts, db/bulk-settings.ts).
const replicaDb = new Database(join(dir, 'replica.db'));
replicaDb.pragma('journal_mode = WAL');
replicaDb.pragma('synchronous = NORMAL');
replicaDb.pragma('temp_store = MEMORY');
replicaDb.pragma('wal_autocheckpoint = 0');
replicaDb.exec('CREATE TABLE deliveries (id TEXT PRIMARY KEY, body BLOB NOT NULL)');
const insert = replicaDb.prepare('INSERT INTO deliveries (id, body) VALUES (?, ?)');

const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
await new Promise<void>((r) => wss.once('listening', () => r()));

interface Pending {
  id: string;
  body: Buffer;
  res: ServerResponse;
}
let queue: Pending[] = [];
let scheduled = false;
let seq = 0;
const flush = (): void => {
  scheduled = false;
  const batch = queue;
  queue = [];
  relayDb.transaction(() => {
    for (const p of batch) append.run('ch_floor', ++seq, p.id, '{}', p.body, Date.now());
  })();
  for (const p of batch) p.res.writeHead(202).end();
  replicaDb.transaction(() => {
    for (const p of batch) insert.run(p.id, p.body);
  })();
  for (const p of batch) for (const client of wss.clients) client.send(JSON.stringify({ id: p.id }));
};

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    queue.push({ id: String(req.headers['x-orkestr-delivery-id']), body: Buffer.concat(chunks), res });
    // The rest of this loop turn's requests join the commit (what the relay's store does too).
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  });
});
server.keepAliveTimeout = 60_000;
await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
console.log(JSON.stringify({ port: (server.address() as AddressInfo).port, wsPort: (wss.address() as AddressInfo).port }));
process.on('SIGTERM', () => {
  relayDb.close();
  replicaDb.close();
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
});
