/** Types shared by the importer's stages. Plain JSON: they cross the contract to the UI wizard. */

// The field names are part of the contract (the wizard shows them); one list, kept there.
export { importFieldNames as importFields } from '../../../shared/contract/types.ts';
import type { ImportFieldChangeView, ImportOfferingFieldsView, ImportRuleView, importFieldNames } from '../../../shared/contract/types.ts';
import type { CoreMessage } from '../../../shared/contract/messages.ts';
export type ImportField = (typeof importFieldNames)[number];

export const offeringFieldNames = [
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
] as const satisfies readonly ImportField[];
export const ruleFieldNames = ['weekday', 'start_time', 'end_time', 'slot_minutes', 'capacity', 'valid_from', 'valid_until'] as const satisfies readonly ImportField[];

export type Severity = 'error' | 'warning';

/** One problem, located by physical line (1-based, counting the header and blank lines) and column. */
export interface ImportIssue {
  severity: Severity;
  /** Stable machine code, e.g. `price.invalid`, `rule.overlap`, `row.ragged`. */
  code: string;
  /** Physical line where the record starts; null for file-level issues. */
  line: number | null;
  /** Header text as in the file, e.g. `base_price`. */
  column: string | null;
  /** Spreadsheet column letter, e.g. `F`. */
  columnLetter: string | null;
  field: ImportField | null;
  /** The cell as read (null for row/file issues). */
  value: string | null;
  /** Full sentence (English) with the location first: `line 14, column "base_price" (F): "12,5,0" is not a price`. */
  message: string;
  /** The problem without its location, as a code + parameters for the UI to translate (src/shared/contract/messages.ts). */
  problem: CoreMessage;
}

export type EncodingName = 'utf-8' | 'windows-1252' | 'utf-16le' | 'utf-16be';

export interface DecodeInfo {
  encoding: EncodingName;
  /** True when strict UTF-8 failed and the file was read as Windows-1252 (the UI must show it). */
  fellBack: boolean;
  bom: boolean;
  /** First byte offset where UTF-8 failed (fallback only). */
  invalidAt: number | null;
}

export interface ColumnMapping {
  /** 0-based column index in the file. */
  index: number;
  letter: string;
  header: string;
  field: ImportField | null;
  method: 'exact' | 'alias' | 'fuzzy' | 'override' | 'none';
  /** 1 for exact, 0.95 for alias, similarity for fuzzy, 0 when ignored. */
  confidence: number;
  /** Why the column is ignored (unknown header, duplicate of another column), in English. */
  note: string | null;
  /** The note as a code + parameters for the UI to translate. */
  noteMessage: CoreMessage | null;
}

export interface MappingResult {
  columns: ColumnMapping[];
  /** field → column index */
  byField: Partial<Record<ImportField, number>>;
  missingRequired: ImportField[];
  ignored: string[];
}

/** An offering's fields as the API names them (only the ones the file gave); the wizard shows them as they are. */
export type OfferingFields = ImportOfferingFieldsView;

/** One weekly availability rule of a row. */
export type RuleInput = ImportRuleView;

/** An offering the replica already has (server truth with pending local intents laid over it). */
export interface ExistingOffering {
  id: string;
  slug: string;
  fields: Required<Omit<OfferingFields, 'slug'>>;
  /** Rules the console knows for it (server rules and earlier imported local-only rules). */
  rules: RuleInput[];
  version: number | null;
}

export type PlanAction = 'create' | 'update' | 'unchanged' | 'error';

export interface PlannedOffering {
  slug: string;
  /** Line of the row that defines it (or the first row of the slug when only availability rows). */
  line: number;
  action: PlanAction;
  existingId: string | null;
  /** create: all fields; update: only the changed ones; unchanged: {} */
  fields: OfferingFields;
  /** Rules from the file; null when the file has no availability rows for this slug (keep existing). */
  rules: RuleInput[] | null;
  rulesChanged: boolean;
  /** For an update: each changed field, old → new (import/changes.ts). */
  changes?: ImportFieldChangeView[];
}

export interface PreviewCounts {
  rows: number;
  offerings: { create: number; update: number; unchanged: number; error: number };
  rules: number;
  errors: number;
  warnings: number;
}

export interface ImportProgress {
  phase: 'parse' | 'commit';
  bytesProcessed: number;
  bytesTotal: number;
  rows: number;
}
export type ProgressCallback = (progress: ImportProgress) => void;
