/**
 * The contract's records as the UI sees them, and the constant values and field shapes inputs use.
 * Re-exported by ./types.ts, which is what callers import. This file must stay free of zod, Node and Electron imports (lint-enforced): the renderer bundles it
 * through types.ts.
 */
import type { CoreMessage } from './messages.ts';

// ---------------------------------------------------------------------------------------------
// Records as the UI sees them: server truth with pending local intents laid over it.

export type BookingStatus = 'PENDING' | 'CONFIRMED' | 'COMPLETED' | 'CANCELLED' | 'REFUNDED';
export type OfferingStatus = 'DRAFT' | 'PUBLISHED' | 'ARCHIVED';
/** Whether what the UI shows for a record is already on the server. */
export type SyncState = 'synced' | 'pending' | 'attention';

export interface TenantInfo {
  id: string;
  name: string;
  subdomain: string;
  displayCurrency: string;
  timezone: string;
  kybStatus: 'PENDING' | 'VERIFIED' | 'REJECTED';
}

export interface SessionInfo {
  /** `demo`: the built-in sandbox tenant; `connected`: a real API key; `none`: not set up yet. */
  mode: 'demo' | 'connected' | 'none';
  tenant: TenantInfo | null;
  apiUrl: string | null;
  /** True while the core is syncing with the server in the background (polling + webhooks). */
  live: boolean;
  appVersion: string;
  /** `electron` in the desktop window, `bridge` when served to a browser over loopback. */
  transport: 'electron' | 'bridge';
  /** Where this machine keeps secrets (API key, relay device token, webhook secret). */
  secrets: SecretStorageInfo;
  /**
   * What the connected key may do, as `/me` last said (`read`, `write`); null before the first
   * answer (demo tenant: its own key, read and write).
   */
  scopes: string[] | null;
  /** False when the key lacks `write`: every write action is disabled with `readOnlyReason`. */
  writable: boolean;
  /** Why writes are disabled (English, for the CLI and logs); null when writable. */
  readOnlyReason: string | null;
}

/** How secrets are kept at rest. They never travel to the UI; only this description does. */
export interface SecretStorageInfo {
  /** True when the OS keychain encrypts them (Electron safeStorage); false in a browser or without a keyring. */
  encryptionAvailable: boolean;
  /**
   * How the current API key is kept: `encrypted` at rest, `plain` at rest (the user agreed to it),
   * `session` in memory until the console stops; null without a key (demo tenant, not set up).
   */
  apiKey: SecretKeeping | null;
  /** How the webhook relay's device token and signing secrets are kept; null without a relay set up in Settings. */
  relay: SecretKeeping | null;
  /**
   * Stored secrets this machine could not open (the OS keychain changed or was reset, or the file
   * came from another computer): the console stays unconnected until they are entered again.
   */
  unreadable: Array<'apiKey' | 'relay'>;
}

export type SecretKeeping = 'encrypted' | 'plain' | 'session';

/**
 * The core (engine) runs in its own process under a supervisor, so a crash or a long job never
 * freezes the window; a crash restarts it and the UI is told.
 */
export interface EngineStatus {
  /** False when the core runs inside the serving process (CLI `serve` without supervision, tests). */
  supervised: boolean;
  /** `failed`: it crashed too often in a short time and waits for the user's `engine.restart`. */
  state: 'running' | 'restarting' | 'failed';
  /** Crash restarts since the console started. */
  restarts: number;
  lastCrash: EngineCrash | null;
}

export interface EngineCrash {
  at: string;
  /** `exit`/`signal`: the process ended; `unresponsive`: it stopped answering and was killed; `user`: restarted from the UI. */
  kind: 'exit' | 'signal' | 'unresponsive' | 'user';
  /** Technical detail: the exit code, the signal's name, the seconds without an answer. */
  detail: string;
  /** The same in English, for logs and the CLI. */
  reason: string;
}

export interface BookingItem {
  id: string;
  offeringId: string;
  startsAt: string;
  endsAt: string;
  quantity: number;
  priceCents: number;
}

