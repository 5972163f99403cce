/**
 * Writing one slice of a pull's page into the replica: the one apply path of the pull, run on the
 * engine's thread (Puller without a worker: tests, scripts) and on the apply worker's own connection
 * (apply-worker.ts). The caller holds the group (`replica.bulk`) open around it; only the page's last
 * slice stores the feed's cursor, in the same transaction as the rows.
 */
import type { Replica } from '../replica/replica.ts';
import type { RemoteBooking, RemoteCoupon, RemoteOffering } from './remote-types.ts';

export type Resource = 'offerings' | 'coupons' | 'bookings' | 'bookings:PENDING';

/** Rows written per slice while applying a page (keeps each event-loop turn short). */
export const APPLY_SLICE = 100;

/** A fetched page as the apply side needs it (structured-clonable: it is posted to the worker). */
export interface PageToApply {
  resource: Resource;
  data: Array<Record<string, unknown>>;
  cursorSupported: boolean;
  nextCursor: string | null;
  /** The cursor the page was requested with (stored again when the server gives no next one). */
  requestCursor: string | null;
  /** The feed has nothing after this page. */
  finished: boolean;
}

export function applyRow(replica: Replica, resource: Resource, row: Record<string, unknown>): { changed: boolean; newPending: boolean } {
  switch (resource) {
    case 'offerings':
      return replica.applyRemoteOffering(row as unknown as RemoteOffering);
    case 'coupons':
      return replica.applyRemoteCoupon(row as unknown as RemoteCoupon);
    default:
      return replica.applyRemoteBooking(row as unknown as RemoteBooking);
  }
}

/**
 * Applies rows [from, from + APPLY_SLICE) of `page` in the open group, and with the last slice the
 * feed's state (cursor, rows seen, complete). Answers whether that was the last slice; the ids of
 * bookings that became PENDING are pushed to `newPending`. A crash mid-page re-reads the page, and
 * re-applying its first slices is a no-op (same version).
 */
export function applyPageSlice(replica: Replica, page: PageToApply, from: number, newPending: string[]): boolean {
  const { resource, data } = page;
  const last = from + APPLY_SLICE >= data.length;
  replica.bulk(() => {
    const to = Math.min(data.length, from + APPLY_SLICE);
    for (let i = from; i < to; i++) {
      const row = data[i] as Record<string, unknown>;
      if (applyRow(replica, resource, row).newPending) newPending.push(String(row['id']));
    }
    if (!last) return;
    if (!page.cursorSupported) {
      if (resource === 'offerings' || resource === 'coupons') markMissingDeleted(replica, resource, new Set(data.map((d) => String(d['id']))));
      replica.setSyncState(resource, { cursor: null, complete: true, addRows: data.length, lastSyncAt: new Date().toISOString() });
      return;
    }
    replica.setSyncState(resource, {
      cursor: page.nextCursor ?? page.requestCursor,
      addRows: data.length,
      ...(page.finished ? { complete: true, lastSyncAt: new Date().toISOString() } : {}),
    });
  });
  return last;
}

/** The ids a page reports once applied (absent when a fallback list may have marked others deleted). */
export function pageIds(page: PageToApply): string[] | undefined {
  return page.cursorSupported ? page.data.map((d) => String(d['id'])) : undefined;
}

/** Marks every live offering/coupon not in `keep` as deleted (fallback for servers without a change feed). */
export function markMissingDeleted(replica: Replica, table: 'offerings' | 'coupons', keep: Set<string>): void {
  const ids = replica.stmt(`SELECT id FROM ${table} WHERE deleted_at IS NULL`).all() as Array<{ id: string }>;
  const upd = replica.stmt(`UPDATE ${table} SET deleted_at = ? WHERE id = ?`);
  const now = new Date().toISOString();
  for (const { id } of ids) if (!keep.has(id)) upd.run(now, id);
}
