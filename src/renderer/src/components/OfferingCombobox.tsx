/**
 * One offering, or all of them, chosen by typing part of its title or slug: the offering filter of
 * the queue and Bookings and the Availability picker. A `<select>` of every offering was a 1.1 MB
 * answer and 20k options at 20k offerings, built after the queue's first paint and in the way of
 * the next keys (#16). This asks `offerings.page` for the first matches as the text changes.
 *
 * The ARIA pattern is the editable combobox with a list popup: the focus stays in the input, the
 * active option is `aria-activedescendant`; ↓/↑ move it (↓ opens the list), Enter chooses, Esc
 * closes the list and puts back the chosen title; leaving the field does the same.
 */
import { useEffect, useId, useRef, useState } from 'react';
import type { KeyboardEvent } from 'react';
import { useT } from '../i18n/index.ts';
import { useDebounced } from '../lib/useDebounced.ts';
import { useQuery } from '../lib/useQuery.ts';
import './offering-combobox.css';

/** Matches listed under "all offerings"; typing narrows the rest. */
const SHOWN = 30;

interface Props {
  /** The input's id, for the `<label htmlFor>` that names it. */
  id: string;
  /** The chosen offering's id; '' for all offerings (only when `allLabel` is given). */
  value: string;
  onChange: (offeringId: string) => void;
  /** The first option, "all offerings" (value ''); none when a choice is required. */
  allLabel?: string;
}

// eslint-disable-next-line max-lines-per-function -- one widget: its state, keys and list stay together
export function OfferingCombobox({ id, value, onChange, allLabel }: Props) {
  const { t, locale } = useT();
  const listId = useId();
  const [open, setOpen] = useState(false);
  const [text, setText] = useState<string | null>(null); // null: not typing, the chosen title shows
  const [active, setActive] = useState(0);
  const search = useDebounced((text ?? '').trim(), 150);
  const found = useQuery('offerings.page', { search, limit: SHOWN }, ['offerings'], open);
  // The last list stays up while the next one loads (no flicker as each key is typed).
  const lastFound = useRef(found.data);
  if (found.data) lastFound.current = found.data;
  const shown = found.data ?? lastFound.current;
  const chosen = useQuery('offerings.page', { ids: value ? [value] : [], limit: 1 }, ['offerings'], value !== '');
  // The title of an option just picked shows at once, before the core has answered for the new value.
  const [picked, setPicked] = useState<{ id: string; label: string } | null>(null);
  const chosenTitle = value ? (chosen.data?.items[0]?.title ?? (picked?.id === value ? picked.label : '')) : '';
  const input = useRef<HTMLInputElement>(null);

  const typing = (text ?? '').trim() !== '';
  const options: Array<{ id: string; label: string }> = [...(allLabel !== undefined && !typing ? [{ id: '', label: allLabel }] : []), ...(shown?.items ?? []).map((o) => ({ id: o.id, label: o.title }))];
  useEffect(() => setActive(0), [search, open]);

  // The list answers the text typed (debounce and call done): until then Enter waits for it, so a
  // quick "type, Enter" picks the first match of what was typed, never a stale option above it.
  const settled = search === (text ?? '').trim() && found.data !== undefined && !found.loading;
  const [enterPending, setEnterPending] = useState(false);
  const close = () => {
    setOpen(false);
    setText(null);
    setEnterPending(false);
  };
  const choose = (o: { id: string; label: string }) => {
    close();
    setPicked(o);
    if (o.id !== value) onChange(o.id);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (!open) return setOpen(true);
      const step = e.key === 'ArrowDown' ? 1 : -1;
      setActive((a) => Math.min(Math.max(0, a + step), Math.max(0, options.length - 1)));
    } else if (e.key === 'Enter' && open) {
      e.preventDefault();
      const o = options[active];
      if (!settled) setEnterPending(true);
      else if (o) choose(o);
    } else if (e.key === 'Escape' && open) {
      // The list closes; the Escape goes no further (a dialog around it stays open).
      e.preventDefault();
      e.stopPropagation();
      close();
    }
  };
  useEffect(() => {
    if (!enterPending || !settled) return;
    setEnterPending(false);
    const o = options[active];
    if (o) choose(o);
  });
  const total = found.data?.total ?? 0;
  const activeId = open && options[active] ? `${listId}-${active}` : undefined;
  return (
    <div className="offering-combobox">
      <input
        ref={input}
        id={id}
        type="text"
        role="combobox"
        autoComplete="off"
        aria-autocomplete="list"
        aria-expanded={open}
        aria-controls={listId}
        aria-activedescendant={activeId}
        placeholder={value === '' ? (allLabel ?? t('offerings.searchPlaceholder')) : undefined}
        value={text ?? chosenTitle}
        onChange={(e) => {
          setText(e.target.value);
          setOpen(true);
          setActive(0);
        }}
        onFocus={(e) => e.target.select()}
        onClick={() => setOpen(true)}
        onKeyDown={onKeyDown}
        onBlur={close}
      />
      {open && (
        <ul id={listId} role="listbox" className="offering-combobox-list" aria-label={t('offerings.search')} aria-busy={!settled || undefined}>
          {options.map((o, i) => (
            <li
              key={o.id || '-all'}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'offering-combobox-option is-active' : 'offering-combobox-option'}
              // Chosen on mousedown, before the input's blur closes the list.
              onMouseDown={(e) => {
                e.preventDefault();
                choose(o);
              }}
            >
              {o.label}
            </li>
          ))}
          {found.data && total === 0 && <li className="offering-combobox-note" role="presentation">{t('offerings.noMatch', { q: search })}</li>}
          {total > SHOWN && (
            <li className="offering-combobox-note" role="presentation">
              {t('offerings.moreFound', { shown: new Intl.NumberFormat(locale).format(SHOWN), total: new Intl.NumberFormat(locale).format(total) })}
            </li>
          )}
        </ul>
      )}
    </div>
  );
}
