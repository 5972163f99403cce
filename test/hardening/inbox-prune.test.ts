/**
 * Issue #15: the webhook inbox (delivery ids and body hashes, the dedupe memory) keeps 30 days and a
 * running relay link prunes it in the background, in bounded batches. A real replica file; the link
 * points at a loopback port where nothing listens (pruning does not wait for the relay).
 */
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startRelayLink } from '../../src/main/core/relay-link/relay-link.ts';
import { Replica } from '../../src/main/core/replica/replica.ts';
import { readReplica } from '../support/core.ts';
import { waitFor } from '../support/wait-for.ts';

const day = 24 * 60 * 60 * 1000;

/** A loopback port nobody listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('webhook inbox retention', () => {
  it('a running relay link prunes deliveries older than 30 days, in batches, and keeps the rest', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'inbox-')), 'replica.db');
    const replica = Replica.open(file);
    const insert = replica.stmt('INSERT INTO inbox (delivery_id, body_sha256, event, received_at) VALUES (?,?,?,?)');
    replica.transaction(() => {
      for (let i = 0; i < 1_234; i++) insert.run(`dlv_old_${i}`, `old${i}`, 'booking.confirmed', new Date(Date.now() - 31 * day - i * 1000).toISOString());
      for (let i = 0; i < 20; i++) insert.run(`dlv_new_${i}`, `new${i}`, 'booking.confirmed', new Date(Date.now() - 29 * day + i * 1000).toISOString());
    });
    const lines: string[] = [];
    const link = startRelayLink(
      { replica, notifyChanged: () => {}, notifyActivity: () => {}, syncNow: () => false },
      { url: `http://127.0.0.1:${await closedPort()}`, channelId: 'ch_prune', deviceToken: 'dev_token_prune_0123456789', secrets: ['whsec_prune'], log: (l) => lines.push(l) },
    );
    try {
      await waitFor(() => lines.find((l) => l.includes('pruned')), 'the pruning log line');
      expect(lines).toContain('webhook inbox: pruned 1234 entries older than 30 days');
      const left = readReplica(file, (db) => db.prepare('SELECT delivery_id FROM inbox ORDER BY delivery_id').all() as Array<{ delivery_id: string }>);
      expect(left.map((r) => r.delivery_id)).toEqual(Array.from({ length: 20 }, (_, i) => `dlv_new_${i}`).sort());
    } finally {
      await link.close();
      replica.close();
    }
  });
});
