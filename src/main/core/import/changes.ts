/**
 * An import that never surprises (issue #14): per existing offering, each field the file changes
 * (old → new), and the rows that would take a PUBLISHED offering off sale (DRAFT or ARCHIVED), which
 * a commit refuses unless the user confirmed them by name.
 */
import type { ImportFieldChangeView, ImportUnpublishView } from '../../../shared/contract/types.ts';
import type { ExistingOffering, PlannedOffering } from './types.ts';

/** Fills `changes` of every planned update with each changed field's old and new value; returns the unpublishing rows. */
export function describeChanges(plan: readonly PlannedOffering[], existing: ReadonlyMap<string, ExistingOffering>): ImportUnpublishView[] {
  const unpublishes: ImportUnpublishView[] = [];
  for (const p of plan) {
    if (p.action !== 'update') continue;
    const ex = existing.get(p.slug);
    if (!ex) continue;
    const changes: ImportFieldChangeView[] = [];
    for (const [field, to] of Object.entries(p.fields) as Array<[ImportFieldChangeView['field'] | 'slug', unknown]>) {
      if (field === 'slug') continue;
      changes.push({ field, from: (ex.fields as Record<string, unknown>)[field] ?? null, to: to ?? null } as ImportFieldChangeView);
    }
    p.changes = changes;
    const status = p.fields.status;
    if (ex.fields.status === 'PUBLISHED' && (status === 'DRAFT' || status === 'ARCHIVED')) {
      unpublishes.push({ slug: p.slug, title: ex.fields.title, line: p.line, offeringId: ex.id, to: status });
    }
  }
  return unpublishes;
}

/** A commit that would take live offerings off sale without the user's confirmation. */
export class UnpublishRefused extends Error {
  override name = 'UnpublishRefused';
  readonly slugs: string[];
  constructor(unpublishes: readonly ImportUnpublishView[]) {
    const named = unpublishes.slice(0, 20).map((u) => `"${u.slug}" (${u.title}) → ${u.to} (line ${u.line})`).join(', ');
    const more = unpublishes.length > 20 ? ` and ${unpublishes.length - 20} more` : '';
    super(`this file would take ${unpublishes.length} PUBLISHED offering${unpublishes.length === 1 ? '' : 's'} off sale: ${named}${more}; confirm it to import (nothing was written)`);
    this.slugs = unpublishes.map((u) => u.slug);
  }
}

/** One line per changed field, for a terminal: `  title: "Soho Loft" -> "Soho Loft XL"`. */
export function changeLines(changes: readonly ImportFieldChangeView[]): string[] {
  const show = (v: unknown): string => (Array.isArray(v) ? `"${v.join('|')}"` : typeof v === 'string' ? JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v) : String(v));
  return changes.map((c) => `  ${c.field}: ${show(c.from)} -> ${show(c.to)}`);
}
