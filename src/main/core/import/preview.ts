/**
 * Preview: what a commit would do, counted against the offerings the console already has (matched
 * by slug: server truth with pending local intents laid over it). The plan itself is computed in
 * validate.ts (`finish`); this module turns it into what the wizard shows.
 */
import type { PlanAction, PlannedOffering, PreviewCounts } from './types.ts';

export interface PreviewView {
  counts: PreviewCounts;
  /** The first `limit` planned offerings of each action, in file order. */
  samples: Record<PlanAction, PlannedOffering[]>;
}

export function previewView(plan: readonly PlannedOffering[], counts: PreviewCounts, limit = 50): PreviewView {
  const samples: Record<PlanAction, PlannedOffering[]> = { create: [], update: [], unchanged: [], error: [] };
  for (const p of plan) {
    const list = samples[p.action];
    if (list.length < limit) list.push(p);
  }
  return { counts, samples };
}

/** One line for a terminal or a toast: `12 to create, 3 to update, 40 unchanged, 2 with errors; 96 rules`. */
export function describeCounts(c: PreviewCounts): string {
  const o = c.offerings;
  return `${c.rows} rows: ${o.create} to create, ${o.update} to update, ${o.unchanged} unchanged, ${o.error} with errors; ${c.rules} availability rules; ${c.errors} errors, ${c.warnings} warnings`;
}
