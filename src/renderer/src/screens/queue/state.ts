/** The queue's own state over the core's list: optimistic removals, the selection, the highlighted booking, the keys. */
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { RefObject } from 'react';
import type { BookingView } from '../../../../shared/contract/types.ts';
import { isScreenShortcut } from '../../lib/keys.ts';

/** What the queue shows: the core's list minus what was acted on here (until the core agrees), and the selection. */
export function useQueueRows<B extends BookingView>(data: B[] | undefined) {
  const [removed, setRemoved] = useState<ReadonlySet<string>>(new Set());
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const rows = useMemo(() => (data ?? []).filter((b) => !removed.has(b.id)), [data, removed]);

  // Forget optimistic removals (and selections) once the core's answer no longer lists them.
  useEffect(() => {
    if (!data) return;
    const ids = new Set(data.map((b) => b.id));
    const prune = (prev: ReadonlySet<string>) => {
      const next = new Set([...prev].filter((id) => ids.has(id)));
      return next.size === prev.size ? prev : next;
    };
    setRemoved(prune);
    setSelected(prune);
  }, [data]);

  const onRemoved = useCallback((ids: string[]) => {
    setRemoved((prev) => new Set([...prev, ...ids]));
    setSelected((prev) => new Set([...prev].filter((id) => !ids.includes(id))));
  }, []);
  const onRestored = useCallback((ids: string[]) => setRemoved((prev) => new Set([...prev].filter((id) => !ids.includes(id)))), []);
  const toggle = useCallback((id: string) => {
    setSelected((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }, []);
  return { rows, selected, setSelected, toggle, onRemoved, onRestored };
}

/**
 * The highlighted row is a booking, not a position: bookings arriving or leaving elsewhere in the
 * list never move it to another customer. When it leaves (approved, declined, refused), the row
 * that takes its place becomes the target, as the next key press expects.
 */
export function useActiveBooking<B extends BookingView>(rows: readonly B[]) {
  const [activeId, setActiveId] = useState<string | null>(null);
  const lastPos = useRef(0);
  const found = activeId === null ? -1 : rows.findIndex((b) => b.id === activeId);
  const activePos = found >= 0 ? found : rows.length ? Math.min(lastPos.current, rows.length - 1) : -1;
  const active = activePos >= 0 ? (rows[activePos] ?? null) : null;
  useLayoutEffect(() => {
    lastPos.current = Math.max(0, activePos);
    if (active && active.id !== activeId) setActiveId(active.id);
  }, [activePos, active, activeId]);
  return { active, activePos, setActiveId };
}

/** What the queue's keys act on, read at the moment of the key press. */
export interface QueueKeyState<B extends BookingView = BookingView> {
  rows: readonly B[];
  activePos: number;
  active: B | null;
  /** The selection, or else the highlighted booking. */
  targets(): B[];
  dialogOpen: boolean;
  approve(targets: B[]): void;
  decline(targets: B[]): void;
  reschedule(target: B): void;
  toggle(id: string): void;
  selectAll(): void;
  /** Highlights row `index` and moves the keyboard focus to it. */
  moveTo(index: number): void;
  open(id: string): void;
  /** Reaches the rows below what is loaded (the next page of the queue). */
  reach?(index: number): void;
  /** The whole queue's length when only part of it is loaded. */
  count?: number;
}

/** j/k (arrows) move, a approve (then on to the next booking it is safe to approve), d decline, r reschedule, x select, Shift+A select all, Enter open. */
export function useQueueKeys<B extends BookingView>(state: RefObject<QueueKeyState<B>>): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const s = state.current;
      if (!isScreenShortcut(e) || s.dialogOpen) return;
      const key = e.key;
      let handled = true;
      if (key === 'j' || key === 'ArrowDown') s.moveTo(Math.min((s.count ?? s.rows.length) - 1, s.activePos + 1));
      else if (key === 'k' || key === 'ArrowUp') s.moveTo(Math.max(0, s.activePos - 1));
      else if (key === 'a') s.approve(s.targets());
      else if (key === 'A' && e.shiftKey) s.selectAll();
      else if (key === 'd') s.decline(s.targets());
      else if (key === 'r' && s.active) s.reschedule(s.active);
      else if (key === 'x' && s.active) s.toggle(s.active.id);
      else if (key === 'Enter' && s.active && !(e.target instanceof HTMLButtonElement) && !(e.target instanceof HTMLAnchorElement)) s.open(s.active.id);
      else handled = false;
      if (handled) e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [state]);
}
