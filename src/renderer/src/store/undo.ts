/**
 * The last actions taken here, for one collapsed undo bar ("3 approved · Undo (z)") and the `z` /
 * Ctrl+Z / ⌘Z key: each entry lives for the undo window; undo takes back the most recent one still
 * live. Entries whose intents were never held (undo off) only report, they offer no undo.
 */
import { create } from 'zustand';
import { api } from '../api.ts';

export type ActionKind = 'approved' | 'declined' | 'cancelled' | 'rescheduled';

export interface UndoEntry {
  id: number;
  kind: ActionKind;
  /** The customer's name for a single booking; null for a bulk action. */
  name: string | null;
  /** How many bookings the action covered. */
  count: number;
  /** The intents, once the core has written them: an undo pressed before that waits for them. */
  ready: Promise<string[]>;
  bookingIds: string[];
  until: number;
  undoable: boolean;
  /** Puts the rows back where the action took them from (the queue's optimistic removal). */
  onRestored?: (ids: string[]) => void;
}

export type UndoOutcome = 'undone' | 'partly' | 'tooLate' | 'nothing';

interface UndoState {
  entries: UndoEntry[];
  /** The outcome of the last undo, shown in the same bar until the next action. */
  last: { outcome: UndoOutcome; entry: UndoEntry } | null;
  /** Adds an entry; returns its id (to drop it when the action failed). */
  push(entry: Omit<UndoEntry, 'id' | 'until'> & { seconds: number }): number;
  drop(id: number): void;
  undoLast(): Promise<UndoOutcome>;
  prune(): void;
}

let seq = 0;
/** How long an entry without undo stays in the bar (so the user sees what happened). */
const reportMs = 4000;

export const useUndo = create<UndoState>()((set, get) => ({
  entries: [],
  last: null,
  push({ seconds, ...rest }) {
    const ms = rest.undoable ? seconds * 1000 : reportMs;
    const entry: UndoEntry = { ...rest, id: ++seq, until: Date.now() + ms };
    set((s) => ({ entries: [...s.entries.filter((e) => e.until > Date.now()), entry], last: null }));
    setTimeout(() => get().prune(), ms + 20);
    return entry.id;
  },
  drop(id) {
    set((s) => ({ entries: s.entries.filter((e) => e.id !== id) }));
  },
  prune() {
    const now = Date.now();
    set((s) => {
      const entries = s.entries.filter((e) => e.until > now);
      return entries.length === s.entries.length ? s : { entries };
    });
  },
  async undoLast() {
    const now = Date.now();
    const live = get().entries.filter((e) => e.until > now && e.undoable);
    const entry = live[live.length - 1];
    if (!entry) return 'nothing';
    // Out of the bar at once: a second z takes the action before it, never this one twice.
    set((s) => ({ entries: s.entries.filter((e) => e.id !== entry.id) }));
    const ids = await entry.ready;
    const answers = await Promise.all(ids.map((id) => api.call('intents.undo', { id }).then((r) => r.undone, () => false)));
    const undone = answers.filter(Boolean).length;
    const outcome: UndoOutcome = undone === answers.length && undone > 0 ? 'undone' : undone > 0 ? 'partly' : 'tooLate';
    if (undone > 0) entry.onRestored?.(entry.bookingIds);
    set({ last: { outcome, entry } });
    setTimeout(() => set((s) => (s.last?.entry.id === entry.id ? { last: null } : s)), reportMs);
    return outcome;
  },
}));
