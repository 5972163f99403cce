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
import { APPLY_SLICE, applyPageSlice, applyRow, pageIds, type PageToApply, type Resource } from './apply-page.ts';
import type { ApplyWorker } from './apply-host.ts';
import { BULK_COMMIT_MS, WAL_RESTART_BYTES, type AppliedPage } from './apply-protocol.ts';
import type { RemoteAvailabilityException, RemoteAvailabilityRule, RemoteTenant } from './remote-types.ts';

export type { Resource };

const paths: Record<Resource, string> = {
  offerings: '/api/offerings?status=ALL&includeDeleted=true',
  coupons: '/api/coupons?includeDeleted=true',
  bookings: '/api/bookings',
  'bookings:PENDING': '/api/bookings?status=PENDING',
};

export const PAGE_LIMIT = 500;
export { APPLY_SLICE } from './apply-page.ts';
export { BULK_COMMIT_MS, WAL_RESTART_BYTES } from './apply-protocol.ts';
/** Availability rows per slice of the bulk replace: 1000 held the loop 100-175 ms a slice (20k offerings' rules). */
export const AVAILABILITY_SLICE = 100;
/** An availability answer this big starts the apply worker to be read and written there (20k offerings: 18.6 MB). */
export const AVAILABILITY_WORKER_BYTES = 1024 * 1024;

