/**
 * The contract's shapes for the catalogue import (CSV) and calendar feeds. Re-exported by ./types.ts.
 * This file must stay free of zod, Node and Electron imports (lint-enforced): the renderer bundles it
 * through types.ts.
 */
import type { CoreMessage } from './messages.ts';
import type { BookingStatus, OfferingStatus } from './records.ts';

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
  /** Slug → offering id (a new offering's local id until the push), for scripts that follow up. */
  ids: Record<string, string>;
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
  /** The key in the relay's public URL (`{relay}/feeds/<publishKey>.ics`): public once published, not a secret. */
  publishKey: string;
  createdAt: string;
  updatedAt: string;
  revokedAt: string | null;
}

/** What `feeds.publish` did: snapshot counts, the public URL of each published feed, the relay's refusals. */
export interface CalendarFeedPublishResult {
  published: number;
  deleted: number;
  failed: number;
  feeds: Array<{ id: string; name: string; url: string }>;
  errors: string[];
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
