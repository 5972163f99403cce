/**
 * Pull: the change feed per resource. Each page (limit 500) is applied in its own transaction
 * together with the feed's cursor, so a killed sync resumes from the last stored page; between pages
 * the puller yields to the event loop so the process serving the UI never blocks for long. A server
 * without a cursor (bare array / no `nextCursor`) is read as one page with the largest limit, and
 * offerings/coupons missing from it are marked deleted.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { ApiError, parseListPage, type ApiClient, type ApiResponse, type ListPage } from './api-client.ts';
import { backoffMs } from '../../../shared/backoff.ts';
import { sleep, type Priority } from './rate-budget.ts';
import type { Replica } from '../replica/replica.ts';
import type {
  RemoteAvailabilityException,
  RemoteAvailabilityRule,
  RemoteBooking,
  RemoteCoupon,
  RemoteOffering,
  RemoteTenant,
} from './remote-types.ts';

export type Resource = 'offerings' | 'coupons' | 'bookings' | 'bookings:PENDING';

const paths: Record<Resource, string> = {
  offerings: '/api/offerings?status=ALL&includeDeleted=true',
  coupons: '/api/coupons?includeDeleted=true',
  bookings: '/api/bookings',
  'bookings:PENDING': '/api/bookings?status=PENDING',
};

export const PAGE_LIMIT = 500;
/** Rows written per transaction while applying a page (keeps each event-loop turn short). */
export const APPLY_SLICE = 100;
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
/** Availability rows per slice of the bulk replace. */
export const AVAILABILITY_SLICE = 1000;

export interface PullProgress {
  phase: string;
  done: number;
  total: number | null;
}

export interface PullOptions {
  priority?: Priority;
  signal: AbortSignal;
  onProgress?(p: PullProgress): void;
  /** Bookings that became PENDING (new in the queue). */
  onNewPending?(ids: string[]): void;
  /** `ids`: the records of the page (absent when a fallback list may have marked others deleted). */
  onPageApplied?(resource: Resource, rows: number, ids?: string[]): void;
}

/** Reads are safe to repeat: a transient failure (network, 5xx, 429) is retried a few times, obeying Retry-After. */
export async function getWithRetry(api: ApiClient, path: string, opts: { signal: AbortSignal; priority?: Priority; attempts?: number }): Promise<ApiResponse> {
  const attempts = opts.attempts ?? 6;
  for (let attempt = 1; ; attempt++) {
    try {
      return await api.get(path, { signal: opts.signal, priority: opts.priority ?? 'background' });
    } catch (error) {
      const transient = error instanceof ApiError && (error.kind === 'network' || error.kind === 'transient');
      // An unreachable server is reported quickly (the engine shows "offline" and retries on its own
      // schedule); a server that answers 5xx/429 gets a few more tries.
      const limit = error instanceof ApiError && error.kind === 'network' ? Math.min(attempts, 2) : attempts;
      if (!transient || attempt >= limit || opts.signal.aborted) throw error;
      await sleep(Math.max(error.retryAfterMs ?? 0, backoffMs(attempt, 200, 5000)), opts.signal);
    }
  }
}

/** Where the key's scopes, as `/me` last gave them, are kept in `meta` (a JSON list). */
export const keyScopesMeta = 'keyScopes';

/** The `scopes` of a `/me` answer, or null when the server gave none (older servers: assume read + write). */
export function keyScopesOf(value: unknown): string[] | null {
  return Array.isArray(value) && value.every((s) => typeof s === 'string') ? (value as string[]) : null;
}

export class Puller {
  readonly replica: Replica;
  constructor(replica: Replica) {
    this.replica = replica;
  }

  async me(api: ApiClient, signal: AbortSignal): Promise<RemoteTenant | null> {
    const res = await getWithRetry(api, '/api/me', { signal });
    const body = res.body as { tenant?: RemoteTenant; scopes?: unknown } | null;
    const tenant = body?.tenant ?? null;
    const scopes = keyScopesOf(body?.scopes);
    this.replica.transaction(() => {
      if (tenant) this.replica.setMeta('tenant', JSON.stringify(tenant));
      if (scopes) this.replica.setMeta(keyScopesMeta, JSON.stringify(scopes));
    });
    return tenant;
  }

