/**
 * The contract's approval rules (#17). Re-exported by ./types.ts. This file must stay free of zod, Node and Electron imports (lint-enforced): the renderer bundles it
 * through types.ts.
 */
import type { BookingStatus } from './records.ts';

// ---------------------------------------------------------------------------------------------
// Approval rules (#17): data, not code. A rule is JSON validated by `ruleInput` in ./schemas.ts;
// `RulesDocument` is the versioned export/import file.

/** Version of the rule format this build writes (`RuleInput.version`, `RulesDocument.version`). */
export const ruleFormatVersion = 1;
export const ruleActions = ['approve', 'flag'] as const;
export type RuleAction = (typeof ruleActions)[number];

/** Every condition is optional; a rule matches a booking when every condition it names holds. */
export interface RuleConditions {
  /** Risk score at most this (a booking without a score fails). */
  maxRiskScore?: number;
  /** Risk review status is not HELD. */
  notHeld?: boolean;
  /**
   * The slot keeps room: the booking's quantity plus every CONFIRMED and other PENDING booking
   * overlapping it on that offering stays within the slot's capacity (unknown capacity fails).
   */
  noOverlap?: boolean;
  /** Hours from now (preview: from the booking's creation) to its first start, at least / at most. */
  minLeadHours?: number;
  maxLeadHours?: number;
  /** Total at most this many cents (in the booking's currency). */
  maxTotalCents?: number;
  /**
   * The customer is returning (at least this many earlier COMPLETED bookings in the replica) or on
   * `allowList`; when both are given either one is enough.
   */
  minCompletedBookings?: number;
  /** Customer e-mails (case-insensitive) or customer ids. */
  allowList?: string[];
  /** Weekdays of the first start in the business's time zone, 0 = Sunday … 6 = Saturday. */
  weekdays?: number[];
  /** Local start time window "HH:MM" (from inclusive, to exclusive). */
  startTimeFrom?: string;
  startTimeTo?: string;
}

/** A rule as scripts and the Rules screen write it. */
export interface RuleInput {
  version?: 1;
  name: string;
  /** Empty or absent: every offering. */
  offeringIds?: string[];
  conditions: RuleConditions;
  action: RuleAction;
  /** Most bookings this rule acts on per day (the business's calendar day); absent: no cap. */
  dailyCap?: number | null;
  /**
   * Whether the rule runs. Absent: on (a script's `rules add` acts at once); the Rules screen saves
   * new rules off, so they are previewed before being switched on.
   */
  enabled?: boolean;
}

export interface RuleView {
  id: string;
  name: string;
  offeringIds: string[];
  conditions: RuleConditions;
  action: RuleAction;
  dailyCap: number | null;
  enabled: boolean;
  /** Increases on every change; a booking is evaluated once per rule version. */
  revision: number;
  createdAt: string;
  updatedAt: string;
  /** What this rule did today (the business's day) and in total. */
  today: number;
  total: number;
}

export interface RulesState {
  /** The global pause switch: no rule runs while true. */
  paused: boolean;
  /** False when the key lacks `write`: rules never run then. */
  writable: boolean;
  rules: RuleView[];
}

/** One booking in a preview: what the rule would have done. */
export interface RulePreviewItem {
  bookingId: string;
  customerName: string;
  offeringTitle: string;
  startsAt: string | null;
  createdAt: string;
  status: BookingStatus;
  totalCents: number;
  currency: string;
  riskScore: number | null;
  cancelledByCustomer: boolean;
  disputed: boolean;
  overlapped: boolean;
}

export interface RulePreview {
  days: number;
  from: string;
  /** Bookings created in the window on the rule's offerings. */
  considered: number;
  /** Of those, the ones the rule would have approved (or flagged). */
  matched: number;
  /** Matched ones the customer later cancelled. */
  cancelledByCustomer: number;
  /** Matched ones with a dispute. */
  disputed: number;
  /** Matched ones whose slot lacked room (CONFIRMED, COMPLETED and PENDING bookings overlapping). */
  overlapped: number;
  /** Matched bookings, newest first (at most 500). */
  items: RulePreviewItem[];
}

/** The export/import file. */
export interface RulesDocument {
  format: 'orkestr-console.rules';
  version: 1;
  rules: RuleInput[];
}

/** What the rules did (Insights). */
export interface RulesSummary {
  days: number;
  approved: number;
  flagged: number;
  /** Median minutes from a booking's creation to an approval by a person, and by a rule; null without data. */
  humanMedianMinutes: number | null;
  ruleMedianMinutes: number | null;
  /** (human median − rule median) × rule approvals, in minutes; null without data. */
  minutesGained: number | null;
}
