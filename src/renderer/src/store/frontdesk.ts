/**
 * What the front desk's screens share across navigation: the queue's filters and sort, the booking
 * highlighted in it, and the queue's order as last loaded, so the booking page opened from the
 * queue walks it with j/k and Esc returns to the row the user left.
 */
import { create } from 'zustand';
import type { BookingView, QueueRiskFilter, QueueSort } from '../../../shared/contract/types.ts';

/** An action asked for outside a screen (the palette): the app-wide action host runs it. */
export interface ActionRequest {
  kind: 'approve' | 'decline' | 'cancel' | 'reschedule';
  booking: BookingView;
  seq: number;
}

export type DateFilter = 'any' | 'today' | 'tomorrow' | 'week' | 'later';

export interface QueueFilterState {
  sort: QueueSort;
  /** The contract's risk filter, or `flagged`: only the bookings a flag rule labelled "needs a look". */
  risk: QueueRiskFilter | 'flagged';
  offeringId: string;
  date: DateFilter;
}

interface FrontDeskState {
  filters: QueueFilterState;
  setFilters(patch: Partial<QueueFilterState>): void;
  /** The booking highlighted in the queue (kept while the booking page is open). */
  activeId: string | null;
  /** The queue's loaded order, for j/k on the booking page. */
  queueIds: string[];
  /** The booking page was opened from the queue: its keys and its back link lead there. */
  fromQueue: boolean;
  remember(activeId: string | null, queueIds: string[]): void;
  setFromQueue(on: boolean): void;
  setActive(id: string | null): void;
  request: ActionRequest | null;
  ask(kind: ActionRequest['kind'], booking: BookingView): void;
}

export const useFrontDesk = create<FrontDeskState>()((set) => ({
  filters: { sort: 'waiting', risk: 'all', offeringId: '', date: 'any' },
  setFilters: (patch) => set((s) => ({ filters: { ...s.filters, ...patch } })),
  activeId: null,
  queueIds: [],
  fromQueue: false,
  remember: (activeId, queueIds) => set({ activeId, queueIds }),
  setFromQueue: (fromQueue) => set({ fromQueue }),
  setActive: (activeId) => set({ activeId }),
  request: null,
  ask: (kind, booking) => set((s) => ({ request: { kind, booking, seq: (s.request?.seq ?? 0) + 1 } })),
}));

/** The booking after (or before) `id` in the queue's order; null at either end or when not in it. */
export function neighbour(ids: readonly string[], id: string, step: 1 | -1): string | null {
  const i = ids.indexOf(id);
  if (i < 0) return null;
  return ids[i + step] ?? null;
}
