/**
 * Header → field mapping: exact name, then a known alias (English/Spanish/spreadsheet habits), then
 * fuzzy (normalised Levenshtein similarity ≥ 0.75). Every guess is reported with its confidence;
 * unknown columns are listed as ignored; required columns are enforced.
 */
import { coreMessage } from '../../../shared/contract/messages.ts';
import { squash } from './fields.ts';
import { importFields, type ColumnMapping, type ImportField, type MappingResult } from './types.ts';

/** Columns a file must have (offering rows need them; the template has them all). */
export const requiredFields: readonly ImportField[] = ['slug', 'title', 'product_type', 'base_price', 'currency'];

export const aliases: Record<ImportField, readonly string[]> = {
  slug: ['handle', 'url handle', 'key', 'code', 'sku', 'identificador', 'clave'],
  title: ['name', 'offering', 'offering name', 'nombre', 'titulo', 'title (en)'],
  product_type: ['type', 'product type key', 'productTypeKey', 'kind', 'tipo', 'tipo de producto'],
  status: ['state', 'estado', 'publish status'],
  pricing_model: ['pricing', 'price model', 'pricingModel', 'billing', 'modelo de precio', 'tarifa'],
  base_price: ['price', 'base price', 'amount', 'rate', 'precio', 'precio base', 'importe'],
  currency: ['currency code', 'cur', 'ccy', 'moneda', 'divisa'],
  tax_bps: ['tax', 'tax rate', 'tax rate bps', 'taxRateBps', 'vat', 'iva', 'impuesto'],
  description: ['desc', 'details', 'body', 'descripcion', 'detalle'],
  cancellation_policy: ['cancellation', 'cancellationPolicy', 'cancel policy', 'politica de cancelacion', 'cancelacion'],
  categories: ['category', 'tags', 'categorias', 'categoria', 'etiquetas'],
  weekday: ['day', 'day of week', 'dayOfWeek', 'dow', 'dia', 'dia de la semana', 'dia semana'],
  start_time: ['start', 'starts', 'opens', 'open', 'from time', 'startTime', 'inicio', 'hora inicio', 'hora de inicio', 'desde hora'],
  end_time: ['end', 'ends', 'closes', 'close', 'to time', 'endTime', 'fin', 'hora fin', 'hora de fin', 'hasta hora'],
  slot_minutes: ['slot', 'slot length', 'slotMinutes', 'slot mins', 'duration', 'duracion', 'minutos', 'duracion minutos'],
  capacity: ['cap', 'seats', 'spots', 'places', 'capacidad', 'plazas', 'aforo'],
  valid_from: ['from', 'start date', 'validFrom', 'valid from date', 'desde', 'valido desde', 'fecha inicio'],
  valid_until: ['until', 'to', 'end date', 'validUntil', 'hasta', 'valido hasta', 'fecha fin'],
};

const exactKeys = new Map<string, ImportField>(importFields.map((f) => [squash(f), f]));
const aliasKeys = new Map<string, ImportField>();
for (const f of importFields) for (const a of aliases[f]) aliasKeys.set(squash(a), f);

export function columnLetter(index: number): string {
  let n = index + 1;
  let s = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  if (!a.length) return b.length;
  if (!b.length) return a.length;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

export function similarity(a: string, b: string): number {
  const longest = Math.max(a.length, b.length);
  return longest === 0 ? 1 : 1 - levenshtein(a, b) / longest;
}

export const fuzzyThreshold = 0.75;

function guess(header: string): { field: ImportField | null; method: ColumnMapping['method']; confidence: number } {
  const key = squash(header);
  if (!key) return { field: null, method: 'none', confidence: 0 };
  const exact = exactKeys.get(key);
  if (exact) return { field: exact, method: 'exact', confidence: 1 };
  const alias = aliasKeys.get(key);
  if (alias) return { field: alias, method: 'alias', confidence: 0.95 };
  let best: { field: ImportField; score: number } | null = null;
  for (const [candidate, field] of [...exactKeys, ...aliasKeys]) {
    if (candidate.length < 3) continue;
    const score = similarity(key, candidate);
    if (!best || score > best.score) best = { field, score };
  }
  if (best && best.score >= fuzzyThreshold) return { field: best.field, method: 'fuzzy', confidence: Math.round(best.score * 100) / 100 };
  return { field: null, method: 'none', confidence: 0 };
}

/**
 * Maps the header row. `overrides` (header text → field, or null to ignore) win over guesses.
 * When two columns claim one field, the more confident one keeps it and the other is ignored.
 */
export function mapHeaders(headers: readonly string[], overrides: Readonly<Record<string, ImportField | null>> = {}): MappingResult {
  const columns: ColumnMapping[] = headers.map((header, index) => {
    const letter = columnLetter(index);
    if (Object.hasOwn(overrides, header)) {
      const field = overrides[header] ?? null;
      return { index, letter, header, field, method: field ? 'override' : 'none', confidence: field ? 1 : 0, note: field ? null : 'ignored by choice', noteMessage: field ? null : coreMessage('import.note.byChoice', {}) };
    }
    const g = guess(header);
    return { index, letter, header, field: g.field, method: g.method, confidence: g.confidence, note: g.field ? null : 'unknown column', noteMessage: g.field ? null : coreMessage('import.note.unknown', {}) };
  });
  const byField: Partial<Record<ImportField, number>> = {};
  const ranked = [...columns].sort((a, b) => b.confidence - a.confidence || a.index - b.index);
  for (const col of ranked) {
    if (!col.field) continue;
    const taken = byField[col.field];
    if (taken === undefined) {
      byField[col.field] = col.index;
    } else {
      const winner = columns[taken];
      col.note = `duplicate of column "${winner?.header ?? ''}" (${winner?.letter ?? ''}) for ${col.field}`;
      col.noteMessage = coreMessage('import.note.duplicate', { otherHeader: winner?.header ?? '', otherLetter: winner?.letter ?? '', field: col.field });
      col.field = null;
      col.method = 'none';
      col.confidence = 0;
    }
  }
  const missingRequired = requiredFields.filter((f) => byField[f] === undefined);
  const ignored = columns.filter((c) => !c.field).map((c) => c.header);
  return { columns, byField, missingRequired, ignored };
}
