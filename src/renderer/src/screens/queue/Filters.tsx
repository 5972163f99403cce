/** The queue's sort and filters (offering, risk, date), and the counts of the filtered queue by group. */
import { memo, useCallback, useDeferredValue, useEffect, useId, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { QueueWindow } from '../../../../shared/contract/types.ts';
import { queueGroups } from '../../../../shared/contract/types.ts';
import { useT } from '../../i18n/index.ts';
import { useQuery } from '../../lib/useQuery.ts';
import { useFrontDesk } from '../../store/frontdesk.ts';
import type { DateFilter, QueueFilterState } from '../../store/frontdesk.ts';

const dates: DateFilter[] = ['any', 'today', 'tomorrow', 'week', 'later'];
const risks: Array<QueueFilterState['risk']> = ['all', 'held', 'clear', 'flagged'];

/**
 * The offering filter's select. Mounted anew (its key) when the offerings first arrive: React places
 * options added to a select already in the page one by one, each looking past all the others being
 * placed for its place, which for 20k offerings blocked the page for 1.3 s (of 1.8 s) right after
 * the 1M cold start (#16); a select mounted with its options gets them built off the page and
 * inserted at once. The keyboard focus, if it was on the select, is given back to the new one.
 * Memoised: the bar re-renders with the counts of every queue re-read (after each key press, and
 * each push of an approval), and the 20k options need not be compared again each time.
 */
const OfferingSelect = memo(function OfferingSelect({ id, options, value, allLabel, onChange }: { id: string; options: ReadonlyArray<{ id: string; title: string }>; value: string; allLabel: string; onChange: (offeringId: string) => void }) {
  const ref = useRef<HTMLSelectElement>(null);
  useLayoutEffect(() => {
    if (document.activeElement === document.body && focusedOfferingSelect === id) ref.current?.focus();
  }, [id]);
  return (
    <select
      ref={ref}
      id={id}
      value={value}
      onChange={(e) => onChange(e.target.value)}
      onFocus={() => (focusedOfferingSelect = id)}
      onBlur={(e) => {
        // Blurred by its own removal (no element gets the focus) the mark stays for the new select.
        if (e.relatedTarget !== null || ref.current?.isConnected) focusedOfferingSelect = null;
      }}
    >
      <option value="">{allLabel}</option>
      {options.map((o) => (
        <option key={o.id} value={o.id}>
          {o.title}
        </option>
      ))}
    </select>
  );
});
let focusedOfferingSelect: string | null = null;

/**
 * Memoised, and the offerings sorted once per list: a tenant may have thousands, and the queue
 * re-renders on every key press (sorting and reconciling 5,000 options each time cost a press
 * several milliseconds).
 */
export const QueueFilterBar = memo(function QueueFilterBar({ counts }: { counts: QueueWindow['counts'] | null }) {
  const { t } = useT();
  const filters = useFrontDesk((s) => s.filters);
  const set = useFrontDesk((s) => s.setFilters);
  // Only ids and titles: with 20k offerings whole views were ~6.6 MB (~0.8 s of the core's thread at
  // load) and the next calls waited behind them (#16). Asked once the first window is painted and the
  // page is idle: asked with the window's answer, its ~1 MB (~150 ms of the core, a JSON parse and 20k
  // options here) raced the queue's first frame at a cold start.
  const offerings = useQuery('offerings.options', {}, ['offerings'], useIdleAfter(counts !== null));
  // Labels point at their selects (not wrapped around them): each select is named by its label alone.
  const id = useId();
  const live = useMemo(() => {
    const collator = new Intl.Collator();
    return [...(offerings.data ?? [])].sort((a, b) => collator.compare(a.title, b.title));
  }, [offerings.data]);
  // Built at a low priority, in slices that yield to key presses (20k options took ~0.5 s to build).
  const options = useDeferredValue(live);
  const setOffering = useCallback((offeringId: string) => set({ offeringId }), [set]);
  return (
    <div className="queue-tools">
      <div className="queue-filters" role="group" aria-label={t('queue.filters')}>
        <div className="inline-field">
          <label htmlFor={`${id}-sort`}>{t('queue.sort')}</label>
          <select id={`${id}-sort`} value={filters.sort} onChange={(e) => set({ sort: e.target.value === 'starting' ? 'starting' : 'waiting' })}>
            <option value="waiting">{t('queue.sort.waiting')}</option>
            <option value="starting">{t('queue.sort.starting')}</option>
          </select>
        </div>
        <div className="inline-field">
          <label htmlFor={`${id}-offering`}>{t('queue.filter.offering')}</label>
          <OfferingSelect key={options.length > 0 ? 'loaded' : 'empty'} id={`${id}-offering`} options={options} value={filters.offeringId} allLabel={t('queue.filter.allOfferings')} onChange={setOffering} />
        </div>
        <div className="inline-field">
          <label htmlFor={`${id}-risk`}>{t('queue.filter.risk')}</label>
          <select id={`${id}-risk`} value={filters.risk} onChange={(e) => set({ risk: risks.find((r) => r === e.target.value) ?? 'all' })}>
            <option value="all">{t('queue.filter.riskAll')}</option>
            <option value="held">{t('queue.filter.riskHeld')}</option>
            <option value="clear">{t('queue.filter.riskClear')}</option>
            <option value="flagged">{t('queue.filter.riskFlagged')}</option>
          </select>
        </div>
        <div className="inline-field">
          <label htmlFor={`${id}-date`}>{t('queue.filter.date')}</label>
          <select id={`${id}-date`} value={filters.date} onChange={(e) => set({ date: dates.find((d) => d === e.target.value) ?? 'any' })}>
            {dates.map((d) => (
              <option key={d} value={d}>
                {t(`queue.date.${d}`)}
              </option>
            ))}
          </select>
        </div>
      </div>
      {counts && (
        <p className="queue-counts small muted">
          {queueGroups
            .filter((g) => counts.groups[g] > 0)
            .map((g) => `${t(`queue.group.${g}`)} ${counts.groups[g]}`)
            .join(' · ')}
          {counts.held > 0 && <span className="chip chip-held">{t('queue.countHeld', { n: counts.held })}</span>}
          {counts.full > 0 && <span className="chip chip-full">{t('queue.countFull', { n: counts.full })}</span>}
          {counts.flagged > 0 && <span className="chip chip-flagged">{t('queue.countFlagged', { n: counts.flagged })}</span>}
        </p>
      )}
    </div>
  );
});

/** False until `ready` has been true through a painted frame and an idle period (or a second at most). */
function useIdleAfter(ready: boolean): boolean {
  const [idle, setIdle] = useState(false);
  useEffect(() => {
    if (!ready || idle) return;
    // Idle callbacks run after a frame is drawn, when the page has nothing more urgent to do.
    const handle = requestIdleCallback(() => setIdle(true), { timeout: 1000 });
    return () => cancelIdleCallback(handle);
  }, [ready, idle]);
  return idle;
}
