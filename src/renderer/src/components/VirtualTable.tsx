/**
 * A table that keeps only the rows in view (plus a few either side) in the DOM, on
 * @tanstack/react-virtual, so a list of 2,000 or 100,000 rows costs what a screenful costs.
 *
 * - Rows may have any height: each is measured as it renders (a booking with the customer's own
 *   time is taller; a group header can be short). `estimateSize` only seeds the scroll height.
 * - The column headers are sticky inside the same scroll box as the rows, so the columns line up,
 *   also when a narrow window scrolls sideways (the same grid template for header and rows: the
 *   `--vt-columns` custom property on the table).
 * - Screen readers get the whole list's shape: role table/rowgroup/row (explicit, as the elements
 *   are laid out as grid rows), `aria-rowcount` of the whole list and `aria-rowindex` per row.
 * - The keyboard target (`activeIndex`) is always rendered, even when scrolled far away, so DOM
 *   focus on it is never lost to unmounting; when it moves it is scrolled into view, and when the
 *   row under the focus leaves (approved, declined) the focus follows to the row that takes its place.
 */
import { defaultRangeExtractor, useVirtualizer } from '@tanstack/react-virtual';
import type { Range, Virtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useImperativeHandle, useLayoutEffect, useRef, useState } from 'react';
import type { CSSProperties, Key, ReactNode, Ref, RefObject } from 'react';
import './virtual-table.css';

export interface VirtualTableHandle {
  /** Scrolls row `index` into view and gives it the keyboard focus as soon as it is rendered. */
  focusRow(index: number): void;
}

/** What a row needs from the table: its index, its offset in the body and the ref that measures it. */
export interface VirtualRowSlot {
  index: number;
  start: number;
  measure: (el: HTMLTableRowElement | null) => void;
}

/** The attributes every row element carries: measuring index, ARIA position (the header is row 1), place. */
export function rowAttrs(index: number, start: number): { 'data-index': number; 'aria-rowindex': number; role: 'row'; style: CSSProperties } {
  return { 'data-index': index, 'aria-rowindex': index + 2, role: 'row', style: { transform: `translateY(${start}px)` } };
}

interface Props {
  /** The table's accessible name. */
  label: string;
  /** Rows the table lays out (rendered or placeholders): the scroll height covers these. */
  count: number;
  /**
   * Rows in the whole list, for screen readers (`aria-rowcount`), when the table lays out fewer
   * than that (a list fetched in pages lays out what is loaded and a page of placeholders beyond:
   * every change of `count` lays out every row again, which at 13k queued bookings was most of
   * an approval key press's script time).
   */
  rowCount?: number;
  getKey: (index: number) => Key;
  estimateSize: (index: number) => number;
  /** The header row's cells (rendered inside a sticky `<thead>` row, aria-rowindex 1). */
  header: ReactNode;
  renderRow: (slot: VirtualRowSlot) => ReactNode;
  /** The keyboard target: kept rendered, scrolled into view when it moves, keeps the focus. */
  activeIndex?: number | null;
  /** Called with the rendered range [start, end) after it changes (to fetch the pages it shows). */
  onRangeChange?: (start: number, end: number) => void;
  className?: string;
  overscan?: number;
  ref?: Ref<VirtualTableHandle>;
}

