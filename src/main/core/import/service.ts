/**
 * What the console core exposes to the UI wizard (one method per contract call; all results plain
 * JSON). The wizard's steps: upload → check (progress) → mapping (optional re-check with overrides)
 * → preview → commit → follow the batch (status, fix and resume, roll back, verify availability).
 *
 * An analysis is kept in memory under a token between the check and the commit (the plan of a big
 * file is not sent to the UI; only counts and samples are). Only the last few are kept.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { Replica } from '../replica/replica.ts';
import type { RemoteAvailabilityRule } from '../sync/remote-types.ts';
import type { Delimiter } from './delimiter.ts';
import { analyzeImport, commitImportStaged, isStaging, recoverStaged, type ImportAnalysis, type ImportAnalysisView } from './index.ts';
import {
  ReplicaImportSink,
  batchStatus,
  listBatches,
  pauseRefusedBatches,
  portalSummary,
  resumeBatch,
  rollbackBatch,
  verifyBatchAvailability,
  type AvailabilityCheck,
  type BatchStatus,
} from './replica-sink.ts';
import { writeErrorReport } from './report.ts';
import { columnHelp, columnHelpCsv, templateCsv } from './template.ts';
import type { EncodingName, ImportField, ImportProgress, OfferingFields } from './types.ts';

export interface CheckInput {
  /** A path on this machine (Electron file dialog) … */
  path?: string;
  /** … or the file's bytes (bridge upload). */
  bytes?: Uint8Array;
  fileName?: string;
  delimiter?: Delimiter;
  encoding?: EncodingName | 'auto';
  mapping?: Record<string, ImportField | null>;
}

export interface CheckResult {
  token: string;
  fileName: string;
  view: ImportAnalysisView;
}

export interface CommitOutcome {
  batchId: string;
  created: number;
  updated: number;
  unchanged: number;
  rules: number;
  intents: number;
  ids: Record<string, string>;
}

export class ImportService {
  readonly replica: Replica;
  readonly sink: ReplicaImportSink;
  readonly #analyses = new Map<string, { analysis: ImportAnalysis; fileName: string }>();
  readonly #keep: number;
  /** Called after a commit or a batch change (the core notifies the UI and kicks the push). */
  readonly onChanged: () => void;

  constructor(replica: Replica, opts: { keep?: number; holdMs?: number; onChanged?: () => void } = {}) {
    this.replica = replica;
    this.sink = new ReplicaImportSink(replica, { holdMs: opts.holdMs ?? 0 });
    // A commit cut by a crash: dropped if it was not decided yet, finished if it was (staged.ts).
    recoverStaged(replica);
    this.#keep = opts.keep ?? 3;
    this.onChanged = opts.onChanged ?? (() => undefined);
  }

  /** Check a file: decode, map, validate, preview. `onProgress` drives the progress bar. */
  async check(input: CheckInput, onProgress?: (p: ImportProgress) => void, signal?: AbortSignal): Promise<CheckResult> {
    const source = input.path ? ({ kind: 'file', path: input.path } as const) : input.bytes ? ({ kind: 'bytes', bytes: input.bytes } as const) : null;
    if (!source) throw new Error('give a path or the bytes of the file');
    const analysis = await analyzeImport(source, {
      existing: this.sink.loadExisting(),
      ...(input.delimiter ? { delimiter: input.delimiter } : {}),
      ...(input.encoding ? { encoding: input.encoding } : {}),
      ...(input.mapping ? { mapping: input.mapping } : {}),
      ...(onProgress ? { onProgress } : {}),
      ...(signal ? { signal } : {}),
      timezone: tenantTimezone(this.replica),
    });
    const token = `chk_${randomUUID()}`;
    const fileName = input.fileName ?? (input.path ? input.path.split(/[\\/]/).pop() ?? 'upload.csv' : 'upload.csv');
    this.#analyses.set(token, { analysis, fileName });
    while (this.#analyses.size > this.#keep) this.#analyses.delete(this.#analyses.keys().next().value as string);
    return { token, fileName, view: analysis.view };
  }

  /**
   * Commit a checked file (all or nothing, in steps: the loop runs between them). Refused when the
   * check found errors or the token expired.
   */
  async commit(token: string, onProgress?: (p: ImportProgress) => void, allowUnpublish = false): Promise<CommitOutcome> {
    const entry = this.#analyses.get(token);
    if (!entry) throw new Error('this check has expired; check the file again');
    const r = await commitImportStaged(entry.analysis, this.sink, { fileName: entry.fileName, allowUnpublish, ...(onProgress ? { onProgress } : {}) });
    this.#analyses.delete(token);
    this.onChanged();
    return { batchId: r.batchId, created: r.created, updated: r.updated, unchanged: r.unchanged, rules: r.rules, intents: r.intents, ids: Object.fromEntries(r.ids) };
  }

  /** Whether a decided batch is still moving into the live tables (rollback and resume wait for it). */
  writing(batchId: string): boolean {
    return isStaging(this.replica, batchId);
  }

  /** The error report CSV (formula-escaped) of a check, written to `out`. */
  async writeReport(token: string, out: string): Promise<{ rows: number }> {
    const entry = this.#analyses.get(token);
    if (!entry) throw new Error('this check has expired; check the file again');
    const a = entry.analysis;
    return writeErrorReport(out, a.view.issues, a.source, { delimiter: a.parse.delimiter, encoding: a.parse.decode.encoding });
  }

  template(): { csv: string; columnsCsv: string; columns: typeof columnHelp } {
    return { csv: templateCsv(), columnsCsv: columnHelpCsv(), columns: columnHelp };
  }

  writeTemplate(out: string): void {
    writeFileSync(out, templateCsv());
  }

  batches(): ReturnType<typeof listBatches> {
    return listBatches(this.replica);
  }

  status(batchId: string): BatchStatus | null {
    return batchStatus(this.replica, batchId);
  }

  /** Call after every push pass: holds the rest of any batch the server refused part of. */
  pauseRefused(): string[] {
    const paused = pauseRefusedBatches(this.replica);
    if (paused.length) this.onChanged();
    return paused;
  }

  resume(batchId: string, fixes: Record<string, OfferingFields> = {}): { retried: number; released: number } {
    const r = resumeBatch(this.replica, batchId, fixes);
    this.onChanged();
    return r;
  }

  rollback(batchId: string, inFlight: ReadonlySet<string> = new Set()): ReturnType<typeof rollbackBatch> {
    const r = rollbackBatch(this.replica, batchId, inFlight);
    this.onChanged();
    return r;
  }

  async verifyAvailability(batchId: string, fetchRules: (serverOfferingId: string) => Promise<RemoteAvailabilityRule[]>): Promise<{ checks: AvailabilityCheck[]; portalSummary: string }> {
    const checks = await verifyBatchAvailability(this.replica, batchId, fetchRules);
    return { checks, portalSummary: portalSummary(checks) };
  }
}

/** The tenant's time zone as the last sync stored it (for the daylight-saving check), or null. */
export function tenantTimezone(replica: Replica): string | null {
  try {
    const tenant = JSON.parse(replica.getMeta('tenant') ?? 'null') as { timezone?: unknown } | null;
    return typeof tenant?.timezone === 'string' ? tenant.timezone : null;
  } catch {
    return null;
  }
}
