/**
 * The one contract between the console core and any UI.
 *
 * The Electron preload exposes exactly this (as `window.orkestr`), and the loopback bridge serves
 * exactly this over HTTP + WebSocket. The renderer knows nothing else. This file holds the types
 * and the few constant values; inputs are validated at runtime against the zod schemas in
 * ./schemas.ts on the core side of every transport; results are plain JSON described here.
 *
 * This file must stay free of zod, Node and Electron imports (lint-enforced): the renderer bundles
 * it.
 */
import { eventNameList, ipcChannels } from './channels.ts';
import type { CoreMessage } from './messages.ts';

export { ipcChannels };
export type { CoreMessage, CoreMessageCode } from './messages.ts';

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

// ---------------------------------------------------------------------------------------------
// Catalogue import (CSV) and calendar feeds. Shapes mirror src/main/core/import (types.ts,
// index.ts, replica-sink.ts) and src/main/core/calendar; docs/import.md has the rules.

export const importFieldNames = [
  'slug',
  'title',
  'product_type',
  'status',
  'pricing_model',
  'base_price',
  'currency',
  'tax_bps',
  'description',
  'cancellation_policy',
  'categories',
  'weekday',
  'start_time',
  'end_time',
  'slot_minutes',
  'capacity',
  'valid_from',
  'valid_until',
] as const;
export type ImportFieldName = (typeof importFieldNames)[number];

export interface ImportIssueView {
  severity: 'error' | 'warning';
  /** Stable machine code, e.g. `price.invalid`. */
  code: string;
  /** Physical line (1-based, header counted); null for file-level issues. */
  line: number | null;
  /** Header text as in the file. */
  column: string | null;
  /** Spreadsheet column letter (`F`). */
  columnLetter: string | null;
  field: ImportFieldName | null;
  value: string | null;
  /** Full sentence (English) with the location first, for the CLI, logs and the error report. */
  message: string;
  /** The problem without its location, as a code + parameters for the UI to translate. */
  problem: CoreMessage;
}

export interface ImportColumnMappingView {
  index: number;
  letter: string;
  header: string;
  field: ImportFieldName | null;
  method: 'exact' | 'alias' | 'fuzzy' | 'override' | 'none';
  confidence: number;
  /** Why the column is ignored (English). */
  note: string | null;
  /** The note as a code + parameters for the UI to translate. */
  noteMessage: CoreMessage | null;
}

export interface ImportOfferingFieldsView {
  title?: string;
  slug?: string;
  description?: string;
  status?: OfferingStatus;
  productTypeKey?: string;
  categories?: string[];
  basePriceCents?: number;
  currency?: string;
  taxRateBps?: number;
  pricingModel?: 'HOURLY' | 'DAILY' | 'ONE_TIME' | 'SUBSCRIPTION';
  cancellationPolicy?: 'FLEXIBLE' | 'MODERATE' | 'STRICT';
}

export interface ImportRuleView {
  dayOfWeek: number;
  startTime: string;
  endTime: string;
  slotMinutes: number;
  capacity: number;
  validFrom: string | null;
  validUntil: string | null;
}

export type ImportPlanAction = 'create' | 'update' | 'unchanged' | 'error';

export interface ImportPlannedOfferingView {
  slug: string;
  line: number;
  action: ImportPlanAction;
  existingId: string | null;
  fields: ImportOfferingFieldsView;
  rules: ImportRuleView[] | null;
  rulesChanged: boolean;
  /** actions-cli (#14): for an update, each field the file changes with its value now and after. */
  changes?: ImportFieldChangeView[];
}

// actions-cli (#14): an import that never surprises.
/** One field of an existing offering the file changes (values as the API names them: cents, lists). */
export interface ImportFieldChangeView {
  field: Exclude<keyof ImportOfferingFieldsView, 'slug'>;
  from: string | number | string[] | null;
  to: string | number | string[] | null;
}

/** A row that would take a PUBLISHED offering off sale: refused unless confirmed (`import.commit` allowUnpublish). */
export interface ImportUnpublishView {
  slug: string;
  title: string;
  line: number;
  offeringId: string;
  to: 'DRAFT' | 'ARCHIVED';
}

