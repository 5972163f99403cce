/**
 * The importer's sink for the real replica (src/main/core: Replica + Outbox), and the batch
 * operations that follow a commit: pause on refusal, fix and resume, roll back, verify availability.
 *
 * Imported availability rules are local-only (v1 has no availability write endpoint). They live in
 * `import_rules`, not in `availability_rules`: the sync replaces `availability_rules` wholesale with
 * the server's answer on every pull, which would silently erase them. The two importer tables are
 * created here with IF NOT EXISTS (see docs/import.md: they should move into the replica's static
 * migration list; the importer does not edit core files).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Outbox, isTempId, recordPath } from '../sync/outbox.ts';
import { overlayRecord, parsePayload, type IntentRow } from '../sync/overlay.ts';
import type { Replica } from '../replica/replica.ts';
import type { RemoteAvailabilityRule } from '../sync/remote-types.ts';
import type { ImportBatchRecord, ImportIntent, ImportSink } from './commit.ts';
import { weekdayLabels } from './fields.ts';
import type { ExistingOffering, OfferingFields, RuleInput } from './types.ts';
import { ruleKey } from './plan.ts';

const nowIso = (): string => new Date().toISOString();

let isoMs = -1;
let isoText = '';
/** `new Date(ms).toISOString()`, computed once per millisecond (a bulk import stamps 100k intents). */
function isoAt(ms: number): string {
  if (ms !== isoMs) {
    isoMs = ms;
    isoText = new Date(ms).toISOString();
  }
  return isoText;
}

/** hold_until far in the future: Outbox.eligible skips the intent until it is cleared. */
const PAUSED = '9999-12-31T23:59:59.999Z';

let hexPool = '';
let hexAt = 0;
let lastMs = 0;
let seqInMs = 0;
const variant = '89ab';
let prefixMs = -1;
let prefix = '';
/**
 * A UUIDv7 (RFC 9562): 48-bit milliseconds, a 12-bit counter within the millisecond, random rest.
 * Time-ordered, so 100k intent ids and temporary ids land at the end of their indexes instead of on
 * random pages (a bulk import writes them all in one transaction).
 */
export function uuidv7(): string {
  if (hexAt + 16 > hexPool.length) {
    hexPool = randomBytes(8192).toString('hex');
    hexAt = 0;
  }
  let ms = Date.now();
  if (ms <= lastMs) {
    seqInMs++;
    if (seqInMs > 0xfff) {
      lastMs++;
      seqInMs = 0;
    }
    ms = lastMs;
  } else {
    lastMs = ms;
    seqInMs = 0;
  }
  // The time part is formatted once per millisecond (a bulk import takes 200k ids in a few seconds).
  if (ms !== prefixMs) {
    prefixMs = ms;
    const ts = ms.toString(16).padStart(12, '0');
    prefix = `${ts.slice(0, 8)}-${ts.slice(8, 12)}-7`;
  }
  const r = hexPool.slice(hexAt, hexAt + 16);
  hexAt += 16;
  const v = variant[parseInt(r[0] ?? '0', 16) & 3] ?? '8';
  return `${prefix}${seqInMs.toString(16).padStart(3, '0')}-${v}${r.slice(1, 4)}-${r.slice(4, 16)}`;
}


interface OfferingRow {
  id: string;
  slug: string;
  title: string;
  description: string;
  status: string;
  product_type_key: string;
  categories: string;
  base_price_cents: number;
  currency: string;
  tax_rate_bps: number;
  pricing_model: string;
  cancellation_policy: string;
  deleted_at: string | null;
  version: number | null;
}

function truthFields(r: OfferingRow): Record<string, unknown> {
  let categories: unknown = [];
  try {
    categories = JSON.parse(r.categories);
  } catch {
    categories = [];
  }
  return {
    slug: r.slug,
    title: r.title,
    description: r.description,
    status: r.status,
    productTypeKey: r.product_type_key,
    categories,
    basePriceCents: r.base_price_cents,
    currency: r.currency,
    taxRateBps: r.tax_rate_bps,
    pricingModel: r.pricing_model,
    cancellationPolicy: r.cancellation_policy,
  };
}

