/** The calendar feature's public API (decisions and wiring: README.md beside this file). */
export { exportIcs, exportIcsBytes, createEventCache, foldBytes, foldLine, sequenceFor, uidFor, portalLink, statusesFor, defaultStatuses } from './ics.ts';
export type { CalendarBooking, CalendarBookingItem, IcsFilter, IcsOptions, EventCache } from './ics.ts';
export { readCalendarBookings, readTenant, locationFromAttributes, sqliteOf } from './source.ts';
export type { SqliteSource, TenantRef } from './source.ts';
export {
  addFeed,
  listFeeds,
  getFeed,
  rotateFeed,
  revokeFeed,
  findFeedByToken,
  renderFeed,
  feedPath,
  feedWindow,
  ensureFeedsTable,
  feedsTableDdl,
  FeedRenderer,
  FeedNotFoundError,
  FeedInputError,
} from './feeds.ts';
export type { Feed, FeedFilters, RenderedFeed } from './feeds.ts';
export { createFeedHandler, notModified } from './feed-server.ts';
export type { FeedHandler, FeedHandlerOptions } from './feed-server.ts';
export { publishFeed, unpublishFeed, publicFeedUrl, createFeedRepublisher, PublishError } from './publish.ts';
export type { RelayTarget, FeedRepublisher, RepublisherOptions, PublishStatus } from './publish.ts';
export { CalendarWorker } from './render-worker.ts';