export interface ImportAnalysisView {
  ok: boolean;
  decode: { encoding: 'utf-8' | 'windows-1252' | 'utf-16le' | 'utf-16be'; fellBack: boolean; bom: boolean; invalidAt: number | null };
  delimiter: ',' | ';' | '\t';
  delimiterDetected: boolean;
  bytes: number;
  rows: number;
  mapping: {
    columns: ImportColumnMappingView[];
    byField: Partial<Record<ImportFieldName, number>>;
    missingRequired: ImportFieldName[];
    ignored: string[];
  } | null;
  /** At most 10,000 issues are kept (all are counted). */
  issues: ImportIssueView[];
  issuesDropped: number;
  errorCount: number;
  warningCount: number;
  /** actions-cli (#14): every row that would unpublish a live offering (the commit needs allowUnpublish). */
  unpublishes: ImportUnpublishView[];
  preview: {
    counts: { rows: number; offerings: Record<ImportPlanAction, number>; rules: number; errors: number; warnings: number };
    /** The first 50 planned offerings of each action, in file order. */
    samples: Record<ImportPlanAction, ImportPlannedOfferingView[]>;
  };
}

export interface ImportCheckResult {
  /** Names this check until the commit (kept in memory by the core; only the last few are kept). */
  token: string;
  fileName: string;
  view: ImportAnalysisView;
}

export interface ImportCommitResult {
  batchId: string;
  created: number;
  updated: number;
  unchanged: number;
  rules: number;
  intents: number;
}

export interface ImportColumnHelp {
  name: ImportFieldName;
  required: 'always' | 'new offering' | 'availability row' | 'no';
  description: string;
  example: string;
}

export interface ImportBatchSummary {
  id: string;
  fileName: string;
  createdAt: string;
  state: string;
  created: number;
  updated: number;
  unchanged: number;
  rules: number;
}

export type ImportBatchItemState = 'queued' | 'paused' | 'sent' | 'refused' | 'discarded' | 'unchanged';

export interface ImportBatchStatusView {
  batchId: string;
  fileName: string;
  state: 'committed' | 'paused' | 'rolled_back';
  counts: Record<ImportBatchItemState, number>;
  items: Array<{
    slug: string;
    line: number;
    action: 'create' | 'update' | 'unchanged';
    /** Server id once known, else the temporary id. */
    offeringId: string;
    intentId: string | null;
    state: ImportBatchItemState;
    /** For `refused`: the server's answer (`409 SLUG_TAKEN: …`). */
    error: string | null;
    conflictId: string | null;
    /** Availability rules kept on this machine only (v1 has no availability write endpoint). */
    localRules: number;
  }>;
}

export interface ImportAvailabilityCheckView {
  slug: string;
  offeringId: string;
  pendingCreate: boolean;
  local: ImportRuleView[];
  onServer: number;
  missing: ImportRuleView[];
  serverOnly: number;
  error: string | null;
}

export interface CalendarFeedFiltersView {
  offeringIds: string[];
  statuses: BookingStatus[] | null;
  includePending: boolean;
  pastDays: number;
  futureDays: number | null;
}

export interface CalendarFeedView {
  id: string;
  name: string;
  filters: CalendarFeedFiltersView;
  publish: boolean;
  /**
   * `/calendar/<token>.ics` (served by the loopback bridge): only in the answers of feeds.add and
   * feeds.rotate. The token is stored as a hash, so feeds.list answers null.
   */
  localPath: string | null;
  /** The relay's public snapshot URL, when the feed is published and a relay is configured. */
  publicUrl: string | null;
  revoked: boolean;
  createdAt: string;
}

export interface CalendarFeedSecret {
  feed: CalendarFeedView;
  /** Shown once; only its SHA-256 is stored. */
  token: string;
  /** `/calendar/<token>.ics`: the bridge origin + this path is the subscription URL. */
  localPath: string;
}

export interface ImportProgressEvent {
  /** The `requestId` the check was called with (the token is not known yet while checking). */
  requestId: string | null;
  /** The check's token during a commit. */
  token: string | null;
  phase: 'parse' | 'commit';
  bytesProcessed: number;
  bytesTotal: number;
  rows: number;
}

