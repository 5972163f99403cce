/**
 * A version of the replica's server truth (bookings, their rule runs, everything but the outbox and
 * the overlay), for reads cached over it (issue #16: the queue's counts over ~108k PENDING bookings,
 * ~60 ms at 1M, were recounted after every key press because an intent is a write).
 *
 * The write version is `PRAGMA data_version` (another connection committed), `total_changes()` (this
 * connection wrote a row) and the connection's rollbacks. The truth version is the same, except that
 * writes made through `overlayOnly` (an intent queued or undone: outbox, booking_overlay and
 * conflict rows, never a booking or a rule run) do not move it: the version in force before such a write is kept while nothing else was written
 * since. Any other write, by this connection or another, moves it as before.
 */
import type { Replica } from './replica.ts';

/** Per replica: the write version after the last overlay-only write, and the truth version it kept. */
const kept = new WeakMap<Replica, { after: string; truth: string }>();

/** Moves with every write: another connection's commit, a row written by this one, a rollback. */
export function writeVersion(replica: Replica): string {
  const changes = (replica.stmt('SELECT total_changes() AS n').get() as { n: number }).n;
  return `${String(replica.sqlite.pragma('data_version', { simple: true }))}:${String(changes)}:${String(replica.rollbacks)}`;
}

export function truthVersion(replica: Replica): string {
  const now = writeVersion(replica);
  const k = kept.get(replica);
  return k && k.after === now ? k.truth : now;
}

/**
 * Runs `fn`, which must write no truth (only outbox, booking_overlay, conflicts), keeping the truth version.
 * Not inside a transaction that writes truth and may still roll back (the rollback moves the version
 * anyway: `rollbacks` is part of it).
 */
export function overlayOnly<T>(replica: Replica, fn: () => T): T {
  const before = truthVersion(replica);
  const out = fn();
  kept.set(replica, { after: writeVersion(replica), truth: before });
  return out;
}
