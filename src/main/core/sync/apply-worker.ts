/**
 * The pull's apply worker (worker_threads): writes the pages the engine's thread fetched into the
 * replica from a connection of its own, so the group's inserts and its commit (which writes the page
 * cache's dirty index pages to the WAL: 60–225 ms every second at 1M bookings) never hold the loop
 * that answers calls. That loop reads from its own connection meanwhile (WAL: readers do not wait for
 * the writer) and learns after each commit which records changed. Same apply code as without a
 * worker (apply-page.ts), same group commit (BULK_COMMIT_MS), each page with its cursor in one
 * transaction. Started by apply-host.ts, which documents the messages.
 *
 * The write gate (a SharedArrayBuffer shared with the engine's thread): before a write of its own
 * (an approve → outbox), the engine raises WANT; between slices the worker then commits its group at
 * once, lowers HOLD and waits until WANT is down before it opens the next group.
 */
import { statSync } from 'node:fs';
import { TextDecoder } from 'node:util';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { Replica } from '../replica/replica.ts';
import { APPLY_SLICE, applyPageSlice, pageIds, type PageToApply } from './apply-page.ts';
import { AvailabilityShapeError, availabilityItems } from './availability-body.ts';
import type { RemoteAvailabilityException, RemoteAvailabilityRule } from './remote-types.ts';
import { BULK_COMMIT_MS, GATE_HOLD, GATE_WANT, WAL_RESTART_BYTES, type AppliedPage, type ToHost, type ToWorker } from './apply-protocol.ts';

const port = ((): MessagePort => {
  if (!parentPort) throw new Error('sync/apply-worker.ts runs as a worker thread');
  return parentPort;
})();
const data = workerData as { file: string; gate: SharedArrayBuffer; holdAfterPages?: number };
const gate = new Int32Array(data.gate);
const replica = new Replica(data.file, 'local-state');
// Checkpoints are the engine's (its checkpoint worker, and restartWal below): none inside our commits.
replica.sqlite.pragma('wal_autocheckpoint = 0');

const post = (m: ToHost): void => port.postMessage(m);

let groupOpen = false;
/** Pages applied in the open group, reported once it is committed. */
let uncommitted: Array<AppliedPage & { pull: number }> = [];
/** Pulls whose page failed: their later pages are dropped (the group was rolled back). */
const failed = new Set<number>();
let commitTimer: NodeJS.Timeout | null = null;
/**
 * The availability answer received so far, by pull: decoded as its pieces come (the bytes are let go
 * at once; the text is all that is held, 18.6 MB at 20k offerings).
 */
const availabilityBodies = new Map<number, { decoder: TextDecoder; parts: string[] }>();
/** Test seam: after this many pages the group stays open until a 'release' message. */
let holdAfter = data.holdAfterPages ?? Infinity;
let held: Array<ToWorker> | null = null;

/** Before a slice: takes the write lock unless the engine's thread wants it (Dekker: HOLD up, then look at WANT). */
function openGroup(): void {
  if (groupOpen) return;
  for (;;) {
    Atomics.store(gate, GATE_HOLD, 1);
    if (Atomics.load(gate, GATE_WANT) === 0) break;
    Atomics.store(gate, GATE_HOLD, 0);
    Atomics.notify(gate, GATE_HOLD);
    waitWhileWanted();
  }
  groupOpen = true;
}

function waitWhileWanted(): void {
  for (let w = Atomics.load(gate, GATE_WANT); w !== 0; w = Atomics.load(gate, GATE_WANT)) Atomics.wait(gate, GATE_WANT, w, 100);
}

/** Commits the group (when open), reports its pages, and lets the engine's thread write. */
function commit(): void {
  if (commitTimer) clearTimeout(commitTimer);
  commitTimer = null;
  if (groupOpen) {
    try {
      replica.flushBulk();
    } finally {
      groupOpen = false;
      Atomics.store(gate, GATE_HOLD, 0);
      Atomics.notify(gate, GATE_HOLD);
    }
  }
  if (uncommitted.length === 0) return;
  const byPull = new Map<number, AppliedPage[]>();
  for (const { pull, ...page } of uncommitted) byPull.set(pull, [...(byPull.get(pull) ?? []), page]);
  uncommitted = [];
  for (const [pull, pages] of byPull) post({ type: 'committed', pull, pages });
}

/** An open group is committed within BULK_COMMIT_MS even when no page follows (the fetch is slow). */
function scheduleCommit(): void {
  commitTimer ??= setTimeout(() => {
    commitTimer = null;
    if (!held) commit();
  }, Math.max(0, BULK_COMMIT_MS - replica.bulkAgeMs));
}

/** The engine wants the lock: commit now, and wait until its write is done. */
function yieldIfWanted(): void {
  if (Atomics.load(gate, GATE_WANT) === 0) return;
  commit();
  waitWhileWanted();
}

