/**
 * Commit: all or nothing. One local transaction writes every planned offering (as outbox intents:
 * `offering.create` with a temporary id, `offering.patch` for updates, each intent with its own
 * idempotency key) and every availability rule of the file (local-only: v1 has no availability write
 * endpoint, see docs/import.md), and records the batch so it can be paused, resumed or rolled back.
 * A file with any error is refused before the transaction starts; an exception inside the
 * transaction rolls everything back.
 */
import type { ExistingOffering, OfferingFields, PlannedOffering, ProgressCallback, RuleInput } from './types.ts';

export interface ImportIntent {
  kind: 'offering.create' | 'offering.patch' | 'offering.delete';
  /** Temporary id for creates, the offering's id for patches. */
  targetId: string;
  method: 'POST' | 'PATCH' | 'DELETE';
  /** Relative to the API base `/v1`, e.g. `/api/offerings`. */
  path: string;
  body: string | null;
  /** `{ fields, importBatchId, slug, line, previous? (patches) }` — `fields` is what the overlay lays over the truth. */
  payload: Record<string, unknown>;
  /**
   * `payload` already serialised but for its fields: the members after `fields`, so its JSON is
   * `{"fields":<body>,<payloadRest>}` (the fields are serialised once, as `body`; a staged commit
   * stages them once too, see staged.ts).
   */
  payloadRest?: string;
  baseVersion: number | null;
}

export interface ImportBatchRecord {
  id: string;
  fileName: string;
  createdAt: string;
  created: number;
  updated: number;
  unchanged: number;
  rules: number;
}

/** Where a commit writes. Synchronous (better-sqlite3); `withTransaction` must be all-or-nothing. */
export interface ImportSink {
  withTransaction<T>(fn: () => T): T;
  /** Offerings the console knows by slug: server truth with pending local intents laid over it. */
  loadExisting(): Map<string, ExistingOffering>;
  /** A new temporary id for an offering that the batch creates. */
  newOfferingId(): string;
  /** Records the offering in the batch (the optimistic record itself is the intent's payload). */
  upsertOffering(o: { batchId: string; id: string; slug: string; action: 'create' | 'update' | 'unchanged'; fields: OfferingFields; intentId: string | null; line: number }): void;
  /** Replaces the local availability rules of one offering with the file's. */
  replaceAvailability(o: { batchId: string; offeringId: string; slug: string; rules: RuleInput[]; fresh?: boolean }): void;
  /** Queues one outbox intent; returns its id (also its idempotency key). */
  queueIntent(i: ImportIntent): string;
  recordBatch(b: ImportBatchRecord): void;
}

export class ImportRejected extends Error {
  override name = 'ImportRejected';
  readonly errorCount: number;
  constructor(errorCount: number) {
    super(`the file has ${errorCount} error${errorCount === 1 ? '' : 's'}; nothing was written`);
    this.errorCount = errorCount;
  }
}

export interface CommitResult {
  batchId: string;
  created: number;
  updated: number;
  unchanged: number;
  rules: number;
  intents: number;
  /** slug → offering id (temporary `tmp_off_…` for creates until the server answers). */
  ids: Map<string, string>;
}

export interface CommitOptions {
  batchId: string;
  fileName: string;
  onProgress?: ProgressCallback;
  /** Called inside the transaction after every write; tests use it to inject a failure. */
  afterEach?: (slug: string) => void;
}

function pick(fields: OfferingFields, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = (fields as Record<string, unknown>)[k];
  return out;
}

/** The payload's members after `fields` (the same text JSON.stringify gives for the payload object). */
const payloadRest = (batchId: string, p: PlannedOffering): string => `"importBatchId":${JSON.stringify(batchId)},"slug":${JSON.stringify(p.slug)},"line":${p.line}`;

/** One planned offering written through `sink` (intent, batch record, rules), counted in `result`. */
export function writePlanned(p: PlannedOffering, existing: ReadonlyMap<string, ExistingOffering>, sink: ImportSink, batchId: string, result: CommitResult): void {
  const ex = existing.get(p.slug);
  if (p.action === 'create' && ex) throw new Error(`"${p.slug}" was created since the file was checked; check the file again`);
  if (p.action !== 'create' && !ex) throw new Error(`"${p.slug}" is no longer in the console; check the file again`);
  let id: string;
  let intentId: string | null = null;
  if (p.action === 'create') {
    id = sink.newOfferingId();
    intentId = sink.queueIntent({
      kind: 'offering.create',
      targetId: id,
      method: 'POST',
      path: '/api/offerings',
      body: JSON.stringify(p.fields),
      payload: { fields: p.fields, importBatchId: batchId, slug: p.slug, line: p.line },
      payloadRest: payloadRest(batchId, p),
      baseVersion: null,
    });
    result.created++;
    result.intents++;
  } else {
    id = (ex as ExistingOffering).id;
    if (Object.keys(p.fields).length > 0) {
      const previous = pick((ex as ExistingOffering).fields, Object.keys(p.fields));
      intentId = sink.queueIntent({
        kind: 'offering.patch',
        targetId: id,
        method: 'PATCH',
        path: `/api/offerings/${encodeURIComponent(id)}`,
        body: JSON.stringify(p.fields),
        payload: { fields: p.fields, importBatchId: batchId, slug: p.slug, line: p.line, previous },
        payloadRest: `${payloadRest(batchId, p)},"previous":${JSON.stringify(previous)}`,
        baseVersion: (ex as ExistingOffering).version,
      });
      result.intents++;
    }
    if (p.action === 'update') result.updated++;
    else result.unchanged++;
  }
  sink.upsertOffering({ batchId, id, slug: p.slug, action: p.action === 'create' ? 'create' : p.action === 'update' ? 'update' : 'unchanged', fields: p.fields, intentId, line: p.line });
  if (p.rules && (p.action === 'create' || p.rulesChanged)) {
    sink.replaceAvailability({ batchId, offeringId: id, slug: p.slug, rules: p.rules, fresh: p.action === 'create' });
    result.rules += p.rules.length;
  }
  result.ids.set(p.slug, id);
}

