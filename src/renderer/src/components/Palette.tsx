/**
 * ⌘K / Ctrl+K: commands and screens, and bookings found by customer name, e-mail, booking id or
 * offering (the core folds accents and case: `bookings.search`). Enter on a booking lists what can
 * be done with it (open, approve, decline, cancel, reschedule); Backspace on an empty field goes back.
 */
import { useEffect, useMemo, useState } from 'react';
import type { KeyboardEvent } from 'react';
import type { BookingView, SearchIndexing } from '../../../shared/contract/types.ts';
import { api } from '../api.ts';
import { useT } from '../i18n/index.ts';
import { formatSlot } from '../lib/format.ts';
import { useApp } from '../store/app.ts';
import { useFrontDesk } from '../store/frontdesk.ts';
import { useTimezone } from './actionDialogs.tsx';
import { useWriteBlock } from './bookingActions.tsx';
import { screens } from './Shell.tsx';
import { Dialog } from './ui.tsx';

interface Option {
  id: string;
  label: string;
  detail?: string;
  disabled?: string | null;
  run: () => void;
}

function useBookingSearch(text: string): { items: BookingView[]; searching: boolean; indexing: SearchIndexing | null } {
  const [state, setState] = useState<{ text: string; items: BookingView[]; indexing: SearchIndexing | null }>({ text: '', items: [], indexing: null });
  useEffect(() => {
    const q = text.trim();
    if (q.length < 2) return;
    let alive = true;
    // No debounce: the core's full-text search answers in a few milliseconds, so every keystroke asks
    // at once and an answer for text the user has since changed is dropped (`alive`). A timer of 0
    // still folds keystrokes that arrive in one task (a paste) into one call.
    const timer = setTimeout(() => {
      api.call('bookings.search', { text: q, limit: 8 }).then(
        (r) => alive && setState({ text: q, items: r.items, indexing: r.indexing ?? null }),
        () => alive && setState({ text: q, items: [], indexing: null }),
      );
    }, 0);
    return () => {
      alive = false;
      clearTimeout(timer);
    };
  }, [text]);
  const q = text.trim();
  const current = q.length >= 2 && state.text === q;
  return { items: current ? state.items : [], searching: q.length >= 2 && state.text !== q, indexing: current ? state.indexing : null };
}

