/** The queue's sort and filters (offering, risk, date), and the counts of the filtered queue by group. */
import { memo, useCallback, useId } from 'react';
import type { QueueWindow } from '../../../../shared/contract/types.ts';
import { queueGroups } from '../../../../shared/contract/types.ts';
import { OfferingCombobox } from '../../components/OfferingCombobox.tsx';
import { useT } from '../../i18n/index.ts';
import { useFrontDesk } from '../../store/frontdesk.ts';
import type { DateFilter, QueueFilterState } from '../../store/frontdesk.ts';

const dates: DateFilter[] = ['any', 'today', 'tomorrow', 'week', 'later'];
const risks: Array<QueueFilterState['risk']> = ['all', 'held', 'clear', 'flagged'];

/** Memoised: the queue re-renders on every key press, the bar only when its counts or filters change. */
export const QueueFilterBar = memo(function QueueFilterBar({ counts }: { counts: QueueWindow['counts'] | null }) {
  const { t } = useT();
  const filters = useFrontDesk((s) => s.filters);
  const set = useFrontDesk((s) => s.setFilters);
  // Labels point at their fields (not wrapped around them): each is named by its label alone.
  const id = useId();
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
          <OfferingCombobox id={`${id}-offering`} value={filters.offeringId} allLabel={t('queue.filter.allOfferings')} onChange={setOffering} />
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

