/**
 * What the engine's thread (apply-host.ts) and the pull's apply worker (apply-worker.ts) say to each
 * other, and the group-commit bounds both sides of a pull share.
 */
import type { PageToApply, Resource } from './apply-page.ts';

/**
 * A pull's group of page writes is committed at least this often. Once the random-key indexes
 * outgrow the page cache, each commit writes the whole cache's dirty pages (up to 16 MB) again; a
 * page spilled twice within one group is written over in place. Every 1 s rather than every 250 ms:
 * bookings applied as the puller does took less CPU (100k: 10.2 s vs 11.5 s; 150k: 17.9 s vs 18.9 s). Another process's
 * write (the CLI's approve) waits for the lock that much longer at most (it waits up to 5 s).
 */
export const BULK_COMMIT_MS = 1000;
/**
 * The WAL is let start over between pages once it is this big (Replica.restartWalIfOver). A pull
 * commits every second, so the checkpoint worker never finds the WAL whole and it only grew: 2.5 GB
 * after 200k bookings, and every page read that missed the cache searched its index (one hash table
 * per 4096 frames). Bounded at 128 MB, 300k applied as the puller does took 9% less CPU (43.4 s vs
 * 47.5 s; 44 waits, each a few hundred ms at load 17); 256 MB for fewer waits (not measured apart). Its index (the -shm
 * file, mapped) also stays small: it counts in RSS, and grew with the WAL.
 */
export const WAL_RESTART_BYTES = 256 * 1024 * 1024;

/** Int32 slots of the write gate (a SharedArrayBuffer): the engine's thread wants to write / the worker holds a group. */
export const GATE_WANT = 0;
export const GATE_HOLD = 1;

export interface AppliedPage {
  resource: Resource;
  rows: number;
  ids: string[] | undefined;
  /** Bookings of the page that became PENDING. */
  newPending: string[];
  /** The feed's rows seen after the page (progress). */
  rowsSeen: number;
}

export type ToWorker =
  /** Apply a page into the open group (one pull's pages arrive in feed order). */
  | { type: 'page'; pull: number; page: PageToApply }
  /** Commit what is applied, then answer 'flushed' (the end of a pull, whatever ended it). */
  | { type: 'flush'; pull: number }
  /** The next bytes of the availability answer (transferred), kept until its 'availability'. */
  | { type: 'availabilityBytes'; pull: number; bytes: ArrayBuffer }
  /**
   * The availability answer's bytes are all sent (`complete`; false: its read failed, drop them):
   * replace every rule and exception with its, read and written here in one group, committed before
   * 'replaced' (sync/availability-body.ts).
   */
  | { type: 'availability'; pull: number; complete: boolean }
  /** The engine's thread raised WANT: commit the open group now (sent when the worker may be idle). */
  | { type: 'yield' }
  /** Test seam (holdAfterPages): go on after holding the group open. */
  | { type: 'release' }
  | { type: 'stop' };

export type ToHost =
  | { type: 'ready' }
  /** A page is in the open group (flow control: the host keeps few pages in flight). */
  | { type: 'applied'; pull: number }
  /** A group committed: its pages, in order. */
  | { type: 'committed'; pull: number; pages: AppliedPage[] }
  | { type: 'flushed'; pull: number }
  /** The availability is replaced and committed (true), or the body was not in its shape and nothing was written (false). */
  | { type: 'replaced'; pull: number; ok: boolean }
  /** A page failed: the group was rolled back, and the pull's later pages are dropped. */
  | { type: 'error'; pull: number; message: string }
  | { type: 'stopped' };