export function emptyResult(batchId: string): CommitResult {
  return { batchId, created: 0, updated: 0, unchanged: 0, rules: 0, intents: 0, ids: new Map() };
}

/**
 * Writes a validated plan in one transaction (tests, the crash test's child; the console and the CLI
 * use the staged commit, staged.ts). `plan` must come from an analysis without errors (checked again
 * here against the sink's current offerings: a slug created since the analysis turns a create into a
 * refusal rather than a duplicate).
 */
export function commitPlan(plan: readonly PlannedOffering[], errorCount: number, sink: ImportSink, opts: CommitOptions): CommitResult {
  if (errorCount > 0 || plan.some((p) => p.action === 'error')) throw new ImportRejected(Math.max(1, errorCount));
  const result = emptyResult(opts.batchId);
  sink.withTransaction(() => {
    const existing = sink.loadExisting();
    let done = 0;
    for (const p of plan) {
      writePlanned(p, existing, sink, opts.batchId, result);
      opts.afterEach?.(p.slug);
      done++;
      if (opts.onProgress && done % 1000 === 0) opts.onProgress({ phase: 'commit', bytesProcessed: done, bytesTotal: plan.length, rows: done });
    }
    // A file that changes nothing leaves no batch behind.
    if (result.intents === 0 && result.rules === 0) return;
    sink.recordBatch(batchRecord(result, opts.fileName));
  });
  opts.onProgress?.({ phase: 'commit', bytesProcessed: plan.length, bytesTotal: plan.length, rows: plan.length });
  return result;
}

export function batchRecord(result: CommitResult, fileName: string): ImportBatchRecord {
  return { id: result.batchId, fileName, createdAt: new Date().toISOString(), created: result.created, updated: result.updated, unchanged: result.unchanged, rules: result.rules };
}

/** An in-memory sink (tests, dry runs): a failure inside `withTransaction` restores the snapshot. */
export class MemorySink implements ImportSink {
  offerings = new Map<string, ExistingOffering>();
  intents: Array<ImportIntent & { id: string }> = [];
  rules = new Map<string, RuleInput[]>();
  batches: ImportBatchRecord[] = [];
  #n = 0;

  withTransaction<T>(fn: () => T): T {
    const snapshot = { offerings: new Map(this.offerings), intents: [...this.intents], rules: new Map(this.rules), batches: [...this.batches] };
    try {
      return fn();
    } catch (error) {
      Object.assign(this, snapshot);
      throw error;
    }
  }
  loadExisting(): Map<string, ExistingOffering> {
    return new Map(this.offerings);
  }
  newOfferingId(): string {
    return `tmp_off_mem${++this.#n}`;
  }
  upsertOffering(o: { id: string; slug: string; action: 'create' | 'update' | 'unchanged'; fields: OfferingFields }): void {
    const cur = this.offerings.get(o.slug);
    const base = cur?.fields ?? { title: '', description: '', status: 'DRAFT', productTypeKey: '', categories: [], basePriceCents: 0, currency: 'USD', taxRateBps: 0, pricingModel: 'ONE_TIME', cancellationPolicy: 'MODERATE' };
    const { slug: _slug, ...rest } = o.fields;
    this.offerings.set(o.slug, { id: o.id, slug: o.slug, fields: { ...base, ...rest } as ExistingOffering['fields'], rules: cur?.rules ?? [], version: cur?.version ?? null });
  }
  replaceAvailability(o: { offeringId: string; slug: string; rules: RuleInput[] }): void {
    this.rules.set(o.offeringId, o.rules);
    const cur = this.offerings.get(o.slug);
    if (cur) cur.rules = o.rules;
  }
  queueIntent(i: ImportIntent): string {
    const id = `int_${this.intents.length + 1}`;
    this.intents.push({ ...i, id });
    return id;
  }
  recordBatch(b: ImportBatchRecord): void {
    this.batches.push(b);
  }
}