export interface Page<T> {
  items: T[];
  total: number;
  /** bookings.list (front-desk-core): pass back as `cursor` for the next page by keyset (no OFFSET); null at the end. */
  nextCursor?: string | null;
}

// ---------------------------------------------------------------------------------------------
// Inputs: what a caller sends. The zod schemas in ./schemas.ts validate exactly these shapes on the
// core's side (a compile-time check there fails when the two drift apart).

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
type Empty = Record<string, never>;

/** What each method takes. */
export interface MethodInputs {
  'session.info': Empty;
  'sync.status': Empty;
  'queue.list': Empty;
  'queue.window': { sort?: QueueSort; offeringIds?: string[]; risk?: QueueRiskFilter; from?: string; to?: string; cursor?: string; limit?: number };
  'bookings.slots': { ids: string[] };
  'bookings.search': { text: string; limit?: number };
  'bookings.cancelPreview': { id: string };
  /** `cursor` (front-desk-core): a page's nextCursor; the next page is read by keyset and `offset` is ignored. */
  'bookings.list': { status?: BookingStatus; offeringId?: string; from?: string; to?: string; search?: string; offset?: number; limit?: number; cursor?: string };
  'bookings.get': { id: string };
  'offerings.list': { includeDeleted?: boolean };
  'coupons.list': { includeDeleted?: boolean };
  'availability.get': { offeringId: string };
  'disputes.list': Empty;
  'activity.list': { limit?: number };
  'intents.list': Empty;
  'conflicts.list': Empty;
  'insights.get': Empty;
  /** actions-cli (#14): reviews from `review.created`, newest first, with the offerings' aggregates. */
  'reviews.list': { offeringId?: string; offset?: number; limit?: number };
  'settings.get': Empty;
  'bookings.approve': { id: string };
  'bookings.cancel': { id: string; reason: string };
  'bookings.reschedule': { id: string; itemId: string; startsAt: string; endsAt: string };
  'bookings.setNotes': { id: string; notes: string };
  'offerings.create': { fields: OfferingFieldsInput & { title: string; productTypeKey: string; basePriceCents: number; currency: string } };
  'offerings.patch': { id: string; fields: OfferingFieldsInput };
  'offerings.delete': { id: string };
  'coupons.create': { fields: CouponFieldsInput & { code: string; kind: 'PERCENT' | 'FIXED'; amount: number } };
  'coupons.patch': { id: string; fields: CouponFieldsInput };
  'coupons.delete': { id: string };
  'intents.undo': { id: string };
  'conflicts.resolve': { id: string; choice: 'retry' | 'discard' | 'takeServer' };
  'activity.markRead': { ids: string[] };
  'sync.now': Empty;
  'settings.set': { language?: 'en' | 'es'; theme?: 'system' | 'light' | 'dark'; undoSeconds?: number; retainPastDays?: number | null };
  /**
   * `keep` says how to keep the key. Absent: encrypted, and NEEDS_CONFIRMATION when this machine cannot
   * encrypt; `plain` or `session` is the user's answer to that question.
   */
  'settings.connect': { apiUrl: string; apiKey: string; keep?: KeepSecret };
  'settings.useDemo': Empty;
  /** Receive webhooks through a relay channel; the token and secrets are kept like the API key (same `keep` rule). */
  'settings.connectRelay': { channelUrl: string; deviceToken: string; webhookSecret: string; previousWebhookSecret?: string; keep?: KeepSecret };
  'settings.disconnectRelay': Empty;
  'import.template': { language?: 'en' | 'es' };
  'import.check': {
    fileName: string;
    /** The file's bytes, base64 (see importUploadMaxBase64). */
    contentBase64: string;
    delimiter?: ',' | ';' | '\t';
    encoding?: 'auto' | 'utf-8' | 'windows-1252' | 'utf-16le' | 'utf-16be';
    /** Header text → field, or null to ignore the column. */
    mapping?: Record<string, ImportFieldName | null>;
    /** Echoed in `import.progress` events so the UI can tell its own check apart. */
    requestId?: string;
  };
  /** allowUnpublish: the user confirmed the offerings the check listed in `unpublishes` (actions-cli, #14). */
  'import.commit': { token: string; allowUnpublish?: boolean };
  'import.errorReport': { token: string };
  'import.batches': Empty;
  'import.status': { batchId: string };
  'import.resume': { batchId: string; fixes?: Record<string, OfferingFieldsInput> };
  'import.rollback': { batchId: string };
  'import.verifyAvailability': { batchId: string };
  'feeds.list': { includeRevoked?: boolean };
  'feeds.add': { name: string; filters?: Partial<CalendarFeedFiltersView>; publish?: boolean };
  'feeds.rotate': { id: string };
  'feeds.revoke': { id: string };
  'engine.status': Empty;
  'engine.restart': Empty;
  'calendar.export': { from?: string; to?: string; offeringIds?: string[]; includePending?: boolean };
  // approval rules (#17)
  'rules.list': Empty;
  'rules.add': { rule: RuleInput };
  'rules.update': { id: string; rule: RuleInput };
  'rules.remove': { id: string };
  'rules.setEnabled': { id: string; enabled: boolean };
  'rules.setPaused': { paused: boolean };
  'rules.preview': { rule: RuleInput; days?: number };
  'rules.export': Empty;
  'rules.import': { document: RulesDocument; replace?: boolean };
  'rules.summary': { days?: number };
}

