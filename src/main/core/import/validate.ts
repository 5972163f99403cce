/**
 * Per-cell validation of the catalogue file, row by row as the parser streams them, plus the checks
 * that need the whole file (slug groups, overlapping rules, orphan availability rows) in `finish`.
 *
 * File format (docs/import.md): rows sharing a `slug` describe one offering. The offering's fields
 * come from the first row of the slug that has any of them; later rows of the slug must leave those
 * cells empty or repeat them exactly (a different value is an error, not silently ignored: two
 * different offerings given one slug by mistake must not merge). Each row may carry one weekly
 * availability rule.
 */
import {
  currencyExponent,
  formatTime,
  looksLikeFormula,
  parseCancellationPolicy,
  parseCategories,
  parseCurrency,
  parseDate,
  parseInteger,
  parsePrice,
  parsePricingModel,
  parseProductType,
  parseSlug,
  parseStatus,
  parseTaxBps,
  parseTime,
  parseWeekday,
  show,
  shown,
  slugify,
  type DecimalHint,
  type Parsed,
} from './fields.ts';
import { columnLetter, mapHeaders } from './mapping.ts';
import { bit, eq, planGroup, type Group, type OfferingKey, type RuleRec } from './plan.ts';
import {
  offeringFieldNames,
  ruleFieldNames,
  type ExistingOffering,
  type ImportField,
  type ImportIssue,
  type MappingResult,
  type OfferingFields,
  type PlannedOffering,
  type PreviewCounts,
  type Severity,
} from './types.ts';
import { coreMessage, type CoreMessage } from '../../../shared/contract/messages.ts';

const fieldToKey: Record<(typeof offeringFieldNames)[number], OfferingKey> = {
  title: 'title',
  product_type: 'productTypeKey',
  status: 'status',
  pricing_model: 'pricingModel',
  base_price: 'basePriceCents',
  currency: 'currency',
  tax_bps: 'taxRateBps',
  description: 'description',
  cancellation_policy: 'cancellationPolicy',
  categories: 'categories',
};

export interface ValidatorOptions {
  /** How a lone `1,234` reads (`comma`: decimal). Default from the delimiter: `;` → comma. */
  decimal?: DecimalHint;
  /** Header overrides, header text → field (null = ignore). */
  mapping?: Readonly<Record<string, ImportField | null>>;
  /** How many issues to keep in memory (all are counted). */
  maxIssues?: number;
}

export interface ValidationResult {
  mapping: MappingResult | null;
  issues: ImportIssue[];
  errorCount: number;
  warningCount: number;
  /** Issues counted but not kept (over `maxIssues`). */
  issuesDropped: number;
  rows: number;
  plan: PlannedOffering[];
  counts: PreviewCounts;
  header: string[];
}

export class ImportValidator {
  readonly #opts: ValidatorOptions;
  #decimal: DecimalHint;
  #mapping: MappingResult | null = null;
  #header: string[] = [];
  #idx: Partial<Record<ImportField, number>> = {};
  #issues: ImportIssue[] = [];
  #errors = 0;
  #warnings = 0;
  #dropped = 0;
  #rows = 0;
  #groups = new Map<string, Group>();
  #fatal = false;
  #hasRuleColumns = false;

  /** Per-field memo of pure cell parsers: catalogue values repeat (weekdays, times, enums, dates). */
  #memo = new Map<string, Map<string, Parsed<unknown>>>();