/** A body asked for raw (unread) but read here after all: decoded and parsed as the client would have. */
async function parseBody(body: unknown): Promise<unknown> {
  if (!(body instanceof ReadableStream)) return body;
  const text = await new Response(body).text();
  try {
    return text ? (JSON.parse(text) as unknown) : null;
  } catch {
    return text;
  }
}

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
export async function getWithRetry(api: ApiClient, path: string, opts: { signal: AbortSignal; priority?: Priority; attempts?: number; raw?: boolean }): Promise<ApiResponse> {
  const attempts = opts.attempts ?? 6;
  for (let attempt = 1; ; attempt++) {
    try {
      return await api.get(path, { signal: opts.signal, priority: opts.priority ?? 'background', raw: opts.raw ?? false });
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

/** Where a pull's pages are written: on this thread, or by the apply worker. */
interface PageWriter {
  apply(page: PageToApply): Promise<void>;
  /** Commits what was applied (the end of the pull, whatever ended it). */
  end(): Promise<void>;
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
   * Where pages are written: null on this thread (scripts, tests), or the apply worker
   * (sync/apply-host.ts), which the core starts for its syncs so the writes never hold its loop.
   */
  applyWorker: ApplyWorker | null = null;

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
    const here = this.#onThisThread(opts);
    // Pages go to the apply worker once it is ready (until then, and without one, they are written here).
    let onWorker: PageWriter | null = null;
    let next: Promise<ListPage<Record<string, unknown>>> | null = fetchPage(startCursor);
    try {
      for (let page = 0; page < 100_000 && next; page++) {
        opts.signal.throwIfAborted();
        const list: ListPage<Record<string, unknown>> = await next;
        next = null;
        const finished = !list.cursorSupported || !list.hasMore || list.data.length === 0;
        if (!finished) next = fetchPage(list.nextCursor);
        // A feed of more than one page: the worker pays for its start (seconds of CPU on a loaded
        // machine); a small tenant's pulls, and lives as short as the crash test's, never start it.
        if (!finished) void this.applyWorker?.warm();
        const { data, cursorSupported, nextCursor } = list;
        if (!onWorker && this.applyWorker?.ready) onWorker = this.#onWorker(this.applyWorker, opts);
        await (onWorker ?? here).apply({ resource, data, cursorSupported, nextCursor, requestCursor: startCursor, finished });
        startCursor = list.nextCursor ?? startCursor;
        applied += list.data.length;
        await yieldToLoop();
      }
    } finally {
      // A prefetched page nobody will read (abort or failure): swallow its outcome.
      if (next) (next as Promise<unknown>).catch(() => undefined);
      // Whatever happened, what was applied (with its cursor) is committed.
      await here.end();
      await onWorker?.end();
    }
    return applied;
  }

  /** What a page's commit tells the caller: changed records, new PENDING bookings, progress. */
  #report(opts: PullOptions, p: AppliedPage): void {
    if (p.rows > 0) opts.onPageApplied?.(p.resource, p.rows, p.ids);
    if (p.newPending.length > 0) opts.onNewPending?.(p.newPending);
    opts.onProgress?.({ phase: p.resource, done: p.rowsSeen, total: null });
  }

  /**
   * Pages written here, in slices of APPLY_SLICE rows with a yield between them so the thread that
   * serves the UI is never held for long, in the group commit (Replica.bulk) committed every
   * BULK_COMMIT_MS. A page is reported as soon as it is in the group (this connection reads it).
   */
  #onThisThread(opts: PullOptions): PageWriter {
    return {
      apply: async (page) => {
        const newPending: string[] = [];
        for (let from = 0; !applyPageSlice(this.replica, page, from, newPending); from += APPLY_SLICE) await yieldToLoop();
        // Commit the group now and then (other processes — the CLI's approve — wait for the write lock).
        if (page.finished || this.replica.bulkAgeMs >= BULK_COMMIT_MS) this.replica.flushBulk();
        // Waits (the loop free) for a checkpoint only when the WAL outgrew its bound: a big pull.
        await this.replica.restartWalIfOver(WAL_RESTART_BYTES);
        const { resource, data } = page;
        this.#report(opts, { resource, rows: data.length, ids: pageIds(page), newPending, rowsSeen: this.replica.getSyncState(resource).rowsSeen });
      },
      end: async () => this.replica.flushBulk(),
    };
  }

  /** Pages written by the apply worker; reported once their group is committed there. */
  #onWorker(worker: ApplyWorker, opts: PullOptions): PageWriter {
    // What was written here (earlier pages, a search chunk) is committed before the worker writes.
    this.replica.flushBulk();
    const pull = worker.begin((pages) => {
      for (const p of pages) this.#report(opts, p);
    });
    return { apply: (page) => worker.apply(pull, page), end: () => worker.end(pull) };
  }

  applyRow(resource: Resource, row: Record<string, unknown>): { changed: boolean; newPending: boolean } {
    return applyRow(this.replica, resource, row);
  }

  /**
   * Every availability rule and exception (GET /availability without offeringId). One body for the
   * whole tenant (18.6 MB, 101k rules at 20k offerings; the API has no pages for it): where the apply
   * worker runs, its bytes go there unread, and the worker decodes, reads and writes them (~250 ms of
   * this loop before). Events follow its commit, as a page's do.
   */
  async pullAvailability(api: ApiClient, signal: AbortSignal): Promise<boolean> {
    try {
      const worker = this.applyWorker;
      const res = await getWithRetry(api, '/api/availability', { signal, raw: worker !== null });
      if (res.body instanceof ReadableStream && worker) {
        // A body worth the worker's start (seconds of CPU on a loaded machine) starts it; a small one
        // goes to it only when it runs anyway (a feed of more pages started it).
        if (!(Number(res.headers.get('content-length') ?? NaN) < AVAILABILITY_WORKER_BYTES)) await worker.warm();
        if (worker.ready) {
          this.replica.flushBulk(); // what this thread wrote is committed before the worker writes
          return await worker.replaceAvailability(res.body as ReadableStream<Uint8Array>);
        }
      }
      const body = (await parseBody(res.body)) as { rules?: RemoteAvailabilityRule[]; exceptions?: RemoteAvailabilityException[] } | null;
      if (!body || !Array.isArray(body.rules)) return false;
      // Written here (no worker: tests, scripts) in slices with a yield between them (one group
      // commit, like pull pages) so the thread serving the UI is never held for long. A crash
      // half-way leaves part of the schedule until the next reconciliation rewrites it all; it is
      // server truth, nothing of the user's is at stake.
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
