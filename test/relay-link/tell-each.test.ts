/**
 * The relay link tells the UI of each relayed delivery as soon as it is applied, not after the whole
 * batch the stream handed over (issue #16, webhook path p99). A batch is everything that waited: after
 * any hiccup (a group commit, a GC, a slow fsync in the relay) a dozen deliveries arrive together, and
 * the oldest of them waited for the apply of all the others (~0.5 ms each) before its activity line
 * reached the UI. Real relay on loopback, real replica file; the host records what the replica holds
 * at each activity it is told of.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startRelayLink } from '../../src/main/core/relay-link/relay-link.ts';
import { Replica } from '../../src/main/core/replica/replica.ts';
import { startRelay, type RelayHandle } from '../../src/relay/index.ts';
import { waitFor } from '../support/wait-for.ts';
import { delivery, secret } from './group-commit-deliveries.ts';

const admin = 'tell-each-admin-token';
let relay: RelayHandle | undefined;
let replica: Replica | undefined;

afterAll(async () => {
  replica?.close();
  await relay?.close();
});

it('a batch of relayed deliveries tells each activity once that delivery is applied, in order, before the next is applied', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tell-each-'));
  relay = await startRelay({ port: 0, store: join(dir, 'relay.db'), adminToken: admin });
  const created = await fetch(`${relay.url}/v1/channels`, { method: 'POST', headers: { Authorization: `Bearer ${admin}`, 'Content-Type': 'application/json' }, body: '{}' });
  const channel = (await created.json()) as { id: string; ingressUrl: string; deviceToken: string };
  // A backlog stored before the console connects: the relay streams it at once, the link gets it in batches.
  const n = 30;
  for (let seq = 1; seq <= n; seq++) {
    const d = delivery(seq);
    const res = await fetch(channel.ingressUrl, { method: 'POST', headers: { 'Content-Type': 'application/json', ...d.headers }, body: d.body });
    expect(res.status).toBe(202);
  }
  const db = (replica = Replica.open(join(dir, 'replica.db')));
  const bookings = (): number => (db.stmt('SELECT count(*) AS n FROM bookings').get() as { n: number }).n;
  const told: Array<{ id: string; bookingsThen: number }> = [];
  const changed: number[] = [];
  const link = startRelayLink(
    { replica: db, notifyChanged: () => changed.push(bookings()), notifyActivity: (item) => told.push({ id: item.id, bookingsThen: bookings() }), syncNow: () => false },
    { url: relay.url, channelId: channel.id, deviceToken: channel.deviceToken, secrets: [secret] },
  );
  try {
    await waitFor(() => told.length >= n, `${n} activities told`);
    expect(told.map((t) => t.id)).toEqual(Array.from({ length: n }, (_, i) => `act_${delivery(i + 1).deliveryId}`));
    // Each activity is told when its own booking is there and the next one's not yet: 1, 2, 3, …
    expect(told.map((t) => t.bookingsThen)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    // The rows' change is told with it (data.changed), not held until the rest of the batch is applied.
    expect(changed).toEqual(Array.from({ length: n }, (_, i) => i + 1));
  } finally {
    await link.close();
  }
});
