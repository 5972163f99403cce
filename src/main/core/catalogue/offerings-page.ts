/**
 * A page of the offerings as the Catalogue shows them, with a search: at 20k offerings the whole
 * list was 6.6 MB and ~160 ms of the engine's loop per call, and the table of 20k rows took the
 * window 30 s to lay out (#16). Offerings with changes not yet on the server (created here, edited,
 * deleted) are laid over in JS and come first, so what was just done is at the top and a pending
 * rename is found by its new title; the rest are paged in SQL, by title.
 */
import type { OfferingView, Page } from '../../../shared/contract/types.ts';
import type { Replica } from '../replica/replica.ts';
import { offeringTruth, offeringView } from '../replica/rows.ts';
import type { OfferingsTable } from '../db/schema.ts';
import { ACTIVE, activeIntentsByTarget } from '../sync/intents.ts';
import { overlayRecord } from '../sync/overlay.ts';

export interface OfferingsPageQuery {
  search?: string;
  /** Only these offerings (the ones a form has picked, to show their titles). */
  ids?: string[];
  offset?: number;
  limit?: number;
}

/** Lower case without accents, so "sesion" finds "Sesión" (the search folds both sides). */
export function foldText(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

const withFold = new WeakSet<object>();

/** The connection's `orkestr_fold(text)`, registered once per connection (a search runs it over every title and slug). */
function foldFunction(replica: Replica): void {
  if (withFold.has(replica.sqlite)) return;
  replica.sqlite.function('orkestr_fold', { deterministic: true }, (v: unknown) => (typeof v === 'string' ? foldText(v) : v));
  withFold.add(replica.sqlite);
}

const escapeLike = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export function offeringsPage(replica: Replica, q: OfferingsPageQuery): Page<OfferingView> {
  const offset = q.offset ?? 0;
  const limit = q.limit ?? 50;
  const needle = foldText(q.search?.trim() ?? '');
  const only = q.ids ? new Set(q.ids) : null;
  const matches = (o: OfferingView): boolean => (only === null || only.has(o.id)) && (needle === '' || foldText(o.title).includes(needle) || foldText(o.slug).includes(needle));

  // Offerings with active intents: few, except while an import's creates wait to be sent.
  const intents = activeIntentsByTarget(replica, 'offering');
  const changed: OfferingView[] = [];
  const stored = replica.stmt(`SELECT * FROM offerings WHERE id = ?`);
  for (const [id, list] of intents) {
    const row = stored.get(id) as OfferingsTable | undefined;
    const o = overlayRecord(row ? offeringTruth(row) : null, list);
    if (!o.record || o.deleted || row?.deleted_at) continue;
    const view = offeringView(id, o.record, false, o.syncState);
    if (matches(view)) changed.push(view);
  }
  const collator = new Intl.Collator(undefined, { sensitivity: 'base' });
  changed.sort((a, b) => collator.compare(a.title, b.title) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  if (needle !== '') foldFunction(replica);
  const where = `deleted_at IS NULL AND id NOT IN (SELECT target_id FROM outbox WHERE kind LIKE 'offering.%' AND state IN ${ACTIVE})${
    // One call of the fold a row (title and slug joined by a line break, which a search box never
    // holds): it is most of a search's cost, ~2 µs a row.
    needle === '' ? '' : " AND orkestr_fold(title || char(10) || slug) LIKE @like ESCAPE '\\'"
  }${only === null ? '' : ' AND id IN (SELECT value FROM json_each(@ids))'}`;
  const params = { ...(needle === '' ? {} : { like: `%${escapeLike(needle)}%` }), ...(only === null ? {} : { ids: JSON.stringify([...only]) }) };
  const rest = (replica.stmt(`SELECT COUNT(*) AS n FROM offerings WHERE ${where}`).get(params) as { n: number }).n;
  const items = changed.slice(offset, offset + limit);
  const fromRest = Math.max(0, offset - changed.length);
  if (items.length < limit && fromRest < rest) {
    const rows = replica.stmt(`SELECT * FROM offerings WHERE ${where} ORDER BY title, id LIMIT @limit OFFSET @offset`).all({ ...params, limit: limit - items.length, offset: fromRest }) as OfferingsTable[];
    for (const r of rows) items.push(offeringView(r.id, offeringTruth(r), false, 'synced'));
  }
  return { items, total: changed.length + rest };
}
