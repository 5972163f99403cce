/** ⌘K command palette and the `?` shortcut sheet. */
import { useMemo, useRef, useState } from 'react';
import type { KeyboardEvent } from 'react';
import { api } from '../api.ts';
import { useT } from '../i18n/index.ts';
import { useApp } from '../store/app.ts';
import { screens } from './Shell.tsx';
import { Dialog, Kbd } from './ui.tsx';

interface Command {
  id: string;
  label: string;
  run: () => void;
}

export function CommandPalette() {
  const { t, lang } = useT();
  const setPalette = useApp((s) => s.setPalette);
  const navigate = useApp((s) => s.navigate);
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const listRef = useRef<HTMLUListElement>(null);

  const commands = useMemo<Command[]>(() => {
    const close = () => setPalette(false);
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
      { id: 'sync', label: t('palette.syncNow'), run: () => void api.call('sync.now', {}).catch(() => {}) },
      { id: 'theme', label: t('palette.toggleTheme'), run: () => void useApp.getState().updateSettings({ theme: dark ? 'light' : 'dark' }).catch(() => {}) },
      { id: 'lang', label: t('palette.language'), run: () => void useApp.getState().updateSettings({ language: lang === 'en' ? 'es' : 'en' }).catch(() => {}) },
      { id: 'shortcuts', label: t('palette.shortcuts'), run: () => useApp.getState().setShortcuts(true) },
    ].map((c) => ({
      ...c,
      run: () => {
        close();
        c.run();
      },
    }));
  }, [t, lang, navigate, setPalette]);

  const q = query.trim().toLowerCase();
  const filtered = q ? commands.filter((c) => c.label.toLowerCase().includes(q)) : commands;
  const clamped = Math.min(active, Math.max(0, filtered.length - 1));

  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      setActive((clamped + 1) % Math.max(1, filtered.length));
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((clamped - 1 + filtered.length) % Math.max(1, filtered.length));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      filtered[clamped]?.run();
    }
  };
  const activeId = filtered[clamped] ? `cmd-${filtered[clamped].id}` : undefined;
  return (
    <Dialog title={t('palette.title')} onClose={() => setPalette(false)}>
      <div className="palette">
        <input
          className="palette-input"
          role="combobox"
          aria-expanded="true"
          aria-controls="palette-list"
          aria-activedescendant={activeId}
          aria-label={t('palette.placeholder')}
          placeholder={t('palette.placeholder')}
          value={query}
          data-autofocus
          onChange={(e) => {
            setQuery(e.target.value);
            setActive(0);
          }}
          onKeyDown={onKey}
        />
        <ul id="palette-list" role="listbox" ref={listRef} aria-label={t('palette.title')} className="palette-list">
          {filtered.length === 0 && (
            <li role="option" aria-selected="false" aria-disabled="true" className="palette-empty">
              {t('palette.empty')}
            </li>
          )}
          {filtered.map((c, i) => (
            <li key={c.id} id={`cmd-${c.id}`} role="option" aria-selected={i === clamped} className={i === clamped ? 'palette-item palette-active' : 'palette-item'} onMouseEnter={() => setActive(i)} onClick={c.run}>
              {c.label}
            </li>
          ))}
        </ul>
      </div>
    </Dialog>
  );
}

export function ShortcutSheet() {
  const { t } = useT();
  const setShortcuts = useApp((s) => s.setShortcuts);
  const mod = /Mac|iPhone|iPad/.test(navigator.platform) ? '⌘' : 'Ctrl';
  const global: Array<[string[], string]> = [
    [[mod, 'K'], t('shortcuts.palette')],
    [['?'], t('shortcuts.help')],
    [['Esc'], t('shortcuts.close')],
  ];
  const queue: Array<[string[], string]> = [
    [['j', 'k'], t('shortcuts.move')],
    [['a'], t('shortcuts.approve')],
    [['d'], t('shortcuts.decline')],
    [['r'], t('shortcuts.reschedule')],
    [['x'], t('shortcuts.select')],
    [['Shift', 'A'], t('shortcuts.selectAll')],
    [['Enter'], t('shortcuts.open')],
  ];
  const table = (rows: Array<[string[], string]>) => (
    <dl className="shortcuts">
      {rows.map(([keys, label]) => (
        <div key={label} className="shortcut-row">
          <dt>
            {keys.map((k, i) => (
              <span key={k}>
                {i > 0 && ' '}
                <Kbd>{k}</Kbd>
              </span>
            ))}
          </dt>
          <dd>{label}</dd>
        </div>
      ))}
    </dl>
  );
  return (
    <Dialog title={t('shortcuts.title')} onClose={() => setShortcuts(false)}>
      <h3 className="h3">{t('shortcuts.globalSection')}</h3>
      {table(global)}
      <h3 className="h3">{t('shortcuts.queueSection')}</h3>
      {table(queue)}
    </Dialog>
  );
}