// eslint-disable-next-line max-lines-per-function -- two lists (commands + bookings, then one booking's actions) behind one combobox and its keys
export function CommandPalette() {
  const { t, lang, locale } = useT();
  const tz = useTimezone();
  const setPalette = useApp((s) => s.setPalette);
  const navigate = useApp((s) => s.navigate);
  const writeBlock = useWriteBlock();
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const [booking, setBooking] = useState<BookingView | null>(null);
  const found = useBookingSearch(booking ? '' : query);

  const close = () => setPalette(false);
  const commands = useMemo<Option[]>(() => {
    const app = useApp.getState();
    const dark = app.settings?.theme === 'dark' || (app.settings?.theme !== 'light' && window.matchMedia?.('(prefers-color-scheme: dark)').matches);
    return [
      ...screens.map((s) => ({ id: `go-${s.name}`, label: t('palette.goTo', { screen: t(s.key) }), run: () => navigate(s.route) })),
      {
        id: 'new-offering',
        label: t('palette.newOffering'),
        run: () => {
          navigate({ name: 'catalogue', tab: 'offerings' });
          useApp.getState().setPendingCommand('newOffering');
        },
      },
      {
        id: 'new-coupon',
        label: t('palette.newCoupon'),
        run: () => {
          navigate({ name: 'catalogue', tab: 'coupons' });
          useApp.getState().setPendingCommand('newCoupon');
        },
      },
      { id: 'sync', label: t('palette.syncNow'), run: () => void api.call('sync.now', {}).catch(() => useApp.getState().toast({ kind: 'error', message: t('writes.coreLost') })) },
      { id: 'outbox', label: t('palette.outbox'), run: () => window.dispatchEvent(new Event('orkestr:outbox')) },
      { id: 'theme', label: t('palette.toggleTheme'), run: () => void useApp.getState().updateSettings({ theme: dark ? 'light' : 'dark' }).catch(() => {}) },
      { id: 'lang', label: t('palette.language'), run: () => void useApp.getState().updateSettings({ language: lang === 'en' ? 'es' : 'en' }).catch(() => {}) },
      { id: 'shortcuts', label: t('palette.shortcuts'), run: () => useApp.getState().setShortcuts(true) },
    ];
  }, [t, lang, navigate]);

  const describe = (b: BookingView) => `${b.offeringTitle} · ${b.items[0] ? formatSlot(b.items[0].startsAt, b.items[0].endsAt, tz, locale) : ''} · ${t(`bookingStatus.${b.status}`)}`;
  let options: Option[];
  const q = query.trim().toLowerCase();
  if (booking) {
    const ask = (kind: 'approve' | 'decline' | 'cancel' | 'reschedule') => () => useFrontDesk.getState().ask(kind, booking);
    const all: Option[] = [
      { id: 'open', label: t('palette.open'), run: () => navigate({ name: 'booking', id: booking.id }) },
      ...(booking.status === 'PENDING'
        ? [
            { id: 'approve', label: t('queue.approve'), disabled: writeBlock, run: ask('approve') },
            { id: 'decline', label: t('queue.decline'), disabled: writeBlock, run: ask('decline') },
          ]
        : []),
      ...(booking.status === 'CONFIRMED' ? [{ id: 'cancel', label: t('cancel.action'), disabled: writeBlock, run: ask('cancel') }] : []),
      ...(booking.status === 'PENDING' || booking.status === 'CONFIRMED' ? [{ id: 'reschedule', label: t('queue.reschedule'), disabled: writeBlock, run: ask('reschedule') }] : []),
    ];
    options = q ? all.filter((o) => o.label.toLowerCase().includes(q)) : all;
  } else {
    const cmds = q ? commands.filter((c) => c.label.toLowerCase().includes(q)) : commands;
    const bookings: Option[] = found.items.map((b) => ({
      id: `bkg-${b.id}`,
      label: b.customer.name,
      detail: describe(b),
      run: () => {
        setBooking(b);
        setQuery('');
        setActive(0);
      },
    }));
    options = [...bookings, ...cmds];
  }
  const clamped = Math.min(active, Math.max(0, options.length - 1));

  const run = (o: Option | undefined) => {
    if (!o || o.disabled) return;
    if (o.id.startsWith('bkg-')) return o.run();
    close();
    o.run();
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      setActive((clamped + 1) % Math.max(1, options.length));
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((clamped - 1 + options.length) % Math.max(1, options.length));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      run(options[clamped]);
    } else if (e.key === 'Backspace' && booking && query === '') {
      e.preventDefault();
      setBooking(null);
      setActive(0);
    }
  };
  const activeId = options[clamped] ? `cmd-${options[clamped].id}` : undefined;
  const placeholder = booking ? t('palette.actionsFor', { name: booking.customer.name }) : t('palette.placeholder');
  return (
    <Dialog title={t('palette.title')} onClose={close}>
      <div className="palette">
        {booking && (
          <p className="palette-context small">
            <strong>{booking.customer.name}</strong> · {describe(booking)}
          </p>
        )}
        <input
          className="palette-input"
          role="combobox"
          aria-expanded="true"
          aria-controls="palette-list"
          aria-activedescendant={activeId}
          aria-label={placeholder}
          placeholder={placeholder}
          value={query}
          data-autofocus
          onChange={(e) => {
            setQuery(e.target.value);
            setActive(0);
          }}
          onKeyDown={onKey}
        />
        {found.indexing && (
          // Right after a first sync the search index is still being built: say results may be missing.
          <p className="palette-context small" role="status">
            {t('palette.indexing', { percent: found.indexing.total > 0 ? Math.floor((100 * found.indexing.done) / found.indexing.total) : 0 })}
          </p>
        )}
        <ul id="palette-list" role="listbox" aria-label={t('palette.title')} className="palette-list">
          {options.length === 0 && (
            <li role="option" aria-selected="false" aria-disabled="true" className="palette-empty">
              {found.searching ? t('palette.searching') : t('palette.empty')}
            </li>
          )}
          {options.map((o, i) => (
            <li
              key={o.id}
              id={`cmd-${o.id}`}
              role="option"
              aria-selected={i === clamped}
              aria-disabled={o.disabled ? 'true' : undefined}
              className={i === clamped ? 'palette-item palette-active' : 'palette-item'}
              onMouseEnter={() => setActive(i)}
              onClick={() => run(o)}
            >
              <span>{o.label}</span>
              {o.detail && <span className="palette-detail small"> · {o.detail}</span>}
              {o.disabled && <span className="palette-detail small"> · {o.disabled}</span>}
            </li>
          ))}
        </ul>
      </div>
    </Dialog>
  );
}
