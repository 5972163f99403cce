/**
 * Publishing feed snapshots to the relay, the public HTTPS part of the system: a calendar on another
 * machine (Google, Outlook.com) subscribes to `{relayUrl}/feeds/<publishKey>.ics`, which the relay
 * serves with its own ETag/304 from the last snapshot we PUT.
 *
 *   PUT    {relayUrl}/v1/channels/:channelId/feeds/:feedKey   Authorization: Bearer <deviceToken>, body = .ics bytes
 *   DELETE {relayUrl}/v1/channels/:channelId/feeds/:feedKey   (after rotate / revoke)
 */
import type { EventCache } from './ics.ts';
import { FeedRenderer, clearRetiredKey, listFeeds, setPublished, type Feed, type RenderedFeed } from './feeds.ts';
import type { SqliteSource } from './source.ts';

export interface RelayTarget {
  relayUrl: string;
  channelId: string;
  deviceToken: string;
}

export interface PublishInput extends RelayTarget {
  feedKey: string;
  body: Uint8Array;
  fetch?: typeof fetch;
  signal?: AbortSignal;
}

export class PublishError extends Error {
  override name = 'PublishError';
  readonly status: number | null;
  constructor(message: string, status: number | null) {
    super(message);
    this.status = status;
  }
}

function feedUrl(t: RelayTarget, feedKey: string): string {
  return `${t.relayUrl.replace(/\/+$/, '')}/v1/channels/${encodeURIComponent(t.channelId)}/feeds/${encodeURIComponent(feedKey)}`;
}

/** The public URL of a published feed. */
export function publicFeedUrl(relayUrl: string, feedKey: string): string {
  return `${relayUrl.replace(/\/+$/, '')}/feeds/${encodeURIComponent(feedKey)}.ics`;
}

/** PUTs one snapshot. Resolves with the relay's status and ETag; throws PublishError on non-2xx. */
export async function publishFeed(input: PublishInput): Promise<{ status: number; etag: string | null }> {
  const f = input.fetch ?? fetch;
  const res = await f(feedUrl(input, input.feedKey), {
    method: 'PUT',
    headers: { Authorization: `Bearer ${input.deviceToken}`, 'Content-Type': 'text/calendar; charset=utf-8' },
    body: input.body,
    ...(input.signal ? { signal: input.signal } : {}),
  });
  const text = await res.text().catch(() => '');
  if (!res.ok) throw new PublishError(`relay answered ${res.status} to the feed snapshot: ${text.slice(0, 200)}`, res.status);
  return { status: res.status, etag: res.headers.get('etag') };
}

/** Deletes a snapshot (a 404 counts as done). */
export async function unpublishFeed(input: RelayTarget & { feedKey: string; fetch?: typeof fetch }): Promise<void> {
  const f = input.fetch ?? fetch;
  const res = await f(feedUrl(input, input.feedKey), { method: 'DELETE', headers: { Authorization: `Bearer ${input.deviceToken}` } });
  await res.text().catch(() => '');
  if (!res.ok && res.status !== 404) throw new PublishError(`relay answered ${res.status} to the feed deletion`, res.status);
}

export interface RepublisherOptions {
  db: SqliteSource;
  /** Where to publish; null (e.g. no relay configured) skips publishing. Read at every flush. */
  target: () => RelayTarget | null;
  /** Quiet time after the last change before publishing (default 2 s). */
  debounceMs?: number;
  /**
   * Longest wait after the first change not yet published (default 30 s): under a steady stream of
   * changes (webhooks at hundreds a second) the quiet time never comes, and feeds must still follow.
   */
  maxWaitMs?: number;
  /**
   * Renders a feed away from this thread, e.g. `(feed) => calendarWorker.renderFeed(feed)`: a large
   * calendar takes hundreds of ms to render, which on the engine's loop would hold every webhook and
   * contract call meanwhile. Without it, feeds render here (the CLI's one-off `feeds publish`).
   */
  render?: (feed: Feed) => Promise<RenderedFeed>;
  /** Longest wait after a failure before trying again (default 5 min). */
  maxRetryMs?: number;
  renderer?: FeedRenderer;
  cache?: EventCache;
  fetch?: typeof fetch;
  log?: (line: string) => void;
}

export interface PublishStatus {
  lastAttemptAt: string | null;
  lastSuccessAt: string | null;
  /** The last failure in words (null after a clean run). */
  lastError: string | null;
  /** A retry is scheduled (transient failure: network, 408, 429, 5xx). */
  retrying: boolean;
}

export interface FeedRepublisher {
  /** Call after the replica changed (e.g. from core.notifyChanged for bookings/offerings). */
  notifyChanged(): void;
  status(): PublishStatus;
  /** Publishes now (waits for a running flush first). Resolves when done; never rejects. */
  flush(): Promise<{ published: number; deleted: number; failed: number }>;
  close(): Promise<void>;
}

type PublishCounts = { published: number; deleted: number; failed: number };

