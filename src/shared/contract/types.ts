/**
 * The one contract between the console core and any UI.
 *
 * The Electron preload exposes exactly this (as `window.orkestr`), and the loopback bridge serves
 * exactly this over HTTP + WebSocket. The renderer knows nothing else. This file holds the types
 * and the few constant values; inputs are validated at runtime against the zod schemas in
 * ./schemas.ts on the core side of every transport; results are plain JSON described here.
 *
 * The records, the import/calendar shapes, the front desk's and the approval rules' live in
 * ./records.ts, ./import-calendar.ts, ./front-desk.ts and ./rules.ts, re-exported here: callers
 * import this file. It and they must stay free of zod, Node and Electron imports (lint-enforced):
 * the renderer bundles them.
 */
import type { CancelPreview, QueueRiskFilter, QueueSort, QueueWindow, ReviewsPage, SearchIndexing, SlotCheck } from './front-desk.ts';
import type { CalendarFeedFiltersView, CalendarFeedPublishResult, CalendarFeedSecret, CalendarFeedView, ImportAvailabilityCheckView, ImportBatchStatusView, ImportBatchSummary, ImportCheckResult, ImportColumnHelp, ImportCommitResult, ImportFieldName, ImportProgressEvent, Page } from './import-calendar.ts';
import type { ActivityItem, AvailabilityExceptionView, AvailabilityRuleView, BookingDetail, BookingStatus, BookingView, ConflictView, CouponFieldsInput, CouponView, CoverageWindow, DisputeView, EngineStatus, InsightsView, IntentView, KeepSecret, OfferingFieldsInput, OfferingView, SessionInfo, Settings, SyncStatus } from './records.ts';
import type { RuleInput, RulePreview, RuleView, RulesDocument, RulesState, RulesSummary } from './rules.ts';
import { eventNameList, ipcChannels } from './channels.ts';

export { ipcChannels };
export type { CoreMessage, CoreMessageCode } from './messages.ts';

export * from './records.ts';
export * from './import-calendar.ts';
export * from './front-desk.ts';
export * from './rules.ts';

// ---------------------------------------------------------------------------------------------
// Inputs: what a caller sends. The zod schemas in ./schemas.ts validate exactly these shapes on the
// core's side (a compile-time check there fails when the two drift apart).

type Empty = Record<string, never>;

/** What each method takes. */
export interface MethodInputs {
  'session.info': Empty;
  'sync.status': Empty;
  'queue.window': { sort?: QueueSort; offeringIds?: string[]; risk?: QueueRiskFilter; flagged?: boolean; from?: string; to?: string; cursor?: string; limit?: number };
  'bookings.slots': { ids: string[] };
  'bookings.search': { text: string; limit?: number };
  'bookings.cancelPreview': { id: string };
  /** `cursor` (front-desk-core): a page's nextCursor; the next page is read by keyset and `offset` is ignored. */
  'bookings.list': { status?: BookingStatus; offeringId?: string; from?: string; to?: string; search?: string; offset?: number; limit?: number; cursor?: string };
  'bookings.get': { id: string };
  'offerings.list': { includeDeleted?: boolean };
  'offerings.options': Empty;
  'offerings.page': { search?: string; ids?: string[]; offset?: number; limit?: number };
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
  /** Puts a snapshot of every `publish` feed on this relay channel now and deletes retired ones (the CLI's `feeds publish`). */
  'feeds.publish': { relayUrl: string; channelId: string; deviceToken: string };
  'engine.status': Empty;
  'engine.restart': Empty;
  /**
   * `statuses`: exactly these (overrides includePending); `calendarName`: default "<tenant> bookings";
   * `toFile`: the core writes the .ics into the `exports` folder beside the replica and answers its path instead of the text.
   */
  'calendar.export': { from?: string; to?: string; offeringIds?: string[]; includePending?: boolean; statuses?: BookingStatus[]; calendarName?: string; toFile?: boolean };
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


export interface CommandResult {
  /** The local intent written for this command (commands that go through the outbox). */
  intentId: string | null;
}

/** What each method resolves to. */
export interface MethodResults {
  'session.info': SessionInfo;
  'sync.status': SyncStatus;
  'queue.window': QueueWindow;
  'bookings.slots': SlotCheck[];
  /**
   * `total` counts matches up to 1,000; `capped`: more match than that (show "1,000+"), and `items` are the newest.
   * `indexing`: the search index is still being built after an initial sync (results may be missing); null when complete.
   */
  'bookings.search': { items: BookingView[]; total: number; capped: boolean; indexing?: SearchIndexing | null };
  'bookings.cancelPreview': CancelPreview | null;
  /** `indexing` as for bookings.search, when a search was given. */
  'bookings.list': Page<BookingView> & { indexing?: SearchIndexing | null };
  'bookings.get': BookingDetail | null;
  'offerings.list': OfferingView[];
  /** Id and title of the offerings `offerings.list` gives, in its order: what a filter shows (#16: 20k whole views were 6.6 MB). */
  'offerings.options': Array<{ id: string; title: string }>;
  /** The Catalogue's page: offerings with changes not yet on the server first, then the rest by title; `search` matches title or slug, without case or accents; `ids` keeps only those (a form's picked offerings). */
  'offerings.page': Page<OfferingView>;
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
  'feeds.publish': CalendarFeedPublishResult;
  /** `ics` is the text (null with `toFile`); `file` the written file's path (null without); `bytes` its UTF-8 size. */
  'calendar.export': { ics: string | null; file: string | null; bytes: number; fileName: string; events: number; window: CoverageWindow };
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