  /**
   * Reads a feed from its stored cursor until the server has nothing more. Returns rows applied.
   * The next page is requested before the current one is written (its cursor is already known), so
   * the server's time and the local writes overlap; only an applied page's cursor is ever stored.
   */
  async pullResource(api: ApiClient, resource: Resource, opts: PullOptions): Promise<number> {
    let applied = 0;
    const fetchPage = (cursor: string | null): Promise<ListPage<Record<string, unknown>>> => {
      const sep = paths[resource].includes('?') ? '&' : '?';
      const url = `${paths[resource]}${sep}limit=${PAGE_LIMIT}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      return getWithRetry(api, url, { signal: opts.signal, priority: opts.priority }).then((res) => parseListPage<Record<string, unknown>>(res.body));
    };
    const state = this.replica.getSyncState(resource);
    let startCursor = state.cursor;
    // The very first bookings sync into empty tables loads without the random-key indexes; the
    // engine builds them once the feed is complete (db/deferred-indexes.ts).
    if (resource === 'bookings' && startCursor === null && !state.complete) this.replica.deferIndexesForInitialLoad();
    let next: Promise<ListPage<Record<string, unknown>>> | null = fetchPage(startCursor);
    try {
      for (let page = 0; page < 100_000 && next; page++) {
        opts.signal.throwIfAborted();
        const list: ListPage<Record<string, unknown>> = await next;
        next = null;
        const finished = !list.cursorSupported || !list.hasMore || list.data.length === 0;
        if (!finished) next = fetchPage(list.nextCursor);
        const newPending: string[] = [];
        const requestCursor = startCursor;
        // Rows go in slices of APPLY_SLICE, one transaction each, yielding in between, so the thread that
        // serves the UI is never held for long. Only the last slice stores the cursor: a crash mid-page
        // re-reads the page, and re-applying its first slices is a no-op (same version).
        for (let from = 0; from < list.data.length || from === 0; from += APPLY_SLICE) {
          const slice = list.data.slice(from, from + APPLY_SLICE);
          const last = from + APPLY_SLICE >= list.data.length;
          this.replica.bulk(() => {
            for (const row of slice) {
              const r = this.applyRow(resource, row);
              if (r.newPending) newPending.push(String(row['id']));
            }
            if (!last) return;
            if (!list.cursorSupported) {
              if (resource === 'offerings' || resource === 'coupons') this.replica.markMissingDeleted(resource, new Set(list.data.map((d) => String(d['id']))));
              this.replica.setSyncState(resource, { cursor: null, complete: true, addRows: list.data.length, lastSyncAt: new Date().toISOString() });
              return;
            }
            this.replica.setSyncState(resource, {
              cursor: list.nextCursor ?? requestCursor,
              addRows: list.data.length,
              ...(finished ? { complete: true, lastSyncAt: new Date().toISOString() } : {}),
            });
          });
          if (!last) await yieldToLoop();
        }
        // Commit the group now and then (other processes — the CLI's approve — wait for the write lock).
        if (finished || this.replica.bulkAgeMs >= BULK_COMMIT_MS) this.replica.flushBulk();
        // Waits (the loop free) for a checkpoint only when the WAL outgrew its bound: a big pull.
        await this.replica.restartWalIfOver(WAL_RESTART_BYTES);
        startCursor = list.nextCursor ?? requestCursor;
        applied += list.data.length;
        if (list.data.length > 0) opts.onPageApplied?.(resource, list.data.length, list.cursorSupported ? list.data.map((d) => String(d['id'])) : undefined);
        if (newPending.length > 0) opts.onNewPending?.(newPending);
        opts.onProgress?.({ phase: resource, done: this.replica.getSyncState(resource).rowsSeen, total: null });
        await yieldToLoop();
      }
    } finally {
      // Whatever happened, what was applied (with its cursor) is committed.
      this.replica.flushBulk();
      // A prefetched page nobody will read (abort or failure): swallow its outcome.
      if (next) (next as Promise<unknown>).catch(() => undefined);
    }
    return applied;
  }

  applyRow(resource: Resource, row: Record<string, unknown>): { changed: boolean; newPending: boolean } {
    switch (resource) {
      case 'offerings':
        return this.replica.applyRemoteOffering(row as unknown as RemoteOffering);
      case 'coupons':
        return this.replica.applyRemoteCoupon(row as unknown as RemoteCoupon);
      default:
        return this.replica.applyRemoteBooking(row as unknown as RemoteBooking);
    }
  }

  /** Every availability rule and exception (GET /availability without offeringId). */
  async pullAvailability(api: ApiClient, signal: AbortSignal): Promise<boolean> {
    try {
      const res = await getWithRetry(api, '/api/availability', { signal });
      const body = res.body as { rules?: RemoteAvailabilityRule[]; exceptions?: RemoteAvailabilityException[] } | null;
      if (!body || !Array.isArray(body.rules)) return false;
      // Tens of thousands of rows for a big catalogue: written in slices with a yield between them
      // (one group commit, like pull pages) so the thread serving the UI is never held for long.
      // A crash half-way leaves part of the schedule until the next reconciliation rewrites it all;
      // it is server truth, nothing of the user's is at stake.
      const rules = body.rules ?? [];
      const exceptions = body.exceptions ?? [];
      this.replica.bulk(() => this.replica.clearAvailability());
      for (let from = 0; from < rules.length; from += AVAILABILITY_SLICE) {
        await yieldToLoop();
        this.replica.bulk(() => this.replica.insertAvailability(rules.slice(from, from + AVAILABILITY_SLICE), []));
      }
      for (let from = 0; from < exceptions.length; from += AVAILABILITY_SLICE) {
        await yieldToLoop();
        this.replica.bulk(() => this.replica.insertAvailability([], exceptions.slice(from, from + AVAILABILITY_SLICE)));
      }
      this.replica.flushBulk();
      return true;
    } catch (error) {
      // A server that insists on offeringId (400/422) simply has no bulk availability: not fatal.
      if (error instanceof ApiError && (error.kind === 'permanent' || error.kind === 'notFound')) return false;
      throw error;
    }
  }
}
