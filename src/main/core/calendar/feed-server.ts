/**
 * HTTP handler for local feed URLs `/calendar/<token>.ics`, to be mounted in any node:http server
 * (the loopback bridge mounts it before its own routing: the token in the path is the credential,
 * calendar apps cannot send the bridge's token).
 *
 * - 200 `text/calendar; charset=utf-8`, strong ETag (SHA-256 of the body), Last-Modified.
 * - 304 when If-None-Match matches (weak comparison, `*` too) or, without If-None-Match, when
 *   If-Modified-Since is not older than Last-Modified (RFC 9110 §13.2.2 order).
 * - 404 for a malformed, unknown, rotated-away or revoked token; 405 for methods other than GET/HEAD.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EventCache } from './ics.ts';
import { FeedRenderer, findFeedByToken, type RenderedFeed } from './feeds.ts';
import type { CalendarWorker } from './render-worker.ts';
import type { SqliteSource } from './source.ts';

const feedPathPattern = /^\/calendar\/([A-Za-z0-9_-]{1,200})\.ics$/;

export type FeedHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

export interface FeedHandlerOptions {
  now?: () => Date;
  cache?: EventCache;
  /** Shares rendered bodies with a republisher. */
  renderer?: FeedRenderer;
  /** Renders in the calendar's worker thread instead (the host's loop only looks the token up). */
  worker?: CalendarWorker;
}

function matchesEtag(header: string, etag: string): boolean {
  const bare = etag.replace(/^W\//, '');
  return header.split(',').some((part) => {
    const tag = part.trim();
    return tag === '*' || tag.replace(/^W\//, '') === bare;
  });
}

/** Whether a request with these headers may be answered 304 for `feed`. */
export function notModified(headers: IncomingMessage['headers'], feed: Pick<RenderedFeed, 'etag' | 'lastModified'>): boolean {
  const inm = headers['if-none-match'];
  if (typeof inm === 'string' && inm.trim() !== '') return matchesEtag(inm, feed.etag);
  const ims = headers['if-modified-since'];
  if (typeof ims === 'string') {
    const since = Date.parse(ims);
    if (Number.isFinite(since)) return feed.lastModified.getTime() <= since;
  }
  return false;
}

function plain(res: ServerResponse, status: number, text: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...extra });
  res.end(text);
}

/** `(req, res) => boolean`: handles feed paths and returns true; returns false for any other path. */
export function createFeedHandler(db: SqliteSource, options: FeedHandlerOptions = {}): FeedHandler {
  const renderer =
    options.renderer ?? new FeedRenderer(db, { ...(options.now ? { now: options.now } : {}), ...(options.cache ? { cache: options.cache } : {}) });
  return (req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    if (!path.startsWith('/calendar/')) return false;
    try {
      serve(req, res, path);
    } catch (error) {
      failed(res, error);
    }
    return true;
  };

  function failed(res: ServerResponse, error: unknown): void {
    // e.g. the replica is closing: never let a feed request take the host server down.
    console.error('calendar feed:', error);
    if (!res.headersSent) plain(res, 500, 'The calendar feed could not be rendered.\n');
    else res.destroy();
  }

  function serve(req: IncomingMessage, res: ServerResponse, path: string): void {
    const match = feedPathPattern.exec(path);
    const feed = match?.[1] ? findFeedByToken(renderer.db, match[1]) : null;
    if (!feed) {
      plain(res, 404, 'No such calendar feed.\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      plain(res, 405, 'Method not allowed.\n', { Allow: 'GET, HEAD' });
      return;
    }
    if (options.worker) {
      options.worker.renderFeed(feed, options.now?.() ?? new Date()).then(
        (rendered) => answer(req, res, rendered),
        (error: unknown) => failed(res, error),
      );
      return;
    }
    answer(req, res, renderer.render(feed));
  }

  function answer(req: IncomingMessage, res: ServerResponse, rendered: RenderedFeed): void {
    const headers: Record<string, string> = {
      ETag: rendered.etag,
      'Last-Modified': rendered.lastModified.toUTCString(),
      // Calendars must revalidate; nothing in between may keep a copy of a secret URL's content.
      'Cache-Control': 'private, no-cache',
      'Referrer-Policy': 'no-referrer',
      'X-Content-Type-Options': 'nosniff',
    };
    if (notModified(req.headers, rendered)) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    res.writeHead(200, {
      ...headers,
      'Content-Type': 'text/calendar; charset=utf-8',
      'Content-Length': String(rendered.body.length),
    });
    res.end(req.method === 'HEAD' ? undefined : rendered.body);
  }
}
