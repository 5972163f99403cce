/**
 * The catalogue file's whole-file checks, run by ImportValidator.finish once every row is read: each
 * slug group becomes a planned offering (create, update, unchanged or error) against the offerings
 * the console already has, new offerings must give their required cells, and a group's weekly rules
 * must not overlap. The row-by-row checks stay in validate.ts.
 */
import { weekdayLabels } from './fields.ts';
import type { ExistingOffering, ImportField, OfferingFields, PlannedOffering, PreviewCounts, RuleInput, Severity } from './types.ts';
import { coreMessage, type CoreMessage } from '../../../shared/contract/messages.ts';

export type OfferingKey = Exclude<keyof OfferingFields, 'slug'>;

/** One bit per offering cell, for "which cells did the defining row fill". */
export const bit: Record<OfferingKey, number> = {
  title: 1,
  productTypeKey: 2,
  status: 4,
  pricingModel: 8,
  basePriceCents: 16,
  currency: 32,
  taxRateBps: 64,
  description: 128,
  cancellationPolicy: 256,
  categories: 512,
};

export interface RuleRec extends RuleInput {
  line: number;
  startMin: number;
  endMin: number;
}

export interface Group {
  slug: string;
  firstLine: number;
  defLine: number | null;
  fields: OfferingFields;
  /** Which offering cells the defining row filled (for "required for a new offering"). */
  given: number;
  rules: RuleRec[];
  errors: number;
}

export const eq = (a: unknown, b: unknown): boolean =>
  Array.isArray(a) && Array.isArray(b) ? a.length === b.length && a.every((x, i) => x === b[i]) : a === b;

export function ruleKey(r: RuleInput): string {
  return `${r.dayOfWeek}|${r.startTime}|${r.endTime}|${r.slotMinutes}|${r.capacity}|${r.validFrom ?? ''}|${r.validUntil ?? ''}`;
}

/** How a check records an issue (ImportValidator's counter and list). */
export type AddIssue = (severity: Severity, code: string, line: number | null, field: ImportField | null, value: string | null, text: string, problem: CoreMessage) => void;

/**
 * One slug group's entry in the plan (pushed to `plan`, counted in `counts`). `errors` reads the
 * validator's running error count, so the group's own whole-file errors are told apart.
 */
export function planGroup(g: Group, ex: ExistingOffering | undefined, add: AddIssue, errors: () => number, plan: PlannedOffering[], counts: PreviewCounts): void {
  const errorsBefore = errors();
  if (g.defLine === null && !ex) {
    for (const r of g.rules) {
      add(
        'error',
        'rule.orphan',
        r.line,
        'slug',
        g.slug,
        `availability for "${g.slug}", but no row of the file gives this offering's fields and the console has no offering with this slug`,
        coreMessage('import.rule.orphan', { slug: g.slug }),
      );
    }
  }
  if (g.defLine !== null && !ex) {
    const req: Array<[OfferingKey, ImportField]> = [
      ['title', 'title'],
      ['productTypeKey', 'product_type'],
      ['basePriceCents', 'base_price'],
      ['currency', 'currency'],
    ];
    for (const [key, f] of req) {
      if (!(g.given & bit[key])) add('error', `${f}.required`, g.defLine, f, '', `${f} is required for a new offering ("${g.slug}")`, coreMessage('import.field.requiredForNew', { field: f, slug: g.slug }));
    }
  }
  checkOverlaps(g, add);
  const groupErrors = g.errors + (errors() - errorsBefore);
  counts.rules += g.rules.length;
  const line = g.defLine ?? g.firstLine;
  // RuleRec is a RuleInput plus its line and minutes: handed on as is (no copy of 100k objects).
  const rules: RuleInput[] | null = g.rules.length > 0 ? g.rules : null;
  if (groupErrors > 0) {
    counts.offerings.error++;
    plan.push({ slug: g.slug, line, action: 'error', existingId: ex?.id ?? null, fields: {}, rules, rulesChanged: false });
    return;
  }
  if (!ex) {
    const f: OfferingFields = { slug: g.slug, status: 'DRAFT', ...g.fields };
    counts.offerings.create++;
    plan.push({ slug: g.slug, line, action: 'create', existingId: null, fields: f, rules, rulesChanged: rules !== null });
    return;
  }
  const changed: OfferingFields = {};
  for (const key of Object.keys(g.fields) as OfferingKey[]) {
    if (!eq(g.fields[key], ex.fields[key])) (changed as Record<string, unknown>)[key] = g.fields[key];
  }
  let rulesChanged = false;
  if (rules) {
    const a = rules.map(ruleKey).sort();
    const b = ex.rules.map(ruleKey).sort();
    rulesChanged = a.length !== b.length || a.some((k, i) => k !== b[i]);
  }
  const action = Object.keys(changed).length > 0 || rulesChanged ? 'update' : 'unchanged';
  counts.offerings[action]++;
  plan.push({ slug: g.slug, line, action, existingId: ex.id, fields: changed, rules, rulesChanged });
}

export function checkOverlaps(g: Group, add: AddIssue): void {
  if (g.rules.length < 2) return;
  const byDay = new Map<number, RuleRec[]>();
  for (const r of g.rules) {
    const list = byDay.get(r.dayOfWeek);
    if (list) list.push(r);
    else byDay.set(r.dayOfWeek, [r]);
  }
  for (const [day, list] of byDay) {
    if (list.length < 2) continue;
    list.sort((a, b) => a.startMin - b.startMin || a.line - b.line);
    for (let i = 0; i < list.length; i++) {
      const a = list[i];
      if (!a) continue;
      for (let j = i + 1; j < list.length; j++) {
        const b = list[j];
        if (!b || b.startMin >= a.endMin) break;
        const windowsMeet = (a.validUntil === null || b.validFrom === null || b.validFrom <= a.validUntil) && (b.validUntil === null || a.validFrom === null || a.validFrom <= b.validUntil);
        if (!windowsMeet) continue;
        add(
          'error',
          'rule.overlap',
          b.line,
          'start_time',
          b.startTime,
          `${weekdayLabels[day]} ${b.startTime}–${b.endTime} overlaps ${a.startTime}–${a.endTime} on line ${a.line} for "${g.slug}"`,
          coreMessage('import.rule.overlap', { weekday: day, start: b.startTime, end: b.endTime, otherStart: a.startTime, otherEnd: a.endTime, otherLine: a.line, slug: g.slug }),
        );
      }
    }
  }
}
