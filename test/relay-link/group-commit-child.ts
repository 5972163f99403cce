// Child of group-commit.test.ts: applies seq 1–2 and commits them, applies seq 3–4 in the open group
// (the UI would have been told), prints "applied", then waits to be killed with SIGKILL.
import { Replica } from '../../src/main/core/replica/replica.ts';
import { RelayGroupCommit } from '../../src/main/core/relay-link/group-commit.ts';
import { applyWithCursor } from '../../src/main/core/relay-link/relay-link.ts';
import { delivery, noEffects, secret } from './group-commit-deliveries.ts';

const replica = Replica.open(process.argv[2]!);
const group = new RelayGroupCommit(replica, 'relay.cursor', { committed: () => {}, rewind: () => {} }, 3_600_000);
group.run(2, () => applyWithCursor(replica, [secret], [delivery(1), delivery(2)], noEffects()));
group.commit();
group.run(4, () => applyWithCursor(replica, [secret], [delivery(3), delivery(4)], noEffects()));
const seen = (replica.stmt('SELECT count(*) AS n FROM bookings').get() as { n: number }).n;
console.log(`applied ${seen}`);
setInterval(() => {}, 1000);