function applyPage(pull: number, page: PageToApply): void {
  const newPending: string[] = [];
  for (let from = 0; ; from += APPLY_SLICE) {
    yieldIfWanted();
    openGroup();
    if (applyPageSlice(replica, page, from, newPending)) break;
  }
  uncommitted.push({ pull, resource: page.resource, rows: page.data.length, ids: pageIds(page), newPending, rowsSeen: replica.getSyncState(page.resource).rowsSeen });
  if (--holdAfter === 0) {
    held = [];
    return;
  }
  if (page.finished || replica.bulkAgeMs >= BULK_COMMIT_MS) commit();
  else scheduleCommit();
  restartWalIfOver();
}

/**
 * Replaces the availability with the answer's (decoded and read here, off the engine's loop: one
 * body, ~250 ms of that loop at 20k offerings). The body is read through once before anything is
 * written, so a body not in its shape writes nothing; then cleared and written in one group, in
 * slices with the gate looked at between them. The engine's own write in the middle commits the
 * group as it is (a partial schedule, as on the engine's thread before: server truth, rewritten
 * whole by the next reconciliation). Answers whether it was written.
 */
function replaceAvailability(text: string): boolean {
  try {
    const check = availabilityItems(text);
    while (!check.next().done);
  } catch (error) {
    if (error instanceof AvailabilityShapeError) return false;
    throw error;
  }
  commit(); // the pages before it stay apart from the replace
  let rules: RemoteAvailabilityRule[] = [];
  let exceptions: RemoteAvailabilityException[] = [];
  const write = (): void => {
    yieldIfWanted();
    openGroup();
    replica.bulk(() => replica.insertAvailability(rules, exceptions));
    rules = [];
    exceptions = [];
  };
  openGroup();
  replica.bulk(() => replica.clearAvailability());
  for (const { list, item } of availabilityItems(text)) {
    if (list === 'rules') rules.push(item as unknown as RemoteAvailabilityRule);
    else exceptions.push(item as unknown as RemoteAvailabilityException);
    if (rules.length + exceptions.length >= APPLY_SLICE) write();
  }
  write();
  commit();
  return true;
}

/**
 * The WAL is let start over once it outgrew its bound (see WAL_RESTART_BYTES): the group committed,
 * one PASSIVE checkpoint here, on this thread, and the next group's first write starts the WAL over.
 */
function restartWalIfOver(): void {
  let size = 0;
  try {
    size = statSync(`${data.file}-wal`).size;
  } catch {
    return;
  }
  if (size <= WAL_RESTART_BYTES) return;
  commit();
  replica.sqlite.pragma(`journal_size_limit = ${WAL_RESTART_BYTES}`);
  replica.sqlite.pragma('wal_checkpoint(PASSIVE)');
}

/**
 * A write of the pull failed: bulk() rolled the group back, so its pages are lost (they were never
 * reported) and re-read from the stored cursor by the next pull; its later messages are dropped.
 */
function failPull(pull: number, error: unknown): void {
  groupOpen = false;
  uncommitted = uncommitted.filter((p) => p.pull !== pull);
  Atomics.store(gate, GATE_HOLD, 0);
  Atomics.notify(gate, GATE_HOLD);
  failed.add(pull);
  post({ type: 'error', pull, message: error instanceof Error ? error.message : String(error) });
}

function handle(m: ToWorker): void {
  if (held && m.type === 'stop') handle({ type: 'release' });
  if (held && m.type !== 'release' && m.type !== 'yield') {
    held.push(m);
    return;
  }
  switch (m.type) {
    case 'page':
      if (failed.has(m.pull)) return;
      try {
        applyPage(m.pull, m.page);
      } catch (error) {
        failPull(m.pull, error);
        return;
      }
      post({ type: 'applied', pull: m.pull });
      return;
    case 'availabilityBytes': {
      let body = availabilityBodies.get(m.pull);
      if (!body) availabilityBodies.set(m.pull, (body = { decoder: new TextDecoder(), parts: [] }));
      body.parts.push(body.decoder.decode(m.bytes, { stream: true }));
      return;
    }
    case 'availability': {
      const body = availabilityBodies.get(m.pull);
      availabilityBodies.delete(m.pull);
      if (failed.has(m.pull)) return;
      let ok = false;
      try {
        if (m.complete) ok = replaceAvailability(body ? body.parts.join('') + body.decoder.decode() : '');
      } catch (error) {
        failPull(m.pull, error);
        return;
      }
      post({ type: 'replaced', pull: m.pull, ok });
      return;
    }
    case 'flush':
      if (!failed.delete(m.pull)) commit();
      post({ type: 'flushed', pull: m.pull });
      return;
    case 'yield':
      yieldIfWanted();
      return;
    case 'release': {
      const queued = held ?? [];
      held = null;
      commit();
      for (const q of queued) handle(q);
      return;
    }
    case 'stop':
      commit();
      replica.close();
      post({ type: 'stopped' });
      port.close();
      return;
  }
}

port.on('message', (m: ToWorker) => {
  try {
    handle(m);
  } catch (error) {
    post({ type: 'error', pull: 'pull' in m ? m.pull : -1, message: error instanceof Error ? error.message : String(error) });
  }
});
post({ type: 'ready' });