function asFields(r: Record<string, unknown>): ExistingOffering['fields'] {
  return {
    title: String(r['title'] ?? ''),
    description: String(r['description'] ?? ''),
    status: (r['status'] ?? 'DRAFT') as ExistingOffering['fields']['status'],
    productTypeKey: String(r['productTypeKey'] ?? ''),
    categories: Array.isArray(r['categories']) ? (r['categories'] as unknown[]).map(String) : [],
    basePriceCents: Number(r['basePriceCents'] ?? 0),
    currency: String(r['currency'] ?? ''),
    taxRateBps: Number(r['taxRateBps'] ?? 0),
    pricingModel: (r['pricingModel'] ?? 'ONE_TIME') as ExistingOffering['fields']['pricingModel'],
    cancellationPolicy: (r['cancellationPolicy'] ?? 'MODERATE') as ExistingOffering['fields']['cancellationPolicy'],
  };
}

interface RuleRow {
  offering_id: string;
  day_of_week: number;
  start_time: string;
  end_time: string;
  slot_minutes: number;
  capacity: number;
  valid_from: string | null;
  valid_until: string | null;
}

const toRule = (r: RuleRow): RuleInput => ({
  dayOfWeek: r.day_of_week,
  startTime: r.start_time,
  endTime: r.end_time,
  slotMinutes: r.slot_minutes,
  capacity: r.capacity,
  validFrom: r.valid_from,
  validUntil: r.valid_until,
});

export class ReplicaImportSink implements ImportSink {
  readonly replica: Replica;
  readonly outbox: Outbox;
  /** Undo window for the queued intents (0: sent at the next push). */
  readonly holdMs: number;

  constructor(replica: Replica, opts: { holdMs?: number } = {}) {
    this.replica = replica;
    this.outbox = new Outbox(replica);
    this.holdMs = opts.holdMs ?? 0;
  }

  /** One IMMEDIATE transaction; the page cache is raised for its duration (a big batch touches many pages). */
  withTransaction<T>(fn: () => T): T {
    const sqlite = this.replica.sqlite;
    const previous = sqlite.pragma('cache_size', { simple: true }) as number;
    sqlite.pragma('cache_size = -131072');
    try {
      return this.replica.transaction(fn);
    } catch (error) {
      this.#rules = [];
      this.#intents = [];
      throw error;
    } finally {
      sqlite.pragma(`cache_size = ${Number(previous)}`);
    }
  }

  loadExisting(): Map<string, ExistingOffering> {
    const s = this.replica;
    const intents = new Map<string, IntentRow[]>();
    for (const row of s.stmt("SELECT * FROM outbox WHERE kind LIKE 'offering.%' AND state IN ('queued','sending','attention') ORDER BY seq").all() as IntentRow[]) {
      const list = intents.get(row.target_id);
      if (list) list.push(row);
      else intents.set(row.target_id, [row]);
    }
    // Rules: local imported ones win over the server's for the same offering (they are what the owner asked for).
    const rules = new Map<string, RuleInput[]>();
    for (const r of s.stmt('SELECT * FROM availability_rules ORDER BY day_of_week, start_time').all() as RuleRow[]) {
      const list = rules.get(r.offering_id);
      if (list) list.push(toRule(r));
      else rules.set(r.offering_id, [toRule(r)]);
    }
    const local = new Map<string, RuleInput[]>();
    for (const r of s.stmt('SELECT * FROM import_rules ORDER BY day_of_week, start_time').all() as RuleRow[]) {
      const id = this.outbox.resolveId(r.offering_id);
      const list = local.get(id);
      if (list) list.push(toRule(r));
      else local.set(id, [toRule(r)]);
    }
    const out = new Map<string, ExistingOffering>();
    const add = (id: string, truth: Record<string, unknown> | null, deleted: boolean, version: number | null): void => {
      const o = overlayRecord(truth, intents.get(id) ?? []);
      if (!o.record || deleted || o.deleted) return;
      const slug = String(o.record['slug'] ?? '');
      if (!slug) return;
      out.set(slug, { id, slug, fields: asFields(o.record), rules: local.get(id) ?? rules.get(id) ?? [], version });
    };
    const seen = new Set<string>();
    for (const r of s.stmt('SELECT * FROM offerings').all() as OfferingRow[]) {
      seen.add(r.id);
      add(r.id, truthFields(r), r.deleted_at !== null, r.version);
    }
    for (const id of intents.keys()) if (!seen.has(id)) add(id, null, false, null);
    return out;
  }

