/**
 * The queue as windows of `queue.window`: the first page, then the next ones as the list is scrolled
 * or walked near the end of what is loaded (only what the screen can reach is fetched). A change in
 * the core re-reads what is loaded, from the top, in as many pages as it took.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { MethodInput, QueueRow, QueueWindow } from '../../../../shared/contract/types.ts';
import { api } from '../../api.ts';
import { callPrimed } from '../../lib/useQuery.ts';

export type QueueFilters = Omit<MethodInput<'queue.window'>, 'cursor' | 'limit'>;

export const PAGE = 200;
// rules: a flag rule's "needs a look" label shows on the row.
const tables = new Set(['bookings', 'intents', 'conflicts', 'offerings', 'availability', 'rules']);

export interface QueueWindowState {
  rows: QueueRow[] | undefined;
  total: number;
  counts: QueueWindow['counts'] | null;
  error: Error | null;
  loading: boolean;
  /** Loads the next page when `index` is within a page of the end of what is loaded. */
  reach(index: number): void;
  /** Loads every remaining page (select all); resolves with all rows. */
  loadAll(): Promise<QueueRow[]>;
  reload(): void;
}

async function readUpTo(filters: QueueFilters, want: number): Promise<QueueWindow> {
  let cursor: string | undefined;
  let first: QueueWindow | null = null;
  const items: QueueRow[] = [];
  // Bounded: each page moves the cursor on, and `want` rows need at most want / PAGE + 1 pages.
  for (let pages = 0; pages <= want / PAGE + 1; pages++) {
    const input = { ...filters, limit: Math.min(1000, Math.max(PAGE, want - items.length)), ...(cursor ? { cursor } : {}) };
    const w = await (cursor ? api.call('queue.window', input) : callPrimed('queue.window', input));
    first ??= w;
    items.push(...w.items);
    cursor = w.nextCursor ?? undefined;
    if (!cursor || items.length >= want) return { ...w, items, total: w.total, counts: w.counts, nextCursor: w.nextCursor };
  }
  return { ...first!, items, nextCursor: cursor ?? null };
}

export function useQueueWindow(filters: QueueFilters, enabled: boolean): QueueWindowState {
  const key = JSON.stringify(filters);
  const [state, setState] = useState<{ key: string; win: QueueWindow | null; error: Error | null }>({ key, win: null, error: null });
  const seq = useRef(0);
  const loadingMore = useRef(false);
  const filtersRef = useRef(filters);
  filtersRef.current = filters;
  const loaded = useRef(0);
  loaded.current = state.key === key ? (state.win?.items.length ?? 0) : 0;

  const load = useCallback(
    (want: number) => {
      if (!enabled) return Promise.resolve(null);
      const mine = ++seq.current;
      return readUpTo(filtersRef.current, want).then(
        (win) => {
          if (mine === seq.current) setState({ key, win, error: null });
          return win;
        },
        (error: Error) => {
          if (mine === seq.current) setState((s) => ({ key, win: s.key === key ? s.win : null, error }));
          return null;
        },
      );
    },
    [key, enabled],
  );

  useEffect(() => {
    void load(PAGE);
  }, [load]);

  useEffect(() => {
    if (!enabled) return;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const off = api.on('data.changed', ({ tables: changed }) => {
      if (!changed.some((t) => tables.has(t))) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => void load(Math.max(PAGE, loaded.current)), 100);
    });
    return () => {
      off();
      if (timer) clearTimeout(timer);
    };
  }, [load, enabled]);

  const win = state.key === key ? state.win : null;
  const reach = useCallback(
    (index: number) => {
      if (!win?.nextCursor || loadingMore.current || index < win.items.length - PAGE / 2) return;
      loadingMore.current = true;
      void load(win.items.length + PAGE).finally(() => (loadingMore.current = false));
    },
    [win, load],
  );
  const loadAll = useCallback(async () => {
    if (!win?.nextCursor) return win?.items ?? [];
    const all = await load(win.total);
    return all?.items ?? win.items;
  }, [win, load]);

  return { rows: win?.items, total: win?.total ?? 0, counts: win?.counts ?? null, error: state.key === key ? state.error : null, loading: !win && !state.error, reach, loadAll, reload: () => void load(Math.max(PAGE, loaded.current)) };
}