export function VirtualTable({ label, count, rowCount = count, getKey, estimateSize, header, renderRow, activeIndex = null, onRangeChange, className, overscan = 6, ref }: Props) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const headRef = useRef<HTMLTableSectionElement>(null);
  const bodyRef = useRef<HTMLTableSectionElement>(null);
  const headHeight = useHeight(headRef);
  const active = activeIndex !== null && activeIndex >= 0 && activeIndex < count ? activeIndex : null;

  // The active row stays in the rendered range wherever the view is scrolled.
  const rangeExtractor = useCallback(
    (range: Range) => {
      const indexes = defaultRangeExtractor(range);
      if (active === null || indexes.includes(active)) return indexes;
      return [...indexes, active].sort((a, b) => a - b);
    },
    [active],
  );

  const virtualizer = useVirtualizer<HTMLDivElement, HTMLTableRowElement>({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize,
    getItemKey: getKey,
    overscan,
    rangeExtractor,
    // The body starts below the sticky header, which also covers the top of the view.
    scrollMargin: headHeight,
    scrollPaddingStart: headHeight,
    // React 19 warns about flushSync from the scroll handler; a frame's delay is invisible here.
    useFlushSync: false,
  });

  const focusRow = useKeyboardTarget(bodyRef, virtualizer, active, active === null ? null : getKey(active));
  useImperativeHandle(
    ref,
    () => ({
      focusRow(index: number) {
        if (index >= 0 && index < count) focusRow(index);
      },
    }),
    [count, focusRow],
  );

  const items = virtualizer.getVirtualItems();
  const startIndex = virtualizer.range?.startIndex ?? 0;
  const endIndex = virtualizer.range ? virtualizer.range.endIndex + 1 : 0;
  useEffect(() => {
    if (onRangeChange && endIndex > startIndex) onRangeChange(startIndex, endIndex);
  }, [onRangeChange, startIndex, endIndex]);

  return (
    <div className={`vt-scroll ${className ?? ''}`} ref={scrollRef}>
      <table className="vt" role="table" aria-label={label} aria-rowcount={rowCount + 1}>
        <thead className="vt-head" role="rowgroup" ref={headRef}>
          <tr role="row" aria-rowindex={1} className="vt-row">
            {header}
          </tr>
        </thead>
        <tbody className="vt-body" role="rowgroup" ref={bodyRef} style={{ height: virtualizer.getTotalSize() }}>
          {items.map((item) => renderRow({ index: item.index, start: item.start - headHeight, measure: virtualizer.measureElement }))}
        </tbody>
      </table>
    </div>
  );
}

/** An element's height, kept up to date (the sticky header's: the rows start below it). */
function useHeight(ref: RefObject<HTMLElement | null>): number {
  const [height, setHeight] = useState(0);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setHeight(el.offsetHeight));
    ro.observe(el);
    setHeight(el.offsetHeight);
    return () => ro.disconnect();
  }, [ref]);
  return height;
}

/**
 * Scrolling to and focusing the keyboard target. Returns `focusRow(index)`: scroll it into view and
 * focus it as soon as it is rendered (it may only be rendered by the next commit).
 */
function useKeyboardTarget(bodyRef: RefObject<HTMLTableSectionElement | null>, virtualizer: Virtualizer<HTMLDivElement, HTMLTableRowElement>, active: number | null, activeKey: Key | null): (index: number) => void {
  const pendingFocus = useRef<number | null>(null);
  const focusPending = useCallback(() => {
    const i = pendingFocus.current;
    if (i === null) return;
    const el = bodyRef.current?.querySelector(`:scope > [data-index="${i}"]`);
    if (el instanceof HTMLElement) {
      pendingFocus.current = null;
      el.focus({ preventScroll: true });
    }
  }, [bodyRef]);
  useLayoutEffect(focusPending);

  // The target moved (a key press, a click) or its row left: bring it into view, and move the focus
  // along when the focus was on a row of this table or was lost with a row that left. Only a
  // different target (key) does this, not every re-render, and not the first render: opening the
  // screen must not take the focus from the page heading.
  const shownKey = useRef(activeKey);
  useEffect(() => {
    if (shownKey.current === activeKey) return;
    shownKey.current = activeKey;
    if (active === null) return;
    virtualizer.scrollToIndex(active, { align: 'auto' });
    const focused = document.activeElement;
    if (focused === null || focused === document.body || focused.parentElement === bodyRef.current) {
      pendingFocus.current = active;
      focusPending();
    }
  }, [activeKey, active, virtualizer, focusPending, bodyRef]);

  return useCallback(
    (index: number) => {
      pendingFocus.current = index;
      virtualizer.scrollToIndex(index, { align: 'auto' });
      focusPending();
    },
    [virtualizer, focusPending],
  );
}
