/**
 * Calendar subscription feeds: named filters over the replica, each reachable by an opaque random
 * token. Only the SHA-256 of a token is stored; the token itself is shown once (add / rotate).
 *
 * The table lives in the replica file; migration 0005_calendar_feeds (src/main/core/db/migrations/)
 * creates it with this same DDL, written out there. `ensureFeedsTable` (IF NOT EXISTS) keeps the functions here safe
 * on a bare SQLite handle, as their tests use.
 */
import { createHash, randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { BookingStatus } from '../../../shared/contract/types.ts';
import { createEventCache, exportIcsBytes, type EventCache, type IcsFilter } from './ics.ts';
import { readCalendarBookings, readTenant, sqliteOf, type SqliteSource } from './source.ts';

export const feedsTableDdl = `
  CREATE TABLE IF NOT EXISTS calendar_feeds (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    token_sha256 TEXT NOT NULL UNIQUE,   -- hex SHA-256 of the secret token; the token is never stored
    filters TEXT NOT NULL,               -- JSON FeedFilters
    publish INTEGER NOT NULL DEFAULT 0,  -- 1: keep a snapshot published on the relay
    publish_key TEXT NOT NULL UNIQUE,    -- the relay feed key (public URL {relay}/feeds/<key>.ics)
    retired_publish_key TEXT,            -- a key to delete from the relay (after rotate / revoke)
    published_etag TEXT,                 -- ETag of the last snapshot the relay accepted
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    revoked_at TEXT
  )`;

const ensured = new WeakSet<Database.Database>();

export function ensureFeedsTable(source: SqliteSource): Database.Database {
  const db = sqliteOf(source);
  if (!ensured.has(db)) {
    db.exec(feedsTableDdl);
    ensured.add(db);
  }
  return db;
}

export interface FeedFilters {
  /** Only these offerings (empty: all). */
  offeringIds: string[];
  /** Exactly these statuses (null: the export's default, plus PENDING with includePending). */
  statuses: BookingStatus[] | null;
  includePending: boolean;
  /** Items that ended more than this many days before today (UTC) are left out. */
  pastDays: number;
  /** Items starting more than this many days after today (UTC) are left out; null: no limit. */
  futureDays: number | null;
}

export const defaultFeedFilters: FeedFilters = { offeringIds: [], statuses: null, includePending: false, pastDays: 30, futureDays: null };

export interface Feed {
  id: string;
  name: string;
  filters: FeedFilters;
  publish: boolean;
  publishKey: string;
  retiredPublishKey: string | null;
  publishedEtag: string | null;
  createdAt: string;
  updatedAt: string;
  revokedAt: string | null;
}

interface FeedRow {
  id: string;
  name: string;
  token_sha256: string;
  filters: string;
  publish: number;
  publish_key: string;
  retired_publish_key: string | null;
  published_etag: string | null;
  created_at: string;
  updated_at: string;
  revoked_at: string | null;
}

const bookingStatuses: readonly BookingStatus[] = ['PENDING', 'CONFIRMED', 'COMPLETED', 'CANCELLED', 'REFUNDED'];

export function normalizeFilters(input: Partial<FeedFilters> | undefined): FeedFilters {
  const f = { ...defaultFeedFilters, ...(input ?? {}) };
  const offeringIds = [...new Set((f.offeringIds ?? []).filter((s) => typeof s === 'string' && s !== ''))].sort();
  const statuses = f.statuses && f.statuses.length > 0 ? bookingStatuses.filter((s) => f.statuses?.includes(s)) : null;
  const days = (n: unknown, fallback: number): number => (typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 36_600 ? n : fallback);
  return {
    offeringIds,
    statuses,
    includePending: f.includePending === true,
    pastDays: days(f.pastDays, defaultFeedFilters.pastDays),
    futureDays: f.futureDays === null || f.futureDays === undefined ? null : days(f.futureDays, 365),
  };
}

function toFeed(r: FeedRow): Feed {
  let filters: FeedFilters;
  try {
    filters = normalizeFilters(JSON.parse(r.filters) as Partial<FeedFilters>);
  } catch {
    filters = { ...defaultFeedFilters };
  }
  return {
    id: r.id,
    name: r.name,
    filters,
    publish: r.publish === 1,
    publishKey: r.publish_key,
    retiredPublishKey: r.retired_publish_key,
    publishedEtag: r.published_etag,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    revokedAt: r.revoked_at,
  };
}

/** A new secret token: `ocf_` + 256 random bits, base64url. */
export function newFeedToken(): string {
  return `ocf_${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function newPublishKey(): string {
  return randomBytes(18).toString('base64url');
}

export function feedPath(token: string): string {
  return `/calendar/${token}.ics`;
}

/** Thrown for invalid feed input (e.g. an empty name). */
export class FeedInputError extends Error {
  override name = 'FeedInputError';
}

/** Thrown for a feed id that does not exist (or is revoked, where that matters). */
export class FeedNotFoundError extends Error {
  override name = 'FeedNotFoundError';
}

export interface AddFeedInput {
  name: string;
  filters?: Partial<FeedFilters>;
  publish?: boolean;
  now?: Date;
}

export function addFeed(source: SqliteSource, input: AddFeedInput): { feed: Feed; token: string } {
  const db = ensureFeedsTable(source);
  const name = input.name.trim();
  if (!name || name.length > 200) throw new FeedInputError('a feed needs a name of 1–200 characters');
  const token = newFeedToken();
  const now = (input.now ?? new Date()).toISOString();
  const id = `cf_${randomBytes(9).toString('base64url')}`;
  db.prepare(
    `INSERT INTO calendar_feeds (id, name, token_sha256, filters, publish, publish_key, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(id, name, hashToken(token), JSON.stringify(normalizeFilters(input.filters)), input.publish ? 1 : 0, newPublishKey(), now, now);
  return { feed: getFeed(db, id), token };
}

export function listFeeds(source: SqliteSource, options: { includeRevoked?: boolean } = {}): Feed[] {
  const db = ensureFeedsTable(source);
  const rows = db
    .prepare(`SELECT * FROM calendar_feeds ${options.includeRevoked ? '' : 'WHERE revoked_at IS NULL'} ORDER BY created_at, id`)
    .all() as FeedRow[];
  return rows.map(toFeed);
}

export function getFeed(source: SqliteSource, id: string): Feed {
  const db = ensureFeedsTable(source);
  const row = db.prepare('SELECT * FROM calendar_feeds WHERE id = ?').get(id) as FeedRow | undefined;
  if (!row) throw new FeedNotFoundError(`no calendar feed "${id}"`);
  return toFeed(row);
}

/** The live (not revoked) feed a token opens, or null. Looks up by the token's hash. */
const byTokenStatements = new WeakMap<Database.Database, Database.Statement>();

export function findFeedByToken(source: SqliteSource, token: string): Feed | null {
  const db = ensureFeedsTable(source);
  // Prepared once per connection: this runs on every feed request, 304s included.
  let stmt = byTokenStatements.get(db);
  if (!stmt) {
    stmt = db.prepare('SELECT * FROM calendar_feeds WHERE token_sha256 = ? AND revoked_at IS NULL');
    byTokenStatements.set(db, stmt);
  }
  const row = stmt.get(hashToken(token)) as FeedRow | undefined;
  return row ? toFeed(row) : null;
}

/**
 * A new token for a live feed: the old one stops working at once. The relay key changes too (the
 * public URL is as secret as the token); the old snapshot is deleted from the relay on next publish.
 */
export function rotateFeed(source: SqliteSource, id: string, now = new Date()): { feed: Feed; token: string } {
  const db = ensureFeedsTable(source);
  const token = newFeedToken();
  const result = db
    .prepare(
      `UPDATE calendar_feeds SET token_sha256 = ?, retired_publish_key = CASE WHEN publish_key IS NOT NULL AND published_etag IS NOT NULL
         THEN publish_key ELSE retired_publish_key END, publish_key = ?, published_etag = NULL, updated_at = ?
       WHERE id = ? AND revoked_at IS NULL`,
    )
    .run(hashToken(token), newPublishKey(), now.toISOString(), id);
  if (result.changes === 0) throw new FeedNotFoundError(`no live calendar feed "${id}"`);
  return { feed: getFeed(db, id), token };
}

/** Revokes a feed for good: its token answers 404 and its relay snapshot is deleted on next publish. */
export function revokeFeed(source: SqliteSource, id: string, now = new Date()): Feed {
  const db = ensureFeedsTable(source);
  const result = db
    .prepare(
      `UPDATE calendar_feeds SET revoked_at = ?, updated_at = ?, publish = 0,
         retired_publish_key = CASE WHEN published_etag IS NOT NULL THEN publish_key ELSE retired_publish_key END, published_etag = NULL
       WHERE id = ? AND revoked_at IS NULL`,
    )
    .run(now.toISOString(), now.toISOString(), id);
  if (result.changes === 0) throw new FeedNotFoundError(`no live calendar feed "${id}"`);
  return getFeed(db, id);
}

export function setPublished(source: SqliteSource, id: string, etag: string | null): void {
  ensureFeedsTable(source).prepare('UPDATE calendar_feeds SET published_etag = ? WHERE id = ?').run(etag, id);
}

export function clearRetiredKey(source: SqliteSource, id: string, key: string): void {
  ensureFeedsTable(source).prepare('UPDATE calendar_feeds SET retired_publish_key = NULL WHERE id = ? AND retired_publish_key = ?').run(id, key);
}

// ---- rendering ---------------------------------------------------------------------------------

const dayMs = 86_400_000;

/** The export filter of a feed at `now`: a window anchored at today's UTC midnight. */
export function feedWindow(filters: FeedFilters, now: Date): { filter: IcsFilter; anchor: Date } {
  const anchor = new Date(Math.floor(now.getTime() / dayMs) * dayMs);
  const from = new Date(anchor.getTime() - filters.pastDays * dayMs);
  const to = filters.futureDays === null ? null : new Date(anchor.getTime() + (filters.futureDays + 1) * dayMs);
  return {
    anchor,
    filter: {
      from: from.toISOString(),
      to: to ? to.toISOString() : null,
      offeringIds: filters.offeringIds,
      statuses: filters.statuses,
      includePending: filters.includePending,
    },
  };
}

export interface RenderedFeed {
  body: Buffer;
  /** Strong ETag (quoted) from the SHA-256 of the body. */
  etag: string;
  /** Newest of: every booking in the replica, the feed's own settings, the window's start of day. */
  lastModified: Date;
}

export function etagOf(body: Uint8Array): string {
  return `"${createHash('sha256').update(body).digest('base64url')}"`;
}

/** Renders one feed from the replica (no caching; see FeedRenderer). */
export function renderFeed(source: SqliteSource, feed: Feed, options: { now?: Date; cache?: EventCache } = {}): RenderedFeed {
  const db = sqliteOf(source);
  const { filter, anchor } = feedWindow(feed.filters, options.now ?? new Date());
  const bookings = readCalendarBookings(db, filter);
  const tenant = readTenant(db);
  const body = exportIcsBytes(bookings, {
    calendarName: feed.name,
    subdomain: tenant.subdomain,
    filter,
    ...(options.cache ? { cache: options.cache } : {}),
  });
  // Newest of *all* bookings, not only those in the feed: a booking that just left the feed
  // (rescheduled out of the window, cancelled out of a status filter) changed the body too, and a
  // client that sends only If-Modified-Since must get it. Bookings are never deleted from the
  // replica, so this never goes backwards.
  const newest = (db.prepare('SELECT max(updated_at) AS m FROM bookings').get() as { m: string | null } | undefined)?.m ?? null;
  let lastMs = Math.max(anchor.getTime(), Date.parse(feed.updatedAt) || 0, newest ? Date.parse(newest) || 0 : 0);
  lastMs = Math.floor(lastMs / 1000) * 1000; // HTTP dates have whole seconds
  return { body, etag: etagOf(body), lastModified: new Date(lastMs) };
}

/**
 * Renders feeds and remembers the result until the database changes. "Changed" is detected without
 * reading any table: `PRAGMA data_version` moves when another connection commits, `total_changes()`
 * when this one writes. Any change re-renders (cheap thanks to the per-event cache); unchanged data
 * re-renders to identical bytes anyway, so the ETag is the same either way.
 */
export class FeedRenderer {
  readonly #db: Database.Database;
  readonly #events: EventCache;
  readonly #rendered = new Map<string, { stamp: string; result: RenderedFeed }>();
  readonly #now: () => Date;
  readonly #dataVersion: Database.Statement;
  readonly #totalChanges: Database.Statement;

  constructor(source: SqliteSource, options: { now?: () => Date; cache?: EventCache } = {}) {
    this.#db = ensureFeedsTable(source);
    this.#events = options.cache ?? createEventCache();
    this.#now = options.now ?? (() => new Date());
    this.#dataVersion = this.#db.prepare('PRAGMA data_version').pluck();
    this.#totalChanges = this.#db.prepare('SELECT total_changes()').pluck();
  }

  get db(): Database.Database {
    return this.#db;
  }

  /** A stamp that changes whenever the database or the day changes. */
  stamp(now = this.#now()): string {
    return `${String(this.#dataVersion.get())}:${String(this.#totalChanges.get())}:${Math.floor(now.getTime() / dayMs)}`;
  }

  render(feed: Feed): RenderedFeed {
    const now = this.#now();
    const stamp = `${this.stamp(now)}:${feed.updatedAt}`;
    const hit = this.#rendered.get(feed.id);
    if (hit && hit.stamp === stamp) return hit.result;
    const result = renderFeed(this.#db, feed, { now, cache: this.#events });
    // Stamp taken before rendering: a write during rendering simply causes one more render later.
    this.#rendered.set(feed.id, { stamp, result });
    return result;
  }

  forget(feedId: string): void {
    this.#rendered.delete(feedId);
  }
}