/**
 * One pass over the feeds: deletes retired snapshots, puts every published feed whose body changed.
 * A failure is counted and logged, and the pass goes on with the next feed; `transient` says whether
 * one of them is worth retrying by itself.
 */
async function publishPass(
  renderer: FeedRenderer,
  render: (feed: Feed) => Promise<RenderedFeed>,
  target: RelayTarget,
  fetchFn: typeof fetch | undefined,
  log: (line: string) => void,
): Promise<{ counts: PublishCounts; transient: boolean; lastError: string | null }> {
  const counts = { published: 0, deleted: 0, failed: 0 };
  let transient = false;
  let lastError: string | null = null;
  const via = fetchFn ? { fetch: fetchFn } : {};
  for (const feed of listFeeds(renderer.db, { includeRevoked: true })) {
    try {
      if (feed.retiredPublishKey) {
        await unpublishFeed({ ...target, feedKey: feed.retiredPublishKey, ...via });
        clearRetiredKey(renderer.db, feed.id, feed.retiredPublishKey);
        counts.deleted++;
      }
      if (!feed.publish || feed.revokedAt) continue;
      const rendered = await render(feed);
      if (rendered.etag === feed.publishedEtag) continue;
      await publishFeed({ ...target, feedKey: feed.publishKey, body: rendered.body, ...via });
      setPublished(renderer.db, feed.id, rendered.etag);
      counts.published++;
    } catch (error) {
      counts.failed++;
      const status = error instanceof PublishError ? error.status : null;
      // Network errors, timeouts, 429 and 5xx are worth retrying by themselves; 401/403/413 are
      // not (a wrong device token, a snapshot over the relay's size limit) until something changes.
      if (status === null || status === 408 || status === 429 || status >= 500) transient = true;
      lastError = `feed "${feed.name}": ${(error as Error).message}`;
      log(`calendar: publishing feed "${feed.name}" failed: ${(error as Error).message}`);
    }
  }
  return { counts, transient, lastError };
}

/**
 * Keeps every feed with `publish` on the relay in step with the replica: debounced after changes,
 * only when the body's ETag differs from the last one the relay accepted, and deletes snapshots of
 * rotated or revoked feeds. Transient failures retry with exponential back-off (bounded by
 * maxRetryMs); permanent ones (401, 403, 413) wait for the next change or flush.
 */
export function createFeedRepublisher(options: RepublisherOptions): FeedRepublisher {
  const renderer = options.renderer ?? new FeedRenderer(options.db, options.cache ? { cache: options.cache } : {});
  const render = options.render ?? ((feed: Feed): Promise<RenderedFeed> => Promise.resolve(renderer.render(feed)));
  const debounceMs = options.debounceMs ?? 2000;
  const maxWaitMs = options.maxWaitMs ?? 30_000;
  /** When the oldest change not yet published arrived (null: none waiting). */
  let firstChangeAt: number | null = null;
  const maxRetryMs = options.maxRetryMs ?? 300_000;
  const log = options.log ?? (() => {});
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<{ published: number; deleted: number; failed: number }> | null = null;
  let failures = 0;
  let closed = false;
  let transient = false;
  const state: PublishStatus = { lastAttemptAt: null, lastSuccessAt: null, lastError: null, retrying: false };

  const schedule = (ms: number): void => {
    if (closed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      void flush();
    }, ms);
    timer.unref?.();
  };

  const once = async (): Promise<PublishCounts> => {
    const target = options.target();
    if (!target) return { published: 0, deleted: 0, failed: 0 };
    const pass = await publishPass(renderer, render, target, options.fetch, log);
    if (pass.transient) transient = true;
    if (pass.lastError) state.lastError = pass.lastError;
    return pass.counts;
  };

  const flush = async (): Promise<{ published: number; deleted: number; failed: number }> => {
    while (running) await running.catch(() => {});
    // This flush renders every change so far; later ones start a new wait.
    firstChangeAt = null;
    transient = false;
    state.lastAttemptAt = new Date().toISOString();
    running = once().catch((error: unknown) => {
      transient = true;
      state.lastError = (error as Error).message;
      log(`calendar: publishing failed: ${(error as Error).message}`);
      return { published: 0, deleted: 0, failed: 1 };
    });
    const counts = await running;
    running = null;
    if (counts.failed === 0) {
      failures = 0;
      state.lastError = null;
      state.lastSuccessAt = state.lastAttemptAt;
    }
    state.retrying = counts.failed > 0 && transient && !closed;
    if (state.retrying) {
      failures++;
      schedule(Math.min(maxRetryMs, 1000 * 2 ** Math.min(failures, 20)));
    }
    return counts;
  };

  /** Debounced, but never later than maxWaitMs after the first change waiting. */
  const changed = (): void => {
    const now = Date.now();
    firstChangeAt ??= now;
    schedule(Math.max(0, Math.min(debounceMs, firstChangeAt + maxWaitMs - now)));
  };

  return {
    notifyChanged: changed,
    status: () => ({ ...state }),
    flush,
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = null;
      if (running) await running.catch(() => {});
    },
  };
}
