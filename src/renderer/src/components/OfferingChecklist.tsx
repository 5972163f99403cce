/**
 * Offerings to tick, found by a search: a rule's or a feed's "only these offerings". At 20k
 * offerings a checkbox for every one was a 6.6 MB answer and 20k rows in the form (#16); this shows
 * the ticked ones first, then the first matches of the search (`offerings.page`), and says how many
 * more there are. Offerings that exist only on this machine (not yet created on the server) are
 * left out: a rule or feed refers to server ids.
 */
import { useMemo, useRef, useState } from 'react';
import type { OfferingView } from '../../../shared/contract/types.ts';
import { useT } from '../i18n/index.ts';
import { useDebounced } from '../lib/useDebounced.ts';
import { useQuery } from '../lib/useQuery.ts';
import './offering-checklist.css';

/** Matches shown under the ticked ones; the search narrows the rest. */
const SHOWN = 30;

export function OfferingChecklist({ picked, onChange, label }: { picked: ReadonlySet<string>; onChange: (next: ReadonlySet<string>) => void; label: string }) {
  const { t, locale } = useT();
  const [text, setText] = useState('');
  const search = useDebounced(text.trim(), 200);
  const found = useQuery('offerings.page', { search, limit: SHOWN }, ['offerings']);
  // Titles of every offering seen here, so a ticked one keeps its row while the search moves on.
  const known = useRef(new Map<string, OfferingView>());
  for (const o of found.data?.items ?? []) known.current.set(o.id, o);
  const missing = useMemo(() => [...picked].filter((id) => !known.current.has(id)).slice(0, 500), [picked]);
  const chosen = useQuery('offerings.page', { ids: missing, limit: 500 }, ['offerings'], missing.length > 0);
  for (const o of chosen.data?.items ?? []) known.current.set(o.id, o);

  const ticked = [...picked].map((id) => known.current.get(id)).filter((o): o is OfferingView => o !== undefined);
  const rows = [...ticked, ...(found.data?.items ?? []).filter((o) => !picked.has(o.id))].filter((o) => !o.id.startsWith('tmp_'));
  const toggle = (id: string) => {
    const next = new Set(picked);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    onChange(next);
  };
  const total = found.data?.total ?? 0;
  const number = new Intl.NumberFormat(locale);
  return (
    <div className="offering-checklist">
      <input type="search" aria-label={t('offerings.search')} placeholder={t('offerings.searchPlaceholder')} value={text} onChange={(e) => setText(e.target.value)} />
      <div className="offering-checklist-list" role="group" aria-label={label}>
        {rows.map((o) => (
          <label key={o.id} className="check">
            <input type="checkbox" checked={picked.has(o.id)} onChange={() => toggle(o.id)} />
            {o.title}
          </label>
        ))}
      </div>
      <p className="muted small" aria-live="polite">
        {found.data && total === 0 && search ? t('offerings.noMatch', { q: search }) : total > SHOWN ? t('offerings.moreFound', { shown: number.format(SHOWN), total: number.format(total) }) : ''}
      </p>
    </div>
  );
}

/** Whether there is any offering to choose (the "only these offerings" choice is off without one). */
export function useAnyOffering(): boolean {
  const q = useQuery('offerings.page', { limit: 1 }, ['offerings']);
  return (q.data?.total ?? 0) > 0;
}
