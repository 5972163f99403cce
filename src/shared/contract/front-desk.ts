/**
 * The contract's shapes for the front desk: slot checks, the queue window, the cancel preview,
 * reviews. Re-exported by ./types.ts. This file must stay free of zod, Node and Electron imports (lint-enforced): the renderer bundles it
 * through types.ts.
 */
import type { BookingView, CancellationPolicy } from './records.ts';

/**
 * How full a booking's slot is, counted by the core over the replica. A slot is `full` when the places
 * CONFIRMED bookings already hold on the same offering at an overlapping time, plus this booking's own
 * quantity, exceed the slot's capacity (from the offering's availability rules); `unknown` when no
 * capacity is known for that time.
 */
export interface SlotCheck {
  bookingId: string;
  state: 'free' | 'full' | 'unknown';
  /** The slot's capacity; null when unknown. */
  capacity: number | null;
  /** Places already held by overlapping CONFIRMED bookings (overlaid with queued intents). */
  taken: number;
  /** This booking's own places. */
  quantity: number;
  /** The overlapping CONFIRMED bookings. */
  confirmedIds: string[];
  /** Other PENDING requests for an overlapping time on the same offering: competing for the places. */
  competingIds: string[];
}

/** Where a PENDING booking falls, by its first start in the tenant's time zone. */
export type QueueGroup = 'past' | 'today' | 'tomorrow' | 'week' | 'later';
export const queueGroups: readonly QueueGroup[] = ['past', 'today', 'tomorrow', 'week', 'later'];
export type QueueSort = 'waiting' | 'starting';
export type QueueRiskFilter = 'all' | 'held' | 'clear';

/** One row of the approval queue: the booking plus what the front desk must see before pressing a key. */
export interface QueueRow extends BookingView {
  /** First item's start; null for a booking without items. */
  startsAt: string | null;
  group: QueueGroup;
  slot: SlotCheck;
  /** Held for risk review (`riskReviewStatus` HELD): never approved by Enter or by a bulk action. */
  held: boolean;
  /** "Needs a look" labels that flag rules put on this booking (issue #17), newest first; empty when none. */
  ruleFlags: RuleFlag[];
}

/** A flag rule's label on a booking: which rule, and the conditions it met (as the activity says them). */
export interface RuleFlag {
  ruleId: string;
  ruleName: string;
  conditions: string;
  at: string;
}

/** A window of the queue (keyset-paged) and the counts of the whole filtered queue. */
export interface QueueWindow {
  items: QueueRow[];
  total: number;
  counts: {
    held: number;
    full: number;
    /** Rows a flag rule labelled "needs a look". */
    flagged: number;
    groups: Record<QueueGroup, number>;
    /**
     * What `full` counted (front-desk-core): `all` rows of the filtered queue, or, when it is long
     * (over 2,000 rows), only those starting from now to the end of the `week` group.
     */
    fullScope?: 'all' | 'week';
  };
  /** Pass back as `cursor` for the next window; null at the end. */
  nextCursor: string | null;
}

/** What cancelling a booking now would refund, by the offering's cancellation policy (docs/orkestr-api.md). */
export interface CancelPreview {
  bookingId: string;
  /** null when the offering or its policy is unknown to the replica. */
  policy: CancellationPolicy | null;
  /** Hours from now to the first item's start (negative after it started); null without items. */
  hoursBeforeStart: number | null;
  /** null: unknown (no policy). */
  refundPercent: number | null;
  refundCents: number | null;
  currency: string;
}

// actions-cli (#14): reviews.
export interface ReviewView {
  id: string;
  offeringId: string;
  /** null when the offering is not in the replica (deleted, or not synced yet). */
  offeringTitle: string | null;
  /** 1–5 stars. */
  rating: number;
  body: string | null;
  createdAt: string;
}

export interface ReviewsPage {
  items: ReviewView[];
  total: number;
  /** Offerings with reviews: the server's aggregate (it also counts reviews older than this replica). */
  offerings: Array<{ id: string; title: string; ratingAverage: number | null; reviewCount: number }>;
}

/**
 * sync1m (#16): the full-text index is built after an initial sync, in the background; until it is
 * complete a search finds only the bookings indexed so far. `done` of `total` (bookings row numbers).
 */
export interface SearchIndexing {
  done: number;
  total: number;
}