  newOfferingId(): string {
    return `tmp_off_${uuidv7()}`;
  }

  // Writes are buffered and flushed in chunks of prepared single-row inserts (measured: cheaper in
  // CPU than one `INSERT … SELECT FROM json_each(?)` per chunk, whose JSON-in-JSON escaping costs
  // more than the per-statement overhead it saves). Everything is flushed before the transaction
  // ends (recordBatch) and before any read or delete.
  #rules: unknown[][] = [];
  #intents: unknown[][] = [];
  static readonly chunk = 2000;

  /** The batch a staged commit is writing (rows go to the stage tables, staged.ts), else null. */
  #staging: string | null = null;
  /** The schema of those stage tables (the batch's attached stage file, stage-file.ts). */
  #stage = 'main';

  /** Sends the writes that follow to the stage tables of `batchId` in `schema` (null: to the live tables again). */
  stageInto(batchId: string | null, schema = 'main'): void {
    this.#flush();
    this.#staging = batchId;
    this.#stage = schema;
  }

  /** Writes what is buffered now (a staged step flushes as it goes, so its time budget holds). */
  flush(): void {
    this.#flush();
  }

  /** One short transaction of a staged commit: `fn`'s writes are flushed before it commits. */
  stepTransaction<T>(fn: () => T): T {
    try {
      return this.replica.transaction(() => {
        const r = fn();
        this.#flush();
        return r;
      });
    } catch (error) {
      this.#rules = [];
      this.#intents = [];
      throw error;
    }
  }

