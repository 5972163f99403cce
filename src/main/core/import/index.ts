/**
 * The catalogue importer: CSV → decode → map → validate → preview → one transaction (+ outbox batch).
 *
 *   const analysis = await analyzeImport({ kind: 'file', path }, { existing: sink.loadExisting(), onProgress });
 *   analysis.view            // JSON for the wizard: decode, delimiter, mapping, issues, counts, samples
 *   if (analysis.ok) commitImport(analysis, sink, { fileName })   // all or nothing
 *
 * See docs/import.md for the file format and the rules.
 */
import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import { commitPlan, type CommitResult, type ImportSink } from './commit.ts';
import type { ReplicaImportSink } from './replica-sink.ts';
import { commitPlanStaged, type StagedCommitOptions } from './staged.ts';
import type { Delimiter } from './delimiter.ts';
import { Utf8Invalid } from './decode.ts';
import { defaultMaxRecordSize, parseCsv, type ByteSource, type ParseSummary } from './parse.ts';
import { RowGuards } from './text-guards.ts';
import { previewView, type PreviewView } from './preview.ts';
import { ImportValidator } from './validate.ts';
import type { DecodeInfo, EncodingName, ExistingOffering, ImportField, ImportIssue, MappingResult, PlannedOffering, ProgressCallback } from './types.ts';
import { coreMessage } from '../../../shared/contract/messages.ts';
import type { ImportUnpublishView } from '../../../shared/contract/types.ts';
import { UnpublishRefused, describeChanges } from './changes.ts';

export * from './types.ts';
export { commitPlanStaged, isStaging, recoverStaged, type StagedCommitOptions } from './staged.ts';
export { commitPlan, ImportRejected, MemorySink, type CommitResult, type ImportSink, type ImportIntent, type ImportBatchRecord } from './commit.ts';
export { templateCsv, columnHelpCsv, columnHelp } from './template.ts';
export { writeErrorReport, escapeFormula } from './report.ts';
export { describeCounts, type PreviewView } from './preview.ts';
export { UnpublishRefused, changeLines } from './changes.ts';
export type { ByteSource } from './parse.ts';

export interface AnalyzeOptions {
  /** Offerings the console already has, by slug (ImportSink.loadExisting()). */
  existing?: ReadonlyMap<string, ExistingOffering>;
  delimiter?: Delimiter;
  encoding?: EncodingName | 'auto';
  /** Header overrides from the wizard's mapping step: header text → field, or null to ignore. */
  mapping?: Readonly<Record<string, ImportField | null>>;
  /** Bytes read / total, for a progress bar (called about every 32 KiB of a file). */
  onProgress?: ProgressCallback;
  signal?: AbortSignal;
  /** Issues kept in memory (all are counted); default 10,000. */
  maxIssues?: number;
  /** The tenant's IANA time zone: availability rules in its daylight-saving gaps are warned about. */
  timezone?: string | null;
}

/** What the wizard shows after the check (plain JSON). */
export interface ImportAnalysisView {
  ok: boolean;
  decode: DecodeInfo;
  delimiter: Delimiter;
  delimiterDetected: boolean;
  bytes: number;
  rows: number;
  mapping: MappingResult | null;
  issues: ImportIssue[];
  issuesDropped: number;
  errorCount: number;
  warningCount: number;
  /** Rows that would take a PUBLISHED offering off sale: the commit needs `allowUnpublish`. */
  unpublishes: ImportUnpublishView[];
  preview: PreviewView;
}

export interface ImportAnalysis {
  /** True when the whole file can be committed (no errors; warnings are fine). */
  ok: boolean;
  view: ImportAnalysisView;
  plan: PlannedOffering[];
  parse: ParseSummary;
  source: ByteSource;
}