  #cached<T>(key: string, raw: string, fn: (raw: string) => Parsed<T>): Parsed<T> {
    let m = this.#memo.get(key);
    if (!m) this.#memo.set(key, (m = new Map()));
    let hit = m.get(raw) as Parsed<T> | undefined;
    if (!hit) {
      hit = fn(raw);
      if (m.size >= 4096) m.clear();
      m.set(raw, hit);
    }
    return hit;
  }

  constructor(opts: ValidatorOptions = {}) {
    this.#opts = opts;
    this.#decimal = opts.decimal ?? 'point';
  }

  /** Sets the decimal reading once the delimiter is known (unless forced in the options). */
  setDelimiter(delimiter: string): void {
    if (!this.#opts.decimal) this.#decimal = delimiter === ';' ? 'comma' : 'point';
  }

  reset(): void {
    this.#mapping = null;
    this.#header = [];
    this.#idx = {};
    this.#issues = [];
    this.#errors = 0;
    this.#warnings = 0;
    this.#dropped = 0;
    this.#rows = 0;
    this.#groups = new Map();
    this.#fatal = false;
    this.#memo = new Map();
  }

  get errorCount(): number {
    return this.#errors;
  }

  // ---- issues -----------------------------------------------------------------------------------

  #add(severity: Severity, code: string, line: number | null, field: ImportField | null, value: string | null, text: string, problem: CoreMessage): void {
    if (severity === 'error') this.#errors++;
    else this.#warnings++;
    const max = this.#opts.maxIssues ?? 10_000;
    if (this.#issues.length >= max) {
      this.#dropped++;
      return;
    }
    const idx = field ? this.#idx[field] : undefined;
    const column = idx !== undefined ? (this.#header[idx] ?? field) : null;
    const letter = idx !== undefined ? columnLetter(idx) : null;
    let where = line !== null ? `line ${line}` : 'file';
    if (column !== null) where += `, column ${JSON.stringify(column)} (${letter})`;
    else if (field) where += `, ${field}`;
    this.#issues.push({ severity, code, line, column, columnLetter: letter, field, value, message: `${where}: ${text}`, problem });
  }

  // ---- header -----------------------------------------------------------------------------------

  header(cells: string[], line: number): void {
    this.#header = cells.map((c) => c.trim());
    const mapping = mapHeaders(this.#header, this.#opts.mapping);
    this.#mapping = mapping;
    this.#idx = mapping.byField;
    for (const col of mapping.columns) {
      if (col.method === 'fuzzy') {
        this.#add(
          'warning',
          'mapping.fuzzy',
          line,
          null,
          col.header,
          `column ${JSON.stringify(col.header)} (${col.letter}) read as ${col.field} (a guess, confidence ${col.confidence.toFixed(2)})`,
          coreMessage('import.mapping.fuzzy', { header: col.header, letter: col.letter, field: col.field ?? '', confidence: Number(col.confidence.toFixed(2)) }),
        );
      } else if (!col.field && col.header !== '') {
        const m = col.noteMessage;
        const problem =
          m?.code === 'import.note.duplicate'
            ? coreMessage('import.mapping.ignoredDuplicate', { header: col.header, letter: col.letter, ...m.params })
            : m?.code === 'import.note.byChoice'
              ? coreMessage('import.mapping.ignoredByChoice', { header: col.header, letter: col.letter })
              : coreMessage('import.mapping.ignoredUnknown', { header: col.header, letter: col.letter });
        this.#add('warning', 'mapping.ignored', line, null, col.header, `column ${JSON.stringify(col.header)} (${col.letter}) is ignored (${col.note ?? 'unknown column'})`, problem);
      }
    }
    for (const f of mapping.missingRequired) {
      this.#fatal = true;
      this.#add('error', 'mapping.missing', line, null, null, `the required column "${f}" is missing`, coreMessage('import.mapping.missing', { field: f }));
    }
    const present = ruleFieldNames.filter((f) => mapping.byField[f] !== undefined);
    this.#hasRuleColumns = present.length > 0;
    if (this.#hasRuleColumns) {
      for (const f of ['weekday', 'start_time', 'end_time'] as const) {
        if (mapping.byField[f] === undefined) {
          this.#fatal = true;
          this.#add('error', 'mapping.missing', line, null, null, `availability columns need "${f}" too (found ${present.join(', ')})`, coreMessage('import.mapping.missingRuleColumn', { field: f, found: present.join(', ') }));
        }
      }
    }
  }

  malformed(line: number, message: string, code: string): void {
    const quote = code === 'CSV_QUOTE_NOT_CLOSED';
    const text = quote
      ? 'a quoted value opened on or before this line is never closed, so the rest of the file could not be read (check the quotes in the rows above)'
      : `this record cannot be read: ${message}`;
    // csv-parse's own wording (`detail`) is English; it names the parser's finding, the UI says the rest.
    this.#add('error', `csv.${code}`, line, null, null, text, quote ? coreMessage('import.csv.quoteNotClosed', {}) : coreMessage('import.csv.unreadable', { detail: message }));
  }

  // ---- rows -------------------------------------------------------------------------------------

  // eslint-disable-next-line max-lines-per-function -- one CSV row checked column by column in file order, each check a few lines that add an issue
  row(cells: string[], line: number): void {
    this.#rows++;
    if (this.#fatal) return;
    const width = this.#header.length;
    if (cells.length > width) {
      const extra = cells.slice(width).filter((c) => c.trim() !== '');
      if (extra.length > 0) {
        this.#add(
          'error',
          'row.ragged',
          line,
          null,
          null,
          `this row has ${cells.length} cells but the header has ${width}; extra value ${show(extra[0] ?? '')} (an unquoted delimiter inside a value, e.g. a decimal comma in a comma-separated file?)`,
          coreMessage('import.row.raggedExtra', { cells: cells.length, width, extra: shown(extra[0] ?? '') }),
        );
      } else {
        this.#add(
          'warning',
          'row.ragged',
          line,
          null,
          null,
          `this row has ${cells.length} cells but the header has ${width}; the extra cells are empty and ignored (if the values look shifted, a value contains an unquoted delimiter)`,
          coreMessage('import.row.raggedEmpty', { cells: cells.length, width }),
        );
      }
    } else if (cells.length < width) {
      this.#add('warning', 'row.short', line, null, null, `this row has ${cells.length} cells but the header has ${width}; the missing cells are read as empty`, coreMessage('import.row.short', { cells: cells.length, width }));
    }
    const idx = this.#idx;
    const cell = (f: ImportField): string => {
      const i = idx[f];
      return i === undefined ? '' : (cells[i] ?? '');
    };
    const errorsBefore = this.#errors;
    const err = (code: string, f: ImportField | null, value: string | null, text: string, problem: CoreMessage): void => this.#add('error', code, line, f, value, text, problem);
    const warn = (code: string, f: ImportField | null, value: string | null, text: string, problem: CoreMessage): void => this.#add('warning', code, line, f, value, text, problem);
    const take = <T>(f: ImportField, raw: string, p: Parsed<T>): T | undefined => {
      if (p.ok) {
        if (p.note && p.noteProblem) warn(`${f}.read`, f, raw, p.note, p.noteProblem);
        return p.value;
      }
      err(`${f}.invalid`, f, raw, p.message, p.problem);
      return undefined;
    };

    // Formula-looking text (a spreadsheet would run it when the file is opened again).
    for (const f of ['slug', 'title', 'description', 'categories'] as const) {
      const v = cell(f);
      if (v !== '' && looksLikeFormula(v)) warn('cell.formula', f, v, `${show(v)} looks like a spreadsheet formula; it is kept as plain text`, coreMessage('import.cell.formula', { value: shown(v) }));
    }

    // Slug.
    const slugRaw = cell('slug').trim();
    let slug: string | null = null;
    if (slugRaw === '') {
      const t = cell('title').trim();
      const suggestion = t ? slugify(t) : '';
      err('slug.required', 'slug', '', `slug is required${t ? `; did you mean "${suggestion}"?` : ''}`, t ? coreMessage('import.slug.requiredSuggest', { suggestion }) : coreMessage('import.slug.required', {}));
    } else slug = take('slug', slugRaw, parseSlug(slugRaw)) ?? null;

    // Offering cells.
    const group = slug ? this.#groups.get(slug) : undefined;
    const fields: OfferingFields = {};
    let given = 0;
    let hasOffering = false;
    const curRaw = cell('currency').trim();
    if (curRaw !== '') {
      hasOffering = true;
      given |= bit.currency;
      const c = take('currency', curRaw, this.#cached('currency', curRaw, parseCurrency));
      if (c) fields.currency = c;
    }
    for (const f of offeringFieldNames) {
      if (f === 'currency') continue;
      const raw = cell(f);
      const v = f === 'description' ? raw : raw.trim();
      if (v.trim() === '') continue;
      hasOffering = true;
      const key = fieldToKey[f];
      given |= bit[key];
      switch (f) {
        case 'title':
          if (v.length > 200) err('title.invalid', f, v, `${show(v)} is longer than 200 characters`, coreMessage('import.value.tooLong', { value: shown(v), max: 200 }));
          else fields.title = v;
          break;
        case 'product_type': {
          const x = take(f, v, this.#cached(f, v, parseProductType));
          if (x) fields.productTypeKey = x;
          break;
        }
        case 'status': {
          const x = take(f, v, this.#cached(f, v, parseStatus));
          if (x) fields.status = x;
          break;
        }
        case 'pricing_model': {
          const x = take(f, v, this.#cached(f, v, parsePricingModel));
          if (x) fields.pricingModel = x;
          break;
        }
        case 'cancellation_policy': {
          const x = take(f, v, this.#cached(f, v, parseCancellationPolicy));
          if (x) fields.cancellationPolicy = x;
          break;
        }
        case 'base_price': {
          const cur = fields.currency ?? group?.fields.currency;
          const x = take(f, v, this.#cached(`base_price:${cur ? currencyExponent(cur) : 2}`, v, (x) => parsePrice(x, cur ? currencyExponent(cur) : 2, this.#decimal)));
          if (x !== undefined) fields.basePriceCents = x;
          break;
        }
        case 'tax_bps': {
          const x = take(f, v, this.#cached(f, v, parseTaxBps));
          if (x !== undefined) fields.taxRateBps = x;
          break;
        }
        case 'description':
          if (v.length > 20000) err('description.invalid', f, v.slice(0, 60), 'the description is longer than 20,000 characters', coreMessage('import.value.descriptionTooLong', {}));
          else fields.description = v;
          break;
        case 'categories':
          fields.categories = parseCategories(v);
          break;
      }
    }

    // Availability cells.
    let rule: RuleRec | null = null;
    if (this.#hasRuleColumns) {
      const rc: Partial<Record<(typeof ruleFieldNames)[number], string>> = {};
      let any = false;
      for (const f of ruleFieldNames) {
        const v = cell(f).trim();
        rc[f] = v;
        if (v !== '') any = true;
      }
      if (any) {
        rule = this.#rule(rc, err, warn, take);
        if (rule) rule.line = line;
      }
    }

    if (!slug) return;
    let g = group;
    if (!g) {
      g = { slug, firstLine: line, defLine: null, fields: {}, given: 0, rules: [], errors: 0 };
      this.#groups.set(slug, g);
    }
    if (hasOffering) {
      if (g.defLine === null) {
        g.defLine = line;
        g.fields = fields;
        g.given = given;
      } else {
        for (const f of offeringFieldNames) {
          const key = fieldToKey[f];
          if (!(given & bit[key]) || !(key in fields)) continue;
          if (!eq(fields[key], g.fields[key])) {
            const before = g.given & bit[key] ? this.#cellText(key, g.fields) : '(empty)';
            const value = shown(cell(f).trim());
            const earlier = g.fields[key];
            const problem = !(g.given & bit[key])
              ? coreMessage('import.group.differsEmpty', { value, line: g.defLine, slug })
              : key === 'basePriceCents' && typeof earlier === 'number'
                ? coreMessage('import.group.differsPrice', { value, minor: earlier, line: g.defLine, slug })
                : coreMessage('import.group.differs', { value, before: Array.isArray(earlier) ? earlier.join('|') : String(earlier ?? ''), line: g.defLine, slug });
            err('group.differs', f, cell(f), `${show(cell(f).trim())} differs from ${before} on line ${g.defLine} for slug "${slug}"; rows of one slug share the offering's fields (leave them empty on later rows)`, problem);
          }
        }
      }
    } else if (!rule) {
      warn('row.empty', 'slug', slugRaw, `this row has only a slug and nothing to import`, coreMessage('import.row.onlySlug', {}));
    }
    if (rule) g.rules.push(rule);
    g.errors += this.#errors - errorsBefore;
  }

  #cellText(key: OfferingKey, fields: OfferingFields): string {
    const v = fields[key];
    if (key === 'basePriceCents' && typeof v === 'number') return `${v} (in minor units)`;
    return JSON.stringify(Array.isArray(v) ? v.join('|') : v);
  }

  #rule(
    rc: Partial<Record<(typeof ruleFieldNames)[number], string>>,
    err: (code: string, f: ImportField | null, value: string | null, text: string, problem: CoreMessage) => void,
    warn: (code: string, f: ImportField | null, value: string | null, text: string, problem: CoreMessage) => void,
    take: <T>(f: ImportField, raw: string, p: Parsed<T>) => T | undefined,
  ): RuleRec | null {
    let okRule = true;
    const need = (f: 'weekday' | 'start_time' | 'end_time'): string | null => {
      const v = rc[f] ?? '';
      if (v === '') {
        err(`${f}.required`, f, '', `${f} is required on a row with availability`, coreMessage('import.field.requiredForRule', { field: f }));
        okRule = false;
        return null;
      }
      return v;
    };
    const wd = need('weekday');
    const st = need('start_time');
    const et = need('end_time');
    const day = wd !== null ? take('weekday', wd, this.#cached('weekday', wd, parseWeekday)) : undefined;
    const start = st !== null ? take('start_time', st, this.#cached('time', st, parseTime)) : undefined;
    const end = et !== null ? take('end_time', et, this.#cached('time', et, parseTime)) : undefined;
    const slotRaw = rc.slot_minutes ?? '';
    const capRaw = rc.capacity ?? '';
    const slot = slotRaw === '' ? 60 : take('slot_minutes', slotRaw, this.#cached('slot_minutes', slotRaw, (x) => parseInteger(x, 'slot_minutes', 5, 1440)));
    const capacity = capRaw === '' ? 1 : take('capacity', capRaw, this.#cached('capacity', capRaw, (x) => parseInteger(x, 'capacity', 1, 100000)));
    const fromRaw = rc.valid_from ?? '';
    const untilRaw = rc.valid_until ?? '';
    const from = fromRaw === '' ? null : take('valid_from', fromRaw, this.#cached('date', fromRaw, parseDate));
    const until = untilRaw === '' ? null : take('valid_until', untilRaw, this.#cached('date', untilRaw, parseDate));
    if (day === undefined || start === undefined || end === undefined || slot === undefined || capacity === undefined || from === undefined || until === undefined || !okRule) return null;
    if (end <= start) {
      err('rule.end_before_start', 'end_time', et, `ends at ${formatTime(end)}, not after the start ${formatTime(start)}`, coreMessage('import.rule.endBeforeStart', { end: formatTime(end), start: formatTime(start) }));
      return null;
    }
    if (from && until && until < from) {
      err('rule.until_before_from', 'valid_until', untilRaw, `${until} is before valid_from ${from}`, coreMessage('import.rule.untilBeforeFrom', { until, from }));
      return null;
    }
    if ((end - start) % slot !== 0) {
      warn(
        'rule.slot_remainder',
        'slot_minutes',
        slotRaw,
        `${slot}-minute slots do not divide ${formatTime(start)}–${formatTime(end)} (${end - start} minutes); the last ${(end - start) % slot} minutes cannot be booked`,
        coreMessage('import.rule.slotRemainder', { slot, start: formatTime(start), end: formatTime(end), minutes: end - start, rest: (end - start) % slot }),
      );
    }
    return { line: -1, dayOfWeek: day, startTime: formatTime(start), endTime: formatTime(end), startMin: start, endMin: end, slotMinutes: slot, capacity, validFrom: from, validUntil: until };
  }

  // ---- whole-file checks and the plan -----------------------------------------------------------

  /** Ends validation: groups → plan against the offerings the console already has. */
  finish(existing: ReadonlyMap<string, ExistingOffering>, lastLine: number): ValidationResult {
    const plan: PlannedOffering[] = [];
    const counts = this.#finishStart(lastLine);
    for (const g of this.#groups.values()) planGroup(g, existing.get(g.slug), (...issue) => this.#add(...issue), () => this.#errors, plan, counts);
    return this.#finishEnd(plan, counts);
  }

  /**
   * `finish` in steps of about `budgetMs`, with a turn of the loop between them: planning 100k
   * offerings at once held the engine's loop for a few hundred milliseconds.
   */
  async finishInSteps(existing: ReadonlyMap<string, ExistingOffering>, lastLine: number, budgetMs = 8): Promise<ValidationResult> {
    const plan: PlannedOffering[] = [];
    const counts = this.#finishStart(lastLine);
    const add: Parameters<typeof planGroup>[2] = (...issue) => this.#add(...issue);
    const errors = (): number => this.#errors;
    let until = performance.now() + budgetMs;
    let n = 0;
    for (const g of this.#groups.values()) {
      planGroup(g, existing.get(g.slug), add, errors, plan, counts);
      if ((++n & 63) === 0 && performance.now() >= until) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        until = performance.now() + budgetMs;
      }
    }
    return this.#finishEnd(plan, counts);
  }

  #finishStart(lastLine: number): PreviewCounts {
    const counts: PreviewCounts = { rows: this.#rows, offerings: { create: 0, update: 0, unchanged: 0, error: 0 }, rules: 0, errors: 0, warnings: 0 };
    if (this.#mapping === null) {
      this.#add('error', 'file.empty', null, null, null, 'the file has no header row and no data', coreMessage('import.file.empty', {}));
    } else if (this.#rows === 0 && !this.#fatal) {
      this.#add('error', 'file.no_rows', lastLine, null, null, 'the file has a header but no data rows', coreMessage('import.file.noRows', {}));
    }
    return counts;
  }

  #finishEnd(plan: PlannedOffering[], counts: PreviewCounts): ValidationResult {
    counts.errors = this.#errors;
    counts.warnings = this.#warnings;
    this.#issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
    return {
      mapping: this.#mapping,
      issues: this.#issues,
      errorCount: this.#errors,
      warningCount: this.#warnings,
      issuesDropped: this.#dropped,
      rows: this.#rows,
      plan,
      counts,
      header: this.#header,
    };
  }

}