export interface Payment {
  id: string;
  amountCents: number;
  currency: string;
  status: string;
  createdAt: string;
}

export interface BookingView {
  id: string;
  status: BookingStatus;
  /** Server status before local intents were laid over it. */
  serverStatus: BookingStatus;
  offeringId: string;
  offeringTitle: string;
  customer: { id: string; name: string; email: string; timezone: string | null };
  items: BookingItem[];
  totalCents: number;
  currency: string;
  riskScore: number | null;
  riskReviewStatus: string | null;
  notes: string;
  createdAt: string;
  updatedAt: string;
  syncState: SyncState;
  refundPercent: number | null;
  cancelReason: string | null;
}

export interface BookingDetail extends BookingView {
  payments: Payment[];
  subtotalCents: number;
  discountCents: number;
  taxCents: number;
  couponCode: string | null;
  history: HistoryEntry[];
}

export interface HistoryEntry {
  at: string;
  /** `rule`: what an approval rule did (#17). */
  kind: 'intent' | 'webhook' | 'sync' | 'rule';
  /** English, for the CLI and logs. */
  summary: string;
  /** The summary as a code + parameters for the UI to translate; null for activity stored before codes existed. */
  summaryMessage: CoreMessage | null;
  state?: IntentState;
}

export interface OfferingView {
  id: string;
  slug: string;
  title: string;
  description: string;
  status: OfferingStatus;
  productTypeKey: string;
  basePriceCents: number;
  currency: string;
  taxRateBps: number;
  pricingModel: string;
  cancellationPolicy: string;
  ratingAverage: number | null;
  reviewCount: number;
  deleted: boolean;
  syncState: SyncState;
}

export interface CouponView {
  id: string;
  code: string;
  kind: 'PERCENT' | 'FIXED';
  amount: number;
  currency: string | null;
  validFrom: string | null;
  validUntil: string | null;
  maxRedemptions: number | null;
  minSubtotalCents: number;
  redeemedCount: number;
  active: boolean;
  deleted: boolean;
  syncState: SyncState;
}

export interface AvailabilityRuleView {
  id: string;
  offeringId: string;
  dayOfWeek: number;
  startTime: string;
  endTime: string;
  slotMinutes: number;
  capacity: number;
  validFrom: string | null;
  validUntil: string | null;
}

export interface AvailabilityExceptionView {
  id: string;
  offeringId: string;
  kind: 'BLOCK' | 'OPEN';
  date: string;
  startTime: string | null;
  endTime: string | null;
  reason: string | null;
}

export interface DisputeView {
  id: string;
  bookingId: string;
  openedById: string;
  reason: string;
  status: string;
  openedAt: string;
  booking: BookingView | null;
}

export interface ActivityItem {
  id: string;
  at: string;
  event: string;
  /** English, for the CLI and logs. */
  summary: string;
  /** The summary as a code + parameters for the UI to translate; null for rows stored before codes existed. */
  summaryMessage: CoreMessage | null;
  bookingId: string | null;
  read: boolean;
}

export type IntentKind =
  | 'booking.approve'
  | 'booking.cancel'
  | 'booking.reschedule'
  | 'booking.notes'
  | 'offering.create'
  | 'offering.patch'
  | 'offering.delete'
  | 'coupon.create'
  | 'coupon.patch'
  | 'coupon.delete';

export type IntentState = 'held' | 'queued' | 'sending' | 'done' | 'attention' | 'discarded';

export interface IntentView {
  id: string;
  kind: IntentKind;
  targetId: string;
  state: IntentState;
  createdAt: string;
  /** Until when the intent can still be undone without ever reaching the server. */
  holdUntil: string | null;
  attempts: number;
  lastError: string | null;
  /**
   * actions-cli (#14): `key` while the connected API key is read-only: the intent stays queued and is
   * sent once a key with the write scope is connected. Absent or null: nothing blocks it.
   */
  blockedBy?: 'key' | null;
}

