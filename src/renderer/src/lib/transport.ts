/** Pure helpers of the loopback transport (kept apart so they can be unit-tested in Node). */
import type { ContractEvents } from '../../../shared/contract/types.ts';

export type Table = ContractEvents['data.changed']['tables'][number];
/** Every table `data.changed` can name: after a reconnect the screens refetch all of them. */
export const allTables = ['bookings', 'offerings', 'coupons', 'availability', 'disputes', 'activity', 'intents', 'conflicts', 'feeds', 'rules'] as const satisfies readonly Table[];
// A table the contract adds and allTables lacks is a compile error here (feeds was missed once).
const _everyTableListed: [Exclude<Table, (typeof allTables)[number]>] extends [never] ? true : never = true;

export const TOKEN_KEY = 'orkestr.token';

/** Reconnecting the event socket backs off from 0.5 s, doubling, to 15 s (src/shared/backoff.ts). */
export const reconnectBackoff = { baseMs: 500, capMs: 15_000 } as const;

interface LocationLike {
  hash: string;
  pathname: string;
  search: string;
}
interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}
interface HistoryLike {
  replaceState(data: unknown, unused: string, url?: string | null): void;
}

/**
 * Reads `#token=…` from the URL, keeps it in sessionStorage and strips it from the address bar.
 * Without a fragment token, falls back to the one kept for this tab (a reload).
 */
export function readToken(location: LocationLike, storage: StorageLike, history: HistoryLike): string | null {
  const hash = location.hash.startsWith('#') ? location.hash.slice(1) : location.hash;
  const params = new URLSearchParams(hash.startsWith('/') ? '' : hash);
  const fromHash = params.get('token');
  if (fromHash) {
    try {
      storage.setItem(TOKEN_KEY, fromHash);
    } catch {
      /* storage may be disabled; the token then lives only in memory */
    }
    history.replaceState(null, '', `${location.pathname}${location.search}#/queue`);
    return fromHash;
  }
  try {
    return storage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}
