// Child process for bench/webhook-path.ts: the relay is its own deployable, so it runs apart from
// the console whose UI latency is measured. Prints {url, channel} once listening.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRelay } from '../src/relay/index.ts';

const adminToken = 'bench-admin-token-0001';
const relay = await startRelay({ port: 0, store: join(mkdtempSync(join(tmpdir(), 'bench-relay-')), 'relay.db'), adminToken, sqliteWriterThread: true });
const created = await fetch(`${relay.url}/v1/channels`, { method: 'POST', headers: { Authorization: `Bearer ${adminToken}`, 'Content-Type': 'application/json' }, body: '{}' });
const channel: unknown = await created.json();
// CPU from here on, every thread (the SQLite writer's included): printed on SIGTERM, per delivery by the bench.
const cpuAtReady = process.cpuUsage();
console.log(JSON.stringify({ url: relay.url, channel }));
process.on('SIGTERM', () => {
  const cpu = process.cpuUsage(cpuAtReady);
  console.log(JSON.stringify({ cpuMs: (cpu.user + cpu.system) / 1000 }));
  void relay.close().then(() => process.exit(0));
});