export interface ConflictView {
  id: string;
  intent: IntentView;
  /** What the console asked for, in words (English, for the CLI and logs). */
  summary: string;
  /** The same as a code + parameters for the UI to translate. */
  summaryMessage: CoreMessage;
  httpStatus: number;
  code: string;
  message: string;
  /** The record as the server has it now (JSON), when the server told us. */
  server: unknown;
  /** The record as the console showed it with the intent applied. */
  local: unknown;
  createdAt: string;
}

export type ConnectionState = 'online' | 'offline' | 'syncing' | 'paused' | 'error';

/** `serverError`: a failure other than the network; its detail is in `reason`. */
export type SyncReasonCode = 'notConnected' | 'keyRejected' | 'keyScope' | 'unreachable' | 'serverError';

export interface SyncStatus {
  connection: ConnectionState;
  /** Why sync is paused or failing, in English words (CLI, logs; an `error` carries the server's message). */
  reason: string | null;
  /** The same as a code the UI translates; null when sync is neither paused nor failing. */
  reasonCode: SyncReasonCode | null;
  progress: { phase: string; done: number; total: number | null } | null;
  outboxLength: number;
  conflicts: number;
  lastSyncAt: string | null;
}

export interface InsightsView {
  score: number;
  rating: { average: number | null; reviews: number; contribution: number };
  responseRate: { value: number; answered: number; total: number; contribution: number };
  confirmationRate: { value: number; confirmed: number; decided: number; contribution: number };
  lever: 'rating' | 'responseRate' | 'confirmationRate';
  /** The bookings these figures cover (the replica's retention window). */
  window: CoverageWindow;
}

/** What part of the history the replica holds: bookings from `from` on (null: all the server gave). */
export interface CoverageWindow {
  /** settings.retainPastDays: null keeps every past booking. */
  retainPastDays: number | null;
  /** ISO instant: bookings that ended before it have been pruned; null when nothing is. */
  from: string | null;
}

export interface Settings {
  language: 'en' | 'es';
  theme: 'system' | 'light' | 'dark';
  apiUrl: string | null;
  /** Never the key itself: only whether one is stored. */
  hasApiKey: boolean;
  /** The webhook relay set up in Settings (base URL; never its device token or secrets). */
  relayUrl: string | null;
  relayChannelId: string | null;
  undoSeconds: number;
  /** Keep past bookings only this many days in the replica (pruned in the background); null keeps all. */
  retainPastDays: number | null;
}


// Values and field shapes the inputs use (the zod schemas in ./schemas.ts validate them).


export const cancelReasons = ['customer_request', 'no_availability', 'suspected_fraud', 'duplicate', 'other'] as const;

/** An Orkestr API key: `ork_<8 lowercase letters or digits>.<16–64 secret characters>`. */
export const apiKeyPattern = /^ork_[a-z0-9]{8}\.[A-Za-z0-9_-]{16,64}$/;

export const bookingStatuses = ['PENDING', 'CONFIRMED', 'COMPLETED', 'CANCELLED', 'REFUNDED'] as const satisfies readonly BookingStatus[];

export type PricingModel = 'HOURLY' | 'DAILY' | 'ONE_TIME' | 'SUBSCRIPTION';
export type CancellationPolicy = 'FLEXIBLE' | 'MODERATE' | 'STRICT';

export interface OfferingFieldsInput {
  title?: string;
  slug?: string;
  description?: string;
  status?: OfferingStatus;
  productTypeKey?: string;
  basePriceCents?: number;
  currency?: string;
  taxRateBps?: number;
  pricingModel?: PricingModel;
  cancellationPolicy?: CancellationPolicy;
}

export interface CouponFieldsInput {
  code?: string;
  kind?: 'PERCENT' | 'FIXED';
  amount?: number;
  currency?: string | null;
  validFrom?: string | null;
  validUntil?: string | null;
  maxRedemptions?: number | null;
  minSubtotalCents?: number;
  active?: boolean;
}

export type KeepSecret = 'encrypted' | 'plain' | 'session';