  #flush(): void {
    const s = this.replica;
    const staged = this.#staging;
    if (this.#intents.length) {
      const st = staged
        ? s.stmt(`INSERT INTO ${this.#stage}.import_stage_intents (batch_id, id, kind, target_id, method, path, body, payload, base_version, created_at, hold_until) VALUES (?,?,?,?,?,?,?,?,?,?,?)`)
        : s.stmt(
            `INSERT INTO outbox (id, idempotency_key, kind, target_id, method, path, body, payload, base_version, state, created_at, hold_until, attempts)
             VALUES (?,?,?,?,?,?,?,?,?,'queued',?,?,0)`,
          );
      for (const r of this.#intents) st.run(staged ?? r[0], ...r);
      this.#intents = [];
    }
    if (this.#rules.length) {
      const st = s.stmt(
        `INSERT INTO ${staged ? `${this.#stage}.import_stage_rules` : 'import_rules'} (batch_id, offering_id, slug, day_of_week, start_time, end_time, slot_minutes, capacity, valid_from, valid_until) VALUES (?,?,?,?,?,?,?,?,?,?)`,
      );
      for (const r of this.#rules) st.run(...r);
      this.#rules = [];
    }
  }

  /**
   * Nothing to write: the optimistic record is the intent's payload (laid over the truth by the
   * overlay), and batch membership is the payload's `importBatchId` (intents) and `batch_id` (rules).
   */
  upsertOffering(_o: { batchId: string; id: string; slug: string; action: 'create' | 'update' | 'unchanged'; fields: OfferingFields; intentId: string | null; line: number }): void {}

  replaceAvailability(o: { batchId: string; offeringId: string; slug: string; rules: RuleInput[]; fresh?: boolean }): void {
    if (!o.fresh) {
      this.#flush();
      // Staged: the earlier rules go when the batch moves in (until then nothing may change).
      if (this.#staging) this.replica.stmt(`INSERT INTO ${this.#stage}.import_stage_drops (batch_id, offering_id) VALUES (?, ?)`).run(this.#staging, o.offeringId);
      else this.replica.stmt('DELETE FROM import_rules WHERE offering_id = ?').run(o.offeringId);
    }
    for (const r of o.rules) this.#rules.push([o.batchId, o.offeringId, o.slug, r.dayOfWeek, r.startTime, r.endTime, r.slotMinutes, r.capacity, r.validFrom, r.validUntil]);
    if (this.#rules.length >= ReplicaImportSink.chunk) this.#flush();
  }

  /**
   * Same row as Outbox.enqueue writes (id = idempotency key, state queued, hold from `holdMs`), without
   * its read-back: ids here are already resolved (loadExisting reads the outbox's current targets) and
   * offering intents have no derived overlay row to refresh.
   */
  queueIntent(i: ImportIntent): string {
    const id = uuidv7();
    const now = Date.now();
    // Staged, the payload's fields are not written twice: the stage keeps `{<payloadRest>}` beside
    // the body and the move puts `{"fields":<body>,<payloadRest>}` together (staged.ts), the text
    // written here when not staged. The fields are most of an intent's bytes, and bytes are most of
    // a staged step's cost (each is written to the WAL, then checkpointed, then freed).
    const rest = i.body !== null ? i.payloadRest : undefined;
    const payload = rest === undefined ? JSON.stringify(i.payload) : this.#staging ? `{${rest}}` : `{"fields":${i.body},${rest}}`;
    this.#intents.push([id, i.kind, i.targetId, i.method, i.path, i.body, payload, i.baseVersion, isoAt(now), this.holdMs > 0 ? new Date(now + this.holdMs).toISOString() : null]);
    if (this.#intents.length >= ReplicaImportSink.chunk) this.#flush();
    return id;
  }

  recordBatch(b: ImportBatchRecord): void {
    this.#flush();
    // A staged batch is recorded when it is decided (staged.ts), not by its last step.
    if (this.#staging) return;
    this.replica
      .stmt("INSERT INTO import_batches (id, file_name, created_at, state, created, updated, unchanged, rules) VALUES (?,?,?,'committed',?,?,?,?)")
      .run(b.id, b.fileName, b.createdAt, b.created, b.updated, b.unchanged, b.rules);
  }
}

// ---- after the commit: the batch on its way to the server ------------------------------------------

export type BatchItemState = 'queued' | 'paused' | 'sent' | 'refused' | 'discarded' | 'unchanged';

export interface BatchItemView {
  slug: string;
  line: number;
  action: 'create' | 'update' | 'unchanged';
  /** Server id once known, else the temporary id. */
  offeringId: string;
  intentId: string | null;
  state: BatchItemState;
  /** For `refused`: the server's answer, e.g. `409 SLUG_TAKEN: …`, and the open conflict id. */
  error: string | null;
  conflictId: string | null;
  localRules: number;
}

export interface BatchStatus {
  batchId: string;
  fileName: string;
  state: 'committed' | 'paused' | 'rolled_back';
  counts: Record<BatchItemState, number>;
  items: BatchItemView[];
}

/** The batch's own intents (not the ones a rollback added), oldest first. */
const BATCH_INTENTS = `SELECT o.*, (SELECT c.id FROM conflicts c WHERE c.intent_id = o.id AND c.resolved_at IS NULL LIMIT 1) AS conflict_id
  FROM outbox o WHERE o.kind LIKE 'offering.%' AND json_extract(o.payload, '$.importBatchId') = ? AND json_extract(o.payload, '$.rollback') IS NULL`;
const BATCH_INTENT_IDS = `SELECT id FROM outbox WHERE kind LIKE 'offering.%' AND json_extract(payload, '$.importBatchId') = ? AND json_extract(payload, '$.rollback') IS NULL`;

type BatchIntentRow = IntentRow & { conflict_id: string | null };

export function batchStatus(replica: Replica, batchId: string): BatchStatus | null {
  const b = replica.stmt('SELECT * FROM import_batches WHERE id = ?').get(batchId) as { id: string; file_name: string; state: BatchStatus['state'] } | undefined;
  if (!b) return null;
  const outbox = new Outbox(replica);
  // Rules are stored under the id the offering had at commit time (temporary for creates): compare resolved ids.
  const ruleCounts = new Map<string, { slug: string; n: number }>();
  for (const r of replica.stmt('SELECT offering_id, slug, COUNT(*) AS n FROM import_rules WHERE batch_id = ? GROUP BY offering_id ORDER BY MIN(id)').all(batchId) as Array<{ offering_id: string; slug: string; n: number }>) {
    ruleCounts.set(outbox.resolveId(r.offering_id), { slug: r.slug, n: r.n });
  }
  const counts: Record<BatchItemState, number> = { queued: 0, paused: 0, sent: 0, refused: 0, discarded: 0, unchanged: 0 };
  const items: BatchItemView[] = [];
  const seen = new Set<string>();
  for (const r of replica.stmt(`${BATCH_INTENTS} ORDER BY o.seq`).all(batchId) as BatchIntentRow[]) {
    const p = parsePayload(r);
    let state: BatchItemState;
    if (r.state === 'done') state = 'sent';
    else if (r.state === 'attention') state = 'refused';
    else if (r.state === 'discarded') state = 'discarded';
    else state = r.hold_until === PAUSED ? 'paused' : 'queued';
    counts[state]++;
    const offeringId = outbox.resolveId(r.target_id);
    seen.add(offeringId);
    items.push({
      slug: String((p['fields'] as Record<string, unknown> | undefined)?.['slug'] ?? p['slug'] ?? ''),
      line: Number(p['line'] ?? 0),
      action: r.kind === 'offering.create' ? 'create' : 'update',
      offeringId,
      intentId: r.id,
      state,
      error: state === 'refused' ? r.last_error : null,
      conflictId: r.conflict_id,
      localRules: ruleCounts.get(offeringId)?.n ?? 0,
    });
  }
  // Offerings whose only change was their availability (local rules, no intent).
  for (const [offeringId, rc] of ruleCounts) {
    if (seen.has(offeringId)) continue;
    counts.unchanged++;
    items.push({ slug: rc.slug, line: 0, action: 'update', offeringId, intentId: null, state: 'unchanged', error: null, conflictId: null, localRules: rc.n });
  }
  return { batchId, fileName: b.file_name, state: b.state, counts, items };
}

/** Every batch, newest first. */
export function listBatches(replica: Replica): Array<ImportBatchRecord & { state: string }> {
  return (replica.stmt('SELECT * FROM import_batches ORDER BY created_at DESC').all() as Array<Record<string, unknown>>).map((r) => ({
    id: String(r['id']),
    fileName: String(r['file_name']),
    createdAt: String(r['created_at']),
    state: String(r['state']),
    created: Number(r['created']),
    updated: Number(r['updated']),
    unchanged: Number(r['unchanged']),
    rules: Number(r['rules']),
  }));
}

/**
 * The batch stops when the server refuses one of its intents: every intent of the batch not yet
 * sent is held (Outbox.eligible skips it) until the user chooses `resumeBatch` or `rollbackBatch`.
 * Call after each push pass (the core's `conflicts` change); returns true when it paused something.
 */
export function pauseBatchOnRefusal(replica: Replica, batchId: string): boolean {
  return replica.transaction(() => {
    const refused = replica.stmt(`SELECT 1 FROM (${BATCH_INTENTS}) WHERE state = 'attention' LIMIT 1`).get(batchId);
    if (!refused) return false;
    const r = replica.stmt(`UPDATE outbox SET hold_until = ? WHERE state = 'queued' AND attempts = 0 AND id IN (${BATCH_INTENT_IDS})`).run(PAUSED, batchId);
    replica.stmt("UPDATE import_batches SET state = 'paused' WHERE id = ? AND state = 'committed'").run(batchId);
    return r.changes > 0;
  });
}

/** Pauses every committed batch that has a refusal; returns the ids paused. */
export function pauseRefusedBatches(replica: Replica): string[] {
  const ids = replica
    .stmt(
      `SELECT DISTINCT json_extract(o.payload, '$.importBatchId') AS id FROM outbox o
       WHERE o.state = 'attention' AND o.kind LIKE 'offering.%' AND json_extract(o.payload, '$.importBatchId') IN (SELECT id FROM import_batches WHERE state = 'committed')`,
    )
    .all() as Array<{ id: string }>;
  return ids.filter(({ id }) => pauseBatchOnRefusal(replica, id)).map(({ id }) => id);
}

/**
 * Fix and resume: `fixes` (slug → corrected fields) are merged into the refused intents, which are
 * queued again under a new idempotency key (the server would replay its stored refusal for the old
 * one); held intents of the batch are released.
 */
export function resumeBatch(replica: Replica, batchId: string, fixes: Readonly<Record<string, OfferingFields>> = {}): { retried: number; released: number } {
  const outbox = new Outbox(replica);
  return replica.transaction(() => {
    let retried = 0;
    const refused = replica.stmt(`SELECT * FROM (${BATCH_INTENTS}) WHERE state = 'attention'`).all(batchId) as BatchIntentRow[];
    for (const r of refused) {
      const payload = parsePayload(r);
      const slug = String(payload['slug'] ?? '');
      const fix = fixes[slug];
      if (fix) {
        const fields = { ...((payload['fields'] as Record<string, unknown> | undefined) ?? {}), ...fix };
        const next = { ...payload, fields, ...(typeof fix.slug === 'string' ? { slug: fix.slug } : {}) };
        replica.stmt('UPDATE outbox SET payload = ?, body = ? WHERE id = ?').run(JSON.stringify(next), JSON.stringify(fields), r.id);
        if (typeof fix.slug === 'string' && fix.slug !== slug) replica.stmt('UPDATE import_rules SET slug = ? WHERE offering_id = ?').run(fix.slug, r.target_id);
      }
      if (r.conflict_id) outbox.resolve(r.conflict_id, 'retry');
      else replica.stmt("UPDATE outbox SET state = 'queued', idempotency_key = ?, next_attempt_at = NULL, last_error = NULL WHERE id = ?").run(randomUUID(), r.id);
      retried++;
    }
    const released = replica.stmt(`UPDATE outbox SET hold_until = NULL WHERE hold_until = ? AND id IN (${BATCH_INTENT_IDS})`).run(PAUSED, batchId).changes;
    replica.stmt("UPDATE import_batches SET state = 'committed' WHERE id = ? AND state = 'paused'").run(batchId);
    return { retried, released };
  });
}

/**
 * Roll back what this batch did. Intents not yet sent are discarded (with their optimistic effect);
 * refused ones are resolved as discarded; offerings the batch already created on the server get an
 * `offering.delete` intent, updates already applied get a patch back to the previous values; every
 * local-only rule of the batch is deleted. All in one transaction.
 */
export function rollbackBatch(replica: Replica, batchId: string, inFlight: ReadonlySet<string> = new Set()): { discarded: number; deletes: number; reverts: number; rulesRemoved: number } {
  const outbox = new Outbox(replica);
  return replica.transaction(() => {
    let discarded = 0;
    let deletes = 0;
    let reverts = 0;
    const rows = replica.stmt(`${BATCH_INTENTS} ORDER BY o.seq DESC`).all(batchId) as BatchIntentRow[];
    for (const r of rows) {
      if (r.state === 'attention') {
        if (r.conflict_id) outbox.resolve(r.conflict_id, 'discard');
        else replica.stmt("UPDATE outbox SET state = 'discarded', done_at = ? WHERE id = ?").run(nowIso(), r.id);
        discarded++;
        continue;
      }
      if (r.state === 'queued' && r.attempts === 0 && !inFlight.has(r.id)) {
        if (outbox.undo(r.id, inFlight)) discarded++;
        continue;
      }
      if (r.state === 'queued' || r.state === 'done') {
        // Sent (or possibly sent): undo it on the server with a later intent on the same record.
        const target = outbox.resolveId(r.target_id);
        if (r.kind === 'offering.create') {
          outbox.enqueue({ kind: 'offering.delete', targetId: target, payload: { importBatchId: batchId, rollback: true }, method: 'DELETE', path: recordPath('offering.delete', target), body: null, baseVersion: null, holdMs: 0 });
          deletes++;
        } else if (r.kind === 'offering.patch') {
          const previous = parsePayload(r)['previous'];
          if (previous && typeof previous === 'object') {
            outbox.enqueue({ kind: 'offering.patch', targetId: target, payload: { fields: previous, importBatchId: batchId, rollback: true }, method: 'PATCH', path: recordPath('offering.patch', target), body: JSON.stringify(previous), baseVersion: null, holdMs: 0 });
            reverts++;
          }
        }
      }
    }
    const rulesRemoved = replica.stmt('DELETE FROM import_rules WHERE batch_id = ?').run(batchId).changes;
    replica.stmt("UPDATE import_batches SET state = 'rolled_back' WHERE id = ?").run(batchId);
    return { discarded, deletes, reverts, rulesRemoved };
  });
}

// ---- availability: what the server has vs what stays local ----------------------------------------

export interface AvailabilityCheck {
  slug: string;
  offeringId: string;
  /** The offering is not on the server yet (its create intent has not landed). */
  pendingCreate: boolean;
  local: RuleInput[];
  /** Imported rules the server also has (same day, times, slot, capacity, window). */
  onServer: number;
  /** Imported rules the server does not have: enter them in the provider portal. */
  missing: RuleInput[];
  /** Rules the server has that the file did not list. */
  serverOnly: number;
  /** The server answer failed (network, 404...). */
  error: string | null;
}

/** Reads `GET /v1/api/availability?offeringId=` for every offering of the batch and compares. */
export async function verifyBatchAvailability(
  replica: Replica,
  batchId: string,
  fetchRules: (serverOfferingId: string) => Promise<RemoteAvailabilityRule[]>,
): Promise<AvailabilityCheck[]> {
  const outbox = new Outbox(replica);
  const items = replica.stmt('SELECT slug, offering_id, MIN(id) AS first FROM import_rules WHERE batch_id = ? GROUP BY offering_id ORDER BY first').all(batchId) as Array<{ slug: string; offering_id: string }>;
  const out: AvailabilityCheck[] = [];
  for (const it of items) {
    const local = (replica.stmt('SELECT * FROM import_rules WHERE offering_id = ? AND batch_id = ? ORDER BY day_of_week, start_time').all(it.offering_id, batchId) as RuleRow[]).map(toRule);
    if (local.length === 0) continue;
    const id = outbox.resolveId(it.offering_id);
    if (isTempId(id)) {
      out.push({ slug: it.slug, offeringId: id, pendingCreate: true, local, onServer: 0, missing: local, serverOnly: 0, error: null });
      continue;
    }
    try {
      const server = await fetchRules(id);
      const keys = new Set(server.map((r) => ruleKey({ dayOfWeek: r.dayOfWeek, startTime: r.startTime, endTime: r.endTime, slotMinutes: r.slotMinutes ?? 60, capacity: r.capacity ?? 1, validFrom: r.validFrom ?? null, validUntil: r.validUntil ?? null })));
      const missing = local.filter((r) => !keys.has(ruleKey(r)));
      const localKeys = new Set(local.map(ruleKey));
      const serverOnly = [...keys].filter((k) => !localKeys.has(k)).length;
      out.push({ slug: it.slug, offeringId: id, pendingCreate: false, local, onServer: local.length - missing.length, missing, serverOnly, error: null });
    } catch (error) {
      out.push({ slug: it.slug, offeringId: id, pendingCreate: false, local, onServer: 0, missing: local, serverOnly: 0, error: (error as Error).message });
    }
  }
  return out;
}

/** A fetcher for verifyBatchAvailability over the core's ApiClient-like `get`. */
export function apiRulesFetcher(api: { get(path: string): Promise<{ status: number; body: unknown }> }): (id: string) => Promise<RemoteAvailabilityRule[]> {
  return async (id) => {
    const res = await api.get(`/api/availability?offeringId=${encodeURIComponent(id)}`);
    const body = res.body as { rules?: RemoteAvailabilityRule[] } | null;
    if (res.status !== 200 || !body || !Array.isArray(body.rules)) throw new Error(`GET /api/availability answered ${res.status}`);
    return body.rules;
  };
}

/** Plain-text summary per offering, for entering the local-only rules in the provider portal. */
export function portalSummary(checks: readonly AvailabilityCheck[]): string {
  const lines: string[] = [];
  for (const c of checks) {
    if (c.missing.length === 0) continue;
    lines.push(`${c.slug}${c.pendingCreate ? ' (not created on the server yet)' : ` (${c.offeringId})`}: ${c.missing.length} rule(s) not on the server`);
    for (const r of c.missing) {
      const window = r.validFrom || r.validUntil ? `, valid ${r.validFrom ?? '…'} to ${r.validUntil ?? '…'}` : '';
      lines.push(`  ${weekdayLabels[r.dayOfWeek] ?? r.dayOfWeek} ${r.startTime}–${r.endTime}, ${r.slotMinutes}-minute slots, capacity ${r.capacity}${window}`);
    }
  }
  return lines.join('\n');
}