export type MethodName = keyof MethodInputs;
export type MethodInput<M extends MethodName> = MethodInputs[M];

/** The largest CSV upload `import.check` takes, as base64 characters (≈ 96 MiB of file). */
export const importUploadMaxBase64 = 130_000_000;


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
}

/** A window of the queue (keyset-paged) and the counts of the whole filtered queue. */
export interface QueueWindow {
  items: QueueRow[];
  total: number;
  counts: {
    held: number;
    full: number;
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

export interface CommandResult {
  /** The local intent written for this command (commands that go through the outbox). */
  intentId: string | null;
}

/** What each method resolves to. */
export interface MethodResults {
  'session.info': SessionInfo;
  'sync.status': SyncStatus;
  'queue.list': BookingView[];
  'queue.window': QueueWindow;
  'bookings.slots': SlotCheck[];
  'bookings.search': { items: BookingView[]; total: number };
  'bookings.cancelPreview': CancelPreview | null;
  'bookings.list': Page<BookingView>;
  'bookings.get': BookingDetail | null;
  'offerings.list': OfferingView[];
  'coupons.list': CouponView[];
  'availability.get': { timezone: string; rules: AvailabilityRuleView[]; exceptions: AvailabilityExceptionView[] };
  'disputes.list': DisputeView[];
  'activity.list': ActivityItem[];
  'intents.list': IntentView[];
  'conflicts.list': ConflictView[];
  'insights.get': InsightsView;
  'reviews.list': ReviewsPage;
  'settings.get': Settings;
  'bookings.approve': CommandResult;
  'bookings.cancel': CommandResult;
  'bookings.reschedule': CommandResult;
  'bookings.setNotes': CommandResult;
  'offerings.create': CommandResult & { id: string };
  'offerings.patch': CommandResult;
  'offerings.delete': CommandResult;
  'coupons.create': CommandResult & { id: string };
  'coupons.patch': CommandResult;
  'coupons.delete': CommandResult;
  'intents.undo': { undone: boolean };
  'conflicts.resolve': { resolved: boolean };
  'activity.markRead': { updated: number };
  'sync.now': { started: boolean };
  'settings.set': Settings;
  'settings.connect': SessionInfo;
  'settings.useDemo': SessionInfo;
  'settings.connectRelay': Settings;
  'settings.disconnectRelay': Settings;
  'import.template': { csv: string; columns: ImportColumnHelp[] };
  'import.check': ImportCheckResult;
  'import.commit': ImportCommitResult;
  'import.errorReport': { csv: string; rows: number };
  'import.batches': ImportBatchSummary[];
  'import.status': ImportBatchStatusView | null;
  'import.resume': { retried: number; released: number };
  'import.rollback': { discarded: number; deletes: number; reverts: number; rulesRemoved: number };
  'import.verifyAvailability': { checks: ImportAvailabilityCheckView[]; portalSummary: string };
  'feeds.list': CalendarFeedView[];
  'feeds.add': CalendarFeedSecret;
  'feeds.rotate': CalendarFeedSecret;
  'feeds.revoke': CalendarFeedView;
  'calendar.export': { ics: string; fileName: string; events: number; window: CoverageWindow };
  // approval rules (#17)
  'rules.list': RulesState;
  'rules.add': RuleView;
  'rules.update': RuleView;
  'rules.remove': { removed: boolean };
  'rules.setEnabled': RuleView;
  'rules.setPaused': RulesState;
  'rules.preview': RulePreview;
  'rules.export': RulesDocument;
  'rules.import': { added: number; removed: number };
  'rules.summary': RulesSummary;
  'engine.status': EngineStatus;
  'engine.restart': EngineStatus;
}

/** Events the core pushes to every connected UI. */
export interface ContractEvents {
  'sync.status': SyncStatus;
  /** Some rows changed; the UI re-queries what it shows from these tables. */
  'data.changed': {
    tables: Array<'bookings' | 'offerings' | 'coupons' | 'availability' | 'disputes' | 'activity' | 'intents' | 'conflicts' | 'feeds' | 'rules'>;
    /**
     * Front desk (front-desk-core): the records (booking, offering or coupon ids) whose rows changed,
     * when the core knows them all; absent when it does not (re-query everything shown). A window
     * that holds none of them may keep its rows and refresh only its counts.
     */
    ids?: string[];
  };
  'activity.new': ActivityItem;
  /** New PENDING bookings arrived since the UI last looked. */
  'queue.new': { count: number; bookingIds: string[] };
  'session.changed': SessionInfo;
  /** A catalogue import check or commit is under way (for a progress bar). */
  'import.progress': ImportProgressEvent;
  /** The engine crashed, is restarting, is back, or gave up after repeated crashes. */
  'engine.status': EngineStatus;
}

export type EventName = keyof ContractEvents;
export const eventNames: readonly EventName[] = eventNameList satisfies readonly EventName[];

/** Error crossing the contract: a stable code the UI can translate, plus a message for logs. */
export interface ContractErrorShape {
  /**
   * NEEDS_CONFIRMATION: the call would do something the user must agree to first (e.g. keep a secret
   * unencrypted, an import that unpublishes live offerings). READ_ONLY: the connected API key lacks
   * the write scope, so nothing was queued.
   */
  code: 'BAD_INPUT' | 'NOT_FOUND' | 'CONFLICT' | 'UNAVAILABLE' | 'INTERNAL' | 'UNKNOWN_METHOD' | 'NEEDS_CONFIRMATION' | 'READ_ONLY';
  message: string;
  /** For BAD_INPUT: which fields were wrong. */
  fields?: Array<{ path: string; message: string }>;
}

/** Every error code, for a UI that translates them. */
export const errorCodes = ['BAD_INPUT', 'NOT_FOUND', 'CONFLICT', 'UNAVAILABLE', 'INTERNAL', 'UNKNOWN_METHOD', 'NEEDS_CONFIRMATION', 'READ_ONLY'] as const satisfies readonly ContractErrorShape['code'][];

export class ContractError extends Error {
  readonly code: ContractErrorShape['code'];
  readonly fields: ContractErrorShape['fields'];
  constructor(code: ContractErrorShape['code'], message: string, fields?: ContractErrorShape['fields']) {
    super(message);
    this.name = 'ContractError';
    this.code = code;
    this.fields = fields;
  }
  toJSON(): ContractErrorShape {
    return { code: this.code, message: this.message, ...(this.fields ? { fields: this.fields } : {}) };
  }
}

/** Validates a call's method name and input; throws ContractError(BAD_INPUT | UNKNOWN_METHOD). */

export interface ConsoleApi {
  call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodResults[M]>;
  on<E extends EventName>(event: E, listener: (payload: ContractEvents[E]) => void): () => void;
}

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
