/**
 * The webhook inbox (`inbox`: delivery id + body hash of every applied webhook, the dedupe memory)
 * keeps 30 days and is pruned in the background, so it does not grow without bound.
 *
 * Why 30 days: Orkestr retries a delivery up to 5 times with exponential back-off (hours, not
 * days), and the relay keeps a channel's log for its retention (7 days by default), so a genuine
 * redelivery arrives well inside the window. A body replayed after it (same signature, new delivery
 * id) is applied again, which is harmless: bookings never roll back to an older version, disputes
 * and reviews are keyed by their own ids; at worst the activity list shows it twice.
 *
 * Pruning deletes in bounded batches (by the `received_at` index) and yields to the event loop
 * between them, so a long-lived process never stalls on it.
 */
import type { Replica } from '../replica/replica.ts';

export const inboxRetentionMs = 30 * 24 * 60 * 60 * 1000;
/** Rows per DELETE: one short write transaction each. */
export const inboxPruneBatch = 500;
/** How often a long-lived link prunes again. */
export const inboxPruneEveryMs = 6 * 60 * 60 * 1000;

/** Deletes inbox rows older than the window; resolves with how many. */
export async function pruneInbox(replica: Replica, opts: { now?: number; batch?: number; retentionMs?: number } = {}): Promise<number> {
  const cutoff = new Date((opts.now ?? Date.now()) - (opts.retentionMs ?? inboxRetentionMs)).toISOString();
  const batch = opts.batch ?? inboxPruneBatch;
  let total = 0;
  // Bounded: each round deletes a full batch or ends the loop.
  for (let round = 0; round < 1_000_000; round++) {
    if (!replica.sqlite.open) break;
    const deleted = replica.transaction(
      () => replica.stmt('DELETE FROM inbox WHERE rowid IN (SELECT rowid FROM inbox WHERE received_at < ? ORDER BY received_at LIMIT ?)').run(cutoff, batch).changes,
    );
    total += deleted;
    if (deleted < batch) break;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return total;
}

/** Prunes now and every `inboxPruneEveryMs`; returns the stop function. Errors go to `log`. */
export function schedulePruning(replica: Replica, log: (line: string) => void = () => {}): () => void {
  let running = false;
  const run = (): void => {
    if (running) return;
    running = true;
    pruneInbox(replica)
      .then((n) => {
        if (n > 0) log(`webhook inbox: pruned ${n} entries older than 30 days`);
      })
      .catch((error: unknown) => log(`webhook inbox: pruning failed: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => {
        running = false;
      });
  };
  const first = setImmediate(run);
  const timer = setInterval(run, inboxPruneEveryMs);
  timer.unref();
  return () => {
    clearImmediate(first);
    clearInterval(timer);
  };
}