export async function analyzeImport(source: ByteSource, opts: AnalyzeOptions = {}): Promise<ImportAnalysis> {
  const validator = new ImportValidator({ ...(opts.mapping ? { mapping: opts.mapping } : {}), ...(opts.maxIssues ? { maxIssues: opts.maxIssues } : {}) });
  // Control characters, oversize values, daylight-saving gaps (text-guards.ts): merged into the result below.
  const guards = new RowGuards({ maxRecordSize: defaultMaxRecordSize, timezone: opts.timezone ?? null, ...(opts.mapping ? { mapping: opts.mapping } : {}) });
  let rows = 0;
  let summary: ParseSummary;
  try {
    summary = await parseCsv(
      source,
      {
        header: (cells, line) => {
          validator.header(cells, line);
          guards.header(cells, line);
        },
        row: (cells, line) => {
          rows++;
          validator.row(cells, line);
          guards.row(cells, line);
        },
        malformed: (line, message, code, column) => {
          if (code === 'CSV_MAX_RECORD_SIZE') guards.oversize(line, column);
          else validator.malformed(line, message, code);
        },
        reset: () => {
          rows = 0;
          validator.reset();
          guards.reset();
        },
      },
      {
        ...(opts.delimiter ? { delimiter: opts.delimiter } : {}),
        ...(opts.encoding ? { encoding: opts.encoding } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
        onProgress: (done, total) => opts.onProgress?.({ phase: 'parse', bytesProcessed: done, bytesTotal: total, rows }),
        onDelimiter: (d) => validator.setDelimiter(d),
      },
    );
  } catch (error) {
    if (!(error instanceof Utf8Invalid)) throw error;
    // Only when UTF-8 was forced: the file cannot be read that way. One file-level error, nothing else.
    validator.reset();
    return notUtf8(error, opts, source);
  }
  const existing = opts.existing ?? new Map<string, ExistingOffering>();
  const result = await validator.finishInSteps(existing, summary.lines);
  if (guards.issues.length > 0 || guards.errors + guards.warnings > 0) {
    // Stable merge by line: file-level issues (no line) first, as the validator orders them.
    result.issues = [...result.issues, ...guards.issues].sort((a, b) => (a.line ?? -1) - (b.line ?? -1));
    result.errorCount += guards.errors;
    result.warningCount += guards.warnings;
    result.counts.errors += guards.errors;
    result.counts.warnings += guards.warnings;
  }
  const unpublishes = describeChanges(result.plan, existing);
  const ok = result.errorCount === 0;
  const view: ImportAnalysisView = {
    ok,
    decode: summary.decode,
    delimiter: summary.delimiter,
    delimiterDetected: summary.delimiterDetected,
    bytes: summary.bytes,
    rows: result.rows,
    mapping: result.mapping,
    issues: result.issues,
    issuesDropped: result.issuesDropped,
    errorCount: result.errorCount,
    warningCount: result.warningCount,
    unpublishes,
    preview: previewView(result.plan, result.counts),
  };
  if (summary.decode.fellBack) warnReadAsWindows1252(view, summary);
  return { ok, view, plan: result.plan, parse: summary, source };
}

/** A file-level issue about the file's encoding (no line, column or value). */
function fileEncodingIssue(severity: ImportIssue['severity'], message: string, problem: ImportIssue['problem']): ImportIssue {
  return { severity, code: 'file.encoding', line: null, column: null, columnLetter: null, field: null, value: null, message, problem };
}

/** The file was not UTF-8 and was read as Windows-1252: one file-level warning, first. */
function warnReadAsWindows1252(view: ImportAnalysisView, summary: ParseSummary): void {
  const offset = summary.decode.invalidAt ?? '?';
  view.issues.unshift(
    fileEncodingIssue('warning', `file: not valid UTF-8 (byte ${offset}); read as Windows-1252 — check accented letters in the preview`, coreMessage('import.file.readAsWindows1252', { offset })),
  );
  view.warningCount++;
  view.preview.counts.warnings++;
}

/** The analysis of a file that is not UTF-8 when UTF-8 was forced: one file-level error, nothing else. */
function notUtf8(error: Utf8Invalid, opts: AnalyzeOptions, source: ByteSource): ImportAnalysis {
  const issue = fileEncodingIssue('error', `file: not valid UTF-8 (byte ${error.offset}); choose Windows-1252 or automatic detection`, coreMessage('import.file.notUtf8', { offset: error.offset }));
  const counts = { rows: 0, offerings: { create: 0, update: 0, unchanged: 0, error: 0 }, rules: 0, errors: 1, warnings: 0 };
  const summary: ParseSummary = { decode: { encoding: 'utf-8', fellBack: false, bom: false, invalidAt: error.offset }, delimiter: opts.delimiter ?? ',', delimiterDetected: !opts.delimiter, delimiterCounts: null, bytes: 0, lines: 0, records: 0 };
  const view: ImportAnalysisView = { ok: false, decode: summary.decode, delimiter: summary.delimiter, delimiterDetected: summary.delimiterDetected, bytes: 0, rows: 0, mapping: null, issues: [issue], issuesDropped: 0, errorCount: 1, warningCount: 0, unpublishes: [], preview: previewView([], counts) };
  return { ok: false, view, plan: [], parse: summary, source };
}

export interface CommitImportOptions {
  fileName?: string;
  batchId?: string;
  onProgress?: ProgressCallback;
  /** The user confirmed the rows that take PUBLISHED offerings off sale (`view.unpublishes`). */
  allowUnpublish?: boolean;
}

/**
 * Commits an analysis without errors in one transaction; throws ImportRejected otherwise, and
 * UnpublishRefused (before anything is written) when it would unpublish live offerings unconfirmed.
 */
export function commitImport(analysis: ImportAnalysis, sink: ImportSink, opts: CommitImportOptions = {}): CommitResult {
  if (analysis.view.unpublishes.length > 0 && !opts.allowUnpublish && analysis.view.errorCount === 0) throw new UnpublishRefused(analysis.view.unpublishes);
  const fileName = opts.fileName ?? (analysis.source.kind === 'file' ? basename(analysis.source.path) : 'upload.csv');
  return commitPlan(analysis.plan, analysis.view.errorCount, sink, {
    batchId: opts.batchId ?? `imp_${randomUUID()}`,
    fileName,
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  });
}

/**
 * commitImport in steps that let the loop run between them (staged.ts): what the console and the
 * CLI use. Still all or nothing, also across a crash (the next open drops or finishes the batch).
 */
export function commitImportStaged(analysis: ImportAnalysis, sink: ReplicaImportSink, opts: CommitImportOptions & Pick<StagedCommitOptions, 'afterStep'> = {}): Promise<CommitResult> {
  if (analysis.view.unpublishes.length > 0 && !opts.allowUnpublish && analysis.view.errorCount === 0) return Promise.reject(new UnpublishRefused(analysis.view.unpublishes));
  const fileName = opts.fileName ?? (analysis.source.kind === 'file' ? basename(analysis.source.path) : 'upload.csv');
  return commitPlanStaged(analysis.plan, analysis.view.errorCount, sink, {
    batchId: opts.batchId ?? `imp_${randomUUID()}`,
    fileName,
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    ...(opts.afterStep ? { afterStep: opts.afterStep } : {}),
  });
}

/** Check and, when the whole file is accepted (and not `dryRun`), commit. */
export async function importCsv(
  source: ByteSource,
  sink: ImportSink,
  opts: AnalyzeOptions & CommitImportOptions & { dryRun?: boolean } = {},
): Promise<{ analysis: ImportAnalysis; commit: CommitResult | null }> {
  const analysis = await analyzeImport(source, { ...opts, existing: sink.loadExisting() });
  if (!analysis.ok || opts.dryRun) return { analysis, commit: null };
  return { analysis, commit: commitImport(analysis, sink, opts) };
}
